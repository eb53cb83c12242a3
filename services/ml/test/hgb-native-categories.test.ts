// Histogram boosting behind a mixed table's preprocessing splits its text columns natively: the
// pipeline ordinal-codes them for it (one-hot for every other model) and marks them as categorical
// features. Parity with scikit-learn 1.2's Pipeline(ColumnTransformer(… OrdinalEncoder),
// HistGradientBoostingClassifier(categorical_features=…)) from scripts/hgb_fixtures.py; the same
// columns in a grid search's folds and in its refit.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/matrix.js';
import { Pipeline } from '../src/pipeline.js';
import { classificationTarget, takeTarget } from '../src/target.js';
import { accuracy } from '../src/metrics/classification.js';
import { HistGradientBoostingClassifier } from '../src/ensemble/hist-gradient-boosting.js';
import type { HistGradientBoostingClassifierModel } from '../src/ensemble/hist-gradient-boosting.js';
import { RandomForestClassifier } from '../src/ensemble/random-forest.js';
import { ColumnTransformer } from '../src/preprocessing/column-transformer.js';
import { tableFromColumns, type RawColumn } from '../src/preprocessing/table.js';
import { gridSearchToOnnx } from '../src/model-selection/grid-search.js';
import { score } from '../src/model-selection/cv-tasks.js';
import { treeShap } from '../src/explain/tree-shap.js';
import { FIXTURES } from './support/fixtures.js';
import { readMixed } from './support/mixed-csv.js';

jest.setTimeout(120_000);

interface PipelineFixture {
  readonly columns: { name: string; kind: 'numeric' | 'categorical'; values: (string | number | null)[] }[];
  readonly y: string[];
  readonly train_idx: number[];
  readonly test_idx: number[];
  readonly classes: string[];
  readonly n_iter: number;
  readonly do_early_stopping: boolean;
  readonly test_score: number;
  readonly test_raw: number[][];
}

// make_fixtures.py's SEED (random_state): our early-stopping split reproduces scikit-learn's from it
const SEED = 214;

function fixture(name: string): PipelineFixture {
  const path = join(FIXTURES, 'hgb', name, 'hist_gradient_boosting.json');
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` at the repository root`);
  return JSON.parse(readFileSync(path, 'utf8')) as PipelineFixture;
}

const hasCategoricalSplit = (m: HistGradientBoostingClassifierModel): boolean =>
  m.trees.some((t) => t.categorical !== null && t.categorical.some((c) => c === 1));

describe.each(['pipeline-penguins', 'pipeline-synthetic'])(
  '%s: ColumnTransformer + HistGradientBoostingClassifier matches scikit-learn 1.2 with categorical_features',
  (name) => {
    const fx = fixture(name);
    const columns: RawColumn[] = fx.columns.map((c) =>
      c.kind === 'numeric'
        ? { name: c.name, kind: 'numeric', values: Float64Array.from(c.values, (v) => (v === null ? NaN : Number(v))) }
        : { name: c.name, kind: 'categorical', values: c.values.map((v) => (v === null ? null : String(v))) },
    );
    const { X, schema } = tableFromColumns(columns);
    const y = classificationTarget(fx.y);
    const Xtr = X.takeRows(fx.train_idx),
      Xte = X.takeRows(fx.test_idx);
    const ytr = takeTarget(y, Int32Array.from(fx.train_idx));
    const yte = takeTarget(y, Int32Array.from(fx.test_idx));
    const pipe = new Pipeline(new HistGradientBoostingClassifier(), new ColumnTransformer(schema));
    const model = pipe.fit(Xtr, ytr, { seed: SEED });
    const hgb = model.model;

    test('the text columns reach the model ordinal-coded and are split as categories', () => {
      expect(model.columns?.params.encoding).toBe('ordinal');
      expect(hasCategoricalSplit(hgb)).toBe(true);
    });

    test('scores the test rows (unseen categories among them) within 0.005 of scikit-learn', () => {
      expect(ytr.kind === 'classification' && ytr.classes).toEqual(fx.classes);
      const s = yte.kind === 'classification' ? accuracy(yte.codes, model.predict(Xte)) : NaN;
      expect(Math.abs(s - fx.test_score)).toBeLessThanOrEqual(0.005);
    });

    test('runs as many iterations as scikit-learn, within 10 %', () => {
      expect(hgb.nIter).toBeGreaterThanOrEqual(Math.floor(fx.n_iter * 0.9));
      expect(hgb.nIter).toBeLessThanOrEqual(Math.ceil(fx.n_iter * 1.1));
      expect(hgb.validationScores.length > 0).toBe(fx.do_early_stopping);
    });

    test('TreeSHAP on the preprocessed rows adds up to the raw score', () => {
      const Xs = model.transform(Xte.takeRows(Array.from({ length: 20 }, (_, i) => i)));
      const shap = treeShap(hgb, Xs);
      const raw = hgb.decisionFunction(Xs).data;
      const K = shap.outputs;
      for (let i = 0; i < Xs.rows; i++)
        for (let k = 0; k < K; k++) {
          let s = shap.base[k];
          for (let f = 0; f < Xs.cols; f++) s += shap.values[(i * K + k) * Xs.cols + f];
          expect(s).toBeCloseTo(raw[i * K + k], 6);
        }
    });
  },
);

