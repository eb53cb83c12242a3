// Runs one training job: reads the dataset's rows, splits them as scikit-learn's train_test_split
// does, grid-searches the model with cross-validation on worker threads, refits the best candidate
// and exports it to ONNX on a worker too (this thread only waits, so it keeps answering requests,
// and cancel and the memory limits reach every fit), scores train and test rows with onnxruntime (the metrics stored are those of
// the ONNX model, so what is shown is what will be served) and stores the model.
import {
  AbortedError,
  ColumnTransformerModel,
  gridSearchToOnnx,
  modelSpec,
  type InputColumn,
  type Matrix,
  type WorkerPool,
} from '@enchilada/ml';
import { Catalog } from '@enchilada/data';
import type { Job, JobQueue } from '@enchilada/jobs';
import { ModelRegistry, type TrainResult, type TrainSpec } from '@enchilada/models';
import type { Pool } from '@enchilada/core';
import { modelInputs, preprocessingSummary, storedExplainer } from './model-columns.js';
import { scoreSplit } from './split-scores.js';
import { readTrainingData } from './training-data.js';
import { publishRetrained, retrainDataset, type RetrainRows } from './retrain-data.js';

export interface TrainDeps {
  readonly pool: Pool;
  readonly queue: JobQueue;
  /** The grid search's threads (with the memory limits); default the process's shared pool. */
  readonly workers?: WorkerPool;
}

/**
 * How often a running job asks whether it was cancelled (and beats its heart). Cancelling must
 * answer within 2 s: this poll, then terminating the workers (measured under 200 ms mid-fit), then
 * marking the job.
 */
export const CANCEL_POLL_MS = 500;

/** The rows at `idx` with numeric columns rounded to float32, as onnxruntime reads them (codes of text columns stay). */
function float32Rows(X: Matrix, schema: readonly InputColumn[], idx: Int32Array): Matrix {
  const out = X.takeRows(idx);
  const numeric = schema.flatMap((c, j) => (c.kind === 'numeric' ? [j] : []));
  for (let i = 0; i < out.rows; i++)
    for (const j of numeric) out.data[i * out.cols + j] = Math.fround(out.data[i * out.cols + j]);
  return out;
}

export async function runTrainJob(deps: TrainDeps, job: Job<TrainSpec>, signal: AbortSignal): Promise<TrainResult> {
  const abort = new AbortController();
  signal.addEventListener('abort', () => abort.abort(), { once: true });
  // The heart beats for the whole job, also while this thread waits on the database or the workers:
  // a job whose heartbeat stops is shown as stalled, then failed by the sweeper.
  const heartbeat = setInterval(() => {
    void deps.queue.heartbeat(job.id).then(
      (cancel) => {
        if (cancel) abort.abort();
      },
      () => undefined,
    );
  }, CANCEL_POLL_MS);
  try {
    return await train(deps, job, abort);
  } finally {
    clearInterval(heartbeat);
  }
}

