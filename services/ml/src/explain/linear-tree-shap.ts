// Path-dependent TreeSHAP in O(nodes · depth) per row instead of Algorithm 2's O(leaves · depth²):
// the idea of Linear TreeShap (Yu, Bifet, Read & Xu, NeurIPS 2022, arXiv:2209.08192), in the form
// of an integral evaluated by Gauss–Legendre quadrature. It gives the same values as the path
// recursion in tree-shap.ts (a test holds them within 1e-9 of each other on random trees) at about
// a tenth of its cost on depth-10 forests, which is what serve and the explain document need.
//
// The game of one leaf l: on its path, feature j has a zero fraction z_j (the product of the cover
// ratios of its splits) and a one fraction o_j ∈ {0, 1} (whether x follows all of them); the value
// of a coalition S is v_l · Π_{j∈S} o_j · Π_{j∉S} z_j. With the Shapley weight written as a Beta
// integral, |S|!(d−|S|−1)!/d! = ∫₀¹ t^|S| (1−t)^(d−|S|−1) dt, feature i's value from the leaf is
//     φ_i = v_l (o_i − z_i) ∫₀¹ Π_{j≠i} ((1−t) z_j + t o_j) dt  =  v_l (o_i − z_i) ∫₀¹ P_l(t) / p_i(t) dt,
// where P_l is the product over the path's d features of p_j(t) = (1−t) z_j + t o_j — a polynomial
// of degree d, so the integrand has degree d − 1 and n = ⌈d/2⌉ Gauss points integrate it exactly.
// One walk down the tree carries P at the n points (one factor per edge); one walk up sums
// H = Σ v_l P_l over each subtree and adds, at each edge on feature i, (o_i − z_i) ∫ H / p_i.
// A feature split again lower on the path replaces its factor; the leaves below that lower edge
// were counted at the upper one with the upper factor, and the lower edge takes that back
// (−(o' − z') ∫ H / p'), so each leaf's value for i ends up counted once, at its deepest split on i.
// p_j(t) > 0 inside (0, 1) unless z_j = o_j = 0, and such a subtree adds nothing: it is skipped.
import type { Matrix } from '../matrix.js';
import type { Tree } from '../tree/tree.js';
import { float32Rows } from '../tree/presort.js';
import { emptyContributions, type Contributions } from './contributions.js';

/** A tree as one row's walk reads it: only the nodes above maxDepth, in depth-first order. */
export interface FlatTree {
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** 1 when a missing value goes left; null: NaN goes right. */
  readonly missingLeft: Uint8Array | null;
  /** Per node, 1 at a categorical split, which `source.goesLeft(origin[node], v)` decides; null: none. */
  readonly categorical: Uint8Array | null;
  readonly origin: Int32Array;
  readonly source: Tree;
  /** Cover ratios weight(child) / weight(node): the zero fraction of each edge. */
  readonly leftShare: Float64Array;
  readonly rightShare: Float64Array;
  readonly value: Float64Array;
  readonly width: number;
  /** Deepest leaf, and the most distinct features on one root-to-leaf path. */
  readonly depth: number;
  readonly pathFeatures: number;
  /** E[f(X)] over the cover, per value column: the tree's base value. */
  readonly expectation: Float64Array;
  /**
   * Every leaf's values add up to the same total (a forest's class probabilities): the last
   * column's SHAP values are then minus the others' sum, and the walk need not carry it.
   */
  readonly complementary: boolean;
  /**
   * Two numbers per node, what the walk reads of it besides feature, threshold and right child: an
   * internal node's leftShare and rightShare, a leaf's first value column. One array instead of
   * three, and the left child is the next node: a row explained alone reads each tree from memory
   * (a depth-10 forest does not stay in cache from one row to the next), and fewer, denser arrays
   * are fewer bytes and cache lines to read.
   */
  readonly pair: Float64Array;
}

