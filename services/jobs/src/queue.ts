// The job queue in the `jobs` table: web enqueues and asks for cancellation; viz replicas claim
// queued jobs with SELECT … FOR UPDATE SKIP LOCKED (so two replicas never take the same job),
// report progress (which doubles as a heartbeat), and finish them. A job whose heartbeat stops
// (its process died) is failed by the sweeper of any replica.
import type { Pool, ResultSetHeader, RowDataPacket } from '@enchilada/core';
import { withTransaction } from '@enchilada/core';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export interface Job<S = unknown, R = unknown> {
  readonly id: number;
  readonly kind: string;
  readonly status: JobStatus;
  readonly spec: S;
  readonly datasetId: number | null;
  readonly createdBy: number | null;
  readonly done: number;
  readonly total: number;
  readonly message: string | null;
  readonly error: string | null;
  readonly result: R | null;
  readonly modelId: number | null;
  readonly worker: string | null;
  readonly cancelRequested: boolean;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Seconds since a running job's worker last beat its heart (the database's clock); null unless running. */
  readonly silentSeconds: number | null;
}

/** A running job whose worker has been silent this long is failed by the sweeper. */
export const STALE_SECONDS = 30;
/** How often each viz replica's sweeper looks for such jobs. */
export const SWEEP_SECONDS = 10;
/** Silent this long (a worker beats every half second), a running job is said to be stalled. */
export const SILENT_SECONDS = 5;

/** A running job whose worker stopped answering, and within how many seconds the sweeper will fail it; else null. */
export function stalled(job: Job): { silentSeconds: number; failsWithinSeconds: number } | null {
  if (job.status !== 'running' || job.silentSeconds === null || job.silentSeconds < SILENT_SECONDS) return null;
  return {
    silentSeconds: Math.floor(job.silentSeconds),
    failsWithinSeconds: Math.ceil(Math.max(0, STALE_SECONDS - job.silentSeconds) + SWEEP_SECONDS),
  };
}

/** Every column, and how long a running job's heartbeat has been silent. */
const SELECT_JOB = `SELECT *, IF(status = 'running' AND heartbeat_at IS NOT NULL,
  TIMESTAMPDIFF(MICROSECOND, heartbeat_at, CURRENT_TIMESTAMP(3)) / 1000000, NULL) AS silent_seconds FROM jobs`;
export const FINAL: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

function toJob<S, R>(r: RowDataPacket): Job<S, R> {
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: Number(r.id),
    kind: String(r.kind),
    status: r.status as JobStatus,
    spec: JSON.parse(String(r.spec)) as S,
    datasetId: r.dataset_id === null ? null : Number(r.dataset_id),
    createdBy: r.created_by === null ? null : Number(r.created_by),
    done: Number(r.progress_done),
    total: Number(r.progress_total),
    message: r.message === null ? null : String(r.message),
    error: r.error === null ? null : String(r.error),
    result: r.result ? (JSON.parse(String(r.result)) as R) : null,
    modelId: r.model_id === null ? null : Number(r.model_id),
    worker: r.worker === null ? null : String(r.worker),
    cancelRequested: Number(r.cancel_requested) === 1,
    createdAt: new Date(r.created_at),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    silentSeconds: r.silent_seconds === null || r.silent_seconds === undefined ? null : Number(r.silent_seconds),
  };
}

export class JobQueue {
  constructor(private readonly pool: Pool) {}

