// Removes what dead loads leave behind, continuously (as viz's job sweeper does for jobs): loads
// whose heartbeat stopped are failed and their table and upload file removed at once; tables no
// catalog row or running load owns are dropped after a grace period (a toy load has no load row);
// abandoned upload files (previews never loaded) are removed after a day, looked at hourly.
import type { Pool } from '@enchilada/core';
import { sweepOrphanTables } from './ingest.js';
import { Loads } from './loads.js';
import type { UploadStore } from './uploads.js';

export interface SweepResult {
  readonly loads: number;
  readonly tables: number;
  readonly files: number;
}

export interface LoadSweeperOptions {
  /** How often dead loads and their tables are looked for. */
  readonly everyMs?: number;
  /** How often abandoned upload files are looked for. */
  readonly filesEveryMs?: number;
  /** A table without a catalog row or a running load is dropped once this old. */
  readonly tableGraceMinutes?: number;
  /** An upload file is abandoned once this old. */
  readonly fileHours?: number;
}

/** The two calls the sweeper makes of a logger (pino's, Fastify's). */
export interface SweepLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class LoadSweeper {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();
  private readonly loads: Loads;
  private readonly opts: Required<LoadSweeperOptions>;

  constructor(
    private readonly pool: Pool,
    private readonly uploads: UploadStore,
    private readonly log: SweepLog,
    opts: LoadSweeperOptions = {},
  ) {
    this.loads = new Loads(pool);
    this.opts = { everyMs: 10_000, filesEveryMs: 3_600_000, tableGraceMinutes: 10, fileHours: 24, ...opts };
  }

  /** Fails dead loads and removes their tables and files, then orphan tables past the grace period. */
  async sweepLoads(): Promise<SweepResult> {
    const dead = await this.loads.failStale();
    let files = 0;
    for (const d of dead) {
      if (
        d.uploadId &&
        (await this.uploads.remove(d.uploadId).then(
          () => true,
          () => false,
        ))
      )
        files++;
    }
    const tables = await sweepOrphanTables(this.pool, this.opts.tableGraceMinutes, {
      keep: await this.loads.runningTables(),
      abandoned: dead.flatMap((d) => (d.tableName ? [d.tableName] : [])),
    });
    return { loads: dead.length, tables: tables.length, files };
  }

  async sweepFiles(): Promise<number> {
    return this.uploads.sweep(this.opts.fileHours);
  }

  /** One full sweep (at start), then the two on their timers. */
  async start(): Promise<SweepResult> {
    const first = await this.sweepLoads();
    const files = await this.sweepFiles();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => {
        // One sweep at a time: a slow database must not pile them up.
        this.running = this.running.then(fn).catch((err: unknown) => this.log.error({ err }, 'load sweep failed'));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.everyMs, async () => {
      const r = await this.sweepLoads();
      if (r.loads || r.tables || r.files) this.log.info(r, 'removed what interrupted loads left');
    });
    every(this.opts.filesEveryMs, async () => {
      const n = await this.sweepFiles();
      if (n) this.log.info({ files: n }, 'removed abandoned uploads');
    });
    return { ...first, files: first.files + files };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.running;
  }
}
