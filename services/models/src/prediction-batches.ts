// Batch scoring's tables (issue 19): a batch is one CSV scored through serve; its rows go into
// `predictions` with the batch's id, in multi-row INSERTs of a few thousand rows each.
import { firstRow, type Pool, type ResultSetHeader, type RowDataPacket } from '@enchilada/core';
import type { NewPrediction } from './serving.js';

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
    id: Number(r.id), modelName: String(r.model_name), modelId: Number(r.model_id), version: Number(r.version),
    idColumn: r.id_column === null ? null : String(r.id_column), status: String(r.status) as BatchStatus,
    rowsScored: Number(r.rows_scored), rowsFailed: Number(r.rows_failed), message: r.message === null ? null : String(r.message),
    startedAt: new Date(r.started_at), finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  };
}

export class PredictionBatches {
  constructor(private readonly pool: Pool) {}

  async start(modelName: string, modelId: number, version: number, idColumn: string | null): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT INTO prediction_batches (model_name, model_id, version, id_column) VALUES (?, ?, ?, ?)', [modelName, modelId, version, idColumn]);
    return res.insertId;
  }

  /**
   * The rows of one chunk in one statement (autocommit: all or none). A client id already logged for
   * the name throws the driver's ER_DUP_ENTRY and stores none of them (see `existing`).
   */
  async insertRows(batchId: number, rows: readonly NewPrediction[]): Promise<void> {
    if (!rows[0]) return;
    const values: (string | number)[] = [];
    for (const r of rows) values.push(r.modelName, r.modelId, r.version, r.clientId, r.observation, r.output, r.latencyMs, batchId);
    await this.pool.query(
      `INSERT INTO predictions (model_name, model_id, version, client_id, observation, output, latency_ms, batch_id) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      values);
  }

  /** Which of `clientIds` already have a prediction for `modelName`. */
  async existing(modelName: string, clientIds: readonly string[]): Promise<Set<string>> {
    if (!clientIds.length) return new Set();
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT client_id FROM predictions WHERE model_name = ? AND client_id IN (${clientIds.map(() => '?').join(', ')})`, [modelName, ...clientIds]);
    return new Set(rows.map((r) => String(r.client_id)));
  }

  async finish(id: number, status: Exclude<BatchStatus, 'running'>, rowsScored: number, rowsFailed: number, message: string | null): Promise<void> {
    await this.pool.query(
      'UPDATE prediction_batches SET status = ?, rows_scored = ?, rows_failed = ?, message = ?, finished_at = CURRENT_TIMESTAMP(3) WHERE id = ?',
      [status, rowsScored, rowsFailed, message === null ? null : message.slice(0, 1000), id]);
  }

  async get(id: number): Promise<PredictionBatch | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, model_name, model_id, version, id_column, status, rows_scored, rows_failed, message, started_at, finished_at
       FROM prediction_batches WHERE id = ?`, [id]);
    return rows[0] ? toBatch(rows[0]) : null;
  }

  /** Rows logged for a batch (counted in SQL). */
  async countRows(id: number): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM predictions WHERE batch_id = ?', [id]);
    return Number(firstRow(rows, 'the count').n);
  }
}
