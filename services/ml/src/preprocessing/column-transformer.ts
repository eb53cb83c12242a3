// ColumnTransformer for mixed tables, as scikit-learn builds it:
//   ColumnTransformer([('num', Pipeline([SimpleImputer, StandardScaler]), numeric columns),
//                      ('cat', Pipeline([SimpleImputer(strings), OneHotEncoder | OrdinalEncoder]), categorical columns)])
// Output: the numeric block (imputed columns, then missing indicators, all scaled), then each
// categorical column's codes in schema order. Fitted on the rows given (a CV fold's training rows),
// it codes any rows later, unseen categories included. Its ONNX graph reads the numeric columns as
// one float matrix `X` [N, numeric columns in schema order] and each text column as its own string
// input [N, 1] named after it (NaN and '' are missing), as skl2onnx exports a ColumnTransformer's
// string columns. One matrix for the numbers, not one input each: onnxruntime's cost grows with the
// number of inputs (measured: 30 float inputs of [1, 1] take 78 µs a run where one [1, 30] takes 29 µs).
import { Matrix } from '../matrix.js';
import { int, ints, strs, type OnnxGraph } from '../onnx/graph.js';
import { StandardScaler, type StandardScalerModel } from './standard-scaler.js';
import { SimpleImputer, NUMERIC_STRATEGIES, type NumericStrategy, type SimpleImputerModel } from './simple-imputer.js';
import {
  CATEGORICAL_STRATEGIES,
  DEFAULT_FILL,
  OneHotColumn,
  OrdinalColumn,
  checkOneHot,
  imputedValue,
  type CategoricalStrategy,
  type ColumnCoding,
} from './categorical.js';
import { UNSEEN, type InputColumn } from './table.js';
import type { CategoricalColumn } from '../estimator.js';

export type Encoding = 'onehot' | 'ordinal';

export interface PreprocessParams {
  readonly numericStrategy: NumericStrategy;
  readonly numericFill: number;
  readonly addIndicator: boolean;
  readonly scale: boolean;
  readonly categoricalStrategy: CategoricalStrategy;
  readonly categoricalFill: string;
  readonly encoding: Encoding;
  readonly minFrequency: number | null;
  readonly maxCategories: number | null;
}

/** What a data scientist would pick first: mean imputation, scaling, missing text as its own category, one-hot. */
export const PREPROCESS_DEFAULTS: PreprocessParams = Object.freeze({
  numericStrategy: 'mean',
  numericFill: 0,
  addIndicator: false,
  scale: true,
  categoricalStrategy: 'constant',
  categoricalFill: DEFAULT_FILL,
  encoding: 'onehot',
  minFrequency: null,
  maxCategories: null,
});

function checkParams(p: PreprocessParams): void {
  if (!NUMERIC_STRATEGIES.includes(p.numericStrategy))
    throw new RangeError(`numericStrategy must be one of ${NUMERIC_STRATEGIES.join(', ')}`);
  if (!CATEGORICAL_STRATEGIES.includes(p.categoricalStrategy))
    throw new RangeError(`categoricalStrategy must be one of ${CATEGORICAL_STRATEGIES.join(', ')}`);
  if (p.encoding !== 'onehot' && p.encoding !== 'ordinal') throw new RangeError('encoding must be onehot or ordinal');
  if (p.categoricalFill.length === 0)
    throw new RangeError('categoricalFill must not be empty (the empty string means missing)');
  // when made, not when a column is fitted (OneHotColumn.fit does not check its parameters)
  checkOneHot({ handleUnknown: 'infrequent_if_exist', minFrequency: p.minFrequency, maxCategories: p.maxCategories });
}

/** The serialisable description of a transformer (worker messages, stored models). */
export interface ColumnTransformerSpec {
  readonly schema: readonly InputColumn[];
  readonly params: PreprocessParams;
}

/** One fitted categorical column: each level's output, and what missing and unseen values become. */
interface CategoricalStep {
  readonly column: number;
  /** Null: the column was all missing under most_frequent and is dropped, as scikit-learn does. */
  readonly coding: ColumnCoding | null;
  readonly fill: string | null;
  /** Output index (one-hot column, or ordinal value) per schema level. */
  readonly lut: Int32Array;
  readonly missing: number;
  readonly unseen: number;
}

