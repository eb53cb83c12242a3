// SimpleImputer with scikit-learn 1.2's semantics for numeric data (missing = NaN): the statistic
// of each column over its present values (mean; median as numpy's, the middle two averaged;
// most_frequent, the smallest of tied values; constant, `fillValue`), columns with no present
// value dropped (keep_empty_features=False) except under `constant`, and with `addIndicator` one
// 0/1 column per feature that had a missing value during fit, after the imputed columns
// (MissingIndicator, features='missing-only').
import { Configured } from '../estimator.js';
import { Matrix } from '../matrix.js';
import { float, floats, int, type OnnxGraph } from '../onnx/graph.js';

export type NumericStrategy = 'mean' | 'median' | 'most_frequent' | 'constant';
export const NUMERIC_STRATEGIES: readonly NumericStrategy[] = ['mean', 'median', 'most_frequent', 'constant'];

export interface SimpleImputerParams {
  readonly strategy: NumericStrategy;
  /** The value for `constant` (scikit-learn's default 0 for numbers). */
  readonly fillValue: number;
  readonly addIndicator: boolean;
}

const DEFAULTS: SimpleImputerParams = { strategy: 'mean', fillValue: 0, addIndicator: false };

function check(p: SimpleImputerParams): void {
  if (!NUMERIC_STRATEGIES.includes(p.strategy))
    throw new RangeError(`strategy must be one of ${NUMERIC_STRATEGIES.join(', ')}, got ${String(p.strategy)}`);
  if (!Number.isFinite(p.fillValue)) throw new RangeError('fillValue must be a finite number');
}

/**
 * scikit-learn validates with force_all_finite='allow-nan': NaN is missing, ±inf is refused
 * ("Input contains infinity") in fit and in transform.
 */
function refuseInfinity(X: Matrix, who: string): void {
  for (let k = 0; k < X.data.length; k++) {
    const v = X.data[k];
    if (v === Infinity || v === -Infinity)
      throw new RangeError(`${who}: column ${k % X.cols} holds an infinite value (row ${Math.floor(k / X.cols)})`);
  }
}

function statistic(present: Float64Array, strategy: NumericStrategy, fill: number): number {
  if (strategy === 'constant') return fill;
  const n = present.length;
  if (n === 0) return NaN;
  if (strategy === 'mean') {
    let s = 0;
    for (let i = 0; i < n; i++) s += present[i];
    return s / n;
  }
  const sorted = Float64Array.from(present).sort();
  if (strategy === 'median') return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // most_frequent: the longest run in sorted order; the first (smallest) wins ties
  let best = sorted[0],
    bestCount = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) {
      best = sorted[i];
      bestCount = j - i;
    }
    i = j;
  }
  return best;
}

export class SimpleImputerModel {
  /** Output columns: the input columns kept, then the indicator columns. */
  readonly nOutputs: number;

  constructor(
    /** One statistic per input column; NaN for a dropped (all-missing) column. */
    readonly statistics: Float64Array,
    /** Input columns kept, in order. */
    readonly kept: Int32Array,
    /** Input columns that get an indicator, in order. */
    readonly indicators: Int32Array,
  ) {
    this.nOutputs = kept.length + indicators.length;
  }

  get nInputs(): number {
    return this.statistics.length;
  }

  transform(X: Matrix): Matrix {
    return this.apply(X, false);
  }

  /** As ONNX computes it: every value and statistic rounded to float32. */
  transformFloat32(X: Matrix): Matrix {
    return this.apply(X, true);
  }

  private apply(X: Matrix, f32: boolean): Matrix {
    if (X.cols !== this.nInputs) throw new RangeError(`imputer was fitted on ${this.nInputs} features, got ${X.cols}`);
    refuseInfinity(X, 'SimpleImputer.transform');
    const round = f32 ? Math.fround : (v: number) => v;
    const { kept, indicators, statistics } = this;
    const out = new Matrix(X.rows, this.nOutputs);
    const w = this.nOutputs,
      k = kept.length;
    for (let i = 0; i < X.rows; i++) {
      const src = i * X.cols,
        dst = i * w;
      for (let q = 0; q < k; q++) {
        const v = X.data[src + kept[q]];
        out.data[dst + q] = Number.isNaN(v) ? round(statistics[kept[q]]) : round(v);
      }
      for (let q = 0; q < indicators.length; q++)
        out.data[dst + k + q] = Number.isNaN(X.data[src + indicators[q]]) ? 1 : 0;
    }
    return out;
  }

  /** skl2onnx's shape: Imputer (NaN replaced), Gather of the kept columns, IsNaN → Cast → Gather for the indicators, Concat. */
  toOnnx(g: OnnxGraph, input: string): string {
    const stats = Array.from(this.statistics, (s) => (Number.isNaN(s) ? 0 : s));
    const [imputed] = g.ml('Imputer', [input], 1, {
      imputed_value_floats: floats(stats),
      replaced_value_float: float(NaN),
    });
    g.declare(imputed, 'float', ['N', this.nInputs]);
    let values = imputed;
    if (this.kept.length !== this.nInputs) {
      const idx = g.constant('kept', { type: 'int64', dims: [this.kept.length], values: this.kept });
      [values] = g.node('Gather', [imputed, idx], 1, { axis: int(1) });
    }
    if (!this.indicators.length) return values;
    const [nan] = g.node('IsNaN', [input]);
    const [asFloat] = g.node('Cast', [nan], 1, { to: int(1) });
    const idx = g.constant('indicators', { type: 'int64', dims: [this.indicators.length], values: this.indicators });
    const [ind] = g.node('Gather', [asFloat, idx], 1, { axis: int(1) });
    const [out] = g.node('Concat', [values, ind], 1, { axis: int(1) });
    return out;
  }
}

export class SimpleImputer extends Configured<SimpleImputerParams> {
  constructor(params: Partial<SimpleImputerParams> = {}) {
    super(DEFAULTS, params, check);
  }

  fit(X: Matrix): SimpleImputerModel {
    const { rows, cols, data } = X;
    // scikit-learn's check_array: at least one sample
    if (rows === 0) throw new RangeError('SimpleImputer.fit needs at least one row');
    refuseInfinity(X, 'SimpleImputer.fit');
    const statistics = new Float64Array(cols);
    const kept: number[] = [];
    const indicators: number[] = [];
    const present = new Float64Array(rows);
    for (let j = 0; j < cols; j++) {
      let n = 0;
      for (let i = 0; i < rows; i++) {
        const v = data[i * cols + j];
        if (!Number.isNaN(v)) present[n++] = v;
      }
      statistics[j] = statistic(present.subarray(0, n), this.params.strategy, this.params.fillValue);
      if (!Number.isNaN(statistics[j])) kept.push(j);
      if (this.params.addIndicator && n < rows) indicators.push(j);
    }
    return new SimpleImputerModel(statistics, Int32Array.from(kept), Int32Array.from(indicators));
  }
}
