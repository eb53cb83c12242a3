// Compare-all's last step: the soft-voting ensemble of the best candidates of the three best model
// families, which compareModels cross-validated on the search's own folds inside the budget (the
// members refitted on each fold as the search fitted them), becomes a leaderboard row and — when it
// beats the best single model there — is fitted on every training row, exported as one ONNX graph,
// scored with onnxruntime as any trained model is, and stored in the registry. Its explainer (issue
// 18) is the mean of its members' contributions in probability space, each member explained by its
// own kind (services/ml's explain/explainer.ts), built here beside the ONNX graph as a single model's
// refit builds one.
import {
  ColumnTransformerModel,
  VOTING_MODEL_TYPE,
  buildExplainer,
  exportPipelineToOnnx,
  fitVoting,
  type ColumnTransformer,
  type EnsembleScore,
  type LeaderboardEntry,
  type Matrix,
  type Target,
  type VotingMember,
} from '@enchilada/ml';
import type { Dataset, TrainingColumn } from '@enchilada/data';
import { ModelRegistry, type CompareEntry, type CompareSpec } from '@enchilada/models';
import type { Pool } from '@enchilada/core';
import { modelInputs, preprocessingSummary, storedExplainer } from './model-columns.js';
import { scoreSplit } from './split-scores.js';
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
}

const numbers = (p: Readonly<Record<string, number | string>>): Record<string, number> =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v)]));

/**
 * The ensemble's leaderboard entry from the comparison's cross-validation of it (null when it did
 * not run), and its registry id when it beat the best single model's CV score and was stored.
 */
export async function compareEnsemble(
  input: EnsembleInput,
  leaderboard: readonly LeaderboardEntry[],
  scored: EnsembleScore | null,
): Promise<CompareEntry | null> {
  if (!scored) return null;
  const { spec, X } = input;
  const { members, meanScore: mean, stdScore: std, fitTime: fitSeconds } = scored;
  const best = leaderboard.find((e) => e.rows === X.rows);
  const entry: CompareEntry = {
    model: VOTING_MODEL_TYPE[input.yTrain.kind],
    params: {},
    members: members.map((m) => ({ model: m.model, params: numbers(m.params) })),
    round: scored.round,
    rows: X.rows,
    meanScore: mean,
    stdScore: std,
    fitSeconds,
    predictMsPer1000: leaderboard
      .filter((e) =>
        members.some(
          (m) => m.model === e.model && e.rows === X.rows && JSON.stringify(m.params) === JSON.stringify(e.params),
        ),
      )
      .reduce((a, e) => a + (e.scoreTime * 1e6) / Math.max(1, e.rows / spec.folds), 0),
  };
  if (!best || !(mean > best.meanScore)) return entry;
  const modelId = await register(input, members, mean, std, fitSeconds);
  return { ...entry, modelId };
}

async function register(
  input: EnsembleInput,
  members: readonly VotingMember[],
  cvScore: number,
  cvStd: number,
  fitTime: number,
): Promise<number> {
  const t0 = performance.now();
  const { ds, spec, X, yTrain, y, split } = input;
  const model = fitVoting(members, X, yTrain, input.preprocessing, spec.seed);
  const pre = model.pre;
  if (!(pre instanceof ColumnTransformerModel)) throw new Error('the ensemble has no column preprocessing');
  const onnx = exportPipelineToOnnx(model, X.cols);
  // as a refit's: a failure costs the explanations (the log says why), never the model
  let built: Parameters<typeof storedExplainer>[0];
  try {
    built = {
      explainer: buildExplainer({
        preprocessing: pre,
        model: model.model,
        background: X,
        modelType: VOTING_MODEL_TYPE[yTrain.kind],
        sampling: { seed: spec.seed },
      }),
    };
  } catch (err) {
    built = { explainer: null, explainerError: err instanceof Error ? err.message : String(err) };
  }
  const explainer = storedExplainer(built, input.columns, input.parts);
  const inputs = modelInputs(input.columns, input.parts, pre);
  const { metrics, trainScore, testScore, classes } = await scoreSplit(
    onnx,
    { features: spec.features, inputs },
    input.columns,
    split,
    y,
  );
  if (!ds.target || !ds.task) throw new Error(`dataset ${ds.name} has no target`);
  return new ModelRegistry(input.pool).insert({
    datasetId: ds.id,
    datasetName: ds.name,
    datasetVersion: ds.version,
    modelType: VOTING_MODEL_TYPE[y.kind],
    task: ds.task,
    target: ds.target,
    features: spec.features,
    classes,
    classLabels: classes && ds.classLabels ? ds.classLabels : null,
    grid: {},
    bestParams: {},
    splitSeed: spec.seed,
    trainFraction: spec.trainFraction,
    split: {
      train: Array.from(split.train, (i) => input.rowIds[i] ?? 0),
      test: Array.from(split.test, (i) => input.rowIds[i] ?? 0),
    },
    cvResults: [{ params: {}, mean: cvScore, std: cvStd, rank: 1, fitTime }],
    cvScore,
    trainScore,
    testScore,
    metrics,
    onnx,
    inputs,
    preprocessing: preprocessingSummary(input.columns, pre, split.train),
    jobId: input.jobId,
    durationMs: performance.now() - t0,
    createdBy: input.createdBy,
    explainer,
  });
}
