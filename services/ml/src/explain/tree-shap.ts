// Path-dependent TreeSHAP: exact Shapley values of a tree's output when a missing feature's value
// is averaged over the tree's own cover (node sample weights), in O(leaves · depth²) per row —
// Lundberg, Erion, Chen, DeGrave, Prutkin, Nair, Katz, Himmelfarb, Bansal & Lee, "From local
// explanations to global understanding with explainable AI for trees", Nature Machine Intelligence
// 2, 2020, Algorithm 2 (the same recursion as shap's tree_shap.h and XGBoost's pred_contribs).
// treeShap and the interaction values run linear-tree-shap.ts's faster walk, which gives the same
// values; the recursion (TreeExplainer, treeShapByPaths) is the reference it is tested against.
import type { Matrix } from '../matrix.js';
import type { Tree } from '../tree/tree.js';
import { UNLIMITED } from '../tree/tree.js';
import { float32Rows } from '../tree/presort.js';
import { RandomForestClassifierModel, RandomForestRegressorModel } from '../ensemble/random-forest.js';
import { type GradientBoostingClassifierModel, GradientBoostingRegressorModel } from '../ensemble/gradient-boosting.js';
import { emptyContributions, type Contributions } from './contributions.js';
import { addLinearTreeShap, flatTreeOf, linearTreeShap } from './linear-tree-shap.js';

/**
 * A model whose raw output is offset[k] + scale · Σ_t tree_t(x)[c] over the trees t whose value
 * column c feeds output k = outputOf(t) + c. Forests (scale 1/T, no offset) and boosting (scale =
 * learning rate, offset = prior) are both this, and so is any later tree ensemble.
 */
export interface TreeSum {
  readonly trees: readonly Tree[];
  /** Depth every tree is read to (a node at this depth is a leaf). */
  readonly maxDepth: number;
  readonly nFeatures: number;
  readonly outputs: number;
  readonly scale: number;
  readonly offset: Float64Array;
  /** The output a tree's first value column adds to. */
  outputOf(t: number): number;
}

export type TreeModel =
  | RandomForestClassifierModel
  | RandomForestRegressorModel
  | GradientBoostingClassifierModel
  | GradientBoostingRegressorModel;

/**
 * The explained output of each tree model: a forest's predicted value or class probabilities
 * (the average of its trees), boosting's raw score (the prior plus learning_rate × its trees) —
 * log-odds of the second class for two classes (one output), one score per class otherwise.
 */
export function treeSumOf(model: TreeModel): TreeSum {
  if (model instanceof RandomForestClassifierModel || model instanceof RandomForestRegressorModel) {
    const outputs = model instanceof RandomForestClassifierModel ? model.classes.length : 1;
    return {
      trees: model.trees,
      maxDepth: model.maxDepth,
      nFeatures: model.nFeatures,
      outputs,
      scale: 1 / model.trees.length,
      offset: new Float64Array(outputs),
      outputOf: () => 0,
    };
  }
  if (model instanceof GradientBoostingRegressorModel) {
    return {
      trees: model.trees,
      maxDepth: UNLIMITED,
      nFeatures: model.nFeatures,
      outputs: 1,
      scale: model.learningRate,
      offset: Float64Array.of(model.init),
      outputOf: () => 0,
    };
  }
  const K = model.K;
  return {
    trees: model.trees,
    maxDepth: UNLIMITED,
    nFeatures: model.nFeatures,
    outputs: K,
    scale: model.learningRate,
    offset: Float64Array.from(model.init),
    outputOf: (t) => t % K,
  };
}

/**
 * TreeSHAP values of a tree model for the rows of X (its input matrix, after preprocessing), by
 * linear-tree-shap.ts's O(nodes · depth) walk; TreeExplainer below (Algorithm 2) gives the same
 * values and is kept as the reference the walk is tested against.
 */
export function treeShap(model: TreeModel | TreeSum, X: Matrix): Contributions {
  const sum = 'trees' in model && 'outputOf' in model ? model : treeSumOf(model);
  if (X.cols !== sum.nFeatures) throw new RangeError(`model was fitted on ${sum.nFeatures} features, X has ${X.cols}`);
  const flat = sum.trees.map((t) => flatTreeOf(t, sum.maxDepth));
  return linearTreeShap(flat, (t) => sum.outputOf(t), X, sum.outputs, sum.scale, sum.offset);
}

