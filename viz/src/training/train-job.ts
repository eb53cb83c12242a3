// Runs one training job: reads the dataset's rows, splits them as scikit-learn's train_test_split
// does, grid-searches the model with cross-validation on worker threads, exports the refitted
// pipeline to ONNX, scores train and test rows with onnxruntime (the metrics stored are those of
// the ONNX model, so what is shown is what will be served) and stores the model.
import {
  AbortedError, Matrix, classificationTarget, exportPipelineToOnnx, gridSearchCV, isClassifier, modelSpec, regressionTarget,
  takeTarget, trainTestSplit, type Target,
} from '@enchilada/ml';
import { Catalog, readTrainingData } from '@enchilada/data';
import type { Job, JobQueue } from '@enchilada/jobs';
import { ModelRegistry, type TrainResult, type TrainSpec } from '@enchilada/models';
import type { Pool } from '@enchilada/core';
import { OnnxModel } from '../scoring/onnx-model.js';
import { classificationMetrics, regressionMetrics } from './metrics.js';

export interface TrainDeps { readonly pool: Pool; readonly queue: JobQueue }

function rowsOf(columns: readonly Float64Array[], idx: Int32Array): Matrix {
  const m = new Matrix(idx.length, columns.length);
  for (let i = 0; i < idx.length; i++) for (let j = 0; j < columns.length; j++) m.data[i * columns.length + j] = columns[j][idx[i]];
  return m;
}

function columnsOf(columns: readonly Float64Array[], idx: Int32Array): Float64Array[] {
  return columns.map((c) => Float64Array.from(idx, (i) => c[i]));
}

