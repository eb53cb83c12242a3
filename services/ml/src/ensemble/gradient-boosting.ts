// Gradient boosting (Friedman 2001) as scikit-learn 1.2 does it: regression trees on the negative
// gradient with the Friedman MSE criterion; squared error keeps the trees' leaf means, log-loss
// replaces each leaf by one Newton step; a prior (mean, log-odds, log class priors) starts the sum.
// Stages depend only on earlier stages, so one fit of the largest n_estimators gives every smaller
// one: fitPath fits once per (learning_rate, max_depth, subsample) and reads each size from it.
import { Matrix } from '../matrix.js';
import { Configured, throwIfAborted } from '../estimator.js';
import type { Estimator, FitContext, Regressor, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { TreeGrower } from '../tree/grow.js';
import { float32Rows, presort } from '../tree/presort.js';
import { Stream, mix } from '../tree/random.js';
import type { Tree } from '../tree/tree.js';
import { UNLIMITED, depthLimit } from '../tree/tree.js';
import { treeEnsembleClassifier, treeEnsembleRegressor } from './tree-ensemble-onnx.js';
import type { ClassifierOutputs } from './tree-ensemble-onnx.js';
import { TreeEnsembleClassifierModel } from './tree-classifier.js';

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { abs, exp, floor, log, max, min } = Math;
const NEG_INF = Number.NEGATIVE_INFINITY;

export interface GradientBoostingParams {
  readonly learning_rate: number;
  readonly n_estimators: number;
  readonly max_depth: number | null;
  readonly subsample: number;
}

const DEFAULTS: GradientBoostingParams = { learning_rate: 0.1, n_estimators: 100, max_depth: 3, subsample: 1.0 };

function checkParams(p: GradientBoostingParams): void {
  if (!(p.learning_rate > 0)) throw new RangeError(`learning_rate must be > 0, got ${p.learning_rate}`);
  if (!Number.isInteger(p.n_estimators) || p.n_estimators < 1)
    throw new RangeError(`n_estimators must be a positive integer, got ${p.n_estimators}`);
  if (p.max_depth !== null && (!Number.isInteger(p.max_depth) || p.max_depth < 1))
    throw new RangeError(`max_depth must be a positive integer or null, got ${p.max_depth}`);
  if (!(p.subsample > 0 && p.subsample <= 1)) throw new RangeError(`subsample must be in (0, 1], got ${p.subsample}`);
}

// numpy's float32 eps: scikit-learn clips the prior probabilities with it before taking logs
const F32_EPS = 1.1920928955078125e-7;

/** What the stage loop needs from a loss: K columns of raw scores, their gradient and leaf values. */
interface Loss {
  readonly K: number;
  init(): Float64Array;
  /** Negative gradient of column k into `out`, given the raw scores at the start of the stage. */
  residual(raw: Float64Array, k: number, out: Float64Array): void;
  /** Whether leaves take a Newton step (log-loss) instead of the tree's mean (squared error). */
  readonly newton: boolean;
  /** Multiplier of the Newton numerator ((K-1)/K for the multinomial loss). */
  readonly numeratorScale: number;
  /** y_ik of column k (0/1), for the Newton denominator. */
  yk(i: number, k: number): number;
}

function squaredError(y: Float64Array, w: Float64Array): Loss {
  let sw = 0;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    sw += w[i];
    s += w[i] * y[i];
  }
  return {
    K: 1,
    init: () => Float64Array.of(s / sw),
    residual: (raw, _k, out) => {
      for (let i = 0; i < y.length; i++) out[i] = y[i] - raw[i];
    },
    newton: false,
    numeratorScale: 1,
    yk: (i) => y[i],
  };
}

const expit = (x: number): number => 1 / (1 + exp(-x));