  async enqueue(job: {
    kind: string;
    spec: unknown;
    datasetId: number | null;
    createdBy: number | null;
    total: number;
  }): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT INTO jobs (kind, status, spec, dataset_id, created_by, progress_total, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [job.kind, 'queued', JSON.stringify(job.spec), job.datasetId, job.createdBy, job.total, 'waiting for a worker'],
    );
    return res.insertId;
  }

  /**
   * Enqueues unless `createdBy` already has `maxActive` queued or running jobs of this kind; answers
   * null then. A named lock per user makes the count and the insert one step, so parallel requests
   * cannot all pass the count (GET_LOCK exists in MySQL and MariaDB alike).
   */
  async enqueueWithin(
    job: { kind: string; spec: unknown; datasetId: number | null; createdBy: number; total: number },
    maxActive: number,
  ): Promise<number | null> {
    const conn = await this.pool.getConnection();
    const lock = `enchilada_jobs_user_${job.createdBy}`;
    try {
      const [got] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 10) AS ok', [lock]);
      if (Number(got[0]?.ok) !== 1) throw new Error('the job queue is busy: try again');
      try {
        const [rows] = await conn.query<RowDataPacket[]>(
          `SELECT COUNT(*) AS n FROM jobs WHERE created_by = ? AND kind = ? AND status IN ('queued', 'running')`,
          [job.createdBy, job.kind],
        );
        if (Number(rows[0]?.n) >= maxActive) return null;
        const [res] = await conn.query<ResultSetHeader>(
          'INSERT INTO jobs (kind, status, spec, dataset_id, created_by, progress_total, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [
            job.kind,
            'queued',
            JSON.stringify(job.spec),
            job.datasetId,
            job.createdBy,
            job.total,
            'waiting for a worker',
          ],
        );
        return res.insertId;
      } finally {
        await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
      }
    } finally {
      conn.release();
    }
  }

  async get<S = unknown, R = unknown>(id: number): Promise<Job<S, R> | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`${SELECT_JOB} WHERE id = ?`, [id]);
    const row = rows[0];
    return row ? toJob<S, R>(row) : null;
  }

  async recent(filter: { datasetId?: number; limit?: number } = {}): Promise<Job[]> {
    const limit = Math.min(200, filter.limit ?? 20);
    const [rows] =
      filter.datasetId === undefined
        ? await this.pool.query<RowDataPacket[]>(`${SELECT_JOB} ORDER BY id DESC LIMIT ?`, [limit])
        : await this.pool.query<RowDataPacket[]>(`${SELECT_JOB} WHERE dataset_id = ? ORDER BY id DESC LIMIT ?`, [
            filter.datasetId,
            limit,
          ]);
    return rows.map((r) => toJob(r));
  }

  /** Takes the oldest queued job of these kinds, or null. Safe with any number of replicas. */
  async claim(worker: string, kinds: readonly string[]): Promise<Job | null> {
    // Concurrent claimers can still deadlock on index locks; the database rolls one back and it
    // simply tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.claimOnce(worker, kinds);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if ((code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT') || attempt >= 8) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  private async claimOnce(worker: string, kinds: readonly string[]): Promise<Job | null> {
    return withTransaction(
      this.pool,
      async (conn) => {
        const [rows] = await conn.query<RowDataPacket[]>(
          `SELECT id FROM jobs WHERE status = 'queued' AND kind IN (?) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [kinds],
        );
        const first = rows[0];
        if (!first) return null;
        const id = Number(first.id);
        await conn.query(
          `UPDATE jobs SET status = 'running', worker = ?, started_at = CURRENT_TIMESTAMP(3), heartbeat_at = CURRENT_TIMESTAMP(3), message = 'starting' WHERE id = ?`,
          [worker.slice(0, 100), id],
        );
        const [full] = await conn.query<RowDataPacket[]>(`${SELECT_JOB} WHERE id = ?`, [id]);
        const row = full[0];
        if (!row) throw new Error(`job ${id} vanished while it was being claimed`);
        return toJob(row);
      },
      'READ COMMITTED',
    );
  }

  /** Puts a job claimed by a worker that is stopping, before it started it, back in the queue. */
  async unclaim(id: number): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'queued', worker = NULL, started_at = NULL, heartbeat_at = NULL, message = 'waiting for a worker' WHERE id = ? AND status = 'running'`,
      [id],
    );
  }

  /** Records progress and beats the heart; answers whether cancellation was requested. */
  async progress(id: number, done: number, total: number, message: string): Promise<boolean> {
    await this.pool.query(
      `UPDATE jobs SET progress_done = ?, progress_total = ?, message = ?, heartbeat_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'running'`,
      [done, total, message.slice(0, 255), id],
    );
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT cancel_requested FROM jobs WHERE id = ?', [id]);
    return Number(rows[0]?.cancel_requested) === 1;
  }

  /** Beats the heart without new progress; answers whether cancellation was requested. */
  async heartbeat(id: number): Promise<boolean> {
    await this.pool.query(`UPDATE jobs SET heartbeat_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'running'`, [
      id,
    ]);
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT cancel_requested FROM jobs WHERE id = ?', [id]);
    return Number(rows[0]?.cancel_requested) === 1;
  }

  /** A running job's result so far (a leaderboard filling up), readable before it finishes; beats the heart too. */
  async partial(id: number, result: unknown): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET result = ?, heartbeat_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'running'`,
      [JSON.stringify(result), id],
    );
  }

  async finish(id: number, result: unknown, modelId: number | null): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'done', result = ?, model_id = ?, message = 'done', progress_done = progress_total, finished_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'running'`,
      [JSON.stringify(result), modelId, id],
    );
  }

  async fail(id: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'failed', error = ?, message = 'failed', finished_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status IN ('queued', 'running')`,
      [error.slice(0, 4000), id],
    );
  }

  async markCancelled(id: number): Promise<void> {
    await this.pool.query(
      `UPDATE jobs SET status = 'cancelled', message = 'cancelled', finished_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status IN ('queued', 'running')`,
      [id],
    );
  }

  /** Cancels a queued job at once; asks the worker of a running one to stop. False if already over. */
  async requestCancel(id: number): Promise<boolean> {
    const [q] = await this.pool.query<ResultSetHeader>(
      `UPDATE jobs SET status = 'cancelled', message = 'cancelled', finished_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'queued'`,
      [id],
    );
    if (q.affectedRows) return true;
    const [r] = await this.pool.query<ResultSetHeader>(
      `UPDATE jobs SET cancel_requested = 1, message = 'cancelling' WHERE id = ? AND status = 'running'`,
      [id],
    );
    return r.affectedRows > 0;
  }

  /** Fails running jobs whose worker stopped beating (a crash or a restart). */
  async failStale(seconds = STALE_SECONDS): Promise<number> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE jobs SET status = 'failed', error = 'the job was interrupted: its worker stopped (the server restarted or crashed); press Retry to run it again',
       message = 'failed', finished_at = CURRENT_TIMESTAMP(3)
       WHERE status = 'running' AND heartbeat_at < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND`,
      [seconds],
    );
    return res.affectedRows;
  }
}
