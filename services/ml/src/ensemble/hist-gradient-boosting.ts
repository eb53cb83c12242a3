// Histogram gradient boosting as scikit-learn 1.2's HistGradientBoostingClassifier/Regressor
// (Ke et al., "LightGBM", NeurIPS 2017; sklearn's ensemble/_hist_gradient_boosting): features are
// binned once into ≤ 255 quantile bins plus a missing-value bin (hist-binning.ts), each iteration
// fits one tree per raw-score column on float32 gradients and hessians, grown leaf-wise from
// histograms (hist-grower.ts), with a learned direction for missing values at every split.
// Losses: squared error (constant hessian), binary log-loss (one tree per iteration), multinomial
// log-loss (one per class). Early stopping ('auto': above 10,000 rows) scores the loss on a
// stratified validation fraction and stops when none of the last n_iter_no_change iterations beat
// the one before them by tol.
// Fitted trees are ordinary Trees (float32 thresholds, leaf values already scaled by the learning
// rate, count as cover, missingLeft per node), so prediction, ONNX export and TreeSHAP are those of
// GradientBoosting*Model with a learning rate of 1.
// Parity (test/hist-gradient-boosting.test.ts, fixtures by scripts/hgb_fixtures.py): bin thresholds,
// test scores and early-stopping iteration counts against scikit-learn 1.2.
// Native categorical splits (categorical_features, as scikit-learn 1.2's): a categorical column
// holds integer codes < max_bins, each its own bin; a split sends a set of them left (hist-grower.ts).
// 'from_dtype' (the default; scikit-learn 1.4's name) splits natively the columns a mixed table's
// text columns became: the pipeline ordinal-codes them for this estimator (nativeCategories) instead
// of one-hot coding them; on a bare matrix it means none.
import { type Matrix } from '../matrix.js';
import { Configured, throwIfAborted } from '../estimator.js';
import type { CategoricalColumn, Estimator, FitContext, Target } from '../estimator.js';
import { Tree } from '../tree/tree.js';
import { mix } from '../tree/random.js';
import { RandomState } from '../random/random-state.js';
import { BinMapper, knownCategories } from './hist-binning.js';
import { BITSET_WORDS, HistGrower, type HistNodes } from './hist-grower.js';
import { CATEGORY_WORDS } from '../tree/tree.js';
import { GradientBoostingClassifierModel, GradientBoostingRegressorModel } from './gradient-boosting.js';
import { hasCategoricalSplits, treeEnsembleScores, type ClassifierOutputs } from './tree-ensemble-onnx.js';
import { int, type OnnxGraph } from '../onnx/graph.js';

const { ceil, exp, floor, log, log1p, max, min } = Math;
const F64_EPS = 2.220446049250313e-16;

export interface HistGradientBoostingParams {
  readonly learning_rate: number;
  readonly max_iter: number;
  readonly max_leaf_nodes: number | null;
  readonly max_depth: number | null;
  readonly min_samples_leaf: number;
  readonly l2_regularization: number;
  readonly max_bins: number;
  /** 'auto': on when there are more than 10,000 rows. */
  readonly early_stopping: 'auto' | boolean;
  readonly validation_fraction: number;
  readonly n_iter_no_change: number;
  readonly tol: number;
  /**
   * Columns split as categories: 'from_dtype' (those the pipeline codes from text columns), null
   * (none) or their indices.
   */
  readonly categorical_features: 'from_dtype' | null | readonly number[];
}

const DEFAULTS: HistGradientBoostingParams = {
  learning_rate: 0.1,
  max_iter: 100,
  max_leaf_nodes: 31,
  max_depth: null,
  min_samples_leaf: 20,
  l2_regularization: 0,
  max_bins: 255,
  early_stopping: 'auto',
  validation_fraction: 0.1,
  n_iter_no_change: 10,
  tol: 1e-7,
  categorical_features: 'from_dtype',
};

