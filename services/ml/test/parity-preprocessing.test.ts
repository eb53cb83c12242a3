// Each preprocessing step's output against scikit-learn 1.2 on penguins and Auto MPG (text origin,
// missing horsepower kept): fitted on the 80 % split's train rows (or a subset that lacks one
// category), applied to the test rows plus rows with missing and never-seen values.
// Fixtures: services/ml/scripts/mixed_fixtures.py (`pnpm fixtures`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/matrix.js';
import { trainTestSplit } from '../src/model-selection/train-test-split.js';
import { SimpleImputer, type NumericStrategy } from '../src/preprocessing/simple-imputer.js';
import {
  OneHotEncoder,
  OrdinalEncoder,
  StringImputer,
  DEFAULT_FILL,
  type CategoricalStrategy,
} from '../src/preprocessing/categorical.js';
import { ColumnTransformer, type Encoding, type PreprocessParams } from '../src/preprocessing/column-transformer.js';
import { tableFromRecords } from '../src/preprocessing/table.js';
import { FIXTURES } from './support/fixtures.js';
import { MIXED, readMixed, type MixedName } from './support/mixed-csv.js';

type Num = number | null;
interface PreFixture {
  numeric: string[];
  categorical: string[];
  train_idx: number[];
  test_idx: number[];
  numeric_extra: {
    all_missing_column: number;
    test_only_column: number;
    test_only_source: string;
    test_only_rows: number[];
  };
  simple_imputer: {
    strategy: NumericStrategy;
    fill_value: number;
    add_indicator: boolean;
    statistics: Num[];
    output: Num[][];
  }[];
  string_imputer: {
    all_missing_column: number;
    cases: { strategy: CategoricalStrategy; statistics: (string | null)[]; output: string[][] }[];
  };
  subset: { column: string; without: string; rows: number[] };
  unseen_row: string[];
  encoders: {
    fit: 'train' | 'subset';
    ordinal?: boolean;
    params?: { min_frequency?: number; max_categories?: number };
    categories: string[][];
    infrequent?: (string[] | null)[];
    feature_names?: string[];
    output: number[][];
  }[];
  extra_rows: Record<string, string | number | null>[];
  column_transformer: {
    fit: 'train' | 'subset';
    params: {
      strategy: NumericStrategy;
      fill_value?: number;
      add_indicator?: boolean;
      cat_strategy?: CategoricalStrategy;
      encoding?: Encoding;
      min_frequency?: number;
      max_categories?: number;
    };
    feature_names: string[];
    output: Num[][];
  }[];
}

function fixture(name: MixedName): PreFixture {
  const path = join(FIXTURES, 'mixed', name, '_preprocessing.json');
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` at the repository root`);
  return JSON.parse(readFileSync(path, 'utf8')) as PreFixture;
}

let maxDiff = 0;
/** Same shape, NaN where scikit-learn has NaN (null in JSON), else within 1e-9. */
function expectMatrix(ours: Matrix, ref: Num[][]): void {
  expect([ours.rows, ours.cols]).toEqual([ref.length, ref[0]?.length ?? 0]);
  let worst = 0;
  ref.forEach((row, i) =>
    row.forEach((v, j) => {
      const o = ours.get(i, j);
      if (v === null) expect(o).toBeNaN();
      else worst = Math.max(worst, Math.abs(o - v));
    }),
  );
  maxDiff = Math.max(maxDiff, worst);
  expect(worst).toBeLessThanOrEqual(1e-9);
}

function stack(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return new Matrix(a.rows + b.rows, a.cols, data);
}

afterAll(() =>
  console.log(`preprocessing: largest |ours − scikit-learn| over all fixtures = ${maxDiff.toExponential(2)}`),
);

