// Exact interventional SHAP for linear models under feature independence, as shap's LinearExplainer:
// a column's contribution is its weight times the value's distance from the background mean,
// φ_kj = w_kj · (x_j − μ_j), and the base value is the output at the mean, b_k + w_k · μ (Lundberg &
// Lee, "A Unified Approach to Interpreting Model Predictions", NeurIPS 2017, "Linear SHAP").
// Everything is in the model's input space (after preprocessing) and in its decision units: the
// target's units for regressors, the logits (logistic regression) or decision values (LinearSVC)
// for classifiers, one output per row of weights.
import type { Matrix } from '../matrix.js';
import { LinearRegressorModel } from '../linear/linear-model.js';
import type { LinearClassifierModel } from '../linear/linear-classifier.js';
import { emptyContributions, type Contributions } from './contributions.js';

export type LinearModel = LinearRegressorModel | LinearClassifierModel;

/** The background the contributions are measured from: the column means of (training) rows. */
export function backgroundMean(X: Matrix): Float64Array {
  const { rows, cols, data } = X;
  if (rows === 0) throw new RangeError('the background needs at least one row');
  const mean = new Float64Array(cols);
  for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) mean[j] += data[o];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/** Linear SHAP of the rows of X (the model's input matrix) against the background mean. */
export function linearShap(model: LinearModel, X: Matrix, mean: Float64Array): Contributions {
  const { W, b } =
    model instanceof LinearRegressorModel ? { W: model.coef, b: Float64Array.of(model.intercept) } : model.scores;
  const K = b.length;
  const F = W.length / K;
  if (X.cols !== F) throw new RangeError(`model has ${F} features, X has ${X.cols}`);
  if (mean.length !== F) throw new RangeError(`background mean has ${mean.length} columns, the model ${F}`);
  const out = emptyContributions(X.rows, K, F);
  for (let k = 0; k < K; k++) {
    let s = b[k];
    for (let j = 0; j < F; j++) s += W[k * F + j] * mean[j];
    out.base[k] = s;
  }
  const { data } = X;
  const values = out.values;
  for (let i = 0; i < X.rows; i++) {
    const r = i * F;
    for (let k = 0; k < K; k++) {
      const o = (i * K + k) * F;
      const w = k * F;
      for (let j = 0; j < F; j++) values[o + j] = W[w + j] * (data[r + j] - mean[j]);
    }
  }
  return out;
}
