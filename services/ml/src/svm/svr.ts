// RBF epsilon-support vector regression as libsvm does it: the 2n-variable dual solved by the same
// SMO (Fan, Chen & Lin 2005) over LIBSVM's bounded kernel cache (kernel.ts), both variables of a
// row reading the same cached kernel row. fitPath over C shares the cache and warm-starts the dual.
import { type Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, FitContext, Regressor, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { CACHE_MB, KernelCache, RbfPoints, resolveGamma } from './kernel.js';
import type { Gamma } from './kernel.js';
import { solvePath } from './path.js';
import { svmRegressorOnnx } from './svm-onnx.js';

export interface SvrParams {
  readonly C: number;
  readonly epsilon: number;
  readonly gamma: Gamma;
  readonly tol: number;
  /** Kernel cache size in MB (LIBSVM's cache_size). */
  readonly cache_size: number;
}

const DEFAULTS: SvrParams = { C: 1.0, epsilon: 0.1, gamma: 'scale', tol: 1e-3, cache_size: CACHE_MB };

function checkParams(p: SvrParams): void {
  if (!(p.C > 0)) throw new RangeError(`C must be > 0, got ${p.C}`);
  if (!(p.epsilon >= 0)) throw new RangeError(`epsilon must be ≥ 0, got ${p.epsilon}`);
  if (typeof p.gamma === 'number' && !(p.gamma > 0)) throw new RangeError(`gamma must be > 0, got ${p.gamma}`);
  if (!(p.tol > 0)) throw new RangeError(`tol must be > 0, got ${p.tol}`);
  if (!(p.cache_size > 0)) throw new RangeError(`cache_size must be > 0 (MB), got ${p.cache_size}`);
}

export class SVR extends Configured<SvrParams> implements Estimator<SvrParams, SvrModel> {
  readonly name = 'svr';
  readonly task = 'regression' as const;

  constructor(params: Partial<SvrParams> = {}) {
    super(DEFAULTS, params, checkParams);
  }

  fit(X: Matrix, y: Target, ctx?: FitContext): SvrModel {
    return this.fitPath(X, y, [{}], ctx)[0];
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<SvrParams>[], ctx?: FitContext): SvrModel[] {
    if (y.kind !== 'regression') throw new TypeError('SVR needs a numeric target, got class labels');
    if (X.rows !== y.values.length) throw new RangeError(`X has ${X.rows} rows but y has ${y.values.length}`);
    const full = settings.map((s) => ({ ...this.params, ...s }));
    full.forEach(checkParams);
    const base = full[0];
    if (
      full.some(
        (s) =>
          s.gamma !== base.gamma ||
          s.tol !== base.tol ||
          s.epsilon !== base.epsilon ||
          s.cache_size !== base.cache_size,
      )
    ) {
      throw new RangeError('SVR fitPath shares work only across C');
    }
    const n = X.rows;
    const gamma = resolveGamma(base.gamma, X);
    const kernel = new KernelCache(X, null, gamma, base.cache_size);
    const rowOf = new Int32Array(2 * n);
    const sign = new Int8Array(2 * n);
    const p = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      rowOf[i] = i;
      rowOf[i + n] = i;
      sign[i] = 1;
      sign[i + n] = -1;
      p[i] = base.epsilon - y.values[i];
      p[i + n] = base.epsilon + y.values[i];
    }
    const sols = solvePath(
      { kernel, rowOf, y: sign, p },
      full.map((s) => s.C),
      base.tol,
      ctx,
    );
    ctx?.onProgress?.(1);
    return sols.map((s) => {
      const svRows: number[] = [];
      const coef: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = s.alpha[i] - s.alpha[i + n];
        if (c !== 0) {
          svRows.push(i);
          coef.push(c);
        }
      }
      return new SvrModel(gamma, X.takeRows(svRows), Float64Array.from(coef), s.rho);
    });
  }
}

export class SvrModel implements Regressor {
  constructor(
    readonly gamma: number,
    readonly supportVectors: Matrix,
    readonly coef: Float64Array,
    /** libsvm's rho: prediction = Σ coef·K − rho. */
    readonly rho: number,
  ) {}

  predict(X: Matrix): Float64Array {
    const F = this.supportVectors.cols;
    if (X.cols !== F) throw new RangeError(`model was fitted on ${F} features, X has ${X.cols}`);
    const out = new Float64Array(X.rows);
    const { coef } = this;
    const nSv = coef.length;
    const points = new RbfPoints(this.supportVectors.data, nSv, F, this.gamma);
    const kv = new Float64Array(nSv);
    for (let i = 0; i < X.rows; i++) {
      points.values(X.data, i * F, kv);
      let s = -this.rho;
      for (let j = 0; j < nSv; j++) s += coef[j] * kv[j];
      out[i] = s;
    }
    return out;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return svmRegressorOnnx(g, input, this);
  }
}