function checkParams(p: HistGradientBoostingParams): void {
  const posInt = (v: number, lo: number): boolean => Number.isInteger(v) && v >= lo;
  if (!(p.learning_rate > 0)) throw new RangeError(`learning_rate must be > 0, got ${p.learning_rate}`);
  if (!posInt(p.max_iter, 1)) throw new RangeError(`max_iter must be a positive integer, got ${p.max_iter}`);
  if (p.max_leaf_nodes !== null && !posInt(p.max_leaf_nodes, 2))
    throw new RangeError(`max_leaf_nodes must be an integer >= 2 or null, got ${p.max_leaf_nodes}`);
  if (p.max_depth !== null && !posInt(p.max_depth, 1))
    throw new RangeError(`max_depth must be a positive integer or null, got ${p.max_depth}`);
  if (!posInt(p.min_samples_leaf, 1))
    throw new RangeError(`min_samples_leaf must be a positive integer, got ${p.min_samples_leaf}`);
  if (!(p.l2_regularization >= 0)) throw new RangeError(`l2_regularization must be >= 0, got ${p.l2_regularization}`);
  if (!posInt(p.max_bins, 2) || p.max_bins > 255)
    throw new RangeError(`max_bins must be an integer in [2, 255], got ${p.max_bins}`);
  if (p.early_stopping !== 'auto' && typeof p.early_stopping !== 'boolean')
    throw new RangeError(`early_stopping must be 'auto', true or false, got ${String(p.early_stopping)}`);
  if (!(p.validation_fraction > 0 && p.validation_fraction < 1))
    throw new RangeError(`validation_fraction must be in (0, 1), got ${p.validation_fraction}`);
  if (!posInt(p.n_iter_no_change, 1))
    throw new RangeError(`n_iter_no_change must be a positive integer, got ${p.n_iter_no_change}`);
  if (!(p.tol >= 0)) throw new RangeError(`tol must be >= 0, got ${p.tol}`);
  const c = p.categorical_features;
  if (!(c === null || c === 'from_dtype' || (Array.isArray(c) && c.every((j) => Number.isInteger(j) && j >= 0))))
    throw new RangeError(`categorical_features must be 'from_dtype', null or column indices, got ${JSON.stringify(c)}`);
}

/** The categorical mask of X's columns (none for 'from_dtype': a bare matrix carries no text columns). */
function categoricalMask(p: HistGradientBoostingParams, F: number): Uint8Array {
  const mask = new Uint8Array(F);
  const c = p.categorical_features;
  if (c === null || c === 'from_dtype') return mask;
  for (const j of c) {
    if (j >= F) throw new RangeError(`categorical_features has column ${j}, X has ${F} columns`);
    mask[j] = 1;
  }
  return mask;
}

/**
 * A loss over K raw-score columns (one Float64Array each), as sklearn's _loss module, on one set of
 * rows (the training or the validation rows): its targets are gathered once into row order, because
 * reading them through the shuffled row indices at every iteration is a cache miss a row at 1M rows.
 */
interface HistLoss {
  readonly K: number;
  readonly constantHessian: boolean;
  baseline(): Float64Array;
  /** Gradients (and hessians) of every column for the rows' raw scores. */
  gradients(raw: Float64Array[], g: Float32Array[], h: Float32Array[]): void;
  /** Mean loss. */
  mean(raw: Float64Array[]): number;
}
/** A loss for any set of rows. */
type LossOn = (rows: Int32Array) => HistLoss;

function squaredError(all: Float64Array): LossOn {
  return (rows) => {
    const y = Float64Array.from(rows, (i) => all[i]);
    const n = y.length;
    return {
      K: 1,
      constantHessian: true,
      baseline: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += y[i];
        return Float64Array.of(s / n);
      },
      gradients: (raw, g, h) => {
        const r = raw[0],
          g0 = g[0];
        for (let i = 0; i < n; i++) g0[i] = r[i] - y[i];
        h[0].fill(1);
      },
      mean: (raw) => {
        let s = 0;
        const r = raw[0];
        for (let i = 0; i < n; i++) {
          const d = r[i] - y[i];
          s += 0.5 * d * d;
        }
        return s / n;
      },
    };
  };
}

/** log(1 + e^x) without overflow (sklearn's closs_half_binomial is this minus y·x). */
const log1pexp = (x: number): number => (x <= -37 ? exp(x) : x <= 18 ? log1p(exp(x)) : x <= 33.3 ? x + exp(-x) : x);

function binomial(all: Int32Array): LossOn {
  return (rows) => {
    const codes = Int32Array.from(rows, (i) => all[i]);
    const n = codes.length;
    return {
      K: 1,
      constantHessian: false,
      baseline: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += codes[i];
        const p = min(max(s / n, F64_EPS), 1 - F64_EPS);
        return Float64Array.of(log(p / (1 - p)));
      },
      gradients: (raw, g, h) => {
        const r = raw[0],
          g0 = g[0],
          h0 = h[0];
        for (let i = 0; i < n; i++) {
          const y = codes[i],
            x = r[i];
          if (x > -37) {
            const e = exp(-x);
            g0[i] = (1 - y - y * e) / (1 + e);
            h0[i] = e / ((1 + e) * (1 + e));
          } else {
            const e = exp(x);
            g0[i] = e - y;
            h0[i] = e;
          }
        }
      },
      mean: (raw) => {
        let s = 0;
        const r = raw[0];
        for (let i = 0; i < n; i++) s += log1pexp(r[i]) - codes[i] * r[i];
        return s / n;
      },
    };
  };
}