/** The tree read to maxDepth, with its cover ratios and expectation computed once. */
export function flatTree(tree: Tree, maxDepth: number): FlatTree {
  const order: number[] = [];
  const depthOf: number[] = [];
  const walk = (node: number, d: number): void => {
    order.push(node);
    depthOf.push(d);
    if (tree.feature[node] >= 0 && d < maxDepth) {
      walk(tree.left[node], d + 1);
      walk(tree.right[node], d + 1);
    }
  };
  walk(0, 0);
  const n = order.length;
  const index = new Map<number, number>();
  order.forEach((node, i) => index.set(node, i));
  const W = tree.width;
  const feature = new Int32Array(n).fill(-1);
  const threshold = new Float32Array(n);
  const left = new Int32Array(n).fill(-1);
  const right = new Int32Array(n).fill(-1);
  const missingLeft = tree.missingLeft ? new Uint8Array(n) : null;
  const categorical = tree.categorical ? new Uint8Array(n) : null;
  const leftShare = new Float64Array(n);
  const rightShare = new Float64Array(n);
  const value = new Float64Array(n * W);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const node = order[i];
    value.set(tree.value.subarray(node * W, node * W + W), i * W);
    depth = Math.max(depth, depthOf[i]);
    if (tree.feature[node] < 0 || depthOf[i] >= maxDepth) continue;
    feature[i] = tree.feature[node];
    threshold[i] = tree.threshold[node];
    left[i] = index.get(tree.left[node]) ?? -1;
    right[i] = index.get(tree.right[node]) ?? -1;
    if (missingLeft && tree.missingLeft) missingLeft[i] = tree.missingLeft[node];
    if (categorical && tree.categorical) categorical[i] = tree.categorical[node];
    const w = tree.weight[node];
    leftShare[i] = tree.weight[tree.left[node]] / w;
    rightShare[i] = tree.weight[tree.right[node]] / w;
  }
  // the expectation with the same ratios, so base + Σφ = f(x) to rounding; and the widest path
  const expectation = new Float64Array(W);
  let pathFeatures = 0;
  let maxFeature = 0;
  for (let i = 0; i < n; i++) maxFeature = Math.max(maxFeature, feature[i]);
  const seen = new Int32Array(maxFeature + 1);
  const down = (i: number, share: number, distinct: number): void => {
    if (feature[i] < 0) {
      for (let c = 0; c < W; c++) expectation[c] += share * value[i * W + c];
      pathFeatures = Math.max(pathFeatures, distinct);
      return;
    }
    const f = feature[i];
    const fresh = seen[f] === 0 ? 1 : 0;
    seen[f]++;
    down(left[i], share * leftShare[i], distinct + fresh);
    down(right[i], share * rightShare[i], distinct + fresh);
    seen[f]--;
  };
  down(0, 1, 0);
  let complementary = W >= 2;
  let total = NaN;
  for (let i = 0; i < n && complementary; i++) {
    if (feature[i] >= 0) continue;
    let s = 0;
    for (let c = 0; c < W; c++) s += value[i * W + c];
    if (total !== total) total = s;
    // a constant's Shapley values are 0, so rounding-level differences cost rounding-level error
    else if (Math.abs(s - total) > 1e-12 * Math.max(1, Math.abs(total))) complementary = false;
  }
  const pair = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    if (feature[i] < 0) pair[2 * i] = value[i * W];
    else {
      if (left[i] !== i + 1) throw new Error('flatTree: a left child is not the next node');
      pair[2 * i] = leftShare[i];
      pair[2 * i + 1] = rightShare[i];
    }
  }
  return {
    pair,
    feature,
    threshold,
    left,
    right,
    missingLeft,
    categorical,
    origin: Int32Array.from(order),
    source: tree,
    leftShare,
    rightShare,
    value,
    width: W,
    depth,
    pathFeatures,
    expectation,
    complementary,
  };
}

/** Gauss–Legendre nodes and weights on [0, 1] (Newton's method on P_n; exact for degree ≤ 2n − 1). */
export function gaussLegendre(n: number): { readonly t: Float64Array; readonly w: Float64Array } {
  const t = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // from [−1, 1] to [0, 1]
    t[i] = (1 - x) / 2;
    w[i] = 1 / ((1 - x * x) * dp * dp);
  }
  return { t, w };
}

const prepared = new WeakMap<Tree, Map<number, FlatTree>>();

/** flatTree, kept per tree and depth: a model explained again (serve, the what-if form) reuses it. */
export function flatTreeOf(tree: Tree, maxDepth: number): FlatTree {
  let byDepth = prepared.get(tree);
  if (!byDepth) prepared.set(tree, (byDepth = new Map()));
  let flat = byDepth.get(maxDepth);
  if (!flat) byDepth.set(maxDepth, (flat = flatTree(tree, maxDepth)));
  return flat;
}