/** TreeSHAP values by Algorithm 2's path recursion (TreeExplainer): the reference linearTreeShap is tested against. */
export function treeShapByPaths(model: TreeModel | TreeSum, X: Matrix): Contributions {
  const sum = 'trees' in model && 'outputOf' in model ? model : treeSumOf(model);
  if (X.cols !== sum.nFeatures) throw new RangeError(`model was fitted on ${sum.nFeatures} features, X has ${X.cols}`);
  const out = emptyContributions(X.rows, sum.outputs, X.cols);
  out.base.set(sum.offset);
  // the trees compare float32 values, as predict does
  const x = float32Rows(X);
  const explainer = new TreeExplainer();
  sum.trees.forEach((tree, t) => {
    const first = sum.outputOf(t);
    const e = expectation(tree, sum.maxDepth);
    for (let c = 0; c < tree.width; c++) out.base[first + c] += sum.scale * e[c];
    explainer.add(tree, sum.maxDepth, x, X.rows, X.cols, sum.scale, out.values, sum.outputs, first);
  });
  return out;
}

/**
 * SHAP interaction values (Lundberg et al. 2020, §"SHAP interaction values"; shap's
 * tree_shap interactions): for each row and output an F × F matrix Φ whose off-diagonal Φ[i][j] =
 * (φ_j with i always present − φ_j with i always absent) / 2 and whose diagonal makes each row of Φ
 * sum to φ_i, so Σ_ij Φ = f(x) − base. Costs 2F + 1 TreeSHAP passes; `features` limits the conditioned
 * features i (the others' rows are left 0 off the diagonal, and their diagonal is their φ).
 * values: rows × outputs × F × F, row-major.
 */
export function treeShapInteractions(
  model: TreeModel | TreeSum,
  X: Matrix,
  features?: readonly number[],
): { readonly values: Float64Array; readonly shap: Contributions } {
  const sum = 'trees' in model && 'outputOf' in model ? model : treeSumOf(model);
  const shap = treeShap(sum, X);
  const F = X.cols;
  const K = sum.outputs;
  const x = float32Rows(X);
  const flat = sum.trees.map((t) => flatTreeOf(t, sum.maxDepth));
  const firstOf = (t: number): number => sum.outputOf(t);
  const values = new Float64Array(X.rows * K * F * F);
  const on = new Float64Array(X.rows * K * F);
  const off = new Float64Array(X.rows * K * F);
  const conditioned = features ?? Array.from({ length: F }, (_, j) => j);
  const used = new Set<number>();
  for (const t of sum.trees) for (const f of t.feature) if (f >= 0) used.add(f);
  // the diagonal starts as φ_i and loses every off-diagonal entry of its row
  for (let r = 0; r < X.rows * K; r++) for (let i = 0; i < F; i++) values[(r * F + i) * F + i] = shap.values[r * F + i];
  for (const i of conditioned) {
    if (!used.has(i)) continue; // a feature no tree splits on interacts with nothing
    on.fill(0);
    off.fill(0);
    addLinearTreeShap(flat, firstOf, x, X.rows, F, sum.scale, on, K, { state: 1, feature: i });
    addLinearTreeShap(flat, firstOf, x, X.rows, F, sum.scale, off, K, { state: -1, feature: i });
    for (let r = 0; r < X.rows * K; r++) {
      const m = r * F * F;
      for (let j = 0; j < F; j++) {
        if (j === i) continue;
        const v = (on[r * F + j] - off[r * F + j]) / 2;
        values[m + i * F + j] = v;
        values[m + i * F + i] -= v;
      }
    }
  }
  return { values, shap };
}

/** The tree's output averaged over its cover: E[f(X)], the base value of its contributions. */
export function expectation(tree: Tree, maxDepth: number): Float64Array {
  const { feature, left, right, weight, value, width } = tree;
  const e = new Float64Array(width);
  const walk = (node: number, depth: number, share: number): void => {
    if (feature[node] < 0 || depth >= maxDepth) {
      for (let c = 0; c < width; c++) e[c] += share * value[node * width + c];
      return;
    }
    // the children's shares are the fractions the TreeSHAP recursion uses, so base + Σφ = f(x) exactly
    const w = weight[node];
    walk(left[node], depth + 1, share * (weight[left[node]] / w));
    walk(right[node], depth + 1, share * (weight[right[node]] / w));
  };
  walk(0, 0, 1);
  return e;
}

