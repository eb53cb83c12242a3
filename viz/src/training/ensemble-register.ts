// Compare-all's last step: a soft-voting ensemble of the best candidates of the three best model
// families, cross-validated on the search's own folds (the members refitted on each fold as the
// search fitted them), and — when it beats the best single model there — fitted on every training
// row, exported as one ONNX graph, scored with onnxruntime as any trained model is, and stored in
// the registry. The members' refits run in this thread after the budget: three models' five folds,
// on the tables Compare's budget was sized for. Its explainer (issue 18) is the mean of its members'
// contributions in probability space, each member explained by its own kind (services/ml's
// explain/explainer.ts), built here beside the ONNX graph as a single model's refit builds one.
import {
  ColumnTransformerModel, VOTING_MODEL_TYPE, buildExplainer, cvFolds, exportPipelineToOnnx, fitVoting, pickVotingMembers, votingCvScores,
  type ColumnTransformer, type LeaderboardEntry, type Matrix, type Target, type VotingMember,
} from '@enchilada/ml';
import type { Dataset, TrainingColumn } from '@enchilada/data';
import { ModelRegistry, type CompareEntry, type CompareSpec } from '@enchilada/models';
import type { Pool } from '@enchilada/core';
import { OnnxModel } from '../scoring/onnx-model.js';
import { classificationMetrics, regressionMetrics } from './metrics.js';
import { modelInputs, preprocessingSummary, storedExplainer } from './model-columns.js';
import { sliceColumns } from './train-job.js';
import type { DatePart } from '@enchilada/models';

export interface EnsembleInput {
  readonly pool: Pool;
  readonly ds: Dataset;
  readonly spec: CompareSpec;
  readonly jobId: number;
  readonly createdBy: number | null;
  /** The training rows as the search saw them, and their targets. */
  readonly X: Matrix;
  readonly yTrain: Target;
  /** The whole table (for scoring the ONNX model on the training and test rows). */
  readonly y: Target;
  readonly columns: readonly TrainingColumn[];
  readonly parts: ReadonlyMap<string, DatePart[]>;
  readonly rowIds: ArrayLike<number>;
  readonly split: { readonly train: Int32Array; readonly test: Int32Array };
  readonly preprocessing: ColumnTransformer;
  readonly signal: AbortSignal;
  /** What is left of the comparison's time budget: the ensemble is cross-validated only if it fits. */
  readonly secondsLeft: number;
}

const numbers = (p: Readonly<Record<string, number | string>>): Record<string, number> =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v)]));

/**
 * The ensemble's leaderboard entry (null when fewer than two families reached every row), and its
 * registry id when it beat the best single model's CV score and was stored.
 */
export async function compareEnsemble(input: EnsembleInput, leaderboard: readonly LeaderboardEntry[]): Promise<CompareEntry | null> {
  const members: VotingMember[] = pickVotingMembers(leaderboard);
  if (members.length < 2) return null;
  const { spec, X, yTrain } = input;
  // Its cross-validation refits every member on every fold (on the main thread): estimated from the
  // members' own fit times on these rows, it is skipped when the budget left would not cover it, so a
  // comparison never outruns its budget by more than one candidate's fit (seen: 9.4 s on a 2 s budget).
  const memberFit = (m: VotingMember) => leaderboard.find((e) => e.model === m.model && e.rows === X.rows && JSON.stringify(e.params) === JSON.stringify(m.params))?.fitTime ?? Infinity;
  const estimate = members.reduce((a, m) => a + memberFit(m), 0) * spec.folds;
  if (!(estimate <= input.secondsLeft)) return null;
  const folds = cvFolds(X, yTrain, spec.folds);
  const t0 = performance.now();
  const scores = votingCvScores(members, X, yTrain, folds, input.preprocessing, spec.seed, input.signal);
  const fitSeconds = (performance.now() - t0) / 1000 / folds.length;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const std = Math.sqrt(scores.reduce((a, s) => a + (s - mean) * (s - mean), 0) / scores.length);
  const best = leaderboard.find((e) => e.rows === X.rows);
  const entry: CompareEntry = {
    model: VOTING_MODEL_TYPE[yTrain.kind], params: {}, members: members.map((m) => ({ model: m.model, params: numbers(m.params) })),
    round: Math.max(0, ...leaderboard.map((e) => e.round)), rows: X.rows, meanScore: mean, stdScore: std, fitSeconds,
    predictMsPer1000: leaderboard.filter((e) => members.some((m) => m.model === e.model && e.rows === X.rows && JSON.stringify(m.params) === JSON.stringify(e.params)))
      .reduce((a, e) => a + (e.scoreTime * 1e6) / Math.max(1, e.rows / spec.folds), 0),
  };
  if (!best || !(mean > best.meanScore)) return entry;
  const modelId = await register(input, members, mean, std, fitSeconds);
  return { ...entry, modelId };
}