function multinomial(all: Int32Array, K: number): LossOn {
  return (rows) => {
    const codes = Int32Array.from(rows, (i) => all[i]);
    const n = codes.length;
    const p = new Float64Array(K);
    return {
      K,
      constantHessian: false,
      baseline: () => {
        const prior = new Float64Array(K);
        for (let i = 0; i < n; i++) prior[codes[i]] += 1;
        let meanLog = 0;
        for (let k = 0; k < K; k++) {
          prior[k] = log(min(max(prior[k] / n, F64_EPS), 1 - F64_EPS));
          meanLog += prior[k] / K;
        }
        for (let k = 0; k < K; k++) prior[k] -= meanLog;
        return prior;
      },
      gradients: (raw, g, h) => {
        for (let i = 0; i < n; i++) {
          let top = -Infinity;
          for (let k = 0; k < K; k++) if (raw[k][i] > top) top = raw[k][i];
          let z = 0;
          for (let k = 0; k < K; k++) z += p[k] = exp(raw[k][i] - top);
          const y = codes[i];
          for (let k = 0; k < K; k++) {
            const q = p[k] / z;
            g[k][i] = q - (y === k ? 1 : 0);
            h[k][i] = q * (1 - q);
          }
        }
      },
      mean: (raw) => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          let top = -Infinity;
          for (let k = 0; k < K; k++) if (raw[k][i] > top) top = raw[k][i];
          let z = 0;
          for (let k = 0; k < K; k++) z += exp(raw[k][i] - top);
          s += log(z) + top - raw[codes[i]][i];
        }
        return s / n;
      },
    };
  };
}

/**
 * scikit-learn's validation rows, reproduced draw for draw from numpy's RandomState: the fit draws
 * a seed with randint(2^32 − 1) from RandomState(random_state), then train_test_split with that
 * seed — ShuffleSplit for regression, StratifiedShuffleSplit (with _approximate_mode) for classes.
 */
export function validationSplit(
  n: number,
  fraction: number,
  seed: number,
  codes: Int32Array | null,
): { train: Int32Array; val: Int32Array } {
  const splitSeed = new RandomState(seed).randint(0xffffffff);
  const rng = new RandomState(splitSeed);
  const nTest = ceil(fraction * n);
  const nTrain = n - nTest;
  if (!codes) {
    const perm = rng.permutation(n);
    return { train: perm.slice(nTest, nTest + nTrain), val: perm.slice(0, nTest) };
  }
  let K = 0;
  for (let i = 0; i < n; i++) if (codes[i] + 1 > K) K = codes[i] + 1;
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) counts[codes[i]]++;
  // classes absent from these rows are not classes of np.unique(y)
  const present = Array.from({ length: K }, (_, k) => k).filter((k) => counts[k] > 0);
  const classCounts = present.map((k) => counts[k]);
  const classIndices = present.map((k) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (codes[i] === k) out.push(i);
    return out;
  });
  const approximateMode = (cc: number[], draws: number): number[] => {
    const total = cc.reduce((x, y) => x + y, 0);
    const continuous = cc.map((c) => (c / total) * draws);
    const floored = continuous.map((c) => floor(c));
    let need = draws - floored.reduce((x, y) => x + y, 0);
    if (need > 0) {
      const remainder = continuous.map((c, k) => c - floored[k]);
      const values = [...new Set(remainder)].sort((x, y) => y - x);
      for (const v of values) {
        const inds = remainder.flatMap((r, k) => (r === v ? [k] : []));
        const now = min(inds.length, need);
        const pick = rng.permutation(inds.length).slice(0, now);
        for (const q of pick) floored[inds[q]]++;
        need -= now;
        if (need === 0) break;
      }
    }
    return floored;
  };
  const nI = approximateMode(classCounts, nTrain);
  const tI = approximateMode(
    classCounts.map((c, k) => c - nI[k]),
    nTest,
  );
  const train: number[] = [],
    test: number[] = [];
  classIndices.forEach((rows, k) => {
    const perm = rng.permutation(classCounts[k]);
    for (let q = 0; q < nI[k]; q++) train.push(rows[perm[q]]);
    for (let q = nI[k]; q < nI[k] + tI[k]; q++) test.push(rows[perm[q]]);
  });
  const pt = rng.permutation(train.length);
  const pv = rng.permutation(test.length);
  return { train: Int32Array.from(pt, (q) => train[q]), val: Int32Array.from(pv, (q) => test[q]) };
}

