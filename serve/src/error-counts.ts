// Counts failed prediction requests per published name and minute in memory and adds them to the
// database every few seconds (one statement per flush, not one per failure: a flood of bad requests
// must not become a flood of writes). The error-rate alert rule divides them by the predictions logged.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@enchilada/core';
import { addPredictionErrors, prunePredictionErrors, type ErrorCount } from '@enchilada/models';

/**
 * The answers counted as errors: the request reached a published name and got no prediction
 * because of its input (400) or of serve (5xx). Not the caller's standing (401, 403, 429), an
 * unknown name (404) or a repeated id (409, answered with the stored prediction).
 */
export function isPredictionError(status: number): boolean {
  return status === 400 || status === 422 || status >= 500;
}

export class PredictionErrorCounts {
  private counts = new Map<string, ErrorCount>();
  private timer: NodeJS.Timeout | null = null;
  private flushes = 0;

  constructor(
    private readonly pool: Pool,
    private readonly log: FastifyBaseLogger,
  ) {}

  add(name: string, now = Date.now()): void {
    const minute = Math.floor(now / 60_000);
    const key = `${name}\u0000${minute}`;
    const c = this.counts.get(key);
    this.counts.set(key, { name, minute, errors: (c?.errors ?? 0) + 1 });
  }

  async flush(): Promise<void> {
    if (!this.counts.size) return;
    const batch = [...this.counts.values()];
    this.counts = new Map();
    try {
      await addPredictionErrors(this.pool, batch);
      // About once an hour at the default period.
      if (++this.flushes % 720 === 0) await prunePredictionErrors(this.pool);
    } catch (err) {
      this.log.warn({ err }, 'could not store prediction error counts');
      // Kept for the next flush.
      for (const c of batch) {
        const key = `${c.name}\u0000${c.minute}`;
        const now = this.counts.get(key);
        this.counts.set(key, { ...c, errors: c.errors + (now?.errors ?? 0) });
      }
    }
  }

  start(ms = 5000): void {
    this.timer = setInterval(() => void this.flush(), ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
