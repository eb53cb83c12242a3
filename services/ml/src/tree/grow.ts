// CART growing with scikit-learn's semantics (best split by Gini or squared error, thresholds at
// midpoints, min_samples_split 2, min_samples_leaf 1, max_features drawn per node) over presorted
// rows: each node's rows stay sorted per feature by stable partitioning, so no node ever sorts, and
// all buffers belong to the grower, so the hot loop allocates nothing.
import type { Presorted } from './presort.js';
import { Stream, mix } from './random.js';
import { Tree } from './tree.js';

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { floor, fround, log2, max, min, sqrt } = Math;
const NEG_INF = Number.NEGATIVE_INFINITY;

export type Criterion = 'gini' | 'squared_error' | 'friedman_mse';

/** What one tree is fitted to: class codes (Gini) or real values (regression criteria). */
export type TreeTarget =
  | { readonly criterion: 'gini'; readonly codes: Int32Array; readonly classes: number }
  | { readonly criterion: 'squared_error' | 'friedman_mse'; readonly values: Float64Array };

export interface GrowOptions {
  readonly maxDepth: number;
  /** Features examined per node (scikit-learn's max_features resolved to a count). */
  readonly maxFeatures: number;
  /** Seed of the root's random stream; children derive theirs from it and their side. */
  readonly seed: number;
}

// Values per record of the growing stack.
const REC = 6;

// scikit-learn's EPSILON for "this node is pure".
const EPSILON = 2.220446049250313e-16;

export class TreeGrower {
  private readonly order: Int32Array;
  private readonly tmp: Int32Array;
  private readonly goLeft: Uint8Array;
  /** Leaf node reached by each in-sample row of the last grown tree (-1 for rows not in it). */
  readonly leafOf: Int32Array;
  private readonly feats: Int32Array;
  private readonly stream = new Stream(0);
  private readonly stack: Float64Array;
  private leftCounts: Float64Array;
  private totalCounts: Float64Array;

  constructor(readonly data: Presorted) {
    const n = data.rows;
    this.order = new Int32Array(n * data.features);
    this.tmp = new Int32Array(n);
    this.goLeft = new Uint8Array(n);
    this.leafOf = new Int32Array(n);
    this.feats = new Int32Array(data.features);
    // depth-first: at most one pending right sibling per level, plus the node being expanded
    this.stack = new Float64Array(REC * (n + 2));
    this.leftCounts = new Float64Array(0);
    this.totalCounts = new Float64Array(0);
  }

