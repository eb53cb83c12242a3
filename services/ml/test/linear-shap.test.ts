import { Matrix } from '../src/matrix.js';
import { Pipeline } from '../src/pipeline.js';
import type { Estimator } from '../src/estimator.js';
import { LinearRegression } from '../src/linear/linear-regression.js';
import { Ridge } from '../src/linear/ridge.js';
import { Lasso } from '../src/linear/lasso.js';
import { LinearSVR } from '../src/linear/linear-svr.js';
import { LogisticRegression } from '../src/linear/logistic-regression.js';
import { LinearSVC } from '../src/linear/linear-svc.js';
import { LinearRegressorModel } from '../src/linear/linear-model.js';
import { LinearClassifierModel } from '../src/linear/linear-classifier.js';
import { backgroundMean, linearShap, type LinearModel } from '../src/explain/linear-shap.js';
import { contributionsOf, type Contributions } from '../src/explain/contributions.js';
import { loadDataset, type DatasetName } from './support/datasets.js';

/** The model's output in its decision units: predictions (regressors) or decision values (classifiers). */
function decision(model: LinearModel, X: Matrix): Matrix {
  return model instanceof LinearRegressorModel ? new Matrix(X.rows, 1, model.predict(X)) : model.decisionFunction(X);
}

function additivityError(c: Contributions, out: Matrix): number {
  let worst = 0;
  for (let i = 0; i < c.rows; i++) {
    for (let k = 0; k < c.outputs; k++) {
      let s = c.base[k];
      for (const v of contributionsOf(c, i, k)) s += v;
      worst = Math.max(worst, Math.abs(s - out.data[i * out.cols + k]));
    }
  }
  return worst;
}

/** The model fitted after the seed StandardScaler, and the scaled training rows it sees. */
function fitted(name: DatasetName, est: Estimator<object, LinearModel>): { model: LinearModel; Xs: Matrix } {
  const { X, y } = loadDataset(name);
  const p = new Pipeline(est, true).fit(X, y, { seed: 0 });
  return { model: p.model, Xs: p.transform(X) };
}

const CASES: [string, DatasetName, () => Estimator<object, LinearModel>][] = [
  ['linear regression', 'boston', () => new LinearRegression()],
  ['ridge', 'boston', () => new Ridge()],
  ['lasso', 'auto-mpg', () => new Lasso({ alpha: 0.1 })],
  ['linear SVR', 'auto-mpg', () => new LinearSVR()],
  ['logistic regression (3 classes, logits)', 'iris', () => new LogisticRegression()],
  ['linear SVC (3 classes, decision values)', 'wine', () => new LinearSVC()],
];

describe('linear SHAP', () => {
  it.each(CASES)('sums to the output on every row: base + contributions = decision (%s)', (_name, data, make) => {
    const { model, Xs } = fitted(data, make());
    const c = linearShap(model, Xs, backgroundMean(Xs));
    expect(c.outputs).toBe(model instanceof LinearClassifierModel ? model.classes.length : 1);
    expect(additivityError(c, decision(model, Xs))).toBeLessThan(1e-9);
  });

  it('gives the base value as the mean output over the background rows', () => {
    const { model, Xs } = fitted('iris', new LogisticRegression());
    const c = linearShap(model, Xs, backgroundMean(Xs));
    const d = decision(model, Xs);
    for (let k = 0; k < c.outputs; k++) expect(c.base[k]).toBeCloseTo(backgroundMean(d.columnsAt([k]))[0], 12);
  });

  it('equals brute-force interventional Shapley values (mean background) within 1e-12', () => {
    const { model, Xs } = fitted('iris', new LogisticRegression());
    const mean = backgroundMean(Xs);
    const rows = Xs.takeRows([0, 60, 120, 149]);
    const c = linearShap(model, rows, mean);
    const M = Xs.cols;
    const fact = [1, 1, 2, 6, 24, 120];
    const z = new Matrix(1, M);
    for (let i = 0; i < rows.rows; i++) {
      // v(S) = f(x_S, μ_S̄): the linear model at the row's values on S and the means elsewhere
      const v = (S: number): Matrix => {
        for (let j = 0; j < M; j++) z.data[j] = (S >> j) & 1 ? rows.get(i, j) : mean[j];
        return decision(model, z);
      };
      for (let j = 0; j < M; j++) {
        const phi = new Float64Array(c.outputs);
        for (let S = 0; S < 1 << M; S++) {
          if ((S >> j) & 1) continue;
          let size = 0;
          for (let b = 0; b < M; b++) size += (S >> b) & 1;
          const w = (fact[size] * fact[M - size - 1]) / fact[M];
          const a = v(S | (1 << j)).data.slice();
          const o = v(S).data;
          for (let k = 0; k < c.outputs; k++) phi[k] += w * (a[k] - o[k]);
        }
        for (let k = 0; k < c.outputs; k++) expect(Math.abs(phi[k] - contributionsOf(c, i, k)[j])).toBeLessThan(1e-12);
      }
    }
  });

  it('refuses a background of the wrong width, naming both widths', () => {
    const { model, Xs } = fitted('boston', new Ridge());
    expect(() => linearShap(model, Xs, new Float64Array(3))).toThrow('background mean has 3 columns, the model 13');
  });
});
