// Parity of the scaling solvers with scikit-learn 1.2 (fixtures: scripts/solver_fixtures.py, `pnpm fixtures`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../src/matrix.js';
import { classificationTarget } from '../src/target.js';
import { LogisticRegression } from '../src/linear/logistic-regression.js';
import { FIXTURES } from './support/fixtures.js';

function fixture<T>(name: string): T {
  const path = join(FIXTURES, 'solvers', `${name}.json`);
  if (!existsSync(path)) throw new Error(`missing fixture ${path}: run \`pnpm fixtures\` at the repository root`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface LogisticCase { name: string; C: number; X: number[][]; y: number[]; coef: number[]; intercept: number; n_iter: number; pred: number[]; proba: number[] }

describe('binary logistic regression as one logit, with scikit-learn’s stopping rule', () => {
  const { cases } = fixture<{ cases: LogisticCase[] }>('logistic_binary');
  it.each(cases.map((c) => [c.name, c.C, c] as const))('%s, C=%p: scikit-learn’s labels, probabilities and coefficients', (_n, _c, c) => {
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
  });
});
