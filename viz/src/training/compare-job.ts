// Runs one Compare-all job: reads the dataset as training does, splits off the same test rows (so
// the leaderboard's models are later scored on rows no search has seen), runs the budgeted
// successive-halving search over every model on the training rows, writes the leaderboard as it
// fills, and finally queues one ordinary training job per model family for its best candidate, so
// each lands in the registry with its ONNX, metrics and test score like any trained model. Then a
// soft-voting ensemble of the three best families joins the leaderboard (ensemble-register.ts).
import { compareModels, sharedPool, type WorkerPool, type LeaderboardEntry } from '@enchilada/ml';
import { Catalog } from '@enchilada/data';
import type { Job, JobQueue } from '@enchilada/jobs';
import type { CompareEntry, CompareJobResult, CompareSpec, TrainSpec } from '@enchilada/models';
import type { Pool } from '@enchilada/core';
import { readTrainingData } from './training-data.js';
import { compareEnsemble } from './ensemble-register.js';

export interface CompareDeps {
  readonly pool: Pool;
  readonly queue: JobQueue;
  readonly workers?: WorkerPool;
}

const numbers = (p: Readonly<Record<string, number | string>>): Record<string, number> =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v)]));

function entry(e: LeaderboardEntry, folds: number): CompareEntry {
  const testRows = e.rows / folds;
  return {
    model: e.model,
    params: numbers(e.params),
    round: e.round,
    rows: e.rows,
    meanScore: e.meanScore,
    stdScore: e.stdScore,
    fitSeconds: e.fitTime,
    predictMsPer1000: testRows > 0 ? (e.scoreTime * 1000 * 1000) / testRows : 0,
  };
}

export async function runCompareJob(
  deps: CompareDeps,
  job: Job<CompareSpec>,
  signal: AbortSignal,
): Promise<CompareJobResult> {
  const t0 = performance.now();
  const spec = job.spec;
  const ds = await new Catalog(deps.pool).get(spec.datasetId);
  if (!ds) throw new Error('the dataset was deleted before the comparison started');
  if (!ds.target || !ds.task) throw new Error(`dataset ${ds.name} has no target`);
  const abort = new AbortController();
  signal.addEventListener('abort', () => abort.abort(), { once: true });
  await deps.queue.progress(job.id, 0, job.total, 'reading the data');
  const { data, y, parts, columns, split, X, yTrain } = await readTrainingData(deps.pool, ds, spec, 'compare models');
  const scoreName = ds.task === 'classification' ? 'accuracy' : 'R²';

  // the leaderboard so far, written at most every 500 ms (and the heart beats with it)
  const seen = new Map<string, CompareEntry>();
  let lastWrite = 0;
  const snapshot = (
    stoppedBy: CompareJobResult['stoppedBy'],
    rounds: CompareJobResult['rounds'] = [],
  ): CompareJobResult => ({
    scoreName,
    rounds,
    stoppedBy,
    seconds: (performance.now() - t0) / 1000,
    trainJobs: [],
    leaderboard: [...seen.values()].sort((a, b) => b.round - a.round || b.meanScore - a.meanScore),
  });
  const heartbeat = setInterval(() => {
    void deps.queue.heartbeat(job.id).then(
      (cancel) => {
        if (cancel) abort.abort();
      },
      () => undefined,
    );
  }, 500);
  let result;
  try {
    result = await compareModels(X, yTrain, {
      models: spec.models,
      budgetSeconds: spec.budgetSeconds,
      cv: spec.folds,
      seed: spec.seed,
      columns,
      signal: abort.signal,
      ensemble: 3,
      workers: deps.workers ?? sharedPool(),
      onResult: (e) => {
        seen.set(`${e.model} ${JSON.stringify(e.params)}`, entry(e, spec.folds));
        if (performance.now() - lastWrite < 500) return;
        lastWrite = performance.now();
        const elapsed = Math.min(spec.budgetSeconds, (performance.now() - t0) / 1000);
        void deps.queue.partial(job.id, snapshot('running')).catch(() => undefined);
        void deps.queue
          .progress(
            job.id,
            Math.round(elapsed),
            job.total,
            `${seen.size} candidates scored, ${Math.round(elapsed)} s of ${spec.budgetSeconds} s`,
          )
          .catch(() => undefined);
      },
    });
  } finally {
    clearInterval(heartbeat);
  }
  const leaderboard = result.leaderboard.map((e) => entry(e, spec.folds));
  // the soft-voting ensemble of the three best families: one more row, first when it scores best
  // (and then stored in the registry); skipped when the user stopped the comparison
  if (!abort.signal.aborted) {
    const ensemble = await compareEnsemble(
      {
        pool: deps.pool,
        ds,
        spec,
        jobId: job.id,
        createdBy: job.createdBy,
        X,
        yTrain,
        y,
        columns: data.columns,
        parts,
        rowIds: data.rowIds,
        split,
        preprocessing: columns,
      },
      result.leaderboard,
      result.ensemble,
    );
    if (ensemble) {
      const at = leaderboard.findIndex(
        (e) => e.round < ensemble.round || (e.round === ensemble.round && e.meanScore < ensemble.meanScore),
      );
      leaderboard.splice(at < 0 ? leaderboard.length : at, 0, ensemble);
    }
  }
  // the best of each family: the first of its model on the leaderboard; none when the user stopped
  // the comparison (Stop means stop: up to fifteen training jobs would otherwise fill the queue)
  const best = new Map<string, CompareEntry>();
  if (!abort.signal.aborted)
    for (const e of leaderboard)
      if (!e.members && !best.has(e.model) && Number.isFinite(e.meanScore)) best.set(e.model, e);
  const trainJobs: { model: string; params: Record<string, number>; job: number }[] = [];
  for (const e of best.values()) {
    const trainSpec: TrainSpec = {
      datasetId: spec.datasetId,
      datasetVersion: spec.datasetVersion,
      model: e.model,
      features: spec.features,
      trainFraction: spec.trainFraction,
      grid: Object.fromEntries(Object.entries(e.params).map(([k, v]) => [k, [v]])),
      folds: spec.folds,
      seed: spec.seed,
      ...(spec.preprocessing ? { preprocessing: spec.preprocessing } : {}),
    };
    const id = await deps.queue.enqueue({
      kind: 'train',
      spec: trainSpec,
      datasetId: spec.datasetId,
      createdBy: job.createdBy,
      total: spec.folds,
    });
    trainJobs.push({ model: e.model, params: e.params, job: id });
  }
  return {
    scoreName,
    leaderboard,
    rounds: result.rounds,
    stoppedBy: result.stoppedBy,
    seconds: (performance.now() - t0) / 1000,
    trainJobs,
  };
}
