// A fitted model's ONNX graph scored with onnxruntime on the training and the test rows, and the
// metrics stored with it: what the results page shows is what serving will answer.
import type { Split, Target } from '@enchilada/ml';
import type { TrainingColumn } from '@enchilada/data';
import { OnnxModel, type OnnxOutputs, type ScoredModel } from '../scoring/onnx-model.js';
import {
  classificationMetrics,
  regressionMetrics,
  type ClassificationMetrics,
  type RegressionMetrics,
} from './metrics.js';

export interface SplitScores {
  readonly onTrain: OnnxOutputs;
  readonly onTest: OnnxOutputs;
  readonly metrics:
    | { readonly train: ClassificationMetrics; readonly test: ClassificationMetrics }
    | { readonly train: RegressionMetrics; readonly test: RegressionMetrics };
  /** Accuracy (classification) or R² (regression). */
  readonly trainScore: number;
  readonly testScore: number;
  /** The classes, in the order of the class codes; null for a regressor. */
  readonly classes: string[] | null;
}

/** The rows at `idx` of every column. */
export function sliceColumns(columns: readonly TrainingColumn[], idx: Int32Array): TrainingColumn[] {
  return columns.map((c): TrainingColumn =>
    c.kind === 'categorical'
      ? { ...c, values: Array.from(idx, (i) => c.values[i]) }
      : { ...c, values: Float64Array.from(idx, (i) => c.values[i]) },
  );
}

/** Scores `onnx` on the split's training and test rows of `columns` (the whole table) against the target `y`. */
export async function scoreSplit(
  onnx: Uint8Array,
  model: ScoredModel,
  columns: readonly TrainingColumn[],
  split: Split,
  y: Target,
): Promise<SplitScores> {
  const scorer = await OnnxModel.load(onnx);
  let onTrain: OnnxOutputs;
  let onTest: OnnxOutputs;
  try {
    onTrain = await scorer.score(model, sliceColumns(columns, split.train), split.train.length);
    onTest = await scorer.score(model, sliceColumns(columns, split.test), split.test.length);
  } finally {
    await scorer.release();
  }
  if (y.kind === 'classification') {
    const classes = [...y.classes];
    const train = classificationMetrics(
      Int32Array.from(split.train, (i) => y.codes[i]),
      onTrain.label ?? new Int32Array(0),
      classes.length,
    );
    const test = classificationMetrics(
      Int32Array.from(split.test, (i) => y.codes[i]),
      onTest.label ?? new Int32Array(0),
      classes.length,
    );
    return { onTrain, onTest, metrics: { train, test }, trainScore: train.accuracy, testScore: test.accuracy, classes };
  }
  const train = regressionMetrics(
    Float64Array.from(split.train, (i) => y.values[i]),
    onTrain.variable ?? new Float32Array(0),
  );
  const test = regressionMetrics(
    Float64Array.from(split.test, (i) => y.values[i]),
    onTest.variable ?? new Float32Array(0),
  );
  return { onTrain, onTest, metrics: { train, test }, trainScore: train.r2, testScore: test.r2, classes: null };
}