  /**
   * Grows one tree on the rows with positive `weights` (bootstrap counts, or 1 for every row).
   * Returns it with node values: class probabilities for Gini, weighted means otherwise.
   */
  grow(weights: Float64Array, target: TreeTarget, opts: GrowOptions): Tree {
    const { rows: n, features: F, xs, sorted } = this.data;
    const { order, tmp, goLeft, leafOf, feats, stream, stack } = this;
    const gini = target.criterion === 'gini';
    const friedman = target.criterion === 'friedman_mse';
    const K = gini ? target.classes : 1;
    const codes = gini ? target.codes : new Int32Array(0);
    const ys = gini ? new Float64Array(0) : target.values;
    if (this.leftCounts.length < K) {
      this.leftCounts = new Float64Array(K);
      this.totalCounts = new Float64Array(K);
    }
    const leftCounts = this.leftCounts;
    const totalCounts = this.totalCounts;

    // rows in the sample, kept in presorted order for every feature
    let m = 0;
    for (let i = 0; i < n; i++) if (weights[i] > 0) m++;
    for (let f = 0; f < F; f++) {
      let k = f * m;
      const src = f * n;
      for (let j = 0; j < n; j++) {
        const r = sorted[src + j];
        if (weights[r] > 0) order[k++] = r;
      }
    }
    leafOf.fill(-1);
    // boosting without subsampling weighs every row 1: its scans skip the weight reads
    let unit = true;
    for (let i = 0; i < n && unit; i++) if (weights[i] !== 1) unit = false;

    const cap = max(1, 2 * m - 1);
    const feature = new Int32Array(cap);
    const threshold = new Float32Array(cap);
    const left = new Int32Array(cap);
    const right = new Int32Array(cap);
    const value = new Float64Array(cap * K);
    const weight = new Float64Array(cap);
    let count = 0;

    // stack records: start, end, depth, seed, parent, isLeft
    let sp = 0;
    stack[0] = 0;
    stack[1] = m;
    stack[2] = 0;
    stack[3] = opts.seed;
    stack[4] = -1;
    stack[5] = 0;
    sp = REC;
    const maxF = max(1, min(F, opts.maxFeatures));

    while (sp > 0) {
      sp -= REC;
      const s = stack[sp];
      const e = stack[sp + 1];
      const depth = stack[sp + 2];
      const seed = stack[sp + 3];
      const parent = stack[sp + 4];
      const isLeft = stack[sp + 5] === 1;
      const id = count++;
      if (parent >= 0) {
        if (isLeft) left[parent] = id;
        else right[parent] = id;
      }
      feature[id] = -1;
      left[id] = -1;
      right[id] = -1;

      // node statistics from feature 0's segment, always partitioned down to this node
      let W = 0;
      let impurity: number;
      let sum = 0;
      let sqTotal = 0;
      if (gini) {
        totalCounts.fill(0, 0, K);
        for (let k = s; k < e; k++) {
          const r = order[k];
          totalCounts[codes[r]] += weights[r];
          W += weights[r];
        }
        let sq = 0;
        for (let c = 0; c < K; c++) {
          value[id * K + c] = totalCounts[c] / W;
          sq += totalCounts[c] * totalCounts[c];
        }
        sqTotal = sq;
        impurity = 1 - sq / (W * W);
      } else {
        let sq = 0;
        for (let k = s; k < e; k++) {
          const r = order[k];
          const w = weights[r];
          const y = ys[r];
          W += w;
          sum += w * y;
          sq += w * y * y;
        }
        const mean = sum / W;
        value[id] = mean;
        impurity = sq / W - mean * mean;
      }

      weight[id] = W;
      const nNode = e - s;
      let bestF = -1;
      let bestPos = -1;
      let bestThr = 0;
      if (depth < opts.maxDepth && nNode >= 2 && impurity > EPSILON) {
        let best = NEG_INF;
        stream.reset(seed);
        for (let f = 0; f < F; f++) feats[f] = f;
        let visited = 0;
        let nonConstant = 0;
        for (let i = 0; i < F; i++) {
          // keep drawing past max_features while every feature seen so far was constant (as sklearn)
          if (visited >= maxF && nonConstant > 0) break;
          const j = i + stream.below(F - i);
          const f = feats[j];
          feats[j] = feats[i];
          feats[i] = f;
          visited++;
          const base = f * m;
          const xo = f * n;
          if (xs[xo + order[base + s]] >= xs[xo + order[base + e - 1]]) continue;
          nonConstant++;
          if (gini) {
            leftCounts.fill(0, 0, K);
            let sqL = 0;
            let sqR = sqTotal;
            let wL = 0;
            // each value is read once: the next row's value becomes this row's on the next step
            let xn = xs[xo + order[base + s]];
            for (let k = s; k < e - 1; k++) {
              const r = order[base + k];
              const w = weights[r];
              const c = codes[r];
              const lc = leftCounts[c];
              const rc = totalCounts[c] - lc;
              sqL += w * (2 * lc + w);
              sqR += w * (w - 2 * rc);
              leftCounts[c] = lc + w;
              wL += w;
              const xv = xn;
              xn = xs[xo + order[base + k + 1]];
              if (xn <= xv) continue;
              // compared without dividing (wL, wR > 0): the division happens only for a new best
              const wR = W - wL;
              if (sqL * wR + sqR * wL > best * wL * wR) {
                best = sqL / wL + sqR / wR;
                bestF = f;
                bestPos = k;
                bestThr = midpoint(xv, xn);
              }
            }
          } else {
            let sL = 0;
            let wL = 0;
            let xn = xs[xo + order[base + s]];
            for (let k = s; k < e - 1; k++) {
              const r = order[base + k];
              if (unit) {
                sL += ys[r];
                wL += 1;
              } else {
                const w = weights[r];
                sL += w * ys[r];
                wL += w;
              }
              const xv = xn;
              xn = xs[xo + order[base + k + 1]];
              if (xn <= xv) continue;
              const wR = W - wL;
              const sR = sum - sL;
              // compared without dividing (wL, wR > 0): the division happens only for a new best
              let num: number;
              if (friedman) {
                const diff = wR * sL - wL * sR;
                num = diff * diff;
              } else {
                num = sL * sL * wR + sR * sR * wL;
              }
              if (num > best * wL * wR) {
                best = num / (wL * wR);
                bestF = f;
                bestPos = k;
                bestThr = midpoint(xv, xn);
              }
            }
          }
        }
      }

      if (bestF < 0) {
        for (let k = s; k < e; k++) leafOf[order[k]] = id;
        continue;
      }

      feature[id] = bestF;
      threshold[id] = bestThr;
      const base = bestF * m;
      const nLeft = bestPos - s + 1;
      // children that are leaves for sure only read their rows from feature 0's segment, so the
      // other segments need no partitioning (the last level of every depth-limited tree); feature
      // 0's order keeps their values summed in the same order as in a deeper tree
      const leavesOnly = depth + 1 >= opts.maxDepth || (nLeft < 2 && e - s - nLeft < 2);
      const fEnd = leavesOnly ? 1 : F;
      if (!(leavesOnly && bestF === 0)) for (let k = s; k < e; k++) goLeft[order[base + k]] = k <= bestPos ? 1 : 0;
      for (let f = 0; f < fEnd; f++) {
        if (f === bestF) continue;
        const b = f * m;
        let li = b + s;
        let ri = 0;
        // branch-free: which side a row goes is data, and mispredicted branches cost more than
        // the extra store (li ≤ k, so the in-place store never overwrites an unread row)
        for (let k = b + s; k < b + e; k++) {
          const r = order[k];
          const g = goLeft[r];
          order[li] = r;
          tmp[ri] = r;
          li += g;
          ri += 1 - g;
        }
        const to = b + s + nLeft;
        for (let q = 0; q < ri; q++) order[to + q] = tmp[q];
      }
      // right pushed first so the left subtree is grown (and numbered) first, as in scikit-learn
      const mid = s + nLeft;
      stack[sp] = mid;
      stack[sp + 1] = e;
      stack[sp + 2] = depth + 1;
      stack[sp + 3] = mix(seed, 2);
      stack[sp + 4] = id;
      stack[sp + 5] = 0;
      sp += REC;
      stack[sp] = s;
      stack[sp + 1] = mid;
      stack[sp + 2] = depth + 1;
      stack[sp + 3] = mix(seed, 1);
      stack[sp + 4] = id;
      stack[sp + 5] = 1;
      sp += REC;
    }

    return new Tree(
      feature.slice(0, count),
      threshold.slice(0, count),
      left.slice(0, count),
      right.slice(0, count),
      value.slice(0, count * K),
      K,
      weight.slice(0, count),
    );
  }
}

/**
 * scikit-learn's midpoint threshold, rounded to float32 the way the ONNX runtime will hold it; when
 * rounding would reach the upper value, the lower value is used, so the split separates the same
 * float32 inputs in TypeScript and in ONNX.
 */
function midpoint(lo: number, hi: number): number {
  const t = fround(lo / 2 + hi / 2);
  return t >= hi ? lo : t;
}

/** scikit-learn's max_features resolved to a count for F features. */
export function resolveMaxFeatures(maxFeatures: 'sqrt' | 'log2' | number | null, F: number): number {
  if (maxFeatures === null) return F;
  if (maxFeatures === 'sqrt') return max(1, floor(sqrt(F)));
  if (maxFeatures === 'log2') return max(1, floor(log2(F)));
  if (Number.isInteger(maxFeatures) && maxFeatures >= 1 && maxFeatures !== 1) return min(F, maxFeatures);
  // a fraction, as scikit-learn reads floats (1.0 means every feature)
  return max(1, floor(maxFeatures * F));
}
