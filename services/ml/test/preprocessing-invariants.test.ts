// The preprocessing estimators pass the checks scikit-learn's check_estimator applies: fit leaves
// its input as it was, with() returns a changed clone and leaves the original alone, a transform
// with the wrong number of columns throws, bad hyperparameters throw when the estimator is made,
// and inputs scikit-learn refuses (no rows, infinity) are refused with a message.
import { Matrix } from '../src/matrix.js';
import { SimpleImputer } from '../src/preprocessing/simple-imputer.js';
import { OneHotEncoder, OrdinalEncoder, StringImputer } from '../src/preprocessing/categorical.js';
import { ColumnTransformer } from '../src/preprocessing/column-transformer.js';
import { Pipeline } from '../src/pipeline.js';
import { LogisticRegression } from '../src/linear/logistic-regression.js';
import { readMixed } from './support/mixed-csv.js';

const ds = readMixed('penguins');
const numeric = ds.X.columnsAt(Int32Array.from(ds.schema.flatMap((c, j) => (c.kind === 'numeric' ? [j] : []))));
const text = ds.columns.flatMap((c) => (c.kind === 'categorical' ? [c.values] : []));
const filled = text.map((c) => c.map((v) => v ?? 'missing_value'));
const withExtraColumn = (X: Matrix) =>
  new Matrix(
    X.rows,
    X.cols + 1,
    Float64Array.from({ length: X.rows * (X.cols + 1) }, (_, k) => X.data[k - Math.floor(k / (X.cols + 1))] ?? 0),
  );

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('SimpleImputer', () => {
  it('does not change the matrix it is fitted on or transforms', () => {
    const before = Float64Array.from(numeric.data);
    new SimpleImputer({ strategy: 'median', addIndicator: true }).fit(numeric).transform(numeric);
    expect(sameBits(numeric.data, before)).toBe(true);
  });

  it('with() returns a changed, frozen clone and leaves the original as it was', () => {
    const a = new SimpleImputer();
    const b = a.with({ strategy: 'most_frequent', addIndicator: true });
    expect(b).not.toBe(a);
    expect(b).toBeInstanceOf(SimpleImputer);
    expect(a.params).toEqual({ strategy: 'mean', fillValue: 0, addIndicator: false });
    expect(b.params).toEqual({ strategy: 'most_frequent', fillValue: 0, addIndicator: true });
    expect(Object.isFrozen(b.params)).toBe(true);
  });

  it('throws when transforming a matrix with another number of columns than it was fitted on', () => {
    const m = new SimpleImputer().fit(numeric);
    expect(() => m.transform(numeric.columnsAt([0, 1]))).toThrow(/fitted on 5 features, got 2/);
    expect(() => m.transform(withExtraColumn(numeric))).toThrow(/fitted on 5 features, got 6/);
  });

  it('refuses an unknown strategy, a non-finite fill value, no rows and infinite values', () => {
    expect(() => new SimpleImputer({ strategy: 'mode' as never })).toThrow(/strategy must be one of/);
    expect(() => new SimpleImputer().with({ fillValue: NaN })).toThrow(/fillValue/);
    expect(() => new SimpleImputer().fit(new Matrix(0, 3))).toThrow(/at least one row/);
    const inf = Matrix.fromRows([
      [1, 2],
      [Infinity, 3],
    ]);
    expect(() => new SimpleImputer().fit(inf)).toThrow(/column 0 holds an infinite value \(row 1\)/);
    expect(() => new SimpleImputer().fit(Matrix.fromRows([[1, 2]])).transform(inf)).toThrow(/infinite/);
  });
});

describe('StringImputer', () => {
  it('does not change the columns it is fitted on or transforms', () => {
    const before = JSON.stringify(text);
    new StringImputer({ strategy: 'most_frequent' }).fit(text).transform(text);
    expect(JSON.stringify(text)).toBe(before);
  });

  it('with() returns a changed clone and leaves the original as it was', () => {
    const a = new StringImputer();
    const b = a.with({ strategy: 'constant', fillValue: 'n/a' });
    expect(b).toBeInstanceOf(StringImputer);
    expect(a.params).toEqual({ strategy: 'most_frequent', fillValue: 'missing_value' });
    expect(b.params).toEqual({ strategy: 'constant', fillValue: 'n/a' });
  });

  it('throws on a column count mismatch, an unknown strategy and no rows', () => {
    expect(() => new StringImputer().fit(text).transform(text.slice(1))).toThrow(/fitted on 2 columns, got 1/);
    expect(() => new StringImputer({ strategy: 'mean' as never })).toThrow(/strategy must be one of/);
    expect(() => new StringImputer().fit([[]])).toThrow(/at least one column and one row/);
    expect(() => new StringImputer().fit([['a', 'b'], ['c']])).toThrow(/column 1 has 1 values/);
  });
});

