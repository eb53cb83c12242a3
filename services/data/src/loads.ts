// Loads in progress and their outcome (the `dataset_loads` table), so a page can follow a long
// load from any web replica, and a load cut off by a crash is reported as failed.
import { randomBytes } from 'node:crypto';
import type { Pool, RowDataPacket } from '@enchilada/core';

export type LoadStatus = 'running' | 'done' | 'failed';
export interface LoadState {
  readonly id: string;
  readonly datasetName: string;
  readonly status: LoadStatus;
  readonly rowsDone: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly error: string | null;
  readonly datasetId: number | null;
  readonly createdBy: number | null;
}

/** A load whose heartbeat is older than this is considered dead. */
const STALE_SECONDS = 120;

export class Loads {
  constructor(private readonly pool: Pool) {}

  async start(datasetName: string, bytesTotal: number, createdBy: number | null): Promise<string> {
    const id = randomBytes(16).toString('hex');
    await this.pool.query('INSERT INTO dataset_loads (id, dataset_name, status, bytes_total, created_by) VALUES (?, ?, ?, ?, ?)',
      [id, datasetName, 'running', bytesTotal, createdBy]);
    return id;
  }

  async progress(id: string, rows: number, bytes: number): Promise<void> {
    await this.pool.query('UPDATE dataset_loads SET rows_done = ?, bytes_done = ?, heartbeat_at = CURRENT_TIMESTAMP WHERE id = ? AND status = ?', [rows, bytes, id, 'running']);
  }

  async finish(id: string, outcome: { datasetId: number; rows: number } | { error: string }): Promise<void> {
    if ('error' in outcome) {
      await this.pool.query('UPDATE dataset_loads SET status = ?, error = ?, finished_at = CURRENT_TIMESTAMP WHERE id = ?', ['failed', outcome.error.slice(0, 2000), id]);
    } else {
      await this.pool.query('UPDATE dataset_loads SET status = ?, dataset_id = ?, rows_done = ?, bytes_done = bytes_total, finished_at = CURRENT_TIMESTAMP WHERE id = ?',
        ['done', outcome.datasetId, outcome.rows, id]);
    }
  }

  async get(id: string): Promise<LoadState | null> {
    if (!/^[0-9a-f]{32}$/.test(id)) return null;
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT * FROM dataset_loads WHERE id = ?', [id]);
    if (!rows.length) return null;
    const r = rows[0];
    return {
      id: String(r.id), datasetName: String(r.dataset_name), status: r.status as LoadStatus,
      rowsDone: Number(r.rows_done), bytesDone: Number(r.bytes_done), bytesTotal: Number(r.bytes_total),
      error: r.error === null ? null : String(r.error), datasetId: r.dataset_id === null ? null : Number(r.dataset_id),
      createdBy: r.created_by === null ? null : Number(r.created_by),
    };
  }

  /** Marks loads whose process died (no heartbeat for two minutes) as failed. */
  async failStale(): Promise<number> {
    const [res] = await this.pool.query<import('@enchilada/core').ResultSetHeader>(
      `UPDATE dataset_loads SET status = 'failed', error = 'the load was interrupted (the server restarted); upload the file again', finished_at = CURRENT_TIMESTAMP
       WHERE status = 'running' AND heartbeat_at < NOW() - INTERVAL ? SECOND`, [STALE_SECONDS]);
    return res.affectedRows;
  }
}