describe('which models get native categories', () => {
  const ds = readMixed('penguins');

  test('other models, and histogram boosting with categorical_features null, keep one-hot columns', () => {
    const forest = new Pipeline(new RandomForestClassifier({ n_estimators: 5 }), new ColumnTransformer(ds.schema));
    expect(forest.pre instanceof ColumnTransformer && forest.pre.params.encoding).toBe('onehot');
    const plain = new Pipeline(
      new HistGradientBoostingClassifier({ categorical_features: null, max_iter: 10 }),
      new ColumnTransformer(ds.schema),
    ).fit(ds.X, ds.y, { seed: 1 });
    expect(plain.columns?.params.encoding).toBe('onehot');
    expect(hasCategoricalSplit(plain.model)).toBe(false);
  });

  test('a grid search fits its folds and its refit on the same native categories as a pipeline', async () => {
    const columns = new ColumnTransformer(ds.schema);
    const out = await gridSearchToOnnx(ds.X, ds.y, {
      estimator: 'hist_gradient_boosting_classifier',
      grid: { max_iter: [15] },
      columns,
      cv: 3,
      workers: 0,
      seed: 5,
      predict: ds.X.takeRows([0, 1, 2]),
    });
    expect(out.preprocessing && 'params' in out.preprocessing && out.preprocessing.params.encoding).toBe('ordinal');
    const { train, test } = out.folds[0];
    const fold = new Pipeline(new HistGradientBoostingClassifier({ max_iter: 15 }), columns).fit(
      ds.X.takeRows(train),
      takeTarget(ds.y, train),
      { seed: 5 },
    );
    expect(hasCategoricalSplit(fold.model)).toBe(true);
    expect(out.candidates[0].splitScores[0]).toBe(score(fold, ds.X.takeRows(test), takeTarget(ds.y, test)));
  });

  test('a text column with more categories than max_bins is split as an ordered code, as scikit-learn cannot take it', () => {
    const est = new HistGradientBoostingClassifier({ max_bins: 10 });
    expect(
      est.nativeCategories([
        { index: 3, levels: 5 },
        { index: 4, levels: 11 },
      ])?.params.categorical_features,
    ).toEqual([3]);
    expect(est.with({ categorical_features: null }).nativeCategories([{ index: 3, levels: 5 }])).toBeNull();
  });

  test('a bare matrix has no text columns: from_dtype splits every column by thresholds', () => {
    const X = Matrix.fromRows(Array.from({ length: 60 }, (_, i) => [i % 3, i]));
    const y = classificationTarget(Array.from({ length: 60 }, (_, i) => (i % 3 === 1 ? 'a' : 'b')));
    const m = new HistGradientBoostingClassifier({ max_iter: 3, min_samples_leaf: 5 }).fit(X, y);
    expect(hasCategoricalSplit(m)).toBe(false);
    const c = new HistGradientBoostingClassifier({ max_iter: 3, min_samples_leaf: 5, categorical_features: [0] }).fit(
      X,
      y,
    );
    expect(hasCategoricalSplit(c)).toBe(true);
  });
});
