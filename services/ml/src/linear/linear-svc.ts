// LinearSVC with scikit-learn's defaults and LIBLINEAR's semantics: squared hinge loss, L2
// penalty, solved in the dual (liblinear.ts), one-vs-rest over the sorted classes with the rows
// grouped by class as liblinear groups them, and the intercept learned as the weight of a constant
// feature of value intercept_scaling — so it is regularised, as in liblinear.
import { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, FitContext, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { str } from '../onnx/graph.js';
import { requireClassification } from '../target.js';
import { LiblinearRng, liblinearSeed, solveL2LossSvcDual, type LiblinearProblem } from './liblinear.js';
import { LinearClassifierModel, LinearScores } from './linear-classifier.js';

export interface LinearSVCParams {
  readonly C: number;
  readonly tol: number;
  readonly max_iter: number;
  readonly fit_intercept: boolean;
  readonly intercept_scaling: number;
  /** sklearn's random_state: seeds liblinear's visiting order. */
  readonly random_state: number;
}

export class LinearSVCModel extends LinearClassifierModel {
  /**
   * LinearSVC has no probabilities of its own; these are liblinear's one-vs-rest estimates (the
   * logistic of each decision value, normalised to sum 1 — what sklearn's _predict_proba_lr
   * gives), so ranking curves can use them. Their argmax is the predicted class.
   */
  predictProba(X: Matrix): Matrix {
    const d = this.scores.decision(X);
    const out = new Matrix(d.rows, d.cols);
    for (let i = 0; i < d.rows; i++) {
      let s = 0;
      for (let k = 0; k < d.cols; k++) {
        const v = 1 / (1 + Math.exp(-d.data[i * d.cols + k]));
        out.data[i * d.cols + k] = v;
        s += v;
      }
      for (let k = 0; k < d.cols; k++) out.data[i * d.cols + k] /= s;
    }
    return out;
  }

  /** skl2onnx's LinearClassifier (post_transform NONE) for label and scores; then Sigmoid and L1 normalisation. */
  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string } {
    const [label, scores] = this.linearClassifier(g, input, 0, 'NONE');
    g.declare(scores, 'float', ['N', this.classes.length]);
    const [sig] = g.node('Sigmoid', [scores]);
    const [probabilities] = g.ml('Normalizer', [sig], 1, { norm: str('L1') });
    return { label, probabilities };
  }
}

/** X with the constant bias column appended, rows reordered by `order`. */
export function withBias(X: Matrix, order: ArrayLike<number>, bias: number | null): LiblinearProblem {
  const p = X.cols,
    n = bias === null ? p : p + 1,
    l = order.length;
  const out = new Float64Array(l * n);
  for (let k = 0; k < l; k++) {
    out.set(X.data.subarray(order[k] * p, order[k] * p + p), k * n);
    if (bias !== null) out[k * n + p] = bias;
  }
  return { X: out, l, n };
}

export class LinearSVC extends Configured<LinearSVCParams> implements Estimator<LinearSVCParams, LinearSVCModel> {
  readonly name = 'linear_svc';
  readonly task = 'classification' as const;

  constructor(params: Partial<LinearSVCParams> = {}) {
    super(
      { C: 1.0, tol: 1e-4, max_iter: 1000, fit_intercept: true, intercept_scaling: 1, random_state: 0 },
      params,
      (p) => {
        if (!(p.C > 0)) throw new RangeError(`C must be > 0, got ${p.C}`);
      },
    );
  }

  fit(X: Matrix, y: Target, ctx?: FitContext): LinearSVCModel {
    void ctx; // randomness comes from random_state, as in sklearn, so every fit of a search agrees
    const t = requireClassification(y, this.name);
    const K = t.classes.length;
    if (K < 2) throw new RangeError('LinearSVC needs at least two classes');
    const p = this.params;
    // liblinear's group_classes: rows of class 0 first, then class 1, … (stable within a class)
    const order: number[] = [];
    const start: number[] = [];
    for (let k = 0; k < K; k++) {
      start.push(order.length);
      for (let i = 0; i < t.codes.length; i++) if (t.codes[i] === k) order.push(i);
    }
    start.push(order.length);
    const bias = p.fit_intercept ? p.intercept_scaling : null;
    const pr = withBias(X, order, bias);
    const rng = new LiblinearRng(liblinearSeed(p.random_state));
    const nW = K === 2 ? 1 : K;
    const W = new Float64Array(K * X.cols);
    const b = new Float64Array(K);
    const signs = new Int8Array(pr.l);
    for (let c = 0; c < nW; c++) {
      const positive = K === 2 ? 1 : c;
      for (let k = 0; k < pr.l; k++) signs[k] = k >= start[positive] && k < start[positive + 1] ? 1 : -1;
      const { w } = solveL2LossSvcDual(pr, signs, p.C, p.tol, p.max_iter, rng);
      const row = K === 2 ? 1 : c;
      W.set(w.subarray(0, X.cols), row * X.cols);
      b[row] = bias === null ? 0 : w[X.cols] * bias;
    }
    if (K === 2) {
      // one hyperplane: class 1 scores d, class 0 scores −d, so argmax and OvR estimates agree
      for (let j = 0; j < X.cols; j++) W[j] = -W[X.cols + j];
      b[0] = -b[1];
    }
    return new LinearSVCModel(t.classes, new LinearScores(W, b, X.cols));
  }
}