export async function runTrainJob(deps: TrainDeps, job: Job<TrainSpec>, signal: AbortSignal): Promise<TrainResult> {
  const t0 = performance.now();
  const spec = job.spec;
  const ds = await new Catalog(deps.pool).get(spec.datasetId);
  if (!ds) throw new Error('the dataset was deleted before training started');
  if (!ds.target || !ds.task) throw new Error(`dataset ${ds.name} has no target`);
  const ms = modelSpec(spec.model);
  if (ms.task !== ds.task) throw new Error(`${ms.displayName} is a ${ms.task} model; ${ds.name} is a ${ds.task} dataset`);

  let lastBeat = 0;
  const beat = async (done: number, total: number, message: string, force = false): Promise<void> => {
    if (!force && performance.now() - lastBeat < 250) return;
    lastBeat = performance.now();
    if (await deps.queue.progress(job.id, done, total, message)) abort.abort();
  };
  const abort = new AbortController();
  signal.addEventListener('abort', () => abort.abort(), { once: true });

  await beat(0, job.total, 'reading the data', true);
  const data = await readTrainingData(deps.pool, ds, spec.features);
  const n = data.rowIds.length;
  if (n < spec.folds * 2) throw new Error(`only ${n} complete rows: too few to train with ${spec.folds}-fold cross-validation`);
  const y: Target = 'labels' in data.target ? classificationTarget(data.target.labels) : regressionTarget(data.target.values);
  const split = trainTestSplit(n, spec.trainFraction, spec.seed);
  const Xtrain = rowsOf(data.features, split.train);
  const ytrain = takeTarget(y, split.train);

  // Heartbeats continue while the main thread waits on the workers.
  const heartbeat = setInterval(() => {
    void deps.queue.heartbeat(job.id).then((cancel) => { if (cancel) abort.abort(); }, () => undefined);
  }, 2000);
  let progress = { done: 0, total: job.total };
  let search;
  try {
    search = await gridSearchCV(Xtrain, ytrain, {
      estimator: spec.model, grid: Object.fromEntries(Object.entries(spec.grid).map(([k, v]) => [k, [...v]])), cv: spec.folds, seed: spec.seed,
      signal: abort.signal,
      onProgress: (done, total) => { progress = { done, total }; void beat(done, total, `cross-validation: ${done} of ${total} fits`).catch(() => undefined); },
    });
  } finally {
    clearInterval(heartbeat);
  }
  if (abort.signal.aborted) throw new AbortedError();
  await beat(progress.total, progress.total, 'exporting to ONNX and scoring', true);

  const onnx = exportPipelineToOnnx(search.bestModel, spec.features.length);
  const scorer = await OnnxModel.load(onnx);
  const trainCols = columnsOf(data.features, split.train);
  const testCols = columnsOf(data.features, split.test);
  const [onTrain, onTest] = [await scorer.run(trainCols, split.train.length), await scorer.run(testCols, split.test.length)];
  await scorer.release();

  // ONNX against the TypeScript model on the test rows (float32 inputs both).
  const Xtest32 = rowsOf(testCols.map((c) => Float64Array.from(c, Math.fround)), Int32Array.from({ length: split.test.length }, (_, i) => i));
  let maxDiff = 0;
  let mismatches = 0;
  let metrics: unknown;
  let trainScore: number;
  let testScore: number;
  let classes: string[] | null = null;
  const inner = search.bestModel.model;
  if (y.kind === 'classification') {
    classes = [...y.classes];
    const yTr = Int32Array.from(split.train, (i) => y.codes[i]);
    const yTe = Int32Array.from(split.test, (i) => y.codes[i]);
    const predTr = onTrain.label ?? new Int32Array(0);
    const predTe = onTest.label ?? new Int32Array(0);
    const mTrain = classificationMetrics(yTr, predTr, classes.length);
    const mTest = classificationMetrics(yTe, predTe, classes.length);
    metrics = { train: mTrain, test: mTest };
    trainScore = mTrain.accuracy;
    testScore = mTest.accuracy;
    const tsLabels = search.bestModel.predict(Xtest32);
    for (let i = 0; i < predTe.length; i++) if (tsLabels[i] !== predTe[i]) mismatches++;
    if (isClassifier(inner) && onTest.probabilities) {
      const proba = search.bestModel.predictProba(Xtest32);
      for (let i = 0; i < proba.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(proba.data[i] - onTest.probabilities[i]));
    }
  } else {
    const yTr = Float64Array.from(split.train, (i) => y.values[i]);
    const yTe = Float64Array.from(split.test, (i) => y.values[i]);
    const pTr = onTrain.variable ?? new Float32Array(0);
    const pTe = onTest.variable ?? new Float32Array(0);
    const mTrain = regressionMetrics(yTr, pTr);
    const mTest = regressionMetrics(yTe, pTe);
    metrics = { train: mTrain, test: mTest };
    trainScore = mTrain.r2;
    testScore = mTest.r2;
    const ts = search.bestModel.predict(Xtest32);
    for (let i = 0; i < pTe.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ts[i] - pTe[i]) / Math.max(1, Math.abs(ts[i])));
  }

  const seconds = (performance.now() - t0) / 1000;
  const modelId = await new ModelRegistry(deps.pool).insert({
    datasetId: ds.id, datasetName: ds.name, datasetVersion: ds.version, modelType: spec.model, task: ds.task, target: ds.target,
    features: spec.features, classes, grid: Object.fromEntries(Object.entries(spec.grid).map(([k, v]) => [k, [...v]])),
    bestParams: Object.fromEntries(Object.entries(search.bestParams).map(([k, v]) => [k, Number(v)])),
    splitSeed: spec.seed, trainFraction: spec.trainFraction,
    split: { train: Array.from(split.train, (i) => data.rowIds[i]), test: Array.from(split.test, (i) => data.rowIds[i]) },
    cvResults: search.candidates.map((c) => ({
      params: Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, Number(v)])), mean: c.meanTestScore, std: c.stdTestScore, rank: c.rank, fitTime: c.meanFitTime,
    })),
    cvScore: search.bestScore, trainScore, testScore, metrics, onnx, jobId: job.id, durationMs: seconds * 1000, createdBy: job.createdBy,
  });
  return {
    modelId, bestParams: Object.fromEntries(Object.entries(search.bestParams).map(([k, v]) => [k, Number(v)])), cvScore: search.bestScore, trainScore, testScore,
    scoreName: ds.task === 'classification' ? 'accuracy' : 'R²', seconds, rows: n, dropped: data.dropped, onnxBytes: onnx.byteLength,
    onnxMaxDiff: maxDiff, onnxLabelMismatches: mismatches,
  };
}
