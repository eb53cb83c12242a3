// Histogram gradient boosting against scikit-learn 1.2's HistGradientBoosting* (fixtures written by
// scripts/hgb_fixtures.py, `pnpm fixtures`): the same bin thresholds (each within one bin edge of
// scikit-learn's), a test score within 0.005 and the same early-stopping iteration count within 10 %.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/matrix.js';
import { classificationTarget, regressionTarget } from '../src/target.js';
import { accuracy } from '../src/metrics/classification.js';
import { r2Score } from '../src/metrics/regression.js';
import {
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
} from '../src/ensemble/hist-gradient-boosting.js';
import { binThresholds } from '../src/ensemble/hist-binning.js';
import { treeShap, treeShapByPaths } from '../src/explain/tree-shap.js';
import { FIXTURES } from './support/fixtures.js';

interface HgbFixture {
  readonly case: string;
  readonly task: 'classification' | 'regression';
  readonly params: Record<string, number | number[]>;
  readonly X: (number | null)[][];
  readonly y: (string | number)[];
  readonly train_idx: number[];
  readonly test_idx: number[];
  readonly bin_thresholds: number[][];
  readonly n_iter: number;
  readonly do_early_stopping: boolean;
  readonly test_score: number;
  readonly classes?: string[];
  /** Categorical cases: rows with unseen, negative and missing categories, and scikit-learn's raw scores for them. */
  readonly probe_X?: (number | null)[][];
  readonly probe_raw?: number[][];
}

// make_fixtures.py's SEED, the fixtures' random_state: our early-stopping split reproduces scikit-learn's from it
const SEED = 214;
const CASES = [
  'iris',
  'wine',
  'boston',
  'auto-mpg',
  'penguins-missing',
  'auto-mpg-missing',
  'early-classification',
  'early-regression',
  'penguins-categorical',
  'categorical-classification',
  'categorical-regression',
];

function fixture(name: string): HgbFixture {
  const path = join(FIXTURES, 'hgb', name, 'hist_gradient_boosting.json');
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` at the repository root`);
  return JSON.parse(readFileSync(path, 'utf8')) as HgbFixture;
}

function rows(fx: HgbFixture, idx: number[]): Matrix {
  return Matrix.fromRows(idx.map((i) => fx.X[i].map((v) => (v === null ? NaN : v))));
}

function fitCase(fx: HgbFixture) {
  const Xtr = rows(fx, fx.train_idx);
  const Xte = rows(fx, fx.test_idx);
  if (fx.task === 'classification') {
    const all = classificationTarget(fx.y.map(String));
    const ytr = classificationTarget(fx.train_idx.map((i) => String(fx.y[i])));
    const model = new HistGradientBoostingClassifier(fx.params).fit(Xtr, ytr, { seed: SEED });
    const pred = model.predict(Xte);
    const truth = Int32Array.from(fx.test_idx, (i) => ytr.classes.indexOf(String(fx.y[i])));
    expect(all.classes).toEqual(ytr.classes);
    return { model, score: accuracy(truth, pred), Xte };
  }
  const ytr = regressionTarget(fx.train_idx.map((i) => Number(fx.y[i])));
  const model = new HistGradientBoostingRegressor(fx.params).fit(Xtr, ytr, { seed: SEED });
  const truth = Float64Array.from(fx.test_idx, (i) => Number(fx.y[i]));
  return { model, score: r2Score(truth, model.predict(Xte)), Xte };
}

/** How far (in bin edges of scikit-learn's list) each of our thresholds is from scikit-learn's. */
function edgesApart(ours: Float64Array, theirs: number[]): number {
  let worst = Math.abs(ours.length - theirs.length);
  const rank = (v: number): number => {
    let r = 0;
    while (r < theirs.length && theirs[r] < v - 1e-9 * Math.max(1, Math.abs(v))) r++;
    return r;
  };
  for (let b = 0; b < Math.min(ours.length, theirs.length); b++) {
    const same = Math.abs(ours[b] - theirs[b]) <= 1e-9 * Math.max(1, Math.abs(theirs[b]));
    if (!same) worst = Math.max(worst, Math.abs(rank(ours[b]) - b), 1);
  }
  return worst;
}

