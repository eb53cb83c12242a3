// Group commit of the prediction log: a write starts a commit at once when none is running;
// what arrives during a commit is gathered into the next one. A request is answered only after
// the commit holding its rows succeeded, so nothing acknowledged can be lost.
import { isDuplicateKey, type NewPrediction, type Predictions } from '@enchilada/models';
import type { ServeMetrics } from './metrics.js';

interface Pending {
  readonly rows: readonly NewPrediction[];
  resolve(): void;
  reject(err: unknown): void;
}

/** Rows per INSERT statement: keeps a statement well under max_allowed_packet. */
const MAX_ROWS = 2000;
/**
 * Commits running at once. One: rows that arrive during a commit wait for it and go together in
 * the next, so commits are few and large. Measured with bench:serve on 2 cores, two in flight
 * gave smaller commits and fewer requests per second at 8 and 32 connections (3.4–4.7k vs
 * 5.6–6.0k at 8), since the database's CPU per commit, not the log flush, is what is scarce.
 */
const MAX_IN_FLIGHT = 1;

export class PredictionLog {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly predictions: Predictions,
    private readonly metrics: ServeMetrics,
  ) {}

  /** Resolves once the rows are committed; rejects with ER_DUP_ENTRY if one of the ids exists (then none is stored). */
  write(rows: readonly NewPrediction[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length && (batch.length === 0 || n + this.queue[0].rows.length <= MAX_ROWS)) {
      const p = this.queue.shift() as Pending;
      batch.push(p);
      n += p.rows.length;
    }
    this.inFlight++;
    void this.commit(batch).finally(() => {
      this.inFlight--;
      this.kick();
    });
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    try {
      const rows = batch.flatMap((p) => p.rows);
      const t0 = performance.now();
      await this.predictions.insert(rows);
      this.metrics.commitSeconds.observe({}, (performance.now() - t0) / 1000);
      this.metrics.commitRows.observe({}, rows.length);
      this.metrics.commits.inc();
      for (const p of batch) p.resolve();
    } catch (err) {
      if (!isDuplicateKey(err) || batch.length === 1) {
        for (const p of batch) p.reject(err);
        return;
      }
      // One request's repeated id must not fail the others: each request on its own.
      for (const p of batch) {
        try {
          await this.predictions.insert(p.rows);
          this.metrics.commits.inc();
          p.resolve();
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }

  /** Waits for everything queued to be committed (shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length) await new Promise((r) => setTimeout(r, 5));
  }
}