/** Which feature a conditioned run holds present (state 1) or absent (state −1); state 0: none. */
export interface Condition {
  readonly state: -1 | 0 | 1;
  readonly feature: number;
}
const NO_CONDITION: Condition = { state: 0, feature: -1 };

/**
 * Algorithm 2's recursion over typed arrays. The path of the node at depth d lives at offset
 * d · stride of four parallel arrays (feature, zero fraction, one fraction, permutation weight), so
 * a row allocates nothing once the arrays are as deep as the deepest tree.
 */
export class TreeExplainer {
  private feat = new Int32Array(0);
  private zero = new Float64Array(0);
  private one = new Float64Array(0);
  private pw = new Float64Array(0);
  private stride = 0;
  /** (ud+1)/(i+1) and (ud−i)/(ud+1) at ud·stride + i: the unwound sum of a followed element without a division. */
  private up = new Float64Array(0);
  private down = new Float64Array(0);

  private reserve(depth: number): void {
    const stride = depth + 2;
    if (stride <= this.stride) return;
    const size = stride * (depth + 1);
    this.feat = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.pw = new Float64Array(size);
    this.stride = stride;
    this.up = new Float64Array(stride * stride);
    this.down = new Float64Array(stride * stride);
    for (let ud = 0; ud < stride; ud++) {
      for (let i = 0; i < ud; i++) {
        this.up[ud * stride + i] = (ud + 1) / (i + 1);
        this.down[ud * stride + i] = (ud - i) / (ud + 1);
      }
    }
  }

