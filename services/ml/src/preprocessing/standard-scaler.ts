// StandardScaler with scikit-learn's semantics: population standard deviation, and a feature whose
// spread is (numerically) zero gets scale 1 so it is only centred.
import { Matrix } from '../matrix.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { floats } from '../onnx/graph.js';

const EPS = 2.220446049250313e-16;

export class StandardScalerModel {
  constructor(
    readonly mean: Float64Array,
    readonly scale: Float64Array,
  ) {}

  transform(X: Matrix): Matrix {
    const { rows, cols } = X;
    if (cols !== this.mean.length)
      throw new RangeError(`scaler was fitted on ${this.mean.length} features, got ${cols}`);
    const out = new Matrix(rows, cols);
    const src = X.data;
    const dst = out.data;
    for (let i = 0, o = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++, o++) dst[o] = (src[o] - this.mean[j]) / this.scale[j];
    }
    return out;
  }

  /**
   * The ONNX Scaler's arithmetic, exactly: float32 input, (x − offset) then × (1/std), each step
   * rounded to float32. Models that split on float32 values (trees) get these, so a row lands on
   * the same side of every threshold in TypeScript and in onnxruntime.
   */
  transformFloat32(X: Matrix): Matrix {
    const { rows, cols } = X;
    if (cols !== this.mean.length)
      throw new RangeError(`scaler was fitted on ${this.mean.length} features, got ${cols}`);
    const f = Math.fround;
    const off = Float32Array.from(this.mean);
    const inv = Float32Array.from(this.scale, (s) => 1 / s);
    const out = new Matrix(rows, cols);
    const src = X.data;
    const dst = out.data;
    for (let i = 0, o = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++, o++) dst[o] = f(f(f(src[o]) - off[j]) * inv[j]);
    }
    return out;
  }

  /** skl2onnx's shape: one ai.onnx.ml Scaler with offset = mean and scale = 1/std. */
  toOnnx(g: OnnxGraph, input: string): string {
    const inv = Array.from(this.scale, (s) => 1 / s);
    const [out] = g.ml('Scaler', [input], 1, { offset: floats(this.mean), scale: floats(inv) });
    g.declare(out, 'float', ['N', this.mean.length]);
    return out;
  }
}

export class StandardScaler {
  fit(X: Matrix): StandardScalerModel {
    const { rows, cols, data } = X;
    if (rows === 0) throw new RangeError('cannot fit a scaler on zero rows');
    const mean = new Float64Array(cols);
    const varc = new Float64Array(cols);
    for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) mean[j] += data[o];
    for (let j = 0; j < cols; j++) mean[j] /= rows;
    // two-pass variance with the rounding correction numpy's _incremental_mean_and_var applies
    const corr = new Float64Array(cols);
    for (let i = 0, o = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++, o++) {
        const d = data[o] - mean[j];
        varc[j] += d * d;
        corr[j] += d;
      }
    }
    const scale = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      const v = (varc[j] - (corr[j] * corr[j]) / rows) / rows;
      const s = Math.sqrt(Math.max(v, 0));
      // sklearn: a constant feature (variance below 10·eps) keeps scale 1
      scale[j] = v < 10 * EPS || s === 0 ? 1 : s;
    }
    return new StandardScalerModel(mean, scale);
  }
}
