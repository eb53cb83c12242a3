// An exact k-nearest-neighbour search through a KD-tree (Bentley, Multidimensional binary search
// trees used for associative searching, CACM 18(9), 1975; Friedman, Bentley & Finkel, An algorithm
// for finding best matches in logarithmic expected time, ACM TOMS 3(3), 1977), as scikit-learn's
// KDTree: nodes split at the median of their widest dimension, leaves of up to LEAF_SIZE rows,
// each node's bounding box as its lower bound. It returns exactly what the brute-force scan of
// neighbours.ts returns: the same distance arithmetic (Σ_j (q_j − t_j)², left to right) and the
// same total order (distance, then training-row index); a node is skipped only when its box is
// strictly farther than the current k-th neighbour, since a tie there may still have a lower index.
import type { Matrix } from '../matrix.js';

const LEAF_SIZE = 40;

export class KdTree {
  /** The training rows in tree order (row-major), and the original index of each. */
  private readonly points: Float64Array;
  private readonly order: Int32Array;
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  /** Per node, p lower then p upper box bounds. */
  private boxes: Float64Array;
  private nodes = 0;

  constructor(readonly train: Matrix) {
    const { rows: n, cols: p, data } = train;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.boxes = new Float64Array(Math.max(1, Math.ceil((2 * n) / LEAF_SIZE) + 1) * 2 * p);
    this.build(order, 0, n, data, p);
    this.order = order;
    this.points = new Float64Array(n * p);
    for (let i = 0; i < n; i++) this.points.set(data.subarray(order[i] * p, order[i] * p + p), i * p);
  }

  private build(order: Int32Array, lo: number, hi: number, data: Float64Array, p: number): number {
    const node = this.nodes++;
    if ((node + 1) * 2 * p > this.boxes.length) {
      const grown = new Float64Array(this.boxes.length * 2);
      grown.set(this.boxes);
      this.boxes = grown;
    }
    const b = this.boxes,
      o = node * 2 * p;
    for (let j = 0; j < p; j++) {
      b[o + j] = Infinity;
      b[o + p + j] = -Infinity;
    }
    for (let i = lo; i < hi; i++) {
      const r = order[i] * p;
      for (let j = 0; j < p; j++) {
        const v = data[r + j];
        if (v < b[o + j]) b[o + j] = v;
        if (v > b[o + p + j]) b[o + p + j] = v;
      }
    }
    this.start[node] = lo;
    this.end[node] = hi;
    this.left[node] = -1;
    this.right[node] = -1;
    if (hi - lo <= LEAF_SIZE) return node;
    let dim = 0,
      spread = -1;
    for (let j = 0; j < p; j++) {
      const s = b[o + p + j] - b[o + j];
      if (s > spread) {
        spread = s;
        dim = j;
      }
    }
    if (!(spread > 0)) return node; // all rows equal: one leaf
    const mid = (lo + hi) >> 1;
    select(order, lo, hi - 1, mid, data, p, dim);
    this.left[node] = this.build(order, lo, mid, data, p);
    this.right[node] = this.build(order, mid, hi, data, p);
    return node;
  }

