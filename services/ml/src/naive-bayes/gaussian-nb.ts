// Gaussian naive Bayes (scikit-learn's GaussianNB): per-class means and population variances, every
// variance widened by var_smoothing × the largest feature variance, class priors from frequencies.
import { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Classifier, Estimator, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { int } from '../onnx/graph.js';
import { requireClassification } from '../target.js';

export interface GaussianNBParams {
  readonly var_smoothing: number;
}

export class GaussianNBModel implements Classifier {
  constructor(
    readonly classes: readonly string[],
    readonly theta: Float64Array, // K × p means
    readonly variance: Float64Array, // K × p, smoothed
    readonly logPrior: Float64Array,
  ) {}

  /** Joint log-likelihood log P(c) + Σ_j log N(x_j; θ_cj, σ²_cj), as sklearn's _joint_log_likelihood. */
  jointLogLikelihood(X: Matrix): Matrix {
    const K = this.classes.length,
      p = X.cols;
    if (p * K !== this.theta.length) throw new RangeError(`model has ${this.theta.length / K} features, got ${p}`);
    const out = new Matrix(X.rows, K);
    const norm = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += Math.log(2 * Math.PI * this.variance[k * p + j]);
      norm[k] = this.logPrior[k] - 0.5 * s;
    }
    for (let i = 0; i < X.rows; i++) {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < p; j++) {
          const d = X.data[i * p + j] - this.theta[k * p + j];
          s += (d * d) / this.variance[k * p + j];
        }
        out.data[i * K + k] = norm[k] - 0.5 * s;
      }
    }
    return out;
  }

  predict(X: Matrix): Int32Array {
    const j = this.jointLogLikelihood(X);
    const out = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      let best = 0;
      for (let k = 1; k < j.cols; k++) if (j.data[i * j.cols + k] > j.data[i * j.cols + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    const j = this.jointLogLikelihood(X);
    for (let i = 0; i < j.rows; i++) {
      const r = i * j.cols;
      let mx = -Infinity;
      for (let k = 0; k < j.cols; k++) mx = Math.max(mx, j.data[r + k]);
      let s = 0;
      for (let k = 0; k < j.cols; k++) s += Math.exp(j.data[r + k] - mx);
      const lse = mx + Math.log(s);
      for (let k = 0; k < j.cols; k++) j.data[r + k] = Math.exp(j.data[r + k] - lse);
    }
    return j;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return this.toOnnxOutputs(g, input).probabilities;
  }

  /** Standard operators: ((x − θ)² / σ²) summed per class, plus the per-class constant; Softmax. */
  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string } {
    const K = this.classes.length,
      p = this.theta.length / K;
    const theta = g.constant('theta', { type: 'float', dims: [K, p], values: this.theta });
    const halfInv = g.constant('half_inv_var', {
      type: 'float',
      dims: [K, p],
      values: Array.from(this.variance, (v) => -0.5 / v),
    });
    const norm = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += Math.log(2 * Math.PI * this.variance[k * p + j]);
      norm[k] = this.logPrior[k] - 0.5 * s;
    }
    const normT = g.constant('log_norm', { type: 'float', dims: [K], values: norm });
    const axes1 = g.constant('axes', { type: 'int64', dims: [1], values: [1] });
    const [x3] = g.node('Unsqueeze', [input, axes1]);
    const [diff] = g.node('Sub', [x3, theta]);
    const [sq] = g.node('Mul', [diff, diff]);
    const [scaled] = g.node('Mul', [sq, halfInv]);
    const axes2 = g.constant('axes', { type: 'int64', dims: [1], values: [2] });
    const [sum] = g.node('ReduceSum', [scaled, axes2], 1, { keepdims: int(0) });
    const [jll] = g.node('Add', [sum, normT]);
    const [probabilities] = g.node('Softmax', [jll], 1, { axis: int(1) });
    const [label] = g.node('ArgMax', [jll], 1, { axis: int(1), keepdims: int(0) });
    return { label, probabilities };
  }
}

export class GaussianNB extends Configured<GaussianNBParams> implements Estimator<GaussianNBParams, GaussianNBModel> {
  readonly name = 'gaussian_nb';
  readonly task = 'classification' as const;

  constructor(params: Partial<GaussianNBParams> = {}) {
    super({ var_smoothing: 1e-9 }, params);
  }

  fit(X: Matrix, y: Target): GaussianNBModel {
    const t = requireClassification(y, this.name);
    const K = t.classes.length,
      p = X.cols,
      n = X.rows;
    // epsilon: var_smoothing × the largest variance of any feature over all rows
    let maxVar = 0;
    for (let j = 0; j < p; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += X.data[i * p + j];
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (X.data[i * p + j] - m) ** 2;
      maxVar = Math.max(maxVar, v / n);
    }
    const eps = this.params.var_smoothing * maxVar;
    const theta = new Float64Array(K * p),
      variance = new Float64Array(K * p);
    const count = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      const k = t.codes[i];
      count[k]++;
      for (let j = 0; j < p; j++) theta[k * p + j] += X.data[i * p + j];
    }
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) theta[k * p + j] /= count[k] || 1;
    for (let i = 0; i < n; i++) {
      const k = t.codes[i];
      for (let j = 0; j < p; j++) variance[k * p + j] += (X.data[i * p + j] - theta[k * p + j]) ** 2;
    }
    for (let k = 0; k < K; k++)
      for (let j = 0; j < p; j++) variance[k * p + j] = variance[k * p + j] / (count[k] || 1) + eps;
    const logPrior = Float64Array.from(count, (c) => Math.log(c / n));
    return new GaussianNBModel(t.classes, theta, variance, logPrior);
  }
}