describe.each(CASES)('histogram gradient boosting on %s matches scikit-learn 1.2', (name) => {
  const fx = fixture(name);
  const fitted = fitCase(fx);

  test("bins every feature at scikit-learn's thresholds, within one bin edge", () => {
    const th = fitted.model.binThresholds;
    expect(th).toHaveLength(fx.bin_thresholds.length);
    // early stopping draws scikit-learn's validation rows, so the bins see the same training rows
    th.forEach((t, f) => expect(edgesApart(t, fx.bin_thresholds[f])).toBeLessThanOrEqual(1));
  });

  test('scores the test rows within 0.005 of scikit-learn', () => {
    expect(Math.abs(fitted.score - fx.test_score)).toBeLessThanOrEqual(0.005);
  });

  test('runs as many iterations as scikit-learn, within 10 %', () => {
    expect(fitted.model.nIter).toBeGreaterThanOrEqual(Math.floor(fx.n_iter * 0.9));
    expect(fitted.model.nIter).toBeLessThanOrEqual(Math.ceil(fx.n_iter * 1.1));
    expect(fitted.model.validationScores.length > 0).toBe(fx.do_early_stopping);
  });

  test('TreeSHAP contributions add up to the raw score, missing values included', () => {
    const X = fitted.Xte.takeRows(Array.from({ length: Math.min(25, fitted.Xte.rows) }, (_, i) => i));
    const shap = treeShap(fitted.model, X);
    const raw = 'decisionFunction' in fitted.model ? fitted.model.decisionFunction(X).data : fitted.model.predict(X);
    const K = shap.outputs;
    for (let i = 0; i < X.rows; i++) {
      for (let k = 0; k < K; k++) {
        let s = shap.base[k];
        for (let f = 0; f < X.cols; f++) s += shap.values[(i * K + k) * X.cols + f];
        expect(s).toBeCloseTo(raw[i * K + k], 6);
      }
    }
  });
});

describe.each(CASES.filter((c) => c.includes('categorical')))(
  'native categorical splits on %s follow scikit-learn 1.2',
  (name) => {
    const fx = fixture(name);
    const fitted = fitCase(fx);

    test('some trees split on a set of categories', () => {
      expect(fitted.model.trees.some((t) => t.categorical !== null && t.categorical.some((c) => c === 1))).toBe(true);
    });

    test("unseen, negative and missing categories get scikit-learn's raw scores", () => {
      const probe = Matrix.fromRows((fx.probe_X ?? []).map((r) => r.map((v) => (v === null ? NaN : v))));
      const want = (fx.probe_raw ?? []).flat();
      expect(want.length).toBeGreaterThan(0);
      const raw =
        'decisionFunction' in fitted.model ? fitted.model.decisionFunction(probe).data : fitted.model.predict(probe);
      want.forEach((w, i) => expect(raw[i]).toBeCloseTo(w, 4));
    });

    test("TreeSHAP's path recursion follows categorical splits as the linear walk does", () => {
      const X = fitted.Xte.takeRows(Array.from({ length: Math.min(10, fitted.Xte.rows) }, (_, i) => i));
      const a = treeShap(fitted.model, X).values,
        b = treeShapByPaths(fitted.model, X).values;
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 8));
    });
  },
);

describe('histogram binning', () => {
  test('few distinct values give the midpoints between them; missing values are ignored', () => {
    expect(Array.from(binThresholds(Float64Array.of(3, 1, NaN, 2, 2, 1), 255))).toEqual([1.5, 2.5]);
  });

  test('a missing value in a feature that had none in training follows the larger child', () => {
    const X = Matrix.fromRows(Array.from({ length: 200 }, (_, i) => [i < 150 ? 0 : 1]));
    const y = regressionTarget(Array.from({ length: 200 }, (_, i) => (i < 150 ? 0 : 10)));
    const model = new HistGradientBoostingRegressor({ max_iter: 5 }).fit(X, y);
    const [atZero, missing] = model.predict(Matrix.fromRows([[0], [NaN]]));
    expect(missing).toBe(atZero);
  });
});