async function register(input: EnsembleInput, members: readonly VotingMember[], cvScore: number, cvStd: number, fitTime: number): Promise<number> {
  const t0 = performance.now();
  const { ds, spec, X, yTrain, y, split } = input;
  const model = fitVoting(members, X, yTrain, input.preprocessing, spec.seed);
  const pre = model.pre;
  if (!(pre instanceof ColumnTransformerModel)) throw new Error('the ensemble has no column preprocessing');
  const onnx = exportPipelineToOnnx(model, X.cols);
  // as a refit's: a failure costs the explanations (the log says why), never the model
  let built: Parameters<typeof storedExplainer>[0];
  try {
    built = { explainer: buildExplainer({ preprocessing: pre, model: model.model, background: X, modelType: VOTING_MODEL_TYPE[yTrain.kind], sampling: { seed: spec.seed } }) };
  } catch (err) {
    built = { explainer: null, explainerError: err instanceof Error ? err.message : String(err) };
  }
  const explainer = storedExplainer(built, input.columns, input.parts);
  const inputs = modelInputs(input.columns, input.parts, pre);
  const scorer = await OnnxModel.load(onnx);
  const contract = { features: spec.features, inputs };
  const onTrain = await scorer.score(contract, sliceColumns(input.columns, split.train), split.train.length);
  const onTest = await scorer.score(contract, sliceColumns(input.columns, split.test), split.test.length);
  await scorer.release();
  let metrics: unknown;
  let trainScore: number;
  let testScore: number;
  let classes: string[] | null = null;
  if (y.kind === 'classification') {
    classes = [...y.classes];
    const mTrain = classificationMetrics(Int32Array.from(split.train, (i) => y.codes[i] ?? 0), onTrain.label ?? new Int32Array(0), classes.length);
    const mTest = classificationMetrics(Int32Array.from(split.test, (i) => y.codes[i] ?? 0), onTest.label ?? new Int32Array(0), classes.length);
    metrics = { train: mTrain, test: mTest };
    trainScore = mTrain.accuracy;
    testScore = mTest.accuracy;
  } else {
    const mTrain = regressionMetrics(Float64Array.from(split.train, (i) => y.values[i] ?? 0), onTrain.variable ?? new Float32Array(0));
    const mTest = regressionMetrics(Float64Array.from(split.test, (i) => y.values[i] ?? 0), onTest.variable ?? new Float32Array(0));
    metrics = { train: mTrain, test: mTest };
    trainScore = mTrain.r2;
    testScore = mTest.r2;
  }
  if (!ds.target || !ds.task) throw new Error(`dataset ${ds.name} has no target`);
  return new ModelRegistry(input.pool).insert({
    datasetId: ds.id, datasetName: ds.name, datasetVersion: ds.version, modelType: VOTING_MODEL_TYPE[y.kind], task: ds.task, target: ds.target,
    features: spec.features, classes, classLabels: classes && ds.classLabels ? ds.classLabels : null, grid: {}, bestParams: {},
    splitSeed: spec.seed, trainFraction: spec.trainFraction,
    split: { train: Array.from(split.train, (i) => input.rowIds[i] ?? 0), test: Array.from(split.test, (i) => input.rowIds[i] ?? 0) },
    cvResults: [{ params: {}, mean: cvScore, std: cvStd, rank: 1, fitTime }],
    cvScore, trainScore, testScore, metrics, onnx, inputs,
    preprocessing: preprocessingSummary(input.columns, pre, split.train), jobId: input.jobId, durationMs: performance.now() - t0, createdBy: input.createdBy, explainer,
  });
}