  /**
   * Adds scale × the TreeSHAP values of `tree` for `rows` rows of x (float32, row-major, F columns)
   * to out (rows × outputs × F); the tree's value column c feeds output first + c. With a
   * condition, the values are those of the game in which one feature is always present (`on`: it
   * follows x's branch) or always absent (`off`: both branches by cover), as shap's tree_shap does
   * for interaction values; that feature then gets no value of its own.
   */
  add(
    tree: Tree,
    maxDepth: number,
    x: Float32Array,
    rows: number,
    F: number,
    scale: number,
    out: Float64Array,
    outputs: number,
    first: number,
    condition: Condition = NO_CONDITION,
  ): void {
    const depth = Math.min(tree.depth(), maxDepth);
    this.reserve(depth);
    const { feat, zero, one, pw, stride, up, down } = this;
    const { feature, threshold, left, right, weight, value, width, missingLeft, categorical } = tree;

    const extend = (o: number, ud: number, zf: number, of: number, fi: number): void => {
      feat[o + ud] = fi;
      zero[o + ud] = zf;
      one[o + ud] = of;
      pw[o + ud] = ud === 0 ? 1 : 0;
      const inv = 1 / (ud + 1);
      for (let i = ud - 1; i >= 0; i--) {
        pw[o + i + 1] += of * pw[o + i] * (i + 1) * inv;
        pw[o + i] = zf * pw[o + i] * (ud - i) * inv;
      }
    };

    const unwind = (o: number, ud: number, pi: number): void => {
      const of = one[o + pi];
      const zf = zero[o + pi];
      let next = pw[o + ud];
      for (let i = ud - 1; i >= 0; i--) {
        if (of !== 0) {
          const tmp = pw[o + i];
          pw[o + i] = (next * (ud + 1)) / ((i + 1) * of);
          next = tmp - (pw[o + i] * zf * (ud - i)) / (ud + 1);
        } else {
          pw[o + i] = (pw[o + i] * (ud + 1)) / (zf * (ud - i));
        }
      }
      for (let i = pi; i < ud; i++) {
        feat[o + i] = feat[o + i + 1];
        zero[o + i] = zero[o + i + 1];
        one[o + i] = one[o + i + 1];
      }
    };

    const unwoundSum = (o: number, ud: number, pi: number): number => {
      const of = one[o + pi];
      const zf = zero[o + pi];
      let next = pw[o + ud];
      let total = 0;
      if (of === 1) {
        // the common case (x followed this split): the same recursion, divisions from the tables
        const r = ud * stride;
        for (let i = ud - 1; i >= 0; i--) {
          const tmp = next * up[r + i];
          total += tmp;
          next = pw[o + i] - tmp * zf * down[r + i];
        }
        return total;
      }
      for (let i = ud - 1; i >= 0; i--) {
        if (of !== 0) {
          const tmp = (next * (ud + 1)) / ((i + 1) * of);
          total += tmp;
          next = pw[o + i] - (tmp * zf * (ud - i)) / (ud + 1);
        } else if (zf !== 0) {
          total += pw[o + i] / zf / ((ud - i) / (ud + 1));
        }
      }
      return total;
    };

    let xo = 0;
    let phi = 0;
    const cond = condition.state;
    const cf = condition.feature;
    // `share` is shap's condition_fraction: the part of this subtree's output the game counts
    const recurse = (
      node: number,
      d: number,
      ud: number,
      parent: number,
      pz: number,
      po: number,
      pf: number,
      share: number,
    ): void => {
      if (share === 0) return;
      const o = d * stride;
      // the conditioned feature is never put on the path: the node copies its parent's whole path
      const onPath = cond === 0 || pf !== cf;
      const copied = onPath ? ud : ud + 1;
      for (let i = 0; i < copied; i++) {
        feat[o + i] = feat[parent + i];
        zero[o + i] = zero[parent + i];
        one[o + i] = one[parent + i];
        pw[o + i] = pw[parent + i];
      }
      if (onPath) extend(o, ud, pz, po, pf);
      const f = feature[node];
      if (f < 0 || d >= maxDepth) {
        // A path element whose one fraction is 0 (x went the other way) has unwoundSum =
        // S0 / zero with S0 = Σ_i pw[i]·(ud+1)/(ud−i) the same for all of them, so its weight
        // unwoundSum · (0 − zero) is −S0: computed once per leaf instead of once per element.
        let s0 = NaN;
        for (let i = 1; i <= ud; i++) {
          const of = one[o + i];
          let w: number;
          if (of === 0) {
            if (zero[o + i] === 0) continue;
            if (s0 !== s0) {
              s0 = 0;
              for (let k = ud - 1; k >= 0; k--) s0 += (pw[o + k] * (ud + 1)) / (ud - k);
            }
            w = -s0 * scale * share;
          } else {
            w = unwoundSum(o, ud, i) * (of - zero[o + i]) * scale * share;
          }
          const at = phi + first * F + feat[o + i];
          for (let c = 0; c < width; c++) out[at + c * F] += w * value[node * width + c];
        }
        return;
      }
      const v = x[xo + f];
      // a missing value follows the split's learned direction (histogram boosting), else goes right
      const goLeft =
        categorical !== null && categorical[node] === 1
          ? tree.goesLeft(node, v)
          : v <= threshold[node] || (v !== v && missingLeft !== null && missingLeft[node] === 1);
      const hot = goLeft ? left[node] : right[node];
      const cold = goLeft ? right[node] : left[node];
      const wn = weight[node];
      let iz = 1;
      let io = 1;
      // a feature already on the path: undo its earlier split, and carry its fractions into this one
      let pi = 0;
      while (pi <= ud && feat[o + pi] !== f) pi++;
      if (pi <= ud) {
        iz = zero[o + pi];
        io = one[o + pi];
        unwind(o, ud, pi);
        ud--;
      }
      let hotShare = share;
      let coldShare = share;
      if (cond !== 0 && f === cf) {
        if (cond > 0) coldShare = 0;
        else {
          hotShare *= weight[hot] / wn;
          coldShare *= weight[cold] / wn;
        }
        ud--;
      }
      recurse(hot, d + 1, ud + 1, o, (weight[hot] / wn) * iz, io, f, hotShare);
      recurse(cold, d + 1, ud + 1, o, (weight[cold] / wn) * iz, 0, f, coldShare);
    };

    for (let r = 0; r < rows; r++) {
      xo = r * F;
      phi = r * outputs * F;
      recurse(0, 0, 0, 0, 1, 1, -1, 1);
    }
  }
}