describe.each(MIXED.map((n) => [n]))('%s preprocessing matches scikit-learn 1.2', (name) => {
  const fx = fixture(name);
  const ds = readMixed(name);
  const col = (c: string) => {
    const found = ds.columns.find((k) => k.name === c);
    if (!found) throw new Error(`no column ${c}`);
    return found;
  };
  const numericValues = (c: string) => Array.from(col(c).values as ArrayLike<number>);
  const textValues = (c: string) => {
    const k = col(c);
    if (k.kind !== 'categorical') throw new Error(`${c} is not text`);
    return k.values;
  };
  const pick = <T>(v: readonly T[], idx: readonly number[]) => idx.map((i) => v[i]);

  it('reads the same columns as pandas (numeric and text) and splits the rows as train_test_split', () => {
    expect(ds.columns.filter((c) => c.kind === 'numeric').map((c) => c.name)).toEqual(fx.numeric);
    expect(ds.columns.filter((c) => c.kind === 'categorical').map((c) => c.name)).toEqual(fx.categorical);
    const sp = trainTestSplit(ds.X.rows, 0.8, 214);
    expect(Array.from(sp.train)).toEqual(fx.train_idx);
    expect(Array.from(sp.test)).toEqual(fx.test_idx);
  });

  // the numeric columns, an all-missing column and a copy of the first one missing only in some test rows
  const extra = fx.numeric_extra;
  const numericMatrix = () => {
    const cols = fx.numeric.map(numericValues);
    cols.push(cols[0].map(() => NaN));
    const testOnly = numericValues(extra.test_only_source);
    for (const i of extra.test_only_rows) testOnly[i] = NaN;
    cols.push(testOnly);
    return Matrix.fromRows(cols[0].map((_, i) => cols.map((c) => c[i])));
  };

  it.each(fx.simple_imputer.map((c) => [c.strategy, c.fill_value, c.add_indicator, c] as const))(
    'SimpleImputer(strategy=%s, fill_value=%s, add_indicator=%s): same statistics and output, all-missing column dropped unless constant',
    (strategy, fillValue, addIndicator, c) => {
      const N = numericMatrix();
      const model = new SimpleImputer({ strategy, fillValue, addIndicator }).fit(N.takeRows(fx.train_idx));
      Array.from(model.statistics).forEach((s, j) => {
        const ref = c.statistics[j];
        if (ref === null) expect(s).toBeNaN();
        else expect(Math.abs(s - ref)).toBeLessThanOrEqual(1e-9);
      });
      expectMatrix(model.transform(N.takeRows(fx.test_idx)), c.output);
      // the column missing only in test rows gets no indicator (features='missing-only')
      expect(Array.from(model.indicators)).not.toContain(extra.test_only_column);
    },
  );

  it.each(fx.string_imputer.cases.map((c) => [c.strategy, c] as const))(
    'SimpleImputer(strategy=%s) on text: same fill values and output, an all-missing column dropped under most_frequent',
    (strategy, c) => {
      const cols = [...fx.categorical.map(textValues), fx.train_idx.concat(fx.test_idx).map(() => null)];
      const model = new StringImputer({ strategy, fillValue: DEFAULT_FILL }).fit(
        cols.map((v) => pick(v, fx.train_idx)),
      );
      expect(model.fills).toEqual(c.statistics);
      expect(model.transform(cols.map((v) => pick(v, fx.test_idx)))).toEqual(c.output);
    },
  );

  const filled = () => fx.categorical.map((c) => textValues(c).map((v) => v ?? DEFAULT_FILL));
  const fitRows = (fit: 'train' | 'subset') => (fit === 'train' ? fx.train_idx : fx.subset.rows);
  const transformRows = () => filled().map((v, j) => [...pick(v, fx.test_idx), fx.unseen_row[j]]);

  it('the subset fit lacks one category, which the test rows hold', () => {
    const v = filled()[fx.categorical.indexOf(fx.subset.column)];
    expect(pick(v, fx.subset.rows)).not.toContain(fx.subset.without);
    expect(pick(v, fx.test_idx)).toContain(fx.subset.without);
  });

  it.each(fx.encoders.filter((e) => !e.ordinal).map((e) => [JSON.stringify(e.params), e.fit, e] as const))(
    'OneHotEncoder(handle_unknown=infrequent_if_exist, %s) fitted on %s rows: same categories, infrequent ones, names and output with unseen values',
    (_p, fit, e) => {
      const p = e.params ?? {};
      const model = new OneHotEncoder({
        minFrequency: p.min_frequency ?? null,
        maxCategories: p.max_categories ?? null,
      }).fit(filled().map((v) => pick(v, fitRows(fit))));
      expect(model.columns.map((c) => c.categories)).toEqual(e.categories);
      expect(model.columns.map((c) => (c.infrequent.length ? c.infrequent : null))).toEqual(e.infrequent);
      expect(model.columns.flatMap((c, j) => c.outputNames.map((n) => `${fx.categorical[j]}_${n}`))).toEqual(
        e.feature_names,
      );
      expectMatrix(model.transform(transformRows()), e.output);
    },
  );

  it.each(fx.encoders.filter((e) => e.ordinal).map((e) => [e.fit, e] as const))(
    'OrdinalEncoder(handle_unknown=use_encoded_value, unknown_value=-1) fitted on %s rows: same categories and codes, −1 for unseen',
    (fit, e) => {
      const model = new OrdinalEncoder().fit(filled().map((v) => pick(v, fitRows(fit))));
      expect(model.columns.map((c) => c.categories)).toEqual(e.categories);
      expectMatrix(model.transform(transformRows()), e.output);
    },
  );

  it.each(fx.column_transformer.map((c) => [JSON.stringify(c.params), c.fit, c] as const))(
    'ColumnTransformer(%s) fitted on %s rows: same output (missing and unseen rows included) and get_feature_names_out',
    (_p, fit, c) => {
      const p = c.params;
      const params: Partial<PreprocessParams> = {
        numericStrategy: p.strategy,
        numericFill: p.fill_value ?? 0,
        addIndicator: p.add_indicator ?? false,
        categoricalStrategy: p.cat_strategy ?? 'constant',
        categoricalFill: DEFAULT_FILL,
        encoding: p.encoding ?? 'onehot',
        minFrequency: p.min_frequency ?? null,
        maxCategories: p.max_categories ?? null,
      };
      const model = new ColumnTransformer(ds.schema, params).fit(ds.X.takeRows(fitRows(fit)));
      expect(model.sklearnNames).toEqual(c.feature_names);
      const rows = stack(ds.X.takeRows(fx.test_idx), tableFromRecords(ds.schema, fx.extra_rows));
      expectMatrix(model.transform(rows), c.output);
    },
  );

  it('names its outputs readably, one to one with scikit-learn’s names', () => {
    const model = new ColumnTransformer(ds.schema, { addIndicator: true }).fit(ds.X.takeRows(fx.train_idx));
    const readable = model.sklearnNames.map((n) =>
      n
        .replace(/^num__missingindicator_(.*)$/, 'missing($1)')
        .replace(/^num__/, '')
        .replace(new RegExp(`^cat__(${fx.categorical.join('|')})_`), '$1='),
    );
    expect(model.outputNames).toEqual(readable);
  });
});
