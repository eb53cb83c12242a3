// A store for @fastify/rate-limit whose counts are shared by every serve process through the
// database, so that `--scale serve=N` and SERVE_WORKERS do not multiply a key's limit. Windows are
// fixed (aligned on multiples of the window). A request is counted at once in memory; every
// SYNC_MS each process adds what it counted to the shared row and reads back the total, so the
// limit holds across processes within one sync period, and a request never waits for the
// database. If the database is unreachable, each process goes on limiting with what it knows.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Pool, RowDataPacket } from '@enchilada/core';

interface Entry {
  window: number;
  local: number;
  flushed: number;
  others: number;
}
type Result = { current: number; ttl: number };
type Callback = (err: Error | null, res?: Result) => void;

export interface SharedRateStoreHandle {
  /** Pushes local counts and reads the totals now (tests; the timer does it every syncMs). */
  sync(): Promise<void>;
  stop(): void;
}

export function sharedRateStore(
  pool: Pool,
  syncMs = 250,
): { Store: FastifyRateLimitStoreCtor; handle: SharedRateStoreHandle } {
  const entries = new Map<string, Entry>();
  let windowMs = 60_000;
  let syncing: Promise<void> | null = null;
  let lastSweep = 0;
  let totals = new Map<string, number>();
  let totalsWindow = -1;

  const windowOf = (now: number) => Math.floor(now / windowMs) * windowMs;

  async function syncOnce(): Promise<void> {
    const now = Date.now();
    const current = windowOf(now);
    for (const [bucket, e] of entries) {
      if (e.window < current) {
        entries.delete(bucket);
        continue;
      }
      const delta = e.local - e.flushed;
      if (delta > 0) {
        await pool.query(
          'INSERT INTO rate_windows (bucket, window_start, hits) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE hits = hits + ?',
          [bucket, e.window, delta, delta],
        );
        e.flushed += delta;
      }
    }
    // Every bucket's total in this window (there are about as many as API keys in use), so that a
    // key's first request to this process already counts what the others allowed.
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT bucket, hits FROM rate_windows WHERE window_start = ? LIMIT 100000',
      [current],
    );
    totals = new Map();
    totalsWindow = current;
    for (const r of rows) {
      const bucket = String(r.bucket);
      totals.set(bucket, Number(r.hits));
      const e = entries.get(bucket);
      if (e && e.window === current) e.others = Math.max(0, Number(r.hits) - e.flushed);
    }
    if (now - lastSweep > windowMs) {
      lastSweep = now;
      await pool.query('DELETE FROM rate_windows WHERE window_start < ?', [current - windowMs]);
    }
  }

  const handle: SharedRateStoreHandle = {
    sync() {
      syncing ??= syncOnce().finally(() => {
        syncing = null;
      });
      return syncing;
    },
    stop() {
      clearInterval(timer);
    },
  };
  const timer = setInterval(() => {
    handle.sync().catch(() => undefined);
  }, syncMs);
  timer.unref();

  class Store implements FastifyRateLimitStore {
    incr(bucket: string, cb: Callback, timeWindow: number): void {
      windowMs = timeWindow;
      const now = Date.now();
      const w = windowOf(now);
      let e = entries.get(bucket);
      if (!e || e.window !== w) {
        e = { window: w, local: 0, flushed: 0, others: totalsWindow === w ? (totals.get(bucket) ?? 0) : 0 };
        entries.set(bucket, e);
      }
      e.local++;
      cb(null, { current: e.local + e.others, ttl: w + timeWindow - now });
    }

    read(bucket: string, cb: Callback, timeWindow: number): void {
      const now = Date.now();
      const e = entries.get(bucket);
      if (!e || e.window !== windowOf(now)) {
        cb(null, { current: 0, ttl: 0 });
        return;
      }
      cb(null, { current: e.local + e.others, ttl: e.window + timeWindow - now });
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return { Store, handle };
}