describe('OneHotEncoder', () => {
  it('does not change the columns it is fitted on or transforms', () => {
    const before = JSON.stringify(filled);
    new OneHotEncoder({ minFrequency: 0.2 }).fit(filled).transform(filled);
    expect(JSON.stringify(filled)).toBe(before);
  });

  it('with() returns a changed clone and leaves the original as it was', () => {
    const a = new OneHotEncoder();
    const b = a.with({ minFrequency: 5, maxCategories: 3 });
    expect(b).toBeInstanceOf(OneHotEncoder);
    expect(a.params).toEqual({ handleUnknown: 'infrequent_if_exist', minFrequency: null, maxCategories: null });
    expect(b.params).toEqual({ handleUnknown: 'infrequent_if_exist', minFrequency: 5, maxCategories: 3 });
  });

  it('throws on a column count mismatch and no rows', () => {
    expect(() => new OneHotEncoder().fit(filled).transform(filled.slice(1))).toThrow(/fitted on 2 columns, got 1/);
    expect(() => new OneHotEncoder().fit([])).toThrow(/at least one column and one row/);
  });

  it.each([0, -1, 1.5, 1, NaN])('refuses minFrequency %s unless it is a count ≥ 1 or a fraction in (0, 1)', (m) => {
    if (m === 1) expect(() => new OneHotEncoder({ minFrequency: m })).not.toThrow();
    else expect(() => new OneHotEncoder({ minFrequency: m })).toThrow(/minFrequency/);
  });

  it('refuses maxCategories below 1 or not an integer, and an unknown handleUnknown', () => {
    expect(() => new OneHotEncoder({ maxCategories: 0 })).toThrow(/maxCategories/);
    expect(() => new OneHotEncoder({ maxCategories: 2.5 })).toThrow(/maxCategories/);
    expect(() => new OneHotEncoder({ handleUnknown: 'error' as never })).toThrow(/handleUnknown/);
  });
});

describe('OrdinalEncoder', () => {
  it('does not change the columns it is fitted on or transforms', () => {
    const before = JSON.stringify(filled);
    new OrdinalEncoder().fit(filled).transform(filled);
    expect(JSON.stringify(filled)).toBe(before);
  });

  it('with() returns a changed clone, and the unknown value is what unseen categories get', () => {
    const a = new OrdinalEncoder();
    const b = a.with({ unknownValue: -7 });
    expect(a.params.unknownValue).toBe(-1);
    expect(b.fit([['a', 'b']]).transform([['b', 'zz']]).data).toEqual(Float64Array.from([1, -7]));
  });

  it('throws on a column count mismatch, a non-integer unknown value and one that codes a seen category', () => {
    expect(() => new OrdinalEncoder().fit(filled).transform(filled.slice(1))).toThrow(/fitted on 2 columns, got 1/);
    expect(() => new OrdinalEncoder({ unknownValue: 0.5 })).toThrow(/integer or NaN/);
    expect(() => new OrdinalEncoder({ unknownValue: 1 }).fit([['a', 'b', 'c']])).toThrow(/already used/);
    expect(() => new OrdinalEncoder({ unknownValue: NaN }).fit([['a', 'b']])).not.toThrow();
  });
});

describe('ColumnTransformer', () => {
  it('does not change the table it is fitted on or transforms, nor does a pipeline with it', () => {
    const before = Float64Array.from(ds.X.data);
    const ct = new ColumnTransformer(ds.schema, { addIndicator: true, minFrequency: 0.1 });
    ct.fit(ds.X).transform(ds.X);
    new Pipeline(new LogisticRegression(), ct).fit(ds.X, ds.y);
    expect(sameBits(ds.X.data, before)).toBe(true);
  });

  it('with() returns a changed clone on the same schema and leaves the original as it was', () => {
    const a = new ColumnTransformer(ds.schema);
    const b = a.with({ numericStrategy: 'median', encoding: 'ordinal' });
    expect(b).not.toBe(a);
    expect(b.schema).toBe(a.schema);
    expect(a.params.numericStrategy).toBe('mean');
    expect(b.params).toEqual({ ...a.params, numericStrategy: 'median', encoding: 'ordinal' });
    expect(Object.isFrozen(b.params)).toBe(true);
  });

  it('throws when fitted or applied to a table with another number of columns than its schema', () => {
    const ct = new ColumnTransformer(ds.schema);
    expect(() => ct.fit(withExtraColumn(ds.X))).toThrow(/schema has 7 columns, X has 8/);
    expect(() => ct.fit(ds.X).transform(withExtraColumn(ds.X))).toThrow(/fitted on 7 columns, got 8/);
  });

  it('refuses a bad strategy, minFrequency, maxCategories, encoding or an empty fill text', () => {
    expect(() => new ColumnTransformer(ds.schema, { numericStrategy: 'mode' as never })).toThrow(/numericStrategy/);
    expect(() => new ColumnTransformer(ds.schema, { categoricalStrategy: 'mean' as never })).toThrow(
      /categoricalStrategy/,
    );
    expect(() => new ColumnTransformer(ds.schema, { minFrequency: 0 })).toThrow(/minFrequency/);
    expect(() => new ColumnTransformer(ds.schema).with({ minFrequency: 2.5 })).toThrow(/minFrequency/);
    expect(() => new ColumnTransformer(ds.schema, { maxCategories: 0 })).toThrow(/maxCategories/);
    expect(() => new ColumnTransformer(ds.schema, { encoding: 'target' as never })).toThrow(/encoding/);
    expect(() => new ColumnTransformer(ds.schema, { categoricalFill: '' })).toThrow(/categoricalFill/);
    expect(() => new ColumnTransformer(ds.schema).fit(new Matrix(0, 7))).toThrow(/zero rows/);
  });
});
