// The fitted form shared by every single-output linear regressor: y = X·coef + intercept.
import type { Matrix } from '../matrix.js';
import type { Regressor } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { floats, int } from '../onnx/graph.js';

export class LinearRegressorModel implements Regressor {
  constructor(
    readonly coef: Float64Array,
    readonly intercept: number,
  ) {}

  predict(X: Matrix): Float64Array {
    const { rows, cols, data } = X;
    if (cols !== this.coef.length) throw new RangeError(`model has ${this.coef.length} features, got ${cols}`);
    const out = new Float64Array(rows);
    for (let i = 0, o = 0; i < rows; i++) {
      let s = this.intercept;
      for (let j = 0; j < cols; j++, o++) s += data[o] * this.coef[j];
      out[i] = s;
    }
    return out;
  }

  /** skl2onnx's shape: one ai.onnx.ml LinearRegressor, output [N, 1]. */
  toOnnx(g: OnnxGraph, input: string): string {
    return g.ml('LinearRegressor', [input], 1, {
      coefficients: floats(this.coef),
      intercepts: floats([this.intercept]),
      targets: int(1),
    })[0];
  }
}

/** Un-centres a solution found on centred data: intercept = ȳ − x̄·w. */
export function fromCentred(w: Float64Array, xMean: Float64Array, yMean: number): LinearRegressorModel {
  let b = yMean;
  for (let j = 0; j < w.length; j++) b -= xMean[j] * w[j];
  return new LinearRegressorModel(w, b);
}
