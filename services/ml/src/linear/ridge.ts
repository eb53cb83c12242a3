// Ridge regression (scikit-learn's Ridge, 'cholesky' solver, the one 'auto' picks for dense data):
// minimise ‖y − Xw‖² + α‖w‖² on centred data. The alpha path shares the Gram matrix XᵀX, so each
// extra alpha costs one p×p Cholesky solve, bit-identical to an independent fit.
import type { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, Target } from '../estimator.js';
import { requireRegression } from '../target.js';
import { centre, choleskySolve, gram, pinvSolve } from './dense.js';
import { fromCentred, type LinearRegressorModel } from './linear-model.js';

export interface RidgeParams {
  readonly alpha: number;
  readonly fit_intercept: boolean;
}

export class Ridge extends Configured<RidgeParams> implements Estimator<RidgeParams, LinearRegressorModel> {
  readonly name = 'ridge';
  readonly task = 'regression' as const;

  constructor(params: Partial<RidgeParams> = {}) {
    super({ alpha: 1.0, fit_intercept: true }, params, (p) => {
      if (!(p.alpha >= 0)) throw new RangeError(`alpha must be ≥ 0, got ${p.alpha}`);
    });
  }

  fit(X: Matrix, y: Target): LinearRegressorModel {
    return this.fitPath(X, y, [{}])[0];
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<RidgeParams>[]): LinearRegressorModel[] {
    const t = requireRegression(y, this.name);
    const byIntercept = new Map<boolean, ReturnType<typeof prepare>>();
    const prepare = (fitIntercept: boolean) => {
      const c = fitIntercept
        ? centre(X, t.values)
        : { X: X.data, xMean: new Float64Array(X.cols), y: t.values, yMean: 0 };
      return { c, ...gram(c.X, c.y, X.rows, X.cols) };
    };
    return settings.map((s) => {
      const p = { ...this.params, ...s };
      let prep = byIntercept.get(p.fit_intercept);
      if (!prep) {
        prep = prepare(p.fit_intercept);
        byIntercept.set(p.fit_intercept, prep);
      }
      const w = choleskySolve(prep.G, prep.b, X.cols, p.alpha) ?? pinvSolve(prep.G, prep.b, X.cols);
      return fromCentred(w, prep.c.xMean, prep.c.yMean);
    });
  }
}