/**
 * One feature held out of the game for interaction values (shap's tree_shap conditioning): always
 * present (state 1: it follows x's branch) or always absent (state −1: both branches by cover). It
 * is then no player: its splits multiply the path by a constant, 1 or the cover ratio, and it gets
 * no value. state 0: no condition.
 */
export interface WalkCondition {
  readonly state: -1 | 0 | 1;
  readonly feature: number;
}

/**
 * Adds scale × the TreeSHAP values of trees to out (rows × outputs × F): x holds `rows` float32
 * rows of F columns; tree t's value column c feeds output firstOf(t) + c. Returns nothing: the base
 * values are the trees' `expectation`s.
 */
export function addLinearTreeShap(
  trees: readonly FlatTree[],
  firstOf: (t: number) => number,
  x: Float32Array,
  rows: number,
  F: number,
  scale: number,
  out: Float64Array,
  outputs: number,
  condition: WalkCondition = { state: 0, feature: -1 },
): void {
  const held = condition.state === 0 ? -1 : condition.feature;
  const present = condition.state > 0;
  let depth = 0;
  let pathFeatures = 1;
  let width = 1;
  for (const t of trees) {
    depth = Math.max(depth, t.depth);
    pathFeatures = Math.max(pathFeatures, t.pathFeatures);
    width = Math.max(width, t.width);
  }
  const n = Math.max(1, Math.ceil(pathFeatures / 2));
  const { t: tq, w: wq } = gaussLegendre(n);
  const sq = new Float64Array(n);
  for (let k = 0; k < n; k++) sq[k] = 1 - tq[k];
  const levels = depth + 2;
  // P at the n points per depth; the edge's weights into that depth; H (width × n) per depth
  const P = new Float64Array(levels * n);
  const C = new Float64Array(levels * n);
  // 1 / the replaced factor, per depth, for a feature split again
  const R = new Float64Array(levels * n);
  const H = new Float64Array(levels * width * n);
  // each feature's fractions so far on the path (1, 1: not on it, a factor of 1)
  const zf = new Float64Array(F).fill(1);
  const of = new Float64Array(F).fill(1);
  // a cold edge's weights when the feature is new on the path: wq·(0 − z)/(z·(1 − t)) = −wq/(1 − t)
  const coldC = new Float64Array(n);
  for (let k = 0; k < n; k++) coldC[k] = -wq[k] / sq[k];

  // the tree being walked and the row: set before each walk (one closure, not one per tree)
  let feature: Int32Array = new Int32Array(0);
  let threshold: Float32Array = new Float32Array(0);
  let right: Int32Array = new Int32Array(0);
  let missingLeft: Uint8Array | null = null;
  let categorical: Uint8Array | null = null;
  let origin: Int32Array = new Int32Array(0);
  let source: Tree | null = null;
  let pair: Float64Array = new Float64Array(0);
  let value: Float64Array = new Float64Array(0);
  let W = 1;
  let Wn = n;
  let stride = 1;
  let last = -1;
  let xo = 0;
  let at0 = 0;

  // adds the edge into depth d1's child to φ (C · H per output) and its H to depth d's (set: the first child)
  const fold = (d: number, f: number, set: boolean): void => {
    const ho = d * Wn;
    const hc = ho + Wn;
    const pc = (d + 1) * n;
    if (W === 1) {
      // one carried column (regression, boosting's two classes, a two-class forest): no loop over it
      let s = 0;
      if (set) {
        for (let k = 0; k < n; k++) {
          const h = H[hc + k];
          s += C[pc + k] * h;
          H[ho + k] = h;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const h = H[hc + k];
          s += C[pc + k] * h;
          H[ho + k] += h;
        }
      }
      out[at0 + f] += s;
      if (last >= 0) out[at0 + last * F + f] -= s;
      return;
    }
    for (let c = 0; c < W; c++) {
      let s = 0;
      const hcc = hc + c * n;
      const hoc = ho + c * n;
      if (set) {
        for (let k = 0; k < n; k++) {
          const h = H[hcc + k];
          s += C[pc + k] * h;
          H[hoc + k] = h;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const h = H[hcc + k];
          s += C[pc + k] * h;
          H[hoc + k] += h;
        }
      }
      out[at0 + c * F + f] += s;
      if (last >= 0) out[at0 + last * F + f] -= s;
    }
  };

  // a leaf child folds at once: its H is v · P, so C · H = v (C · P), and nothing is stored for it
  const foldLeaf = (d: number, f: number, leaf: number, set: boolean): void => {
    const ho = d * Wn;
    const pc = (d + 1) * n;
    const o = pc + n;
    if (W === 1) {
      const v = pair[2 * leaf] * scale;
      let dot = 0;
      if (set) {
        for (let k = pc; k < o; k++) {
          dot += C[k] * P[k];
          H[ho + k - pc] = v * P[k];
        }
      } else {
        for (let k = pc; k < o; k++) {
          dot += C[k] * P[k];
          H[ho + k - pc] += v * P[k];
        }
      }
      out[at0 + f] += v * dot;
      if (last >= 0) out[at0 + last * F + f] -= v * dot;
      return;
    }
    let dot = 0;
    for (let k = 0; k < n; k++) dot += C[pc + k] * P[pc + k];
    for (let c = 0; c < W; c++) {
      const v = value[leaf * stride + c] * scale;
      const hoc = ho + c * n;
      if (set) for (let k = 0; k < n; k++) H[hoc + k] = v * P[pc + k];
      else for (let k = 0; k < n; k++) H[hoc + k] += v * P[pc + k];
      out[at0 + c * F + f] += v * dot;
      if (last >= 0) out[at0 + last * F + f] -= v * dot;
    }
  };

  // the child's subtree (its P and C at depth d + 1), folded into depth d
  const descend = (child: number, d: number, f: number, set: boolean): void => {
    if (feature[child] < 0) foldLeaf(d, f, child, set);
    else {
      walk(child, d + 1);
      fold(d, f, set);
    }
  };

  // H at depth d's slot for the subtree of `node`, whose P is at depth d's slot
  const walk = (node: number, d: number): void => {
    const po = d * n;
    const f = feature[node];
    if (f < 0) {
      const ho = d * Wn;
      for (let c = 0; c < W; c++) {
        const v = value[node * stride + c] * scale;
        for (let k = 0; k < n; k++) H[ho + c * n + k] = v * P[po + k];
      }
      return;
    }
    const xv = x[xo + f];
    const goLeft =
      categorical !== null && categorical[node] === 1 && source !== null
        ? source.goesLeft(origin[node], xv)
        : xv <= threshold[node] || (xv !== xv && missingLeft !== null && missingLeft[node] === 1);
    // the left child is the next node (depth-first order)
    const hot = goLeft ? node + 1 : right[node];
    const cold = goLeft ? right[node] : node + 1;
    const zHot = pair[2 * node + (goLeft ? 0 : 1)];
    const zCold = pair[2 * node + (goLeft ? 1 : 0)];
    const d1 = d + 1;
    const pc = d1 * n;
    if (f === held) {
      // no player: weights 0, the path's product times 1 (present, x's branch only) or the ratio
      for (let k = 0; k < n; k++) {
        C[pc + k] = 0;
        P[pc + k] = present ? P[po + k] : P[po + k] * zHot;
      }
      descend(hot, d, f, true);
      if (!present && zCold !== 0) {
        for (let k = 0; k < n; k++) P[pc + k] = P[po + k] * zCold;
        descend(cold, d, f, false);
      }
      return;
    }
    const z0 = zf[f];
    const o0 = of[f];
    if (z0 === 1 && o0 === 1) {
      // the feature's first split on this path (the common case): one division per point, none cold
      const gain = 1 - zHot;
      // a leaf child (half the nodes of a full tree) with one carried column: its C · P is w·(1 − z)
      // times P above the edge for x's edge, −w·z times it for the other, so Σ_k w_k P_k serves
      // both, without a division, and nothing is stored for it
      const hotLeaf = W === 1 && feature[hot] < 0;
      const coldLeaf = W === 1 && feature[cold] < 0;
      let sum = 0;
      if (hotLeaf || coldLeaf) for (let k = 0; k < n; k++) sum += wq[k] * P[po + k];
      const ho = d * Wn;
      if (hotLeaf) {
        const v = pair[2 * hot] * scale;
        for (let k = 0; k < n; k++) H[ho + k] = v * (P[po + k] * (zHot * sq[k] + tq[k]));
        const s = v * gain * sum;
        out[at0 + f] += s;
        if (last >= 0) out[at0 + last * F + f] -= s;
      } else {
        for (let k = 0; k < n; k++) {
          const p = zHot * sq[k] + tq[k];
          P[pc + k] = P[po + k] * p;
          C[pc + k] = (wq[k] * gain) / p;
        }
        zf[f] = zHot;
        descend(hot, d, f, true);
      }
      if (zCold !== 0) {
        if (coldLeaf) {
          const v = pair[2 * cold] * scale;
          for (let k = 0; k < n; k++) H[ho + k] += v * (P[po + k] * zCold * sq[k]);
          const s = v * zCold * sum;
          out[at0 + f] -= s;
          if (last >= 0) out[at0 + last * F + f] += s;
        } else {
          for (let k = 0; k < n; k++) {
            P[pc + k] = P[po + k] * zCold * sq[k];
            C[pc + k] = coldC[k];
          }
          zf[f] = zCold;
          of[f] = 0;
          descend(cold, d, f, false);
          of[f] = 1;
        }
      }
      zf[f] = 1;
      return;
    }
    // split again: its factor replaces the earlier one, whose count below this edge is taken back
    let set = true;
    if (o0 === 0) {
      // x left this feature's branch above: (−z/(z(1−t)) + z0/(z0(1−t))) = 0, so these edges add
      // nothing and only scale the path by their cover ratio
      for (let side = 0; side < 2; side++) {
        const ratio = side === 0 ? zHot : zCold;
        if (ratio === 0) continue;
        for (let k = 0; k < n; k++) {
          P[pc + k] = P[po + k] * ratio;
          C[pc + k] = 0;
        }
        zf[f] = z0 * ratio;
        descend(side === 0 ? hot : cold, d, f, set);
        set = false;
      }
    } else {
      // x followed it so far (o0 = 1): one reciprocal of the old factor per point serves both edges
      for (let k = 0; k < n; k++) R[pc + k] = 1 / (z0 * sq[k] + tq[k]);
      const z = z0 * zHot;
      for (let k = 0; k < n; k++) {
        const p = z * sq[k] + tq[k];
        P[pc + k] = P[po + k] * p * R[pc + k];
        C[pc + k] = wq[k] * ((1 - z) / p - (1 - z0) * R[pc + k]);
      }
      zf[f] = z;
      descend(hot, d, f, true);
      set = false;
      const zc = z0 * zCold;
      if (zc !== 0) {
        for (let k = 0; k < n; k++) {
          P[pc + k] = P[po + k] * zc * sq[k] * R[pc + k];
          C[pc + k] = coldC[k] - wq[k] * (1 - z0) * R[pc + k];
        }
        zf[f] = zc;
        of[f] = 0;
        descend(cold, d, f, false);
      }
    }
    zf[f] = z0;
    of[f] = o0;
    if (set) H.fill(0, d * Wn, d * Wn + Wn);
  };

  // trees outside, rows inside: a depth-10 forest is ~10 MB of nodes, too much to stay in cache
  // from one row to the next, but one tree's ~100 kB stays there for all the rows
  for (let ti = 0; ti < trees.length; ti++) {
    const tree = trees[ti];
    ({ feature, threshold, right, missingLeft, categorical, origin, source, pair, value } = tree);
    // W: the value columns carried (all but the last of complementary ones)
    stride = tree.width;
    W = tree.complementary ? stride - 1 : stride;
    last = tree.complementary ? stride - 1 : -1;
    Wn = W * n;
    const first = firstOf(ti);
    for (let r = 0; r < rows; r++) {
      xo = r * F;
      at0 = (r * outputs + first) * F;
      for (let k = 0; k < n; k++) P[k] = 1;
      walk(0, 0);
    }
  }
}

/** TreeSHAP values (rows × outputs × F) of `trees` for the rows of X; base values from their expectations. */
export function linearTreeShap(
  trees: readonly FlatTree[],
  firstOf: (t: number) => number,
  X: Matrix,
  outputs: number,
  scale: number,
  offset: Float64Array,
): Contributions {
  const out = emptyContributions(X.rows, outputs, X.cols);
  out.base.set(offset);
  trees.forEach((t, i) => {
    for (let c = 0; c < t.width; c++) out.base[firstOf(i) + c] += scale * t.expectation[c];
  });
  // the trees compare float32 values, as predict does
  addLinearTreeShap(trees, firstOf, float32Rows(X), X.rows, X.cols, scale, out.values, outputs);
  return out;
}
