// Ordinary least squares (scikit-learn's LinearRegression): centre, then solve the normal
// equations; a rank-deficient design gets the minimum-norm solution, as lstsq gives.
import type { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, Target } from '../estimator.js';
import { requireRegression } from '../target.js';
import { centre, choleskySolve, gram, pinvSolve } from './dense.js';
import { fromCentred, type LinearRegressorModel } from './linear-model.js';

export interface LinearRegressionParams {
  readonly fit_intercept: boolean;
}

export class LinearRegression
  extends Configured<LinearRegressionParams>
  implements Estimator<LinearRegressionParams, LinearRegressorModel>
{
  readonly name = 'linear_regression';
  readonly task = 'regression' as const;

  constructor(params: Partial<LinearRegressionParams> = {}) {
    super({ fit_intercept: true }, params);
  }

  fit(X: Matrix, y: Target): LinearRegressorModel {
    const t = requireRegression(y, this.name);
    const c = this.params.fit_intercept
      ? centre(X, t.values)
      : { X: X.data, xMean: new Float64Array(X.cols), y: t.values, yMean: 0 };
    const { G, b } = gram(c.X, c.y, X.rows, X.cols);
    const w = choleskySolve(G, b, X.cols) ?? pinvSolve(G, b, X.cols);
    return fromCentred(w, c.xMean, c.yMean);
  }
}
