// Text (categorical) columns with scikit-learn 1.2's semantics: SimpleImputer on strings
// (most_frequent: the smallest of the tied values; constant: `fillValue`, 'missing_value' by
// default), OneHotEncoder (categories sorted; with min_frequency / max_categories the infrequent
// ones share one column placed last; handle_unknown='infrequent_if_exist' sends a value never seen
// in fit to that column, or to all zeros when the column has none) and OrdinalEncoder
// (handle_unknown='use_encoded_value', unknown_value=−1 by default). Each column's coding is fitted from the
// counts of its values, so the ColumnTransformer can fit it from coded folds without building strings.
import { Configured } from '../estimator.js';
import { Matrix } from '../matrix.js';
import { compareCodePoints } from './table.js';

export type CategoricalStrategy = 'most_frequent' | 'constant';
export const CATEGORICAL_STRATEGIES: readonly CategoricalStrategy[] = ['most_frequent', 'constant'];
/** scikit-learn's fill_value for strings under strategy='constant'. */
export const DEFAULT_FILL = 'missing_value';

/** Counts of each present value of a column. */
export function countValues(values: readonly (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** The imputed value of a column, or null when `most_frequent` finds no value (scikit-learn drops the column). */
export function imputedValue(
  counts: ReadonlyMap<string, number>,
  strategy: CategoricalStrategy,
  fillValue: string,
): string | null {
  if (strategy === 'constant') return fillValue;
  let best: string | null = null,
    bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== null && compareCodePoints(v, best) < 0)) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** scikit-learn's check_array: at least one column and one row, every column of the same length. */
function requireRows(columns: readonly (readonly unknown[])[], who: string): void {
  if (columns.length === 0 || columns[0].length === 0)
    throw new RangeError(`${who}.fit needs at least one column and one row`);
  columns.forEach((c, j) => {
    if (c.length !== columns[0].length)
      throw new RangeError(`${who}.fit: column ${j} has ${c.length} values, column 0 has ${columns[0].length}`);
  });
}

export interface StringImputerParams {
  readonly strategy: CategoricalStrategy;
  readonly fillValue: string;
}

export class StringImputerModel {
  constructor(readonly fills: readonly (string | null)[]) {}

  /** Missing values replaced; a column whose fill is null (all missing in fit) is dropped. */
  transform(columns: readonly (readonly (string | null)[])[]): string[][] {
    if (columns.length !== this.fills.length)
      throw new RangeError(`imputer was fitted on ${this.fills.length} columns, got ${columns.length}`);
    const out: string[][] = [];
    columns.forEach((c, j) => {
      const fill = this.fills[j];
      if (fill !== null) out.push(c.map((v) => v ?? fill));
    });
    return out;
  }
}

export class StringImputer extends Configured<StringImputerParams> {
  constructor(params: Partial<StringImputerParams> = {}) {
    super({ strategy: 'most_frequent', fillValue: DEFAULT_FILL }, params, (p) => {
      if (!CATEGORICAL_STRATEGIES.includes(p.strategy))
        throw new RangeError(`strategy must be one of ${CATEGORICAL_STRATEGIES.join(', ')}`);
    });
  }

  fit(columns: readonly (readonly (string | null)[])[]): StringImputerModel {
    requireRows(columns, 'StringImputer');
    return new StringImputerModel(
      columns.map((c) => imputedValue(countValues(c), this.params.strategy, this.params.fillValue)),
    );
  }
}

/** How one fitted column turns a value into output columns. */
export interface ColumnCoding {
  /** Every category seen in fit, sorted (scikit-learn's categories_). */
  readonly categories: readonly string[];
  /** Output columns this coding produces. */
  readonly width: number;
  /** One-hot: the output column set to 1, or −1 for all zeros. Ordinal: the value written. */
  indexOf(value: string): number;
  /** What indexOf gives for a value never seen in fit. */
  readonly unknownIndex: number;
}

export interface OneHotParams {
  readonly handleUnknown: 'infrequent_if_exist' | 'ignore';
  /** A count (integer ≥ 1) or a fraction of the rows (0 < f < 1) below which a category is infrequent. */
  readonly minFrequency: number | null;
  /** At most this many output columns per feature, the infrequent column included. */
  readonly maxCategories: number | null;
}

const ONE_HOT_DEFAULTS: OneHotParams = {
  handleUnknown: 'infrequent_if_exist',
  minFrequency: null,
  maxCategories: null,
};

/** scikit-learn's _parameter_constraints for OneHotEncoder's min_frequency, max_categories and handle_unknown. */
export function checkOneHot(p: OneHotParams): void {
  if (p.handleUnknown !== 'infrequent_if_exist' && p.handleUnknown !== 'ignore')
    throw new RangeError('handleUnknown must be infrequent_if_exist or ignore');
  const m = p.minFrequency;
  if (m !== null && !(m > 0 && (m < 1 || Number.isInteger(m))))
    throw new RangeError('minFrequency must be an integer count ≥ 1 or a fraction in (0, 1)');
  if (p.maxCategories !== null && !(Number.isInteger(p.maxCategories) && p.maxCategories >= 1))
    throw new RangeError('maxCategories must be an integer ≥ 1');
}

export class OneHotColumn implements ColumnCoding {
  readonly width: number;
  private readonly index: Map<string, number>;
  readonly unknownIndex: number;

  constructor(
    readonly categories: readonly string[],
    readonly infrequent: readonly string[],
    handleUnknown: OneHotParams['handleUnknown'],
  ) {
    const rare = new Set(infrequent);
    const frequent = categories.filter((c) => !rare.has(c));
    const hasInfrequent = infrequent.length > 0;
    this.width = frequent.length + (hasInfrequent ? 1 : 0);
    this.index = new Map(frequent.map((c, k) => [c, k]));
    for (const c of infrequent) this.index.set(c, frequent.length);
    this.unknownIndex = hasInfrequent && handleUnknown === 'infrequent_if_exist' ? frequent.length : -1;
  }

  /** The names of the output columns (scikit-learn's get_feature_names_out suffixes). */
  get outputNames(): string[] {
    const rare = new Set(this.infrequent);
    const names = this.categories.filter((c) => !rare.has(c));
    return this.infrequent.length ? [...names, 'infrequent_sklearn'] : names;
  }

  indexOf(value: string): number {
    return this.index.get(value) ?? this.unknownIndex;
  }

  /** scikit-learn's _identify_infrequent on the counts of the sorted categories. */
  static fit(counts: ReadonlyMap<string, number>, nSamples: number, p: OneHotParams): OneHotColumn {
    const categories = [...counts.keys()].sort(compareCodePoints);
    const count = categories.map((c) => counts.get(c) ?? 0);
    const infrequent = count.map(
      (n) => p.minFrequency !== null && n < (p.minFrequency < 1 ? p.minFrequency * nSamples : p.minFrequency),
    );
    const nCurrent = count.length - infrequent.filter(Boolean).length + 1;
    if (p.maxCategories !== null && p.maxCategories < nCurrent) {
      // numpy's stable argsort of the counts; the smallest size − max_categories + 1 become infrequent
      const order = count.map((_, k) => k).sort((a, b) => count[a] - count[b] || a - b);
      const end = p.maxCategories > 1 ? count.length - p.maxCategories + 1 : 0;
      for (const k of order.slice(0, end)) infrequent[k] = true;
    }
    return new OneHotColumn(
      categories,
      categories.filter((_, k) => infrequent[k]),
      p.handleUnknown,
    );
  }
}

export class OrdinalColumn implements ColumnCoding {
  readonly width = 1;
  private readonly index: Map<string, number>;

  constructor(
    readonly categories: readonly string[],
    readonly unknownIndex = -1,
  ) {
    this.index = new Map(categories.map((c, k) => [c, k]));
  }

  indexOf(value: string): number {
    return this.index.get(value) ?? this.unknownIndex;
  }

  static fit(counts: ReadonlyMap<string, number>, unknownValue = -1): OrdinalColumn {
    const categories = [...counts.keys()].sort(compareCodePoints);
    // scikit-learn refuses an unknown_value that codes a seen category
    if (unknownValue >= 0 && unknownValue < categories.length) {
      throw new RangeError(
        `unknownValue ${unknownValue} is one of the values already used for encoding the seen categories`,
      );
    }
    return new OrdinalColumn(categories, unknownValue);
  }
}

/** Writes the coding of string columns into a matrix (one-hot: 1 at indexOf; ordinal: the index). */
function encode(codings: readonly ColumnCoding[], columns: readonly (readonly string[])[], oneHot: boolean): Matrix {
  if (columns.length !== codings.length)
    throw new RangeError(`encoder was fitted on ${codings.length} columns, got ${columns.length}`);
  const rows = columns.length ? columns[0].length : 0;
  const width = codings.reduce((s, c) => s + c.width, 0);
  const out = new Matrix(rows, width);
  let offset = 0;
  codings.forEach((c, j) => {
    for (let i = 0; i < rows; i++) {
      const k = c.indexOf(columns[j][i]);
      if (!oneHot) out.data[i * width + offset] = k;
      else if (k >= 0) out.data[i * width + offset + k] = 1;
    }
    offset += c.width;
  });
  return out;
}

export class OneHotEncoderModel {
  constructor(readonly columns: readonly OneHotColumn[]) {}
  transform(columns: readonly (readonly string[])[]): Matrix {
    return encode(this.columns, columns, true);
  }
}

export class OneHotEncoder extends Configured<OneHotParams> {
  constructor(params: Partial<OneHotParams> = {}) {
    super(ONE_HOT_DEFAULTS, params, checkOneHot);
  }

  fit(columns: readonly (readonly string[])[]): OneHotEncoderModel {
    requireRows(columns, 'OneHotEncoder');
    return new OneHotEncoderModel(columns.map((c) => OneHotColumn.fit(countValues(c), c.length, this.params)));
  }
}

export class OrdinalEncoderModel {
  constructor(readonly columns: readonly OrdinalColumn[]) {}
  transform(columns: readonly (readonly string[])[]): Matrix {
    return encode(this.columns, columns, false);
  }
}

/** handle_unknown='use_encoded_value': the code written for a value never seen in fit. */
export interface OrdinalParams {
  readonly unknownValue: number;
}

export class OrdinalEncoder extends Configured<OrdinalParams> {
  constructor(params: Partial<OrdinalParams> = {}) {
    super({ unknownValue: -1 }, params, (p) => {
      // scikit-learn: unknown_value must be an integer or np.nan
      if (!Number.isInteger(p.unknownValue) && !Number.isNaN(p.unknownValue))
        throw new RangeError('unknownValue must be an integer or NaN');
    });
  }

  fit(columns: readonly (readonly string[])[]): OrdinalEncoderModel {
    requireRows(columns, 'OrdinalEncoder');
    return new OrdinalEncoderModel(columns.map((c) => OrdinalColumn.fit(countValues(c), this.params.unknownValue)));
  }
}
