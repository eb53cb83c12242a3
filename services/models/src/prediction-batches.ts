// Batch scoring's tables (issue 19): a batch is one CSV scored through serve; its rows go into
// `predictions` with the batch's id, in multi-row INSERTs of a few thousand rows each.
import { firstRow, withTransaction, type Pool, type ResultSetHeader, type RowDataPacket } from '@enchilada/core';

/** Most rows in one INSERT statement (8 placeholders a row: 16,384, a quarter of the protocol's limit). */
export const INSERT_ROWS = 2048;

/** A chunk of a batch's rows, column by column (what every row shares given once). */
export interface BatchRows {
  readonly modelName: string;
  readonly modelId: number;
  readonly version: number;
  readonly latencyMs: number;
  readonly clientIds: readonly string[];
  /** JSON text, as `predictions.observation` and `output` hold it. */
  readonly observations: readonly string[];
  readonly outputs: readonly string[];
}

const statements = new Map<number, string>();
function insertStatement(rows: number): string {
  let sql = statements.get(rows);
  if (sql === undefined) {
    sql = `INSERT INTO predictions (model_name, model_id, version, client_id, observation, output, latency_ms, batch_id) VALUES ${new Array<string>(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
    statements.set(rows, sql);
  }
  return sql;
}

export type BatchStatus = 'running' | 'done' | 'failed';

export interface PredictionBatch {
  readonly id: number;
  readonly modelName: string;
  readonly modelId: number;
  readonly version: number;
  readonly idColumn: string | null;
  readonly status: BatchStatus;
  readonly rowsScored: number;
  readonly rowsFailed: number;
  readonly message: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

function toBatch(r: RowDataPacket): PredictionBatch {
  return {
    id: Number(r.id),
    modelName: String(r.model_name),
    modelId: Number(r.model_id),
    version: Number(r.version),
    idColumn: r.id_column === null ? null : String(r.id_column),
    status: String(r.status) as BatchStatus,
    rowsScored: Number(r.rows_scored),
    rowsFailed: Number(r.rows_failed),
    message: r.message === null ? null : String(r.message),
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  };
}

export class PredictionBatches {
  constructor(private readonly pool: Pool) {}

  async start(modelName: string, modelId: number, version: number, idColumn: string | null): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT INTO prediction_batches (model_name, model_id, version, id_column) VALUES (?, ?, ?, ?)',
      [modelName, modelId, version, idColumn],
    );
    return res.insertId;
  }

  /**
   * The rows of one chunk, all or none: a client id already logged for the name throws the driver's
   * ER_DUP_ENTRY and stores none of them (see `existing`). Sent as prepared statements (binary
   * protocol): measured here, 1M rows in chunks of 2,000 cost the database 7 µs of CPU a row and
   * serve 3 µs, against 11 µs and 6 µs as text with escaped values. A statement is prepared once per
   * connection and shape, so the shapes are few: INSERT_ROWS rows, or a power of two below it (a
   * chunk of another size goes as several statements in one transaction). MariaDB holds ~8 MB a
   * connection for the shapes up to 1,024 rows (measured: session Memory_used), twice that with 2,048.
   */
  async insertRows(batchId: number, rows: BatchRows): Promise<void> {
    const n = rows.clientIds.length;
    if (n !== rows.observations.length || n !== rows.outputs.length)
      throw new RangeError('insertRows: the columns differ in length');
    if (!n) return;
    const pieces: [number, number][] = [];
    for (let at = 0; at < n;) {
      const left = n - at;
      const size = left >= INSERT_ROWS ? INSERT_ROWS : 2 ** Math.floor(Math.log2(left));
      pieces.push([at, size]);
      at += size;
    }
    const run = (q: { execute: Pool['execute'] }, [at, size]: [number, number]) => {
      const values = new Array<string | number>(size * 8);
      for (let i = 0, k = 0; i < size; i++) {
        const id = rows.clientIds[at + i],
          observation = rows.observations[at + i],
          output = rows.outputs[at + i];
        // (the columns' lengths are checked above: never thrown)
        if (id === undefined || observation === undefined || output === undefined)
          throw new RangeError(`insertRows: no row ${at + i}`);
        values[k++] = rows.modelName;
        values[k++] = rows.modelId;
        values[k++] = rows.version;
        values[k++] = id;
        values[k++] = observation;
        values[k++] = output;
        values[k++] = rows.latencyMs;
        values[k++] = batchId;
      }
      return q.execute(insertStatement(size), values);
    };
    const [only] = pieces;
    if (only && pieces.length === 1) {
      await run(this.pool, only);
      return;
    }
    await withTransaction(this.pool, async (conn) => {
      for (const p of pieces) await run(conn, p);
    });
  }

  /** Which of `clientIds` already have a prediction for `modelName`. */
  async existing(modelName: string, clientIds: readonly string[]): Promise<Set<string>> {
    if (!clientIds.length) return new Set();
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT client_id FROM predictions WHERE model_name = ? AND client_id IN (${clientIds.map(() => '?').join(', ')})`,
      [modelName, ...clientIds],
    );
    return new Set(rows.map((r) => String(r.client_id)));
  }

  async finish(
    id: number,
    status: Exclude<BatchStatus, 'running'>,
    rowsScored: number,
    rowsFailed: number,
    message: string | null,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE prediction_batches SET status = ?, rows_scored = ?, rows_failed = ?, message = ?, finished_at = CURRENT_TIMESTAMP(3) WHERE id = ?',
      [status, rowsScored, rowsFailed, message === null ? null : message.slice(0, 1000), id],
    );
  }

  async get(id: number): Promise<PredictionBatch | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, model_name, model_id, version, id_column, status, rows_scored, rows_failed, message, started_at, finished_at
       FROM prediction_batches WHERE id = ?`,
      [id],
    );
    return rows[0] ? toBatch(rows[0]) : null;
  }

  /** Rows logged for a batch (counted in SQL). */
  async countRows(id: number): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE batch_id = ?', [
      id,
    ]);
    return Number(firstRow(rows, 'the count').n);
  }
}
