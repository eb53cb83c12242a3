// Parity of the scaling solvers with scikit-learn 1.2 (fixtures: scripts/solver_fixtures.py, `pnpm fixtures`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/matrix.js';
import { classificationTarget, regressionTarget } from '../src/target.js';
import { KernelCache, rbf } from '../src/svm/kernel.js';
import { SVC } from '../src/svm/svc.js';
import { SVR } from '../src/svm/svr.js';
import { LogisticRegression } from '../src/linear/logistic-regression.js';
import { FIXTURES } from './support/fixtures.js';

function fixture<T>(name: string): T {
  const path = join(FIXTURES, 'solvers', `${name}.json`);
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` at the repository root`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface LogisticCase {
  name: string;
  C: number;
  X: number[][];
  y: number[];
  coef: number[];
  intercept: number;
  n_iter: number;
  pred: number[];
  proba: number[];
}

describe('binary logistic regression as one logit, with scikit-learn’s stopping rule', () => {
  const { cases } = fixture<{ cases: LogisticCase[] }>('logistic_binary');
  it.each(cases.map((c) => [c.name, c.C, c] as const))(
    '%s, C=%p: scikit-learn’s labels, probabilities and coefficients',
    (_n, _c, c) => {
      const model = new LogisticRegression({ C: c.C }).fit(Matrix.fromRows(c.X), classificationTarget(c.y.map(String)));
      const X = Matrix.fromRows(c.X);
      expect(Array.from(model.predict(X), (k) => Number(model.classes[k]))).toEqual(c.pred);
      // both stop at max |gradient| ≤ 1e-4 of the same summed objective, so they agree to about that
      // scale; where scikit-learn stops at max_iter (breast cancer, C=100: a nearly separable problem)
      // both are cut off after 100 steps of different line searches, and only the labels must agree
      const capped = c.n_iter >= 100;
      const proba = model.predictProba(X);
      c.proba.forEach((p, i) => expect(Math.abs(proba.get(i, 1) - p)).toBeLessThan(capped ? 1e-2 : 1e-4));
      if (capped) return;
      const scale = Math.max(1, ...c.coef.map(Math.abs));
      const ours = model.scores.W.subarray(X.cols);
      c.coef.forEach((w, j) => expect(Math.abs(ours[j] - w) / scale).toBeLessThan(1e-3));
      expect(Math.abs(model.scores.b[1] - c.intercept) / scale).toBeLessThan(1e-3);
    },
  );
});

interface SvmCase {
  name: string;
  task: 'classification' | 'regression';
  X: number[][];
  y: number[];
  support: number[];
  n_support: number[];
  dual_coef: number[][];
  dual_objective: number | null;
  decision: number[];
  pred: number[];
}

/** ½ cᵀKc − Σ|c| (SVC) or ½ cᵀKc + ε Σ|c| − yᵀc (SVR) over support vectors sv with coefficients c, kernel in float64. */
function dualObjective(sv: Matrix, c: ArrayLike<number>, gamma: number, linear: (i: number) => number): number {
  let quad = 0,
    lin = 0;
  for (let i = 0; i < sv.rows; i++) {
    for (let j = 0; j < sv.rows; j++) quad += c[i] * c[j] * rbf(sv.data, i, sv.data, j, sv.cols, gamma);
    lin += linear(i);
  }
  return 0.5 * quad + lin;
}

describe('kernel SVMs over a bounded kernel cache', () => {
  const { cases } = fixture<{ cases: SvmCase[] }>('svm');
  // 0.02 MB holds 10–13 kernel rows of these 360–500-row problems: far smaller than n × n
  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: scikit-learn’s support vectors, dual objective (1e-6) and predictions with a 0.02 MB cache',
    (_n, c) => {
      const X = Matrix.fromRows(c.X);
      expect(KernelCache.bytes(X.rows, 0.02)).toBeLessThan((X.rows * X.rows * 4) / 20);
      const sv = X.takeRows(c.support);
      if (c.task === 'classification') {
        const model = new SVC({ probability: false, cache_size: 0.02 }).fit(X, classificationTarget(c.y.map(String)));
        expect(Array.from(model.supportVectors.data)).toEqual(Array.from(sv.data));
        expect(Array.from(model.nSupport)).toEqual(c.n_support);
        expect(Array.from(model.predict(X), (k) => Number(model.classes[k]))).toEqual(c.pred);
        if (c.dual_objective !== null) {
          const coef = model.coef.subarray(0, sv.rows);
          const ours = dualObjective(model.supportVectors, coef, model.gamma, (i) => -Math.abs(coef[i]));
          expect(Math.abs(ours - c.dual_objective) / Math.abs(c.dual_objective)).toBeLessThan(1e-6);
          // scikit-learn flips the sign of a binary SVC's decision (positive for the second class)
          const dec = model.pairDecisions(X);
          c.decision.forEach((d, i) => expect(Math.abs(-dec.get(i, 0) - d)).toBeLessThan(1e-3));
        }
      } else {
        const model = new SVR({ cache_size: 0.02 }).fit(X, regressionTarget(c.y));
        // SVR solves to tol/10 where libsvm stops at tol: the support sets may differ only by rows
        // whose coefficient is near 0 on the side that keeps them (here 2 of 107, scikit-learn
        // coefficients −0.0013 and −0.023; the dense-matrix solver this cache replaced dropped the same two)
        const key = (m: Matrix, i: number) => Array.from(m.row(i)).join(',');
        const ourCoef = new Map(
          Array.from({ length: model.supportVectors.rows }, (_, i) => [key(model.supportVectors, i), model.coef[i]]),
        );
        const skCoef = new Map(c.support.map((r, i) => [key(X, r), c.dual_coef[0][i]]));
        for (const [k, v] of ourCoef) if (!skCoef.has(k)) expect(Math.abs(v)).toBeLessThan(5e-2);
        for (const [k, v] of skCoef) if (!ourCoef.has(k)) expect(Math.abs(v)).toBeLessThan(5e-2);
        expect(Math.abs(ourCoef.size - skCoef.size)).toBeLessThanOrEqual(0.05 * skCoef.size);
        const yOf = new Map(c.X.map((row, r) => [row.join(','), c.y[r]]));
        const y = Array.from(
          { length: model.supportVectors.rows },
          (_, i) => yOf.get(key(model.supportVectors, i)) ?? NaN,
        );
        const eps = 0.1;
        const ours = dualObjective(
          model.supportVectors,
          model.coef,
          model.gamma,
          (i) => eps * Math.abs(model.coef[i]) - y[i] * model.coef[i],
        );
        // never worse than scikit-learn's optimum by 1e-6 (relative); lower by 2.9e-6 here, since
        // libsvm stops at tol and this solve at tol/10
        const sk = c.dual_objective ?? NaN;
        expect((ours - sk) / Math.abs(sk)).toBeLessThan(1e-6);
        expect(Math.abs(ours - sk) / Math.abs(sk)).toBeLessThan(1e-5);
        const pred = model.predict(X);
        // libsvm stops at tol 1e-3: values agree to about that, as in parity.test.ts
        c.pred.forEach((p, i) => expect(Math.abs(pred[i] - p)).toBeLessThan(2e-3 * Math.max(1, Math.abs(p))));
      }
    },
  );

  it('the cache never holds more than cache_size (or two rows) and recomputes evicted rows identically', () => {
    const X = Matrix.fromRows(cases[0].X);
    const cache = new KernelCache(X, null, 0.5, 0.01); // 0.01 MB: 5 rows of 500
    const first = Array.from(cache.row(3));
    for (let i = 10; i < 30; i++) cache.row(i);
    expect(cache.computed).toBe(21);
    expect(Array.from(cache.row(3))).toEqual(first); // evicted, computed again
    expect(cache.computed).toBe(22);
    expect(first[3]).toBe(1);
  });
});