/** Adds a tree's leaf values to raw scores of binned rows (row-major bins, F per row). */
function addBinned(
  t: HistNodes,
  binned: Uint8Array,
  n: number,
  F: number,
  missingBin: number,
  raw: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    let node = 0;
    while (t.feature[node] >= 0) {
      const b = binned[i * F + t.feature[node]];
      const left =
        b === missingBin
          ? t.missingLeft[node] === 1
          : t.categorical[node] === 1
            ? ((t.binBitsets[node * BITSET_WORDS + (b >>> 5)] >>> (b & 31)) & 1) === 1
            : b <= t.binThreshold[node];
      node = left ? t.left[node] : t.right[node];
    }
    raw[i] += t.value[node];
  }
}

/**
 * A fitted tree in value space: float32 thresholds (+inf for a split of non-missing against
 * missing); a categorical split's bins become the categories they hold.
 */
function toTree(t: HistNodes, mapper: BinMapper, nBinsNonMissing: Int32Array): Tree {
  const { thresholds, isCategorical } = mapper;
  const m = t.feature.length;
  const threshold = new Float32Array(m);
  let anyCategorical = false;
  for (let k = 0; k < m; k++) {
    const f = t.feature[k];
    if (f < 0) continue;
    if (t.categorical[k] === 1) {
      anyCategorical = true;
      continue;
    }
    const b = t.binThreshold[k];
    threshold[k] = b === nBinsNonMissing[f] - 1 ? Number.POSITIVE_INFINITY : thresholds[f][b];
  }
  if (!anyCategorical) return new Tree(t.feature, threshold, t.left, t.right, t.value, 1, t.count, t.missingLeft);
  const categories = new Uint32Array(m * CATEGORY_WORDS);
  for (let k = 0; k < m; k++) {
    const f = t.feature[k];
    if (f < 0 || t.categorical[k] !== 1 || isCategorical[f] !== 1) continue;
    const known = thresholds[f];
    for (let b = 0; b < known.length; b++) {
      const c = known[b];
      const o = k * CATEGORY_WORDS + (c >>> 5),
        bit = 1 << (c & 31);
      categories[o + 8] |= bit;
      if ((t.binBitsets[k * BITSET_WORDS + (b >>> 5)] >>> (b & 31)) & 1) categories[o] |= bit;
    }
  }
  return new Tree(t.feature, threshold, t.left, t.right, t.value, 1, t.count, t.missingLeft, t.categorical, categories);
}

export interface HistFit {
  readonly baseline: Float64Array;
  /** Iteration-major: iteration s, column k at s * K + k. */
  readonly trees: Tree[];
  readonly K: number;
  readonly nIter: number;
  /** Per feature: bin thresholds, or a categorical feature's categories. */
  readonly binThresholds: readonly Float64Array[];
  readonly isCategorical: Uint8Array;
  /** Loss scores (negative mean loss) per iteration, the baseline first, when early stopping ran. */
  readonly validationScores: number[];
}