  /** Row-major rows × k training-row indices, nearest first (distance, then index). */
  query(X: Matrix, k: number): Int32Array {
    const p = this.train.cols;
    if (X.cols !== p) throw new RangeError(`model has ${p} features, got ${X.cols}`);
    const out = new Int32Array(X.rows * k);
    const bestD = new Float64Array(k),
      bestI = new Int32Array(k);
    const q = new Float64Array(p);
    const stack = new Int32Array(64 + 2 * Math.ceil(Math.log2(this.train.rows + 1)));
    const stackD = new Float64Array(stack.length);
    const P = this.points,
      order = this.order,
      boxes = this.boxes;
    const { start, end, left, right } = this;
    for (let r = 0; r < X.rows; r++) {
      q.set(X.data.subarray(r * p, r * p + p));
      let size = 0;
      let top = 0;
      stack[top] = 0;
      stackD[top] = 0;
      top++;
      while (top > 0) {
        top--;
        const node = stack[top];
        // strictly farther than the k-th: nothing in it can enter, not even a tie
        if (size === k && stackD[top] > bestD[k - 1]) continue;
        const l = left[node];
        if (l < 0) {
          for (let i = start[node]; i < end[node]; i++) {
            const o = i * p;
            const worst = size === k ? bestD[k - 1] : Infinity;
            const d = partialDistance(q, P, o, p, worst);
            if (d > worst) continue;
            const idx = order[i];
            if (size === k && d === worst && idx > bestI[k - 1]) continue;
            if (size < k) size++;
            let pos = size - 1;
            while (pos > 0 && (bestD[pos - 1] > d || (bestD[pos - 1] === d && bestI[pos - 1] > idx))) {
              bestD[pos] = bestD[pos - 1];
              bestI[pos] = bestI[pos - 1];
              pos--;
            }
            bestD[pos] = d;
            bestI[pos] = idx;
          }
          continue;
        }
        const rgt = right[node];
        const dl = boxDistance(q, boxes, l * 2 * p, p),
          dr = boxDistance(q, boxes, rgt * 2 * p, p);
        // push the farther child first so the nearer one is searched first
        if (dl <= dr) {
          stack[top] = rgt;
          stackD[top] = dr;
          top++;
          stack[top] = l;
          stackD[top] = dl;
          top++;
        } else {
          stack[top] = l;
          stackD[top] = dl;
          top++;
          stack[top] = rgt;
          stackD[top] = dr;
          top++;
        }
      }
      out.set(bestI, r * k);
    }
    return out;
  }
}

/**
 * Σ_j (q_j − x[o + j])², left to right, abandoned (returning a partial sum > worst) once a partial
 * sum exceeds worst; checked every four terms, which keeps the arithmetic and saves the branches.
 */
export function partialDistance(q: Float64Array, x: Float64Array, o: number, p: number, worst: number): number {
  let d = 0,
    j = 0;
  for (; j + 3 < p; j += 4) {
    const v0 = q[j] - x[o + j],
      v1 = q[j + 1] - x[o + j + 1],
      v2 = q[j + 2] - x[o + j + 2],
      v3 = q[j + 3] - x[o + j + 3];
    d += v0 * v0;
    d += v1 * v1;
    d += v2 * v2;
    d += v3 * v3;
    if (d > worst) return d;
  }
  for (; j < p; j++) {
    const v = q[j] - x[o + j];
    d += v * v;
  }
  return d;
}

/**
 * Squared distance from q to a box, summed left to right like the point distances: each term is
 * at most the matching term of any point in the box (rounding is monotone), so the bound never
 * exceeds a computed point distance.
 */
function boxDistance(q: Float64Array, b: Float64Array, o: number, p: number): number {
  let d = 0;
  for (let j = 0; j < p; j++) {
    const v = q[j];
    const lo = b[o + j],
      hi = b[o + p + j];
    if (v < lo) {
      const g = lo - v;
      d += g * g;
    } else if (v > hi) {
      const g = v - hi;
      d += g * g;
    }
  }
  return d;
}

/** Quickselect (Hoare) on order[lo..hi] by coordinate dim so that position m holds its rank-m row. */
function select(
  order: Int32Array,
  lo: number,
  hi: number,
  m: number,
  data: Float64Array,
  p: number,
  dim: number,
): void {
  while (hi > lo) {
    const a = data[order[lo] * p + dim],
      b = data[order[(lo + hi) >> 1] * p + dim],
      c = data[order[hi] * p + dim];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (data[order[i] * p + dim] < pivot) i++;
      while (data[order[j] * p + dim] > pivot) j--;
      if (i <= j) {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        i++;
        j--;
      }
    }
    if (m <= j) hi = j;
    else if (m >= i) lo = i;
    else return;
  }
}
