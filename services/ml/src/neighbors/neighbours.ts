// Exact k-nearest-neighbour search by Euclidean distance with ties broken by training-row index
// (a total order, so the k nearest are always the first k of the kMax nearest: fitPath reads
// every k from one search), through a KD-tree (kd-tree.ts, the same answer) or a brute-force scan
// as useTree picks. Results are cached per query matrix, so the models of one fitPath share a
// single search of the data they are scored on.
import type { Matrix } from '../matrix.js';
import { KdTree } from './kd-tree.js';

export interface Neighbours {
  /** Row-major rows × kMax training-row indices, nearest first. */
  readonly index: Int32Array;
  readonly kMax: number;
}

/**
 * scikit-learn's algorithm='auto' with our costs: a KD-tree unless k ≥ n/2 (sklearn's rule), the
 * table fits in one leaf, or there are more than 30 features. sklearn switches to brute force
 * above 15 features because its brute force is BLAS (at 20 features and 800,000 rows its own
 * KDTree took 15 s of CPU to build and answer 1,000 queries, its brute force 2.6 s); ours is a
 * scalar scan, and our tree over principal axes (kd-tree.ts) visits 6–18 % of the rows at 20
 * features (bench/solvers, 800,000 / 80,000 rows), well under the scan's cost.
 */
export function useTree(train: Matrix, k: number): boolean {
  return train.cols <= 30 && k < train.rows / 2 && train.rows > 2 * 40;
}

export class NeighbourIndex {
  private readonly cache = new WeakMap<Matrix, Neighbours>();
  private tree: KdTree | undefined;

  constructor(
    readonly train: Matrix,
    readonly kMax: number,
    readonly algorithm: 'auto' | 'brute' | 'kd_tree' = 'auto',
  ) {
    if (kMax < 1 || kMax > train.rows) throw new RangeError(`n_neighbors must be in [1, ${train.rows}], got ${kMax}`);
  }

  query(X: Matrix): Neighbours {
    const hit = this.cache.get(X);
    if (hit) return hit;
    if (this.algorithm === 'kd_tree' || (this.algorithm === 'auto' && useTree(this.train, this.kMax))) {
      this.tree ??= new KdTree(this.train);
      const out = { index: this.tree.query(X, this.kMax), kMax: this.kMax };
      this.cache.set(X, out);
      return out;
    }
    const T = this.train.data,
      Q = X.data;
    const p = this.train.cols,
      m = this.train.rows,
      k = this.kMax;
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
        const worst = size < k ? Infinity : bestD[k - 1];
        // partial sums only grow: once one reaches the k-th distance the row cannot enter
        for (let j = 0; j < p; j++) {
          const v = Q[qo + j] - T[to + j];
          d += v * v;
          if (d >= worst) break;
        }
        if (d >= worst) continue;
        // insertion into the sorted top-k; equal distances keep the lower index first
        if (size < k) size++;
        let pos = size - 1;
        while (pos > 0 && bestD[pos - 1] > d) {
          bestD[pos] = bestD[pos - 1];
          bestI[pos] = bestI[pos - 1];
          pos--;
        }
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
