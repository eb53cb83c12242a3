// LinearSVR with scikit-learn's defaults: epsilon-insensitive (L1) loss with epsilon 0, L2 penalty,
// LIBLINEAR's dual coordinate descent (liblinear.ts) with a regularised intercept feature.
import type { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, FitContext, Target } from '../estimator.js';
import { requireRegression } from '../target.js';
import { LiblinearRng, liblinearSeed, solveL1LossSvrDual } from './liblinear.js';
import { LinearRegressorModel } from './linear-model.js';
import { withBias } from './linear-svc.js';

export interface LinearSVRParams {
  readonly C: number;
  readonly epsilon: number;
  readonly tol: number;
  readonly max_iter: number;
  readonly fit_intercept: boolean;
  readonly intercept_scaling: number;
  readonly random_state: number;
}

export class LinearSVR extends Configured<LinearSVRParams> implements Estimator<LinearSVRParams, LinearRegressorModel> {
  readonly name = 'linear_svr';
  readonly task = 'regression' as const;

  constructor(params: Partial<LinearSVRParams> = {}) {
    super(
      { C: 1.0, epsilon: 0, tol: 1e-4, max_iter: 1000, fit_intercept: true, intercept_scaling: 1, random_state: 0 },
      params,
      (p) => {
        if (!(p.C > 0)) throw new RangeError(`C must be > 0, got ${p.C}`);
      },
    );
  }

  fit(X: Matrix, y: Target, ctx?: FitContext): LinearRegressorModel {
    void ctx;
    const t = requireRegression(y, this.name);
    const p = this.params;
    const bias = p.fit_intercept ? p.intercept_scaling : null;
    const order = Int32Array.from({ length: X.rows }, (_, i) => i);
    const pr = withBias(X, order, bias);
    const rng = new LiblinearRng(liblinearSeed(p.random_state));
    const { w } = solveL1LossSvrDual(pr, t.values, p.C, p.epsilon, p.tol, p.max_iter, rng);
    return new LinearRegressorModel(w.slice(0, X.cols), bias === null ? 0 : w[X.cols] * bias);
  }
}