function boost(
  X: Matrix,
  lossOn: LossOn,
  codes: Int32Array | null,
  p: HistGradientBoostingParams,
  ctx?: FitContext,
): HistFit {
  const n = X.rows;
  const seed = ctx?.seed ?? 0;
  const early = p.early_stopping === 'auto' ? n > 10_000 : p.early_stopping;
  const split = early ? validationSplit(n, p.validation_fraction, seed, codes) : null;
  const trainRows = split ? split.train : Int32Array.from({ length: n }, (_, i) => i);
  const isCategorical = categoricalMask(p, X.cols);
  const known = knownCategories(X, isCategorical, p.max_bins);
  const mapper = BinMapper.fit(X, trainRows, p.max_bins, mix(seed, 0xb1), known);
  const binned = mapper.transform(X, trainRows);
  const nt = trainRows.length;
  const F = X.cols;
  const missingBin = mapper.missingBin;
  const nBinsNonMissing = mapper.nBinsNonMissing;
  const hasMissing = new Uint8Array(F);
  for (let i = 0; i < nt * F; i++) if (binned[i] === missingBin) hasMissing[i % F] = 1;
  const grower = new HistGrower(binned, nt, nBinsNonMissing, hasMissing, p.max_bins + 1, isCategorical);
  const loss = lossOn(trainRows);
  const valLoss = split ? lossOn(split.val) : null;
  const K = loss.K;
  const baseline = loss.baseline();
  const raw = Array.from({ length: K }, (_, k) => new Float64Array(nt).fill(baseline[k]));
  const g = Array.from({ length: K }, () => new Float32Array(nt));
  const h = Array.from({ length: K }, () => new Float32Array(nt));
  let valBinned: Uint8Array | null = null;
  let valRaw: Float64Array[] = [];
  const scores: number[] = [];
  if (split && valLoss) {
    valBinned = mapper.transform(X, split.val);
    valRaw = Array.from({ length: K }, (_, k) => new Float64Array(split.val.length).fill(baseline[k]));
    scores.push(-valLoss.mean(valRaw));
  }
  const params = {
    maxLeafNodes: p.max_leaf_nodes,
    maxDepth: p.max_depth,
    minSamplesLeaf: p.min_samples_leaf,
    l2: p.l2_regularization,
    shrinkage: p.learning_rate,
  };
  const trees: Tree[] = [];
  let nIter = 0;
  for (let it = 0; it < p.max_iter; it++) {
    throwIfAborted(ctx);
    loss.gradients(raw, g, h);
    for (let k = 0; k < K; k++) {
      const nodes = grower.grow(g[k], h[k], loss.constantHessian, params);
      const idx = grower.sampleIndices;
      const rk = raw[k];
      for (const leaf of grower.leafRanges) for (let q = leaf.start; q < leaf.stop; q++) rk[idx[q]] += leaf.value;
      if (split && valBinned) addBinned(nodes, valBinned, split.val.length, F, missingBin, valRaw[k]);
      trees.push(toTree(nodes, mapper, nBinsNonMissing));
    }
    nIter++;
    ctx?.onProgress?.(nIter / p.max_iter);
    if (valLoss) {
      scores.push(-valLoss.mean(valRaw));
      const ref = p.n_iter_no_change + 1;
      if (scores.length >= ref) {
        const reference = scores[scores.length - ref] + p.tol;
        if (!scores.slice(scores.length - ref + 1).some((s) => s > reference)) break;
      }
    }
  }
  ctx?.onProgress?.(1);
  return {
    baseline,
    trees,
    K,
    nIter,
    binThresholds: mapper.thresholds,
    isCategorical,
    validationScores: scores,
  };
}

abstract class HistGradientBoostingBase<M> extends Configured<HistGradientBoostingParams> {
  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(DEFAULTS, params, checkParams);
  }

  protected abstract model(fit: HistFit, X: Matrix, y: Target): M;

  /**
   * For a pipeline over a mixed table: with 'from_dtype', this estimator splitting natively on the
   * text columns' ordinal codes; null when it takes them one-hot. A column with more categories than
   * max_bins (which scikit-learn refuses as categorical) is split as an ordered number instead.
   */
  nativeCategories(columns: readonly CategoricalColumn[]): this | null {
    if (this.params.categorical_features !== 'from_dtype') return null;
    const split = columns.filter((c) => c.levels <= this.params.max_bins).map((c) => c.index);
    return this.with({ categorical_features: split.length ? split : null });
  }
  protected abstract loss(y: Target): { loss: LossOn; codes: Int32Array | null };

  fit(X: Matrix, y: Target, ctx?: FitContext): M {
    const ny = y.kind === 'classification' ? y.codes.length : y.values.length;
    if (X.rows !== ny) throw new RangeError(`X has ${X.rows} rows but y has ${ny}`);
    if (X.rows === 0) throw new RangeError('cannot fit histogram gradient boosting on 0 rows');
    for (let i = 0; i < X.data.length; i++) {
      const v = X.data[i];
      if (v === Infinity || v === -Infinity)
        throw new RangeError(`X has an infinite value at row ${floor(i / X.cols)}, column ${i % X.cols}`);
    }
    const { loss, codes } = this.loss(y);
    return this.model(boost(X, loss, codes, this.params, ctx), X, y);
  }
}

