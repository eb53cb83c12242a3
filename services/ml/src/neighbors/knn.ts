// KNeighborsClassifier and KNeighborsRegressor (uniform weights, Euclidean distance), with
// scikit-learn's defaults (n_neighbors 5). A class vote tie goes to the smallest class code, as
// sklearn's mode does. ONNX export uses standard operators, as skl2onnx does.
import { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Classifier, Estimator, Regressor, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { int, ints } from '../onnx/graph.js';
import { requireClassification, requireRegression } from '../target.js';
import { NeighbourIndex } from './neighbours.js';

export interface KNeighborsParams {
  readonly n_neighbors: number;
}

/** Distances [N, M] from every input row to every training row, then the k nearest indices. */
function onnxNeighbours(g: OnnxGraph, input: string, train: Matrix, k: number): string {
  const T = g.constant('train_points', { type: 'float', dims: [train.rows, train.cols], values: train.data });
  const axes1 = g.constant('axes', { type: 'int64', dims: [1], values: [1] });
  const [x3] = g.node('Unsqueeze', [input, axes1]);
  const [diff] = g.node('Sub', [x3, T]);
  const [sq] = g.node('Mul', [diff, diff]);
  const axes2 = g.constant('axes', { type: 'int64', dims: [1], values: [2] });
  const [dist] = g.node('ReduceSum', [sq, axes2], 1, { keepdims: int(0) });
  const kT = g.constant('k', { type: 'int64', dims: [1], values: [k] });
  const [, idx] = g.node('TopK', [dist, kT], 2, { axis: int(1), largest: int(0), sorted: int(1) });
  return idx;
}

export class KNeighborsClassifierModel implements Classifier {
  constructor(
    readonly classes: readonly string[],
    private readonly index: NeighbourIndex,
    private readonly codes: Int32Array,
    readonly k: number,
  ) {}

  private votes(X: Matrix): Matrix {
    const nb = this.index.query(X);
    const K = this.classes.length;
    const out = new Matrix(X.rows, K);
    for (let q = 0; q < X.rows; q++) {
      for (let r = 0; r < this.k; r++) out.data[q * K + this.codes[nb.index[q * nb.kMax + r]]]++;
    }
    return out;
  }

  predict(X: Matrix): Int32Array {
    const v = this.votes(X);
    const K = v.cols;
    const out = new Int32Array(X.rows);
    for (let q = 0; q < X.rows; q++) {
      let best = 0;
      for (let c = 1; c < K; c++) if (v.data[q * K + c] > v.data[q * K + best]) best = c;
      out[q] = best;
    }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    const v = this.votes(X);
    for (let i = 0; i < v.data.length; i++) v.data[i] /= this.k;
    return v;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return this.toOnnxOutputs(g, input).probabilities;
  }

  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string } {
    const idx = onnxNeighbours(g, input, this.index.train, this.k);
    const labels = g.constant('train_labels', { type: 'int64', dims: [this.codes.length], values: this.codes });
    const [nl] = g.node('Gather', [labels, idx], 1, { axis: int(0) });
    const depth = g.constant('depth', { type: 'int64', dims: [1], values: [this.classes.length] });
    const onOff = g.constant('onehot_values', { type: 'float', dims: [2], values: [0, 1] });
    const [oh] = g.node('OneHot', [nl, depth, onOff], 1, { axis: int(-1) });
    const axes = g.constant('axes', { type: 'int64', dims: [1], values: [1] });
    const [counts] = g.node('ReduceSum', [oh, axes], 1, { keepdims: int(0) });
    const kf = g.constant('k', { type: 'float', dims: [], values: [this.k] });
    const [probabilities] = g.node('Div', [counts, kf]);
    const [label] = g.node('ArgMax', [counts], 1, { axis: int(1), keepdims: int(0) });
    return { label, probabilities };
  }
}

export class KNeighborsRegressorModel implements Regressor {
  constructor(
    private readonly index: NeighbourIndex,
    private readonly values: Float64Array,
    readonly k: number,
  ) {}

  predict(X: Matrix): Float64Array {
    const nb = this.index.query(X);
    const out = new Float64Array(X.rows);
    for (let q = 0; q < X.rows; q++) {
      let s = 0;
      for (let r = 0; r < this.k; r++) s += this.values[nb.index[q * nb.kMax + r]];
      out[q] = s / this.k;
    }
    return out;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    const idx = onnxNeighbours(g, input, this.index.train, this.k);
    const vals = g.constant('train_targets', { type: 'float', dims: [this.values.length], values: this.values });
    const [nv] = g.node('Gather', [vals, idx], 1, { axis: int(0) });
    // opset 17's ReduceMean still takes axes as an attribute
    return g.node('ReduceMean', [nv], 1, { axes: ints([1]), keepdims: int(1) })[0];
  }
}

abstract class KNeighborsBase<M> extends Configured<KNeighborsParams> {
  constructor(params: Partial<KNeighborsParams> = {}) {
    super({ n_neighbors: 5 }, params, (p) => {
      const k = p.n_neighbors;
      if (!Number.isInteger(k) || k < 1) throw new RangeError(`n_neighbors must be a positive integer, got ${k}`);
    });
  }

  protected abstract build(X: Matrix, y: Target, index: NeighbourIndex, k: number): M;

  fit(X: Matrix, y: Target): M {
    return this.fitPath(X, y, [{}])[0];
  }

  /** One neighbour search for the largest k serves every k (see neighbours.ts). */
  fitPath(X: Matrix, y: Target, settings: readonly Partial<KNeighborsParams>[]): M[] {
    const ks = settings.map((s) => s.n_neighbors ?? this.params.n_neighbors);
    const index = new NeighbourIndex(X, Math.max(...ks));
    return ks.map((k) => this.build(X, y, index, k));
  }
}

export class KNeighborsClassifier
  extends KNeighborsBase<KNeighborsClassifierModel>
  implements Estimator<KNeighborsParams, KNeighborsClassifierModel>
{
  readonly name = 'knn_classifier';
  readonly task = 'classification' as const;

  protected build(_X: Matrix, y: Target, index: NeighbourIndex, k: number): KNeighborsClassifierModel {
    const t = requireClassification(y, this.name);
    return new KNeighborsClassifierModel(t.classes, index, t.codes, k);
  }
}

export class KNeighborsRegressor
  extends KNeighborsBase<KNeighborsRegressorModel>
  implements Estimator<KNeighborsParams, KNeighborsRegressorModel>
{
  readonly name = 'knn_regressor';
  readonly task = 'regression' as const;

  protected build(_X: Matrix, y: Target, index: NeighbourIndex, k: number): KNeighborsRegressorModel {
    return new KNeighborsRegressorModel(index, requireRegression(y, this.name).values, k);
  }
}
