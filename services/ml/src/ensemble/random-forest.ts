// Random forests (Breiman 2001) with scikit-learn's defaults. Tree t's bootstrap sample and every
// node's feature draw are keyed by (seed, t, node path), so the first n trees of a forest grown to
// depth D, read to depth d ≤ D, are exactly the forest fitted with n_estimators=n, max_depth=d:
// fitPath grows the largest forest once per grid and reads every candidate from it.
import { Matrix } from '../matrix.js';
import { Configured, throwIfAborted } from '../estimator.js';
import type { Estimator, FitContext, Regressor, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { TreeGrower, resolveMaxFeatures } from '../tree/grow.js';
import type { TreeTarget } from '../tree/grow.js';
import { float32Rows, presort } from '../tree/presort.js';
import { Stream, mix } from '../tree/random.js';
import { depthLimit } from '../tree/tree.js';
import type { Tree } from '../tree/tree.js';
import { treeEnsembleClassifier, treeEnsembleRegressor } from './tree-ensemble-onnx.js';
import type { ClassifierOutputs } from './tree-ensemble-onnx.js';
import { TreeEnsembleClassifierModel } from './tree-classifier.js';

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { max } = Math;

export interface RandomForestParams {
  readonly n_estimators: number;
  readonly max_depth: number | null;
  /** 'sqrt', 'log2', a count (> 1), a fraction (≤ 1.0) of the features, or null for all. */
  readonly max_features: 'sqrt' | 'log2' | number | null;
  readonly bootstrap: boolean;
}

const CLASSIFIER_DEFAULTS: RandomForestParams = {
  n_estimators: 100,
  max_depth: null,
  max_features: 'sqrt',
  bootstrap: true,
};
const REGRESSOR_DEFAULTS: RandomForestParams = {
  n_estimators: 100,
  max_depth: null,
  max_features: 1.0,
  bootstrap: true,
};

function checkParams(p: RandomForestParams): void {
  if (!Number.isInteger(p.n_estimators) || p.n_estimators < 1)
    throw new RangeError(`n_estimators must be a positive integer, got ${p.n_estimators}`);
  if (p.max_depth !== null && (!Number.isInteger(p.max_depth) || p.max_depth < 1))
    throw new RangeError(`max_depth must be a positive integer or null, got ${p.max_depth}`);
}

/** Grows `nTrees` trees to `maxDepth`; tree t depends only on (seed, t). */
function growForest(
  X: Matrix,
  target: TreeTarget,
  p: RandomForestParams,
  nTrees: number,
  maxDepth: number,
  ctx?: FitContext,
): Tree[] {
  const data = presort(X);
  const grower = new TreeGrower(data);
  const n = X.rows;
  const maxFeatures = resolveMaxFeatures(p.max_features, X.cols);
  const forestSeed = mix(ctx?.seed ?? 0, 0x5eed);
  const weights = new Float64Array(n);
  const draw = new Stream(0);
  const trees: Tree[] = [];
  for (let t = 0; t < nTrees; t++) {
    throwIfAborted(ctx);
    const treeSeed = mix(forestSeed, t);
    if (p.bootstrap) {
      weights.fill(0);
      draw.reset(mix(treeSeed, 0xb007));
      for (let i = 0; i < n; i++) weights[draw.below(n)] += 1;
    } else {
      weights.fill(1);
    }
    trees.push(grower.grow(weights, target, { maxDepth, maxFeatures, seed: mix(treeSeed, 1) }));
    ctx?.onProgress?.((t + 1) / nTrees);
  }
  return trees;
}

/** The deepest limit any setting asks for (null, unlimited, wins). */
function deepest(settings: readonly RandomForestParams[]): number {
  return max(...settings.map((s) => depthLimit(s.max_depth)));
}

abstract class RandomForestBase<M> extends Configured<RandomForestParams> {
  protected abstract treeTarget(y: Target): TreeTarget;
  protected abstract model(trees: readonly Tree[], nTrees: number, maxDepth: number, X: Matrix, y: Target): M;

  fit(X: Matrix, y: Target, ctx?: FitContext): M {
    return this.fitPath(X, y, [{}], ctx)[0];
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<RandomForestParams>[], ctx?: FitContext): M[] {
    if (X.rows !== (y.kind === 'classification' ? y.codes.length : y.values.length)) {
      throw new RangeError(
        `X has ${X.rows} rows but y has ${y.kind === 'classification' ? y.codes.length : y.values.length}`,
      );
    }
    if (X.rows === 0) throw new RangeError('cannot fit a forest on 0 rows');
    const full = settings.map((s) => ({ ...this.params, ...s }));
    full.forEach(checkParams);
    const base = full[0];
    if (full.some((s) => s.max_features !== base.max_features || s.bootstrap !== base.bootstrap)) {
      throw new RangeError('fitPath shares trees only across n_estimators and max_depth');
    }
    const target = this.treeTarget(y);
    const nTrees = max(...full.map((s) => s.n_estimators));
    const trees = growForest(X, target, base, nTrees, deepest(full), ctx);
    return full.map((s) => this.model(trees, s.n_estimators, depthLimit(s.max_depth), X, y));
  }
}

export class RandomForestClassifier
  extends RandomForestBase<RandomForestClassifierModel>
  implements Estimator<RandomForestParams, RandomForestClassifierModel>
{
  readonly name = 'random_forest_classifier';
  readonly task = 'classification' as const;
  constructor(params: Partial<RandomForestParams> = {}) {
    super(CLASSIFIER_DEFAULTS, params, checkParams);
  }

  protected treeTarget(y: Target): TreeTarget {
    if (y.kind !== 'classification')
      throw new TypeError('RandomForestClassifier needs class labels, got a regression target');
    return { criterion: 'gini', codes: y.codes, classes: y.classes.length };
  }

  protected model(
    trees: readonly Tree[],
    nTrees: number,
    maxDepth: number,
    X: Matrix,
    y: Target,
  ): RandomForestClassifierModel {
    const classes = y.kind === 'classification' ? y.classes : [];
    return new RandomForestClassifierModel(trees.slice(0, nTrees), maxDepth, X.cols, classes);
  }
}

export class RandomForestRegressor
  extends RandomForestBase<RandomForestRegressorModel>
  implements Estimator<RandomForestParams, RandomForestRegressorModel>
{
  readonly name = 'random_forest_regressor';
  readonly task = 'regression' as const;
  constructor(params: Partial<RandomForestParams> = {}) {
    super(REGRESSOR_DEFAULTS, params, checkParams);
  }

  protected treeTarget(y: Target): TreeTarget {
    if (y.kind !== 'regression') throw new TypeError('RandomForestRegressor needs numeric targets, got class labels');
    return { criterion: 'squared_error', values: y.values };
  }

  protected model(trees: readonly Tree[], nTrees: number, maxDepth: number, X: Matrix): RandomForestRegressorModel {
    return new RandomForestRegressorModel(trees.slice(0, nTrees), maxDepth, X.cols);
  }
}

function checkWidth(X: Matrix, nFeatures: number): void {
  if (X.cols !== nFeatures) throw new RangeError(`model was fitted on ${nFeatures} features, X has ${X.cols}`);
}

export class RandomForestClassifierModel extends TreeEnsembleClassifierModel {
  constructor(
    readonly trees: readonly Tree[],
    /** Depth the trees are read to (Infinity: all of it). */
    readonly maxDepth: number,
    readonly nFeatures: number,
    readonly classes: readonly string[],
  ) {
    super();
  }

  predictProba(X: Matrix): Matrix {
    checkWidth(X, this.nFeatures);
    const K = this.classes.length;
    const out = new Matrix(X.rows, K);
    const x = float32Rows(X);
    const F = this.nFeatures;
    for (const tree of this.trees) {
      const v = tree.value;
      for (let i = 0; i < X.rows; i++) {
        const leaf = tree.leaf(x, i * F, this.maxDepth);
        for (let c = 0; c < K; c++) out.data[i * K + c] += v[leaf * K + c];
      }
    }
    const inv = 1 / this.trees.length;
    for (let j = 0; j < out.data.length; j++) out.data[j] *= inv;
    return out;
  }

  toOnnxOutputs(g: OnnxGraph, input: string): ClassifierOutputs {
    return treeEnsembleClassifier(g, input, this.trees, this.maxDepth, this.classes.length, {
      leafScale: 1 / this.trees.length,
      baseValues: null,
      postTransform: 'NONE',
    });
  }
}

export class RandomForestRegressorModel implements Regressor {
  /** Trees compare float32 values, as onnxruntime does: see PipelineModel.transform. */
  readonly float32Input = true;
  constructor(
    readonly trees: readonly Tree[],
    readonly maxDepth: number,
    readonly nFeatures: number,
  ) {}

  predict(X: Matrix): Float64Array {
    checkWidth(X, this.nFeatures);
    const out = new Float64Array(X.rows);
    const x = float32Rows(X);
    const F = this.nFeatures;
    for (const tree of this.trees) {
      for (let i = 0; i < X.rows; i++) out[i] += tree.value[tree.leaf(x, i * F, this.maxDepth)];
    }
    const inv = 1 / this.trees.length;
    for (let i = 0; i < out.length; i++) out[i] *= inv;
    return out;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return treeEnsembleRegressor(g, input, this.trees, this.maxDepth, {
      aggregate: 'AVERAGE',
      leafScale: 1,
      baseValue: null,
    });
  }
}
