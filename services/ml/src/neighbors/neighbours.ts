// Exact k-nearest-neighbour search by Euclidean distance with ties broken by training-row index
// (a total order, so the k nearest are always the first k of the kMax nearest: fitPath reads
// every k from one search). Results are cached per query matrix, so the models of one fitPath
// share a single search of the data they are scored on.
import type { Matrix } from '../matrix.js';

export interface Neighbours {
  /** Row-major rows × kMax training-row indices, nearest first. */
  readonly index: Int32Array;
  readonly kMax: number;
}

export class NeighbourIndex {
  private readonly cache = new WeakMap<Matrix, Neighbours>();

  constructor(readonly train: Matrix, readonly kMax: number) {
    if (kMax < 1 || kMax > train.rows) throw new RangeError(`n_neighbors must be in [1, ${train.rows}], got ${kMax}`);
  }

  query(X: Matrix): Neighbours {
    const hit = this.cache.get(X);
    if (hit) return hit;
    const T = this.train.data, Q = X.data;
    const p = this.train.cols, m = this.train.rows, k = this.kMax;
    if (X.cols !== p) throw new RangeError(`model has ${p} features, got ${X.cols}`);
    const index = new Int32Array(X.rows * k);
    const bestD = new Float64Array(k);
    const bestI = new Int32Array(k);
    for (let q = 0; q < X.rows; q++) {
      let size = 0;
      const qo = q * p;
      for (let i = 0; i < m; i++) {
        const to = i * p;
        let d = 0;
        for (let j = 0; j < p; j++) { const v = Q[qo + j] - T[to + j]; d += v * v; }
        // insertion into the sorted top-k; equal distances keep the lower index first
        if (size < k) size++;
        else if (d >= bestD[k - 1]) continue;
        let pos = size - 1;
        while (pos > 0 && bestD[pos - 1] > d) { bestD[pos] = bestD[pos - 1]; bestI[pos] = bestI[pos - 1]; pos--; }
        bestD[pos] = d;
        bestI[pos] = i;
      }
      index.set(bestI, q * k);
    }
    const out = { index, kMax: k };
    this.cache.set(X, out);
    return out;
  }
}
