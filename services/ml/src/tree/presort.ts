// The training matrix as trees read it: float32 values (scikit-learn casts X to float32 before
// growing trees, and ONNX compares in float32), column-major, with every feature's rows sorted once.
// Built once per matrix and shared by every tree and every grid candidate fitted on that matrix.
import type { Matrix } from '../matrix.js';

export interface Presorted {
  readonly rows: number;
  readonly features: number;
  /** Column-major float32 values: feature f of row i at xs[f * rows + i]. */
  readonly xs: Float32Array;
  /** For each feature f, rows in ascending value order (ties by row): sorted[f * rows + k]. */
  readonly sorted: Int32Array;
  /** Row-major float32 copy, for walking the fitted trees over the training rows. */
  readonly rowMajor: Float32Array;
}

const cache = new WeakMap<Matrix, Presorted>();

export function presort(X: Matrix): Presorted {
  const hit = cache.get(X);
  if (hit) return hit;
  const n = X.rows;
  const F = X.cols;
  const rowMajor = Float32Array.from(X.data);
  const xs = new Float32Array(n * F);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) xs[f * n + i] = rowMajor[i * F + f];
  const sorted = new Int32Array(n * F);
  const idx = new Int32Array(n);
  for (let f = 0; f < F; f++) {
    const col = xs.subarray(f * n, (f + 1) * n);
    for (let i = 0; i < n; i++) idx[i] = i;
    idx.sort((a, b) => col[a] - col[b] || a - b);
    sorted.set(idx, f * n);
  }
  const p: Presorted = { rows: n, features: F, xs, sorted, rowMajor };
  cache.set(X, p);
  return p;
}

/** Rows of X rounded to float32, row-major, as fitted trees compare them. */
export function float32Rows(X: Matrix): Float32Array {
  return Float32Array.from(X.data);
}
