// A table of mixed columns as the engine sees it: one dense Matrix, so that folds are sliced and
// shared with worker threads exactly as numeric data always was, plus a schema saying what each
// column holds. Numeric columns hold their values (NaN = missing); a categorical column holds the
// index of its value among the schema's `levels` (NaN = missing, −1 = a value outside the levels,
// which only data arriving after training can have).
import { Matrix } from '../matrix.js';

export interface NumericInput {
  readonly name: string;
  readonly kind: 'numeric';
}
export interface CategoricalInput {
  readonly name: string;
  readonly kind: 'categorical';
  /** Every value the table holds, sorted as numpy sorts strings (by code point). */
  readonly levels: readonly string[];
}
export type InputColumn = NumericInput | CategoricalInput;

/** A value outside the schema's levels (an unseen category). */
export const UNSEEN = -1;

/** Strings in the order numpy's sort gives them: by Unicode code point. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n;) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** A column as it comes from the data layer. */
export type RawColumn =
  | { readonly name: string; readonly kind: 'numeric'; readonly values: ArrayLike<number> }
  | { readonly name: string; readonly kind: 'categorical'; readonly values: readonly (string | null)[] };

export interface Table {
  readonly X: Matrix;
  readonly schema: readonly InputColumn[];
}

/** Builds the table and its schema from columns; a categorical column's levels are the values it holds. */
export function tableFromColumns(columns: readonly RawColumn[]): Table {
  const rows = columns.length ? columns[0].values.length : 0;
  const cols = columns.length;
  const X = new Matrix(rows, cols);
  const schema: InputColumn[] = columns.map((c, j) => {
    if (c.values.length !== rows)
      throw new RangeError(`column ${c.name} has ${c.values.length} values, expected ${rows}`);
    if (c.kind === 'numeric') {
      for (let i = 0; i < rows; i++) {
        const v = c.values[i];
        X.data[i * cols + j] = v === null ? NaN : v;
      }
      return { name: c.name, kind: 'numeric' };
    }
    const levels = [...new Set(c.values.filter((v): v is string => v !== null))].sort(compareCodePoints);
    const index = new Map(levels.map((l, k) => [l, k]));
    for (let i = 0; i < rows; i++) {
      const v = c.values[i];
      X.data[i * cols + j] = v === null ? NaN : (index.get(v) ?? UNSEEN);
    }
    return { name: c.name, kind: 'categorical', levels };
  });
  return { X, schema };
}

/**
 * Rows of records (column name → value) coded against a fitted schema: numbers for numeric
 * columns, strings for categorical ones; null, undefined or '' mean missing; a category the schema
 * does not know is UNSEEN. Throws a RangeError naming the column for a value of the wrong kind.
 */
export function tableFromRecords(
  schema: readonly InputColumn[],
  records: readonly Readonly<Record<string, unknown>>[],
): Matrix {
  const cols = schema.length;
  const X = new Matrix(records.length, cols);
  const indexes = schema.map((c) => (c.kind === 'categorical' ? new Map(c.levels.map((l, k) => [l, k])) : null));
  records.forEach((r, i) => {
    schema.forEach((c, j) => {
      const v = r[c.name];
      let x: number;
      if (v === null || v === undefined || v === '') x = NaN;
      else if (c.kind === 'numeric') {
        if (typeof v !== 'number') throw new RangeError(`${c.name} must be a number, got ${typeof v}`);
        x = v;
      } else {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          throw new RangeError(`${c.name} must be a string, got ${typeof v}`);
        x = indexes[j]?.get(String(v)) ?? UNSEEN;
      }
      X.data[i * cols + j] = x;
    });
  });
  return X;
}
