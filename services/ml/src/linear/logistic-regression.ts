// Multinomial logistic regression with an L2 penalty (scikit-learn's LogisticRegression with
// lbfgs): minimise (1/n)·Σ_i [log Σ_k e^{z_ik} − z_i,y_i] + ‖W‖²/(2·C·n), intercepts unpenalised,
// by L-BFGS (optim/lbfgs.ts). The stopping rule is scipy's as sklearn calls it: max |gradient| ≤ tol
// or max_iter iterations. fitPath solves C in increasing order, each from the previous solution
// (a warm-started regularisation path), and then polishes every solution to the same tolerance.
import type { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { requireClassification } from '../target.js';
import { lbfgs } from '../optim/lbfgs.js';
import { LinearClassifierModel, LinearScores, softmaxRows } from './linear-classifier.js';
// Math's functions bound once: inside jest's vm context every global lookup in a hot loop is slow.
const { exp, log } = Math;

export interface LogisticRegressionParams {
  readonly C: number;
  readonly max_iter: number;
  readonly tol: number;
  readonly fit_intercept: boolean;
}

export class LogisticRegressionModel extends LinearClassifierModel {
  predictProba(X: Matrix): Matrix {
    return softmaxRows(this.scores.decision(X));
  }

  /** skl2onnx's shape: LinearClassifier, multi_class 1, post_transform SOFTMAX. */
  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string } {
    const [label, probabilities] = this.linearClassifier(g, input, 1, 'SOFTMAX');
    return { label, probabilities };
  }
}

/** Objective and gradient over the packed parameters [W (K×p) | b (K)]. */
function objective(X: Matrix, codes: Int32Array, K: number, C: number, fitIntercept: boolean) {
  const n = X.rows, p = X.cols, data = X.data;
  const z = new Float64Array(K);
  const reg = 1 / (C * n);
  return (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const r = i * p;
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        let s = fitIntercept ? w[K * p + k] : 0;
        const o = k * p;
        for (let j = 0; j < p; j++) s += data[r + j] * w[o + j];
        z[k] = s;
        if (s > mx) mx = s;
      }
      let se = 0;
      for (let k = 0; k < K; k++) { z[k] = exp(z[k] - mx); se += z[k]; }
      const yi = codes[i];
      // log-sum-exp − z_y, computed stably from the shifted values
      loss += log(se) - log(z[yi]);
      for (let k = 0; k < K; k++) {
        const d = z[k] / se - (k === yi ? 1 : 0);
        const o = k * p;
        for (let j = 0; j < p; j++) g[o + j] += d * data[r + j];
        if (fitIntercept) g[K * p + k] += d;
      }
    }
    let wsq = 0;
    for (let q = 0; q < K * p; q++) { wsq += w[q] * w[q]; g[q] = g[q] / n + reg * w[q]; }
    for (let k = 0; k < K; k++) g[K * p + k] /= n;
    return loss / n + 0.5 * reg * wsq;
  };
}

export class LogisticRegression extends Configured<LogisticRegressionParams> implements Estimator<LogisticRegressionParams, LogisticRegressionModel> {
  readonly name = 'logistic_regression';
  readonly task = 'classification' as const;

  constructor(params: Partial<LogisticRegressionParams> = {}) {
    super({ C: 1.0, max_iter: 100, tol: 1e-4, fit_intercept: true }, params, (p) => {
      if (!(p.C > 0)) throw new RangeError(`C must be > 0, got ${p.C}`);
    });
  }

  fit(X: Matrix, y: Target): LogisticRegressionModel {
    return this.solve(X, y, this.params, new Float64Array((requireClassification(y, this.name).classes.length) * (X.cols + 1)));
  }

  private solve(X: Matrix, y: Target, p: LogisticRegressionParams, start: Float64Array): LogisticRegressionModel {
    const t = requireClassification(y, this.name);
    const K = t.classes.length;
    if (K < 2) throw new RangeError('logistic regression needs at least two classes');
    const fun = objective(X, t.codes, K, p.C, p.fit_intercept);
    // a tolerance well below sklearn's so both land on the same optimum's predictions
    const res = lbfgs(fun, start, { maxIter: Math.max(p.max_iter, 1) * 10, gtol: p.tol * 1e-4 });
    const W = res.x.slice(0, K * X.cols);
    const b = p.fit_intercept ? res.x.slice(K * X.cols) : new Float64Array(K);
    return new LogisticRegressionModel(t.classes, new LinearScores(W, b, X.cols));
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<LogisticRegressionParams>[]): LogisticRegressionModel[] {
    const t = requireClassification(y, this.name);
    const full = settings.map((s) => ({ ...this.params, ...s }));
    const order = full.map((_, i) => i).sort((a, b) => full[a].C - full[b].C);
    const out = new Array<LogisticRegressionModel>(full.length);
    let start = new Float64Array(t.classes.length * (X.cols + 1));
    for (const i of order) {
      const m = this.solve(X, y, full[i], start);
      out[i] = m;
      start = new Float64Array(start.length);
      start.set(m.scores.W);
      start.set(m.scores.b, m.scores.W.length);
    }
    return out;
  }
}
