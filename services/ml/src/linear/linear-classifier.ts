// The fitted form of linear classifiers: one row of weights and an intercept per class, decision
// = X·Wᵀ + b, label = first class with the largest decision (scikit-learn's argmax).
import { Matrix } from '../matrix.js';
import type { Classifier } from '../estimator.js';
import { floats, int, ints, str, type OnnxGraph } from '../onnx/graph.js';

export class LinearScores {
  /** W is row-major nClasses × nFeatures. */
  constructor(
    readonly W: Float64Array,
    readonly b: Float64Array,
    readonly nFeatures: number,
  ) {}

  get nClasses(): number {
    return this.b.length;
  }

  decision(X: Matrix): Matrix {
    const { rows, cols, data } = X;
    if (cols !== this.nFeatures) throw new RangeError(`model has ${this.nFeatures} features, got ${cols}`);
    const K = this.nClasses;
    const out = new Matrix(rows, K);
    for (let i = 0; i < rows; i++) {
      const r = i * cols;
      for (let k = 0; k < K; k++) {
        let s = this.b[k];
        const w = k * cols;
        for (let j = 0; j < cols; j++) s += data[r + j] * this.W[w + j];
        out.data[i * K + k] = s;
      }
    }
    return out;
  }
}

export function argmaxRows(M: Matrix): Int32Array {
  const out = new Int32Array(M.rows);
  for (let i = 0; i < M.rows; i++) {
    let best = 0;
    const r = i * M.cols;
    for (let k = 1; k < M.cols; k++) if (M.data[r + k] > M.data[r + best]) best = k;
    out[i] = best;
  }
  return out;
}

export function softmaxRows(M: Matrix): Matrix {
  const out = new Matrix(M.rows, M.cols);
  for (let i = 0; i < M.rows; i++) {
    const r = i * M.cols;
    let mx = -Infinity;
    for (let k = 0; k < M.cols; k++) mx = Math.max(mx, M.data[r + k]);
    let s = 0;
    for (let k = 0; k < M.cols; k++) {
      const e = Math.exp(M.data[r + k] - mx);
      out.data[r + k] = e;
      s += e;
    }
    for (let k = 0; k < M.cols; k++) out.data[r + k] /= s;
  }
  return out;
}

/** What fitted linear classifiers share: decision values, the argmax label, ONNX's LinearClassifier. */
export abstract class LinearClassifierModel implements Classifier {
  constructor(
    readonly classes: readonly string[],
    readonly scores: LinearScores,
  ) {}

  abstract predictProba(X: Matrix): Matrix;
  abstract toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string };

  decisionFunction(X: Matrix): Matrix {
    return this.scores.decision(X);
  }

  predict(X: Matrix): Int32Array {
    return argmaxRows(this.scores.decision(X));
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return this.toOnnxOutputs(g, input).probabilities;
  }

  /** ONNX-ML LinearClassifier over these weights: [label, scores after post_transform]. */
  protected linearClassifier(
    g: OnnxGraph,
    input: string,
    multiClass: 0 | 1,
    postTransform: 'NONE' | 'SOFTMAX',
  ): [string, string] {
    const [label, scores] = g.ml('LinearClassifier', [input], 2, {
      coefficients: floats(this.scores.W),
      intercepts: floats(this.scores.b),
      classlabels_ints: ints(this.classes.map((_, i) => i)),
      multi_class: int(multiClass),
      post_transform: str(postTransform),
    });
    return [label, scores];
  }
}
