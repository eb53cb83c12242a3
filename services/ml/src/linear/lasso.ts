// Lasso (scikit-learn's): minimise (1/2n)‖y − Xw‖² + α‖w‖₁ by cyclic coordinate descent with
// sklearn's stopping rule (largest coordinate change below tol·max|w|, then a duality gap below
// tol·‖y‖²) — Friedman, Hastie & Tibshirani 2010. fitPath walks alpha from large to small and
// warm-starts each solve from the previous solution (the pathwise strategy of that paper).
import type { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, Target } from '../estimator.js';
import { requireRegression } from '../target.js';
import { centre } from './dense.js';
import { fromCentred, type LinearRegressorModel } from './linear-model.js';
// Math's functions bound once: inside jest's vm context every global lookup in a hot loop is slow.
const { abs, max, sign } = Math;

export interface LassoParams {
  readonly alpha: number;
  readonly fit_intercept: boolean;
  readonly max_iter: number;
  readonly tol: number;
}

interface Problem {
  cols: Float64Array[];
  y: Float64Array;
  norms: Float64Array;
  n: number;
  p: number;
}

/** One coordinate-descent solve from `w` (updated in place), as sklearn's enet_coordinate_descent. */
function solve(pr: Problem, w: Float64Array, alpha: number, maxIter: number, tol: number): void {
  const { cols, y, norms, n, p } = pr;
  const l1 = alpha * n;
  const R = Float64Array.from(y);
  for (let j = 0; j < p; j++) {
    if (w[j] === 0) continue;
    const c = cols[j];
    for (let i = 0; i < n; i++) R[i] -= w[j] * c[i];
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[i] * y[i];
  const gapTol = tol * yy;
  for (let iter = 0; iter < maxIter; iter++) {
    let wMax = 0,
      dwMax = 0;
    for (let j = 0; j < p; j++) {
      if (norms[j] === 0) continue;
      const c = cols[j];
      const wj = w[j];
      let tmp = 0;
      if (wj !== 0)
        for (let i = 0; i < n; i++) {
          R[i] += wj * c[i];
        }
      for (let i = 0; i < n; i++) tmp += c[i] * R[i];
      const nw = (sign(tmp) * max(abs(tmp) - l1, 0)) / norms[j];
      w[j] = nw;
      if (nw !== 0) for (let i = 0; i < n; i++) R[i] -= nw * c[i];
      dwMax = max(dwMax, abs(nw - wj));
      wMax = max(wMax, abs(nw));
    }
    if (wMax === 0 || dwMax / wMax < tol || iter === maxIter - 1) {
      // duality gap, the final stopping test
      let dual = 0,
        rr = 0,
        ry = 0,
        l1w = 0;
      for (let j = 0; j < p; j++) {
        const c = cols[j];
        let s = 0;
        for (let i = 0; i < n; i++) s += c[i] * R[i];
        dual = max(dual, abs(s));
        l1w += abs(w[j]);
      }
      for (let i = 0; i < n; i++) {
        rr += R[i] * R[i];
        ry += R[i] * y[i];
      }
      let gap: number, k: number;
      if (dual > l1) {
        k = l1 / dual;
        gap = 0.5 * (rr + rr * k * k);
      } else {
        k = 1;
        gap = rr;
      }
      gap += l1 * l1w - k * ry;
      if (gap < gapTol) break;
    }
  }
}

export class Lasso extends Configured<LassoParams> implements Estimator<LassoParams, LinearRegressorModel> {
  readonly name = 'lasso';
  readonly task = 'regression' as const;

  constructor(params: Partial<LassoParams> = {}) {
    super({ alpha: 1.0, fit_intercept: true, max_iter: 1000, tol: 1e-4 }, params, (p) => {
      if (!(p.alpha >= 0)) throw new RangeError(`alpha must be ≥ 0, got ${p.alpha}`);
    });
  }

  private problem(X: Matrix, y: Target, fitIntercept: boolean) {
    const t = requireRegression(y, this.name);
    const c = fitIntercept
      ? centre(X, t.values)
      : { X: X.data, xMean: new Float64Array(X.cols), y: t.values, yMean: 0 };
    const n = X.rows,
      p = X.cols;
    // column-major copies: every coordinate step streams one column
    const cols = Array.from({ length: p }, (_, j) => {
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = c.X[i * p + j];
      return col;
    });
    const norms = new Float64Array(p);
    for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) norms[j] += cols[j][i] * cols[j][i];
    return { pr: { cols, y: c.y, norms, n, p }, c };
  }

  fit(X: Matrix, y: Target): LinearRegressorModel {
    const { pr, c } = this.problem(X, y, this.params.fit_intercept);
    const w = new Float64Array(X.cols);
    solve(pr, w, this.params.alpha, this.params.max_iter, this.params.tol);
    return fromCentred(w, c.xMean, c.yMean);
  }

  /**
   * Warm-started path. Results agree with independent fits to the solver tolerance (both stop
   * within tol of the same optimum), not bit for bit; the test states the bound.
   */
  fitPath(X: Matrix, y: Target, settings: readonly Partial<LassoParams>[]): LinearRegressorModel[] {
    const full = settings.map((s) => ({ ...this.params, ...s }));
    const sameOther = full.every(
      (p) => p.fit_intercept === full[0].fit_intercept && p.max_iter === full[0].max_iter && p.tol === full[0].tol,
    );
    if (!sameOther || full.length === 0) return full.map((p) => this.with(p).fit(X, y));
    const { pr, c } = this.problem(X, y, full[0].fit_intercept);
    const order = full.map((_, i) => i).sort((a, b) => full[b].alpha - full[a].alpha);
    const out = new Array<LinearRegressorModel>(full.length);
    const w = new Float64Array(X.cols);
    for (const i of order) {
      solve(pr, w, full[i].alpha, full[i].max_iter, full[i].tol);
      out[i] = fromCentred(Float64Array.from(w), c.xMean, c.yMean);
    }
    return out;
  }
}
