// A pool of worker threads for grid search. Workers start once and serve many searches: each
// search ("job") ships its data once in SharedArrayBuffers, then tasks are handed out one at a
// time to whichever worker is free. Aborting terminates the workers (the pool restarts them on the
// next job), so a cancelled search stops at once.
//
// Memory has two limits, because V8 counts only half of it. A worker's `resourceLimits` bound its
// JS heap (objects, arrays of numbers): past it V8 stops that worker with ERR_WORKER_OUT_OF_MEMORY
// and the process lives on. Typed arrays (kernel matrices, design matrices) live outside the heap
// and escape that limit (measured: a worker capped at a 64 MB old generation allocated and filled a
// 2 GB Float64Array), so a watchdog also samples the process's resident memory while a search runs
// and stops the workers when the search has grown past its budget. Either way the search fails
// with a MemoryLimitError and the next search starts fresh workers.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AbortedError } from '../estimator.js';
import type { CvScore, CvTask } from './cv-tasks.js';
import type { RefitResult, RefitTask, WorkerJob, WorkerReply } from './worker-protocol.js';

/**
 * The worker script: the compiled .js next to this module; when running from the .ts sources
 * (tests, tsx) a bootstrap that registers tsx in the worker first, because Node 20 workers do not
 * apply --import loaders to their entry file.
 */
