// Each viz replica claims queued training jobs from the shared `jobs` table, one at a time (a
// grid search already uses every core), and fails jobs whose worker stopped beating. A job that
// throws is failed with its message; the server stays up.
import { hostname } from 'node:os';
import { AbortedError, sharedPool, type WorkerPool } from '@enchilada/ml';
import { JobQueue, SWEEP_SECONDS } from '@enchilada/jobs';
import type { CompareSpec, TrainSpec } from '@enchilada/models';
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@enchilada/core';
import { runTrainJob } from './train-job.js';
import { runCompareJob } from './compare-job.js';

export interface JobLoop {
  stop(): Promise<void>;
  readonly worker: string;
}

export interface JobLoopOptions {
  readonly pollMs?: number;
  readonly sweepMs?: number;
  /** The grid search's threads, with the memory limits of training (default: the shared pool, no limits). */
  readonly workers?: WorkerPool;
}

export function startJobLoop(pool: Pool, log: FastifyBaseLogger, opts: JobLoopOptions = {}): JobLoop {
  const queue = new JobQueue(pool);
  const worker = `${hostname()}:${process.pid}`;
  let busy = false;
  let stopped = false;
  let current: Promise<void> | null = null;
  let ticking: Promise<void> | null = null;
  const abort = new AbortController();
  const workers = opts.workers ?? sharedPool();

  const tick = () => {
    if (busy || stopped) return;
    ticking = claimAndRun().finally(() => {
      ticking = null;
    });
  };
  const claimAndRun = async () => {
    busy = true;
    try {
      const job = await queue.claim(worker, ['train', 'compare']);
      if (!job) return;
      // stopped while claiming: the job goes back to the queue for another replica (it was not started)
      if (stopped) {
        await queue.unclaim(job.id);
        return;
      }
      log.info({ job: job.id, kind: job.kind }, 'training job claimed');
      current = (async () => {
        try {
          if (job.kind === 'compare') {
            const result = await runCompareJob(
              { pool, queue, workers },
              job as typeof job & { spec: CompareSpec },
              abort.signal,
            );
            await queue.finish(job.id, result, null);
            log.info(
              { job: job.id, candidates: result.leaderboard.length, s: result.seconds, stoppedBy: result.stoppedBy },
              'comparison done',
            );
            return;
          }
          const result = await runTrainJob(
            { pool, queue, workers },
            job as typeof job & { spec: TrainSpec },
            abort.signal,
          );
          await queue.finish(job.id, result, result.modelId);
          log.info({ job: job.id, model: result.modelId, s: result.seconds }, 'training job done');
        } catch (err) {
          if (err instanceof AbortedError) {
            await queue.markCancelled(job.id);
            log.info({ job: job.id }, 'training job cancelled');
          } else {
            const message = err instanceof Error ? err.message : String(err);
            await queue.fail(job.id, message);
            log.warn({ job: job.id, err }, 'training job failed');
          }
        } finally {
          // the job's memory goes back to the system with its workers; the next job starts fresh ones
          await workers.release().catch((err: unknown) => log.warn({ err }, 'releasing the workers failed'));
        }
      })();
      await current;
      current = null;
    } catch (err) {
      log.error({ err }, 'job loop error');
    } finally {
      busy = false;
    }
  };
  const sweep = async () => {
    try {
      const n = await queue.failStale();
      if (n) log.warn({ jobs: n }, 'failed jobs whose worker stopped');
    } catch (err) {
      log.error({ err }, 'job sweep error');
    }
  };
  void sweep();
  const poll = setInterval(tick, opts.pollMs ?? 500);
  const sweeper = setInterval(() => void sweep(), opts.sweepMs ?? SWEEP_SECONDS * 1000);
  return {
    worker,
    async stop() {
      stopped = true;
      clearInterval(poll);
      clearInterval(sweeper);
      abort.abort();
      if (ticking) await ticking.catch(() => undefined);
      if (current) await current.catch(() => undefined);
      await opts.workers?.close();
    },
  };
}