function logLoss(codes: Int32Array, nClasses: number): Loss {
  const n = codes.length;
  const prior = new Float64Array(nClasses);
  for (let i = 0; i < n; i++) prior[codes[i]] += 1 / n;
  const clip = (p: number): number => min(max(p, F32_EPS), 1 - F32_EPS);
  if (nClasses === 2) {
    return {
      K: 1,
      init: () => {
        const p = clip(prior[1]);
        return Float64Array.of(log(p / (1 - p)));
      },
      residual: (raw, _k, out) => {
        for (let i = 0; i < n; i++) out[i] = codes[i] - expit(raw[i]);
      },
      newton: true,
      numeratorScale: 1,
      yk: (i) => codes[i],
    };
  }
  const K = nClasses;
  return {
    K,
    init: () => Float64Array.from(prior, (p) => log(clip(p))),
    residual: (raw, k, out) => {
      for (let i = 0; i < n; i++) {
        let top = NEG_INF;
        for (let c = 0; c < K; c++) if (raw[i * K + c] > top) top = raw[i * K + c];
        let z = 0;
        for (let c = 0; c < K; c++) z += exp(raw[i * K + c] - top);
        out[i] = (codes[i] === k ? 1 : 0) - exp(raw[i * K + k] - top) / z;
      }
    },
    newton: true,
    numeratorScale: (K - 1) / K,
    yk: (i, k) => (codes[i] === k ? 1 : 0),
  };
}

interface Staged {
  readonly init: Float64Array;
  /** Stage-major: stage s, column k at s * K + k. Leaf values are unscaled by the learning rate. */
  readonly trees: Tree[];
  readonly K: number;
}

/** Fits `nStages` stages; every stage depends only on the ones before it. */
function boost(X: Matrix, loss: Loss, p: GradientBoostingParams, nStages: number, ctx?: FitContext): Staged {
  const data = presort(X);
  const grower = new TreeGrower(data);
  const n = X.rows;
  const K = loss.K;
  const maxDepth = depthLimit(p.max_depth);
  const lr = p.learning_rate;
  const init = loss.init();
  const raw = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = init[k];
  const start = new Float64Array(n * K);
  const residual = new Float64Array(n);
  const weights = new Float64Array(n).fill(1);
  const num = new Float64Array(2 * n);
  const den = new Float64Array(2 * n);
  const seed = mix(ctx?.seed ?? 0, 0xb0057);
  const draw = new Stream(0);
  const nIn = max(1, floor(p.subsample * n));
  const pick = new Int32Array(n);
  const trees: Tree[] = [];
  for (let s = 0; s < nStages; s++) {
    throwIfAborted(ctx);
    if (p.subsample < 1) {
      // a partial Fisher–Yates shuffle chooses the stage's rows without replacement
      draw.reset(mix(seed, s));
      for (let i = 0; i < n; i++) pick[i] = i;
      weights.fill(0);
      for (let i = 0; i < nIn; i++) {
        const j = i + draw.below(n - i);
        const t = pick[j];
        pick[j] = pick[i];
        pick[i] = t;
        weights[pick[i]] = 1;
      }
    }
    start.set(raw);
    for (let k = 0; k < K; k++) {
      loss.residual(start, k, residual);
      const tree = grower.grow(
        weights,
        { criterion: 'friedman_mse', values: residual },
        {
          maxDepth,
          maxFeatures: X.cols,
          seed: mix(mix(seed, s), k + 1),
        },
      );
      const leafOf = grower.leafOf;
      if (loss.newton) {
        num.fill(0, 0, tree.nodeCount);
        den.fill(0, 0, tree.nodeCount);
        for (let i = 0; i < n; i++) {
          const leaf = leafOf[i];
          if (leaf < 0) continue;
          const r = residual[i];
          const yk = loss.yk(i, k);
          num[leaf] += r;
          den[leaf] += (yk - r) * (1 - yk + r);
        }
        for (let node = 0; node < tree.nodeCount; node++) {
          if (tree.feature[node] >= 0) continue;
          tree.value[node] = abs(den[node]) < 1e-150 ? 0 : (num[node] * loss.numeratorScale) / den[node];
        }
      }
      const xr = data.rowMajor;
      for (let i = 0; i < n; i++) {
        const leaf = leafOf[i] >= 0 ? leafOf[i] : tree.leaf(xr, i * X.cols, UNLIMITED);
        raw[i * K + k] += lr * tree.value[leaf];
      }
      trees.push(tree);
    }
    ctx?.onProgress?.((s + 1) / nStages);
  }
  return { init, trees, K };
}