function newWorker(resourceLimits: ResourceLimits | undefined): Worker {
  const js = fileURLToPath(new URL('./grid-worker.js', import.meta.url));
  if (existsSync(js)) return new Worker(js, { resourceLimits });
  const ts = pathToFileURL(js.replace(/\.js$/, '.ts')).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`;
  return new Worker(boot, { eval: true, resourceLimits });
}

export interface WorkerPoolLimits {
  /** What one search may add to the process's resident memory, in bytes. */
  readonly maxMemoryBytes: number;
  /** How often the watchdog samples resident memory (ms). */
  readonly sampleMs?: number;
}

/** A search stopped because it used more memory than its budget. */
export class MemoryLimitError extends Error {
  constructor(
    readonly limitBytes: number,
    detail: string,
  ) {
    super(
      `the training job ran out of memory: ${detail}, above its budget of ${Math.round(limitBytes / 1_048_576)} MiB (TRAIN_MAX_MEMORY_MB): train on fewer rows or choose another model`,
    );
    this.name = 'MemoryLimitError';
  }
}

const MiB = 1_048_576;

export class WorkerPool {
  private workers: Worker[] = [];
  private jobCounter = 0;
  /** Searches on one pool run one after another: a worker holds one job's data at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly size = Math.max(1, availableParallelism()),
    readonly limits: WorkerPoolLimits | null = null,
  ) {}

  /** Each worker's heap gets an equal share of the budget (never under 64 MiB: the code itself needs ~20). */
  private resourceLimits(): ResourceLimits | undefined {
    if (!this.limits) return undefined;
    return { maxOldGenerationSizeMb: Math.max(64, Math.floor(this.limits.maxMemoryBytes / MiB / this.size)) };
  }

  private start(): Worker[] {
    if (this.workers.length === 0) {
      for (let i = 0; i < this.size; i++) {
        const w = newWorker(this.resourceLimits());
        w.unref(); // an idle pool never keeps the process alive
        this.workers.push(w);
      }
    }
    return this.workers;
  }

  /** Starts the workers (if not running) and resolves once each has loaded its code. */
  async ready(): Promise<void> {
    const ws = this.start();
    await Promise.all(
      ws.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onError = (e: Error) => {
              w.off('message', onMessage);
              reject(e);
            };
            const onMessage = (m: WorkerReply) => {
              if (m.type !== 'pong') return;
              w.off('message', onMessage);
              w.off('error', onError); // ready() runs before every limited search
              w.unref();
              resolve();
            };
            w.ref();
            w.on('message', onMessage);
            w.once('error', onError);
            w.postMessage({ type: 'ping' });
          }),
      ),
    );
  }

  /**
   * Terminates the workers once the work queued before this call is over, so that what a finished
   * job left in them (an idle worker may not collect its garbage for a long time: measured, viz held
   * 430 MiB 15 s after a 6,000-row SVC job, from 97 before) goes back to the system. Work queued
   * later starts fresh workers.
   */
  release(): Promise<void> {
    const released = this.queue.then(() => this.close());
    this.queue = released.catch(() => undefined);
    return released;
  }

  /** Terminates every worker; the next run starts fresh ones. */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /** Runs a search's cross-validation tasks on every worker, handing each task to whichever is free. */
  run(
    job: Omit<WorkerJob, 'jobId'>,
    tasks: readonly CvTask[],
    onScores: (s: CvScore[]) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.exclusive(job, signal, (workers, jobId, settle) => {
      let next = 0,
        done = 0;
      const feed = (w: Worker) => {
        if (next < tasks.length) w.postMessage({ type: 'task', jobId, taskIndex: next, task: tasks[next++] });
      };
      for (const w of workers) {
        w.on('message', (m: WorkerReply) => {
          if (m.type !== 'scores' || m.jobId !== jobId) return;
          onScores(m.scores);
          done++;
          if (done === tasks.length) {
            settle.resolve();
            return;
          }
          feed(w);
        });
      }
      if (tasks.length === 0) {
        settle.resolve();
        return;
      }
      for (const w of workers) feed(w);
    });
  }

  /**
   * Refits one candidate on all the job's rows in one worker and exports it (refit.ts), under the
   * same limits as the search: the watchdog, the heap limit, and an abort that terminates it.
   */
  refit(job: Omit<WorkerJob, 'jobId'>, task: RefitTask, signal?: AbortSignal): Promise<RefitResult> {
    return this.exclusive<RefitResult>(job, signal, (workers, jobId, settle) => {
      const w = workers[0];
      w.on('message', (m: WorkerReply) => {
        if (m.type === 'refitted' && m.jobId === jobId) settle.resolve(m.result);
      });
      w.postMessage({ type: 'refit', jobId, refit: task });
    });
  }

  /**
   * One piece of work at a time on this pool: sends the job's data to every worker, then lets
   * `body` post its messages; a worker's error, an abort or the memory watchdog ends it, and
   * terminates the workers, whatever `body` is waiting for.
   */
  private exclusive<T = void>(
    job: Omit<WorkerJob, 'jobId'>,
    signal: AbortSignal | undefined,
    body: (workers: Worker[], jobId: number, settle: { resolve: (v: T) => void }) => void,
  ): Promise<T> {
    const result = this.queue.then(() => this.runNow(job, signal, body));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow<T>(
    job: Omit<WorkerJob, 'jobId'>,
    signal: AbortSignal | undefined,
    body: (workers: Worker[], jobId: number, settle: { resolve: (v: T) => void }) => void,
  ): Promise<T> {
    if (signal?.aborted) throw new AbortedError();
    // loaded workers first, so the watchdog's baseline includes their code and only the search counts
    if (this.limits) await this.ready();
    if (signal?.aborted) throw new AbortedError();
    const workers = this.start();
    const jobId = ++this.jobCounter;
    return new Promise<T>((resolve, reject) => {
      let finished = false;
      // the watchdog: resident memory above what the process held when the work started
      const limits = this.limits;
      const baseline = process.memoryUsage.rss();
      const watchdog = limits
        ? setInterval(() => {
            const grown = process.memoryUsage.rss() - baseline;
            if (grown > limits.maxMemoryBytes)
              fail(
                new MemoryLimitError(
                  limits.maxMemoryBytes,
                  `the search grew the process by ${Math.round(grown / MiB)} MiB`,
                ),
              );
          }, limits.sampleMs ?? 100)
        : null;
      watchdog?.unref();
      const cleanup = () => {
        finished = true;
        if (watchdog) clearInterval(watchdog);
        for (const w of workers) {
          w.removeAllListeners('message');
          w.removeAllListeners('error');
          w.unref();
        }
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: Error) => {
        if (finished) return;
        cleanup();
        void this.close();
        reject(e);
      };
      const onAbort = () => fail(new AbortedError());
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const w of workers) {
        w.ref();
        w.on('message', (m: WorkerReply) => {
          if (!finished && m.type === 'error' && m.jobId === jobId) fail(new Error(`grid-search worker: ${m.message}`));
        });
        w.on('error', (e) =>
          fail(
            isOutOfMemory(e) && limits
              ? new MemoryLimitError(
                  limits.maxMemoryBytes,
                  `a grid-search worker filled its heap of ${this.resourceLimits()?.maxOldGenerationSizeMb ?? 0} MiB`,
                )
              : e instanceof Error
                ? e
                : new Error(String(e)),
          ),
        );
        w.postMessage({ type: 'job', ...job, jobId });
      }
      body(workers, jobId, {
        resolve: (v: T) => {
          if (finished) return;
          cleanup();
          resolve(v);
        },
      });
    });
  }
}

function isOutOfMemory(e: unknown): boolean {
  return e instanceof Error && (e as Error & { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

let shared: WorkerPool | null = null;

/** One pool per process, sized to the cores, created on first use. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}
