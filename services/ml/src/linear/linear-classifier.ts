// The fitted form of linear classifiers: one row of weights and an intercept per class, decision
// = X·Wᵀ + b, label = first class with the largest decision (scikit-learn's argmax).
import { Matrix } from '../matrix.js';

export class LinearScores {
  /** W is row-major nClasses × nFeatures. */
  constructor(readonly W: Float64Array, readonly b: Float64Array, readonly nFeatures: number) {}

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
    for (let k = 0; k < M.cols; k++) { const e = Math.exp(M.data[r + k] - mx); out.data[r + k] = e; s += e; }
    for (let k = 0; k < M.cols; k++) out.data[r + k] /= s;
  }
  return out;
}
