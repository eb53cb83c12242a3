// Loads in progress and their outcome (the `dataset_loads` table), so a page can follow a long
// load from any web replica, and a load cut off by a crash is reported as failed. A running load
// beats every LOAD_HEARTBEAT_MS (as jobs do); one silent for STALE_SECONDS is dead.
import { randomBytes } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from '@enchilada/core';

export type LoadStatus = 'running' | 'done' | 'failed';
export interface LoadState {
  readonly id: string;
  readonly datasetName: string;
  readonly status: LoadStatus;
  readonly rowsDone: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly error: string | null;
  /** The column a refused load stopped at, and what would work there (see typeHint). */
  readonly errorColumn: string | null;
  readonly errorHint: string | null;
  readonly datasetId: number | null;
  readonly createdBy: number | null;
}

/** How often a running load says it is alive, whatever it is doing (rows, statistics, the swap). */
export const LOAD_HEARTBEAT_MS = 5_000;
/** A load whose heartbeat is older than this is dead: six beats missed (a restarted web is back in seconds). */
export const LOAD_STALE_SECONDS = 30;

/** What a dead load leaves behind, for the sweeper. */
export interface AbandonedLoad {
  readonly id: string;
  readonly uploadId: string | null;
  readonly tableName: string | null;
}

export class Loads {
  constructor(private readonly pool: Pool) {}

  /** `uploadId` and `tableName`: what the load reads and fills, removed by the sweeper if the load dies. */
  async start(
    datasetName: string,
    bytesTotal: number,
    createdBy: number | null,
    leaves: { uploadId?: string; tableName?: string } = {},
  ): Promise<string> {
    const id = randomBytes(16).toString('hex');
    await this.pool.query(
      'INSERT INTO dataset_loads (id, dataset_name, status, bytes_total, created_by, upload_id, table_name) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, datasetName, 'running', bytesTotal, createdBy, leaves.uploadId ?? null, leaves.tableName ?? null],
    );
    return id;
  }

  /** Whether a load of this upload file is running (a second one would read it twice). */
  async uploadBusy(uploadId: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT 1 FROM dataset_loads WHERE upload_id = ? AND status = 'running' AND heartbeat_at >= NOW() - INTERVAL ? SECOND LIMIT 1",
      [uploadId, LOAD_STALE_SECONDS],
    );
    return rows.length > 0;
  }

  async beat(id: string): Promise<void> {
    await this.pool.query('UPDATE dataset_loads SET heartbeat_at = CURRENT_TIMESTAMP WHERE id = ? AND status = ?', [
      id,
      'running',
    ]);
  }

  /** Beats every LOAD_HEARTBEAT_MS until the returned function is called. */
  keepAlive(id: string, onError: (err: unknown) => void): () => void {
    const timer = setInterval(() => {
      this.beat(id).catch(onError);
    }, LOAD_HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The tables of loads still running (alive): never swept. */
  async runningTables(): Promise<Set<string>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT table_name FROM dataset_loads WHERE status = 'running' AND table_name IS NOT NULL AND heartbeat_at >= NOW() - INTERVAL ? SECOND",
      [LOAD_STALE_SECONDS],
    );
    return new Set(rows.map((r) => String(r.table_name)));
  }

  async progress(id: string, rows: number, bytes: number): Promise<void> {
    await this.pool.query(
      'UPDATE dataset_loads SET rows_done = ?, bytes_done = ?, heartbeat_at = CURRENT_TIMESTAMP WHERE id = ? AND status = ?',
      [rows, bytes, id, 'running'],
    );
  }

  async finish(
    id: string,
    outcome: { datasetId: number; rows: number } | { error: string; column?: string; hint?: string },
  ): Promise<void> {
    if ('error' in outcome) {
      await this.pool.query(
        'UPDATE dataset_loads SET status = ?, error = ?, error_column = ?, error_hint = ?, finished_at = CURRENT_TIMESTAMP WHERE id = ?',
        [
          'failed',
          outcome.error.slice(0, 2000),
          outcome.column?.slice(0, 64) ?? null,
          outcome.hint?.slice(0, 500) ?? null,
          id,
        ],
      );
    } else {
      await this.pool.query(
        'UPDATE dataset_loads SET status = ?, dataset_id = ?, rows_done = ?, bytes_done = bytes_total, finished_at = CURRENT_TIMESTAMP WHERE id = ?',
        ['done', outcome.datasetId, outcome.rows, id],
      );
    }
  }

  async get(id: string): Promise<LoadState | null> {
    if (!/^[0-9a-f]{32}$/.test(id)) return null;
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM dataset_loads WHERE id = ?', [id]);
    const r = rows[0];
    if (!r) return null;
    return {
      id: String(r.id),
      datasetName: String(r.dataset_name),
      status: r.status as LoadStatus,
      rowsDone: Number(r.rows_done),
      bytesDone: Number(r.bytes_done),
      bytesTotal: Number(r.bytes_total),
      error: r.error === null ? null : String(r.error),
      errorColumn: r.error_column == null ? null : String(r.error_column),
      errorHint: r.error_hint == null ? null : String(r.error_hint),
      datasetId: r.dataset_id === null ? null : Number(r.dataset_id),
      createdBy: r.created_by === null ? null : Number(r.created_by),
    };
  }

  /** Marks loads whose process died (no heartbeat for `seconds`) as failed, and says what they left. */
  async failStale(seconds = LOAD_STALE_SECONDS): Promise<AbandonedLoad[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT id, upload_id, table_name FROM dataset_loads WHERE status = 'running' AND heartbeat_at < NOW() - INTERVAL ? SECOND",
      [seconds],
    );
    const failed: AbandonedLoad[] = [];
    for (const r of rows) {
      // Conditional on still being stale: a load that beat in between is alive, and of two
      // replicas sweeping at once only one reports it.
      const [res] = await this.pool.query<ResultSetHeader>(
        `UPDATE dataset_loads SET status = 'failed', error = 'the load was interrupted (the server restarted); upload the file again', finished_at = CURRENT_TIMESTAMP
         WHERE id = ? AND status = 'running' AND heartbeat_at < NOW() - INTERVAL ? SECOND`,
        [r.id, seconds],
      );
      if (res.affectedRows)
        failed.push({
          id: String(r.id),
          uploadId: r.upload_id === null ? null : String(r.upload_id),
          tableName: r.table_name === null ? null : String(r.table_name),
        });
    }
    return failed;
  }
}