async function train(deps: TrainDeps, job: Job<TrainSpec>, abort: AbortController): Promise<TrainResult> {
  const t0 = performance.now();
  const spec = job.spec;
  const asked = await new Catalog(deps.pool).get(spec.datasetId);
  if (!asked) throw new Error('the dataset was deleted before training started');
  // Retraining on logged outcomes: the rows are those of a new dataset built first (retrain-data.ts).
  let retrained: RetrainRows | null = null;
  const beatFirst = (message: string) =>
    deps.queue.progress(job.id, 0, job.total, message).then((cancel) => {
      if (cancel) abort.abort();
    });
  if (spec.retrain) retrained = await retrainDataset(deps.pool, asked, spec.retrain, job.createdBy, beatFirst, job.id);
  const ds = retrained ? retrained.dataset : asked;
  if (!ds.target || !ds.task) throw new Error(`dataset ${ds.name} has no target`);
  const ms = modelSpec(spec.model);
  if (ms.task !== ds.task)
    throw new Error(`${ms.displayName} is a ${ms.task} model; ${ds.name} is a ${ds.task} dataset`);

  let lastBeat = 0;
  const beat = async (done: number, total: number, message: string, force = false): Promise<void> => {
    if (!force && performance.now() - lastBeat < 250) return;
    lastBeat = performance.now();
    if (await deps.queue.progress(job.id, done, total, message)) abort.abort();
  };

  await beat(0, job.total, 'reading the data', true);
  const {
    data,
    y,
    parts,
    table,
    columns,
    split,
    X: Xtrain,
    yTrain: ytrain,
  } = await readTrainingData(deps.pool, ds, spec, 'train');
  const n = data.rowIds.length;
  // the refitted model's own predictions of the test rows, fed float32 values as onnxruntime is
  const Xtest32 = float32Rows(table.X, table.schema, split.test);

  let progress = { done: 0, total: job.total };
  const search = await gridSearchToOnnx(Xtrain, ytrain, {
    estimator: spec.model,
    grid: Object.fromEntries(Object.entries(spec.grid).map(([k, v]) => [k, [...v]])),
    cv: spec.folds,
    seed: spec.seed,
    columns,
    ...(spec.candidates ? { candidates: spec.candidates } : {}),
    signal: abort.signal,
    ...(deps.workers ? { workers: deps.workers } : {}),
    predict: Xtest32,
    onProgress: (done, total) => {
      progress = { done, total };
      const message =
        done < total ? `cross-validation: ${done} of ${total} fits` : 'refitting the best model on all training rows';
      void beat(done, total, message, done === total).catch(() => undefined);
    },
  });
  if (abort.signal.aborted) throw new AbortedError();
  await beat(progress.total, progress.total, 'scoring the ONNX model with onnxruntime', true);

  const pre = search.preprocessing;
  if (!(pre instanceof ColumnTransformerModel)) throw new Error('the fitted pipeline has no column preprocessing');
  const inputs = modelInputs(data.columns, parts, pre);
  const onnx = search.onnx;
  const explainer = storedExplainer(search, data.columns, parts);
  const { onTest, metrics, trainScore, testScore, classes } = await scoreSplit(
    onnx,
    { features: spec.features, inputs },
    data.columns,
    split,
    y,
  );

  // ONNX against the TypeScript model on the test rows (float32 inputs both).
  let maxDiff = 0;
  let mismatches = 0;
  if (y.kind === 'classification') {
    const predTe = onTest.label ?? new Int32Array(0);
    const tsLabels = search.predictions;
    for (let i = 0; i < predTe.length; i++) if (tsLabels[i] !== predTe[i]) mismatches++;
    const proba = search.probabilities;
    if (proba && onTest.probabilities) {
      for (let i = 0; i < proba.length; i++) maxDiff = Math.max(maxDiff, Math.abs(proba[i] - onTest.probabilities[i]));
    }
  } else {
    const pTe = onTest.variable ?? new Float32Array(0);
    const ts = search.predictions;
    for (let i = 0; i < pTe.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(ts[i] - pTe[i]) / Math.max(1, Math.abs(ts[i])));
  }

  const seconds = (performance.now() - t0) / 1000;
  const modelId = await new ModelRegistry(deps.pool).insert({
    datasetId: ds.id,
    datasetName: ds.name,
    datasetVersion: ds.version,
    modelType: spec.model,
    task: ds.task,
    target: ds.target,
    features: spec.features,
    classes,
    classLabels: classes && ds.classLabels ? ds.classLabels : null,
    grid: Object.fromEntries(Object.entries(spec.grid).map(([k, v]) => [k, [...v]])),
    bestParams: Object.fromEntries(Object.entries(search.bestParams).map(([k, v]) => [k, Number(v)])),
    splitSeed: spec.seed,
    trainFraction: spec.trainFraction,
    split: {
      train: Array.from(split.train, (i) => data.rowIds[i]),
      test: Array.from(split.test, (i) => data.rowIds[i]),
    },
    cvResults: search.candidates.map((c) => ({
      params: Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, Number(v)])),
      mean: c.meanTestScore,
      std: c.stdTestScore,
      rank: c.rank,
      fitTime: c.meanFitTime,
    })),
    cvScore: search.bestScore,
    trainScore,
    testScore,
    metrics,
    onnx,
    inputs,
    preprocessing: preprocessingSummary(data.columns, pre, split.train),
    jobId: job.id,
    durationMs: seconds * 1000,
    createdBy: job.createdBy,
    explainer,
  });
  const retrain =
    spec.retrain && retrained ? await publishRetrained(deps.pool, spec.retrain, modelId, retrained) : undefined;
  return {
    ...(retrain ? { retrain } : {}),
    modelId,
    bestParams: Object.fromEntries(Object.entries(search.bestParams).map(([k, v]) => [k, Number(v)])),
    cvScore: search.bestScore,
    trainScore,
    testScore,
    scoreName: ds.task === 'classification' ? 'accuracy' : 'R²',
    seconds,
    rows: n,
    dropped: data.droppedMissingTarget,
    onnxBytes: onnx.byteLength,
    onnxMaxDiff: maxDiff,
    onnxLabelMismatches: mismatches,
  };
}