/** Raw scores (n × K) of the first `nStages` stages. */
function rawScores(
  X: Matrix,
  st: { init: Float64Array; trees: readonly Tree[]; K: number; nStages: number; lr: number; nFeatures: number },
): Float64Array {
  if (X.cols !== st.nFeatures) throw new RangeError(`model was fitted on ${st.nFeatures} features, X has ${X.cols}`);
  const { K } = st;
  const out = new Float64Array(X.rows * K);
  const x = float32Rows(X);
  for (let i = 0; i < X.rows; i++) for (let k = 0; k < K; k++) out[i * K + k] = st.init[k];
  for (let s = 0; s < st.nStages; s++) {
    for (let k = 0; k < K; k++) {
      const tree = st.trees[s * K + k];
      for (let i = 0; i < X.rows; i++) out[i * K + k] += st.lr * tree.value[tree.leaf(x, i * st.nFeatures, UNLIMITED)];
    }
  }
  return out;
}

abstract class GradientBoostingBase<M> extends Configured<GradientBoostingParams> {
  constructor(params: Partial<GradientBoostingParams> = {}) {
    super(DEFAULTS, params, checkParams);
  }

  protected abstract loss(y: Target): Loss;
  protected abstract model(st: Staged, p: GradientBoostingParams, X: Matrix, y: Target): M;

  fit(X: Matrix, y: Target, ctx?: FitContext): M {
    return this.fitPath(X, y, [{}], ctx)[0];
  }

  /** Settings that differ only in n_estimators share one staged fit (and one grid-search task). */
  pathKey(setting: Partial<GradientBoostingParams>): string {
    const s = { ...this.params, ...setting };
    return `${s.learning_rate}|${s.max_depth}|${s.subsample}`;
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<GradientBoostingParams>[], ctx?: FitContext): M[] {
    const ny = y.kind === 'classification' ? y.codes.length : y.values.length;
    if (X.rows !== ny) throw new RangeError(`X has ${X.rows} rows but y has ${ny}`);
    if (X.rows === 0) throw new RangeError('cannot fit gradient boosting on 0 rows');
    const full = settings.map((s) => ({ ...this.params, ...s }));
    full.forEach(checkParams);
    const loss = this.loss(y);
    // one staged fit per group of settings that differ only in n_estimators
    const groups = new Map<string, GradientBoostingParams[]>();
    for (const s of full) {
      const key = this.pathKey(s);
      const g = groups.get(key);
      if (g) g.push(s);
      else groups.set(key, [s]);
    }
    const fitted = new Map<string, Staged>();
    const total = [...groups.values()].reduce((a, g) => a + max(...g.map((s) => s.n_estimators)), 0);
    let done = 0;
    for (const [key, g] of groups) {
      const nStages = max(...g.map((s) => s.n_estimators));
      const sub: FitContext = {
        seed: ctx?.seed,
        signal: ctx?.signal,
        onProgress: ctx?.onProgress ? (f) => ctx.onProgress?.((done + f * nStages) / total) : undefined,
      };
      fitted.set(key, boost(X, loss, g[0], nStages, sub));
      done += nStages;
    }
    return full.map((s) => {
      const st = fitted.get(this.pathKey(s));
      if (!st) throw new Error('unreachable: every setting has a group');
      return this.model(st, s, X, y);
    });
  }
}

export class GradientBoostingRegressor
  extends GradientBoostingBase<GradientBoostingRegressorModel>
  implements Estimator<GradientBoostingParams, GradientBoostingRegressorModel>
{
  readonly name = 'gradient_boosting_regressor';
  readonly task = 'regression' as const;
  protected loss(y: Target): Loss {
    if (y.kind !== 'regression')
      throw new TypeError('GradientBoostingRegressor needs numeric targets, got class labels');
    return squaredError(y.values, new Float64Array(y.values.length).fill(1));
  }

  protected model(st: Staged, p: GradientBoostingParams, X: Matrix): GradientBoostingRegressorModel {
    return new GradientBoostingRegressorModel(st.init[0], st.trees.slice(0, p.n_estimators), p.learning_rate, X.cols);
  }
}