/** The ONNX input holding every numeric column. */
export const NUMERIC_INPUT = 'X';
const RESERVED = new Set([NUMERIC_INPUT, 'label', 'probabilities', 'variable']);

/** ONNX input names: `X` for numeric columns; text columns' names made identifier-safe, unique, never an output's name. */
export function onnxInputNames(schema: readonly InputColumn[]): string[] {
  const taken = new Set<string>();
  return schema.map((c) => {
    if (c.kind === 'numeric') return NUMERIC_INPUT;
    const base = c.name.replace(/[^A-Za-z0-9_]/g, '_') || 'column';
    let name = base;
    for (let k = 2; taken.has(name) || RESERVED.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  });
}

export class ColumnTransformerModel {
  readonly nOutputs: number;
  /** Readable names of the output columns ('island=Biscoe', 'missing(age)'). */
  readonly outputNames: readonly string[];
  /** For each output column, the schema column it comes from (to sum importances back). */
  readonly outputGroups: Int32Array;
  /** Per schema column: its ONNX input (`X` for numbers). */
  readonly inputNames: readonly string[];
  /** Per schema column: its column in `X` (numbers), or −1. */
  readonly inputIndex: Int32Array;
  /** With ordinal encoding, each kept text column's output column and category count (for native categorical splits). */
  readonly ordinalColumns: readonly CategoricalColumn[];
  private readonly numericWidth: number;

  constructor(
    readonly schema: readonly InputColumn[],
    readonly params: Readonly<PreprocessParams>,
    readonly numeric: Int32Array,
    readonly imputer: SimpleImputerModel | null,
    readonly scaler: StandardScalerModel | null,
    private readonly categorical: readonly CategoricalStep[],
  ) {
    this.inputNames = onnxInputNames(schema);
    this.inputIndex = new Int32Array(schema.length).fill(-1);
    numeric.forEach((j, q) => {
      this.inputIndex[j] = q;
    });
    const names: string[] = [];
    const groups: number[] = [];
    if (imputer) {
      for (const q of imputer.kept) {
        names.push(schema[numeric[q]].name);
        groups.push(numeric[q]);
      }
      for (const q of imputer.indicators) {
        names.push(`missing(${schema[numeric[q]].name})`);
        groups.push(numeric[q]);
      }
    }
    this.numericWidth = names.length;
    const ordinal: CategoricalColumn[] = [];
    for (const c of categorical) {
      if (!c.coding) continue;
      if (!(c.coding instanceof OneHotColumn))
        ordinal.push({ index: names.length, levels: c.coding.categories.length });
      const name = schema[c.column].name;
      const outs = c.coding instanceof OneHotColumn ? c.coding.outputNames.map((v) => `${name}=${v}`) : [name];
      for (const o of outs) {
        names.push(o);
        groups.push(c.column);
      }
    }
    this.ordinalColumns = ordinal;
    this.outputNames = names;
    this.outputGroups = Int32Array.from(groups);
    this.nOutputs = names.length;
  }

  /**
   * scikit-learn's get_feature_names_out for the equivalent ColumnTransformer (transformers named
   * 'num' and 'cat'): 'num__x', 'num__missingindicator_x', 'cat__island_Biscoe',
   * 'cat__sex_infrequent_sklearn' (one-hot) or 'cat__island' (ordinal). Same order as outputNames,
   * whose readable forms are 'x', 'missing(x)', 'island=Biscoe'.
   */
  get sklearnNames(): string[] {
    const names: string[] = [];
    if (this.imputer) {
      for (const q of this.imputer.kept) names.push(`num__${this.schema[this.numeric[q]].name}`);
      for (const q of this.imputer.indicators) names.push(`num__missingindicator_${this.schema[this.numeric[q]].name}`);
    }
    for (const c of this.categorical) {
      if (!c.coding) continue;
      const name = this.schema[c.column].name;
      if (c.coding instanceof OneHotColumn) for (const v of c.coding.outputNames) names.push(`cat__${name}_${v}`);
      else names.push(`cat__${name}`);
    }
    return names;
  }

  /** The fitted categories of each categorical column (serving counts values outside them as unseen). */
  categoriesOf(column: string): readonly string[] | null {
    const j = this.schema.findIndex((c) => c.name === column);
    return this.categorical.find((c) => c.column === j)?.coding?.categories ?? null;
  }

  /** The value a missing entry of `column` is imputed with (a number, a category) or null if dropped. */
  imputedValueOf(column: string): number | string | null {
    const j = this.schema.findIndex((c) => c.name === column);
    const q = this.numeric.indexOf(j);
    if (q >= 0) return this.imputer && !Number.isNaN(this.imputer.statistics[q]) ? this.imputer.statistics[q] : null;
    return this.categorical.find((c) => c.column === j)?.fill ?? null;
  }

  transform(X: Matrix): Matrix {
    return this.apply(X, false);
  }

  /** As ONNX computes it (float32 values, statistics and scaling), for models that split on float32 values. */
  transformFloat32(X: Matrix): Matrix {
    return this.apply(X, true);
  }

  private apply(X: Matrix, f32: boolean): Matrix {
    if (X.cols !== this.schema.length)
      throw new RangeError(`transformer was fitted on ${this.schema.length} columns, got ${X.cols}`);
    const out = new Matrix(X.rows, this.nOutputs);
    const w = this.nOutputs;
    if (this.imputer) {
      let block = this.imputer[f32 ? 'transformFloat32' : 'transform'](X.columnsAt(this.numeric));
      if (this.scaler) block = f32 ? this.scaler.transformFloat32(block) : this.scaler.transform(block);
      const bw = block.cols;
      for (let i = 0; i < X.rows; i++) out.data.set(block.data.subarray(i * bw, (i + 1) * bw), i * w);
    }
    let offset = this.numericWidth;
    const oneHot = this.params.encoding === 'onehot';
    for (const c of this.categorical) {
      if (!c.coding) continue;
      for (let i = 0; i < X.rows; i++) {
        const v = X.data[i * X.cols + c.column];
        const k = Number.isNaN(v) ? c.missing : v === UNSEEN ? c.unseen : c.lut[v];
        if (!oneHot) out.data[i * w + offset] = k;
        else if (k >= 0) out.data[i * w + offset + k] = 1;
      }
      offset += c.coding.width;
    }
    return out;
  }

  /** Declares the inputs (`X` for the numbers, one per text column) and appends the preprocessing; returns its float [N, nOutputs] output. */
  toOnnx(g: OnnxGraph): string {
    const numbers = this.numeric.length ? g.addInput(NUMERIC_INPUT, 'float', ['N', this.numeric.length]) : null;
    const inputs = this.schema.map((c, j) =>
      c.kind === 'numeric' ? NUMERIC_INPUT : g.addInput(this.inputNames[j], 'string', ['N', 1]),
    );
    const blocks: string[] = [];
    if (this.imputer && numbers) {
      let x = this.imputer.toOnnx(g, numbers);
      g.declare(x, 'float', ['N', this.imputer.nOutputs]);
      if (this.scaler) x = this.scaler.toOnnx(g, x);
      blocks.push(x);
    }
    for (const c of this.categorical) {
      if (!c.coding) continue;
      const keys = c.coding.categories.filter((v) => v !== '');
      const [codes] = g.ml('LabelEncoder', [inputs[c.column]], 1, {
        keys_strings: strs([...keys, '']),
        values_int64s: ints([...keys.map((v) => c.coding?.indexOf(v) ?? -1), c.missing]),
        default_int64: int(c.unseen),
      });
      g.declare(codes, 'int64', ['N', 1]);
      if (this.params.encoding === 'ordinal') {
        const [f] = g.node('Cast', [codes], 1, { to: int(1) });
        blocks.push(f);
        continue;
      }
      const width = c.coding.width;
      const [hot] = g.ml('OneHotEncoder', [codes], 1, {
        cats_int64s: ints(Array.from({ length: width }, (_, k) => k)),
        zeros: int(1),
      });
      g.declare(hot, 'float', ['N', 1, width]);
      const shape = g.constant('shape', { type: 'int64', dims: [2], values: [-1, width] });
      const [flat] = g.node('Reshape', [hot, shape]);
      g.declare(flat, 'float', ['N', width]);
      blocks.push(flat);
    }
    if (blocks.length === 1) return blocks[0];
    const [out] = g.node('Concat', blocks, 1, { axis: int(1) });
    g.declare(out, 'float', ['N', this.nOutputs]);
    return out;
  }
}

export class ColumnTransformer {
  readonly params: Readonly<PreprocessParams>;

  constructor(
    readonly schema: readonly InputColumn[],
    params: Partial<PreprocessParams> = {},
  ) {
    const merged = { ...PREPROCESS_DEFAULTS, ...params };
    checkParams(merged);
    this.params = Object.freeze(merged);
  }

  static fromSpec(spec: ColumnTransformerSpec): ColumnTransformer {
    return new ColumnTransformer(spec.schema, spec.params);
  }

  get spec(): ColumnTransformerSpec {
    return { schema: this.schema, params: this.params };
  }

  with(changes: Partial<PreprocessParams>): ColumnTransformer {
    return new ColumnTransformer(this.schema, { ...this.params, ...changes });
  }

  fit(X: Matrix): ColumnTransformerModel {
    if (X.cols !== this.schema.length)
      throw new RangeError(`schema has ${this.schema.length} columns, X has ${X.cols}`);
    if (X.rows === 0) throw new RangeError('cannot fit preprocessing on zero rows');
    const p = this.params;
    const numeric = Int32Array.from(this.schema.flatMap((c, j) => (c.kind === 'numeric' ? [j] : [])));
    let imputer: SimpleImputerModel | null = null;
    let scaler: StandardScalerModel | null = null;
    if (numeric.length) {
      const sub = X.columnsAt(numeric);
      imputer = new SimpleImputer({
        strategy: p.numericStrategy,
        fillValue: p.numericFill,
        addIndicator: p.addIndicator,
      }).fit(sub);
      if (imputer.nOutputs === 0) imputer = null;
      else if (p.scale) scaler = new StandardScaler().fit(imputer.transform(sub));
    }
    const categorical: CategoricalStep[] = [];
    this.schema.forEach((c, j) => {
      if (c.kind !== 'categorical') return;
      const levelCounts = new Float64Array(c.levels.length);
      let missing = 0;
      for (let i = 0; i < X.rows; i++) {
        const v = X.data[i * X.cols + j];
        if (Number.isNaN(v)) missing++;
        else if (v === UNSEEN) throw new RangeError(`column ${c.name} holds a value outside its levels`);
        else levelCounts[v]++;
      }
      const counts = new Map<string, number>();
      c.levels.forEach((l, k) => {
        if (levelCounts[k] > 0) counts.set(l, levelCounts[k]);
      });
      const fill = imputedValue(counts, p.categoricalStrategy, p.categoricalFill);
      if (fill === null) {
        categorical.push({ column: j, coding: null, fill: null, lut: new Int32Array(0), missing: -1, unseen: -1 });
        return;
      }
      if (missing) counts.set(fill, (counts.get(fill) ?? 0) + missing);
      const coding: ColumnCoding =
        p.encoding === 'onehot'
          ? OneHotColumn.fit(counts, X.rows, {
              handleUnknown: 'infrequent_if_exist',
              minFrequency: p.minFrequency,
              maxCategories: p.maxCategories,
            })
          : OrdinalColumn.fit(counts);
      categorical.push({
        column: j,
        coding,
        fill,
        lut: Int32Array.from(c.levels, (l) => coding.indexOf(l)),
        missing: coding.indexOf(fill),
        unseen: coding.unknownIndex,
      });
    });
    return new ColumnTransformerModel(this.schema, p, numeric, imputer, scaler, categorical);
  }
}
