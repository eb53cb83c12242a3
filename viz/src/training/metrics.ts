// The metrics stored with a model and shown on its results page, computed from predictions.
import {
  Matrix,
  accuracy,
  classificationReport,
  confusionMatrix,
  meanAbsoluteError,
  meanSquaredError,
  r2Score,
  rootMeanSquaredError,
  type ClassificationReport,
} from '@enchilada/ml';

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly report: ClassificationReport;
  readonly confusion: number[][];
}
export interface RegressionMetrics {
  readonly mse: number;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

export function classificationMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  nClasses: number,
): ClassificationMetrics {
  const cm = confusionMatrix(yTrue, yPred, nClasses);
  return {
    accuracy: accuracy(yTrue, yPred),
    report: classificationReport(yTrue, yPred, nClasses),
    confusion: cm.toRows(),
  };
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  return {
    mse: meanSquaredError(yTrue, yPred),
    rmse: rootMeanSquaredError(yTrue, yPred),
    mae: meanAbsoluteError(yTrue, yPred),
    r2: r2Score(yTrue, yPred),
  };
}

export { Matrix };