export class HistGradientBoostingRegressor
  extends HistGradientBoostingBase<HistGradientBoostingRegressorModel>
  implements Estimator<HistGradientBoostingParams, HistGradientBoostingRegressorModel>
{
  readonly name = 'hist_gradient_boosting_regressor';
  readonly task = 'regression' as const;

  protected loss(y: Target): { loss: LossOn; codes: null } {
    if (y.kind !== 'regression')
      throw new TypeError('HistGradientBoostingRegressor needs numeric targets, got class labels');
    return { loss: squaredError(y.values), codes: null };
  }

  protected model(fit: HistFit, X: Matrix): HistGradientBoostingRegressorModel {
    return new HistGradientBoostingRegressorModel(fit, X.cols);
  }
}

export class HistGradientBoostingClassifier
  extends HistGradientBoostingBase<HistGradientBoostingClassifierModel>
  implements Estimator<HistGradientBoostingParams, HistGradientBoostingClassifierModel>
{
  readonly name = 'hist_gradient_boosting_classifier';
  readonly task = 'classification' as const;

  protected loss(y: Target): { loss: LossOn; codes: Int32Array } {
    if (y.kind !== 'classification')
      throw new TypeError('HistGradientBoostingClassifier needs class labels, got a numeric target');
    if (y.classes.length < 2)
      throw new RangeError(`HistGradientBoostingClassifier needs at least 2 classes, got ${y.classes.length}`);
    const K = y.classes.length;
    return { loss: K === 2 ? binomial(y.codes) : multinomial(y.codes, K), codes: y.codes };
  }

  protected model(fit: HistFit, X: Matrix, y: Target): HistGradientBoostingClassifierModel {
    return new HistGradientBoostingClassifierModel(fit, X.cols, y.kind === 'classification' ? y.classes : []);
  }
}

/** Leaf values carry the learning rate already, so the boosting model sums them with a scale of 1. */
export class HistGradientBoostingRegressorModel extends GradientBoostingRegressorModel {
  readonly nIter: number;
  readonly binThresholds: readonly Float64Array[];
  readonly validationScores: readonly number[];
  constructor(fit: HistFit, nFeatures: number) {
    super(fit.baseline[0], fit.trees, 1, nFeatures);
    this.nIter = fit.nIter;
    this.binThresholds = fit.binThresholds;
    this.validationScores = fit.validationScores;
  }

  override toOnnx(g: OnnxGraph, input: string): string {
    if (!hasCategoricalSplits(this.trees)) return super.toOnnx(g, input);
    const scores = treeEnsembleScores(g, input, this.trees, 1, () => 0, 1);
    const base = g.constant('baseline', { type: 'float', dims: [1], values: [this.init] });
    const [out] = g.node('Add', [scores, base]);
    g.declare(out, 'float', ['N', 1]);
    return out;
  }
}

export class HistGradientBoostingClassifierModel extends GradientBoostingClassifierModel {
  readonly nIter: number;
  readonly binThresholds: readonly Float64Array[];
  readonly validationScores: readonly number[];
  constructor(fit: HistFit, nFeatures: number, classes: readonly string[]) {
    super(fit.baseline, fit.trees, fit.K, 1, nFeatures, classes);
    this.nIter = fit.nIter;
    this.binThresholds = fit.binThresholds;
    this.validationScores = fit.validationScores;
  }

  /**
   * With categorical splits, the raw scores come from a TreeEnsemble (treeEnsembleScores) and the
   * probabilities from them as predictProba computes them: a sigmoid for two classes, a softmax
   * otherwise; the label is their argmax.
   */
  override toOnnxOutputs(g: OnnxGraph, input: string): ClassifierOutputs {
    if (!hasCategoricalSplits(this.trees)) return super.toOnnxOutputs(g, input);
    const K = this.K;
    const scores = treeEnsembleScores(g, input, this.trees, K, (t) => t % K, 1);
    const base = g.constant('baseline', { type: 'float', dims: [K], values: Array.from(this.init) });
    const [raw] = g.node('Add', [scores, base]);
    let probabilities: string;
    if (K === 1) {
      const [p1] = g.node('Sigmoid', [raw]);
      const one = g.constant('one', { type: 'float', dims: [1], values: [1] });
      const [p0] = g.node('Sub', [one, p1]);
      [probabilities] = g.node('Concat', [p0, p1], 1, { axis: int(1) });
    } else {
      [probabilities] = g.node('Softmax', [raw], 1, { axis: int(1) });
    }
    g.declare(probabilities, 'float', ['N', this.classes.length]);
    const [label] = g.node('ArgMax', [probabilities], 1, { axis: int(1), keepdims: int(0) });
    return { label, probabilities };
  }
}
