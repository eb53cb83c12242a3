// The RBF kernel with scikit-learn's gamma='scale', and the full kernel matrix of a training set:
// the sets here are small (≤ a few hundred rows), so the whole matrix is computed once per fit (or
// once for a whole path over C) instead of libsvm's row cache.
import type { Matrix } from '../matrix.js';

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { exp } = Math;

export type Gamma = 'scale' | 'auto' | number;

/** gamma='scale' is 1 / (n_features · X.var()) over every value of X; 'auto' is 1 / n_features. */
export function resolveGamma(gamma: Gamma, X: Matrix): number {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / X.cols;
  const d = X.data;
  let mean = 0;
  for (let i = 0; i < d.length; i++) mean += d[i];
  mean /= d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - mean) * (d[i] - mean);
  v /= d.length;
  return v > 0 ? 1 / (X.cols * v) : 1;
}

/** exp(-gamma · |a - b|²) between row i of A and row j of B. */
export function rbf(A: Float64Array, i: number, B: Float64Array, j: number, F: number, gamma: number): number {
  let s = 0;
  for (let f = 0; f < F; f++) {
    const d = A[i * F + f] - B[j * F + f];
    s += d * d;
  }
  return exp(-gamma * s);
}

/** The n × n kernel matrix of X's rows, row-major. */
export function kernelMatrix(X: Matrix, gamma: number): Float64Array {
  const n = X.rows;
  const F = X.cols;
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1;
    for (let j = 0; j < i; j++) {
      const v = rbf(X.data, i, X.data, j, F, gamma);
      K[i * n + j] = v;
      K[j * n + i] = v;
    }
  }
  return K;
}