export class GradientBoostingClassifier
  extends GradientBoostingBase<GradientBoostingClassifierModel>
  implements Estimator<GradientBoostingParams, GradientBoostingClassifierModel>
{
  readonly name = 'gradient_boosting_classifier';
  readonly task = 'classification' as const;
  protected loss(y: Target): Loss {
    if (y.kind !== 'classification')
      throw new TypeError('GradientBoostingClassifier needs class labels, got a numeric target');
    if (y.classes.length < 2)
      throw new RangeError(`GradientBoostingClassifier needs at least 2 classes, got ${y.classes.length}`);
    return logLoss(y.codes, y.classes.length);
  }

  protected model(st: Staged, p: GradientBoostingParams, X: Matrix, y: Target): GradientBoostingClassifierModel {
    const classes = y.kind === 'classification' ? y.classes : [];
    return new GradientBoostingClassifierModel(
      st.init,
      st.trees.slice(0, p.n_estimators * st.K),
      st.K,
      p.learning_rate,
      X.cols,
      classes,
    );
  }
}

export class GradientBoostingRegressorModel implements Regressor {
  /** Trees compare float32 values, as onnxruntime does: see PipelineModel.transform. */
  readonly float32Input = true;
  constructor(
    readonly init: number,
    readonly trees: readonly Tree[],
    readonly learningRate: number,
    readonly nFeatures: number,
  ) {}

  predict(X: Matrix): Float64Array {
    return rawScores(X, {
      init: Float64Array.of(this.init),
      trees: this.trees,
      K: 1,
      nStages: this.trees.length,
      lr: this.learningRate,
      nFeatures: this.nFeatures,
    });
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return treeEnsembleRegressor(g, input, this.trees, UNLIMITED, {
      aggregate: 'SUM',
      leafScale: this.learningRate,
      baseValue: this.init,
    });
  }
}

export class GradientBoostingClassifierModel extends TreeEnsembleClassifierModel {
  constructor(
    readonly init: Float64Array,
    /** Stage-major, K trees per stage (one for two classes). */
    readonly trees: readonly Tree[],
    readonly K: number,
    readonly learningRate: number,
    readonly nFeatures: number,
    readonly classes: readonly string[],
  ) {
    super();
  }

  /** scikit-learn's decision_function: raw scores, n × K (one column for two classes). */
  decisionFunction(X: Matrix): Matrix {
    const raw = rawScores(X, {
      init: this.init,
      trees: this.trees,
      K: this.K,
      nStages: this.trees.length / this.K,
      lr: this.learningRate,
      nFeatures: this.nFeatures,
    });
    return new Matrix(X.rows, this.K, raw);
  }

  predictProba(X: Matrix): Matrix {
    const raw = this.decisionFunction(X);
    const C = this.classes.length;
    const out = new Matrix(X.rows, C);
    if (this.K === 1) {
      for (let i = 0; i < X.rows; i++) {
        const p = expit(raw.data[i]);
        out.data[2 * i] = 1 - p;
        out.data[2 * i + 1] = p;
      }
      return out;
    }
    for (let i = 0; i < X.rows; i++) {
      let top = NEG_INF;
      for (let c = 0; c < C; c++) top = max(top, raw.data[i * C + c]);
      let z = 0;
      for (let c = 0; c < C; c++) z += out.data[i * C + c] = exp(raw.data[i * C + c] - top);
      for (let c = 0; c < C; c++) out.data[i * C + c] /= z;
    }
    return out;
  }

  toOnnxOutputs(g: OnnxGraph, input: string): ClassifierOutputs {
    const K = this.K;
    return treeEnsembleClassifier(g, input, this.trees, UNLIMITED, this.classes.length, {
      leafScale: this.learningRate,
      baseValues: Array.from(this.init),
      postTransform: K === 1 ? 'LOGISTIC' : 'SOFTMAX',
      classOfTree: (t) => t % K,
    });
  }
}
