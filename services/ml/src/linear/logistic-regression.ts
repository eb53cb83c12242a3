// Logistic regression with an L2 penalty (scikit-learn's LogisticRegression with lbfgs and
// multi_class 'auto'): two classes are one logit, Σ_i [log(1 + e^{z_i}) − y_i·z_i] + ‖w‖²/(2C);
// more are multinomial, Σ_i [log Σ_k e^{z_ik} − z_i,y_i] + ‖W‖²/(2C); intercepts unpenalised. Both
// are summed over the rows as scikit-learn 1.2 sums them and minimised by L-BFGS (optim/lbfgs.ts)
// from zero with scikit-learn's stopping rule (scipy's L-BFGS-B as it is called there: max
// |gradient| ≤ tol, relative decrease ≤ scipy's ftol, or max_iter iterations). Each fit starts cold,
// as every fit of scikit-learn's grid search does, so a grid gives scikit-learn's models.
import type { Matrix } from '../matrix.js';
import { Configured } from '../estimator.js';
import type { Estimator, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { requireClassification } from '../target.js';
import { lbfgs } from '../optim/lbfgs.js';
import { LinearClassifierModel, LinearScores, softmaxRows } from './linear-classifier.js';
// Math's functions bound once: inside jest's vm context every global lookup in a hot loop is slow.
const { exp, log, log1p } = Math;
// scipy's default ftol for L-BFGS-B (factr 1e7 × machine epsilon), which scikit-learn leaves as is
const SCIPY_FTOL = 1e7 * Number.EPSILON;

export interface LogisticRegressionParams {
  readonly C: number;
  readonly max_iter: number;
  readonly tol: number;
  readonly fit_intercept: boolean;
}

export class LogisticRegressionModel extends LinearClassifierModel {
  predictProba(X: Matrix): Matrix {
    return softmaxRows(this.scores.decision(X));
  }

  /** skl2onnx's shape: LinearClassifier, multi_class 1, post_transform SOFTMAX. */
  toOnnxOutputs(g: OnnxGraph, input: string): { label: string; probabilities: string } {
    const [label, probabilities] = this.linearClassifier(g, input, 1, 'SOFTMAX');
    return { label, probabilities };
  }
}

// Rows are taken in blocks: the block's decisions first (dot products with four accumulators, which
// V8 runs about 1.5× faster than one), then the gradient from the block while it is still in cache.
const BLOCK = 256;

/** Σ_j x[r + j]·w[o + j] over p terms, with four independent accumulators. */
function dotAt(x: Float64Array, r: number, w: Float64Array, o: number, p: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    j = 0;
  for (; j + 3 < p; j += 4) {
    s0 += x[r + j] * w[o + j];
    s1 += x[r + j + 1] * w[o + j + 1];
    s2 += x[r + j + 2] * w[o + j + 2];
    s3 += x[r + j + 3] * w[o + j + 3];
  }
  for (; j < p; j++) s0 += x[r + j] * w[o + j];
  return s0 + s1 + (s2 + s3);
}

/** g[o + j] += a·x[r + j] for j < p. */
function axpyAt(a: number, x: Float64Array, r: number, g: Float64Array, o: number, p: number): void {
  let j = 0;
  for (; j + 3 < p; j += 4) {
    g[o + j] += a * x[r + j];
    g[o + j + 1] += a * x[r + j + 1];
    g[o + j + 2] += a * x[r + j + 2];
    g[o + j + 3] += a * x[r + j + 3];
  }
  for (; j < p; j++) g[o + j] += a * x[r + j];
}

/**
 * Multinomial objective over the packed parameters [W (K×p) | b (K)], summed over the rows as
 * scikit-learn 1.2's LinearModelLoss sums it (so its gradient tolerance means the same here):
 * Σ_i [log Σ_k e^{z_ik} − z_i,y_i] + ‖W‖²/(2C). One pass over the rows per evaluation.
 */
function multinomial(X: Matrix, codes: Int32Array, K: number, C: number, fitIntercept: boolean) {
  const n = X.rows,
    p = X.cols,
    data = X.data;
  const D = new Float64Array(BLOCK * K); // the block's residuals softmax − one-hot
  const reg = 1 / C,
    bo = K * p;
  return (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    let loss = 0;
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const i1 = Math.min(n, i0 + BLOCK);
      // decisions of the block, two rows by four classes at a time: each value loaded serves two
      // or four products (measured 1.5× faster than four rows by one class on digits)
      let i = i0;
      for (; i + 1 < i1; i += 2) {
        const r0 = i * p,
          r1 = r0 + p,
          o = (i - i0) * K;
        let k = 0;
        for (; k + 3 < K; k += 4) {
          const wa = k * p,
            wb = wa + p,
            wc = wb + p,
            wd = wc + p;
          let a0 = fitIntercept ? w[bo + k] : 0,
            b0 = fitIntercept ? w[bo + k + 1] : 0,
            c0 = fitIntercept ? w[bo + k + 2] : 0,
            d0 = fitIntercept ? w[bo + k + 3] : 0;
          let a1 = a0,
            b1 = b0,
            c1 = c0,
            d1 = d0;
          for (let j = 0; j < p; j++) {
            const x0 = data[r0 + j],
              x1 = data[r1 + j];
            const wA = w[wa + j],
              wB = w[wb + j],
              wC = w[wc + j],
              wD = w[wd + j];
            a0 += x0 * wA;
            a1 += x1 * wA;
            b0 += x0 * wB;
            b1 += x1 * wB;
            c0 += x0 * wC;
            c1 += x1 * wC;
            d0 += x0 * wD;
            d1 += x1 * wD;
          }
          D[o + k] = a0;
          D[o + k + 1] = b0;
          D[o + k + 2] = c0;
          D[o + k + 3] = d0;
          D[o + K + k] = a1;
          D[o + K + k + 1] = b1;
          D[o + K + k + 2] = c1;
          D[o + K + k + 3] = d1;
        }
        if (k + 1 < K) {
          const wa = k * p,
            wb = wa + p;
          let a0 = fitIntercept ? w[bo + k] : 0,
            b0 = fitIntercept ? w[bo + k + 1] : 0;
          let a1 = a0,
            b1 = b0;
          for (let j = 0; j < p; j++) {
            const x0 = data[r0 + j],
              x1 = data[r1 + j];
            const wA = w[wa + j],
              wB = w[wb + j];
            a0 += x0 * wA;
            a1 += x1 * wA;
            b0 += x0 * wB;
            b1 += x1 * wB;
          }
          D[o + k] = a0;
          D[o + k + 1] = b0;
          D[o + K + k] = a1;
          D[o + K + k + 1] = b1;
          k += 2;
        }
        for (; k < K; k++) {
          let s0 = fitIntercept ? w[bo + k] : 0;
          let s1 = s0;
          for (let j = 0, wk = k * p; j < p; j++) {
            const wj = w[wk + j];
            s0 += data[r0 + j] * wj;
            s1 += data[r1 + j] * wj;
          }
          D[o + k] = s0;
          D[o + K + k] = s1;
        }
      }
      for (; i < i1; i++) {
        const r = i * p,
          o = (i - i0) * K;
        for (let k = 0; k < K; k++) D[o + k] = (fitIntercept ? w[bo + k] : 0) + dotAt(data, r, w, k * p, p);
      }
      for (let t = i0; t < i1; t++) {
        const o = (t - i0) * K;
        let mx = -Infinity;
        for (let k = 0; k < K; k++) if (D[o + k] > mx) mx = D[o + k];
        let se = 0;
        for (let k = 0; k < K; k++) {
          const e = exp(D[o + k] - mx);
          D[o + k] = e;
          se += e;
        }
        const yi = codes[t];
        // log-sum-exp − z_y, computed stably from the shifted values
        loss += log(se) - log(D[o + yi]);
        for (let k = 0; k < K; k++) D[o + k] /= se;
        D[o + yi] -= 1;
      }
      // the gradient from the block, four rows by three classes at a time: each row value loaded
      // serves three gradient entries, each entry is read and written once per four rows
      i = i0;
      for (; i + 3 < i1; i += 4) {
        const r0 = i * p,
          r1 = r0 + p,
          r2 = r1 + p,
          r3 = r2 + p,
          o = (i - i0) * K;
        let k = 0;
        for (; k + 2 < K; k += 3) {
          const a0 = D[o + k],
            a1 = D[o + K + k],
            a2 = D[o + 2 * K + k],
            a3 = D[o + 3 * K + k];
          const b0 = D[o + k + 1],
            b1 = D[o + K + k + 1],
            b2 = D[o + 2 * K + k + 1],
            b3 = D[o + 3 * K + k + 1];
          const c0 = D[o + k + 2],
            c1 = D[o + K + k + 2],
            c2 = D[o + 2 * K + k + 2],
            c3 = D[o + 3 * K + k + 2];
          const ga = k * p,
            gb = ga + p,
            gc = gb + p;
          for (let j = 0; j < p; j++) {
            const x0 = data[r0 + j],
              x1 = data[r1 + j],
              x2 = data[r2 + j],
              x3 = data[r3 + j];
            g[ga + j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
            g[gb + j] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
            g[gc + j] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
          }
          g[bo + k] += a0 + a1 + (a2 + a3);
          g[bo + k + 1] += b0 + b1 + (b2 + b3);
          g[bo + k + 2] += c0 + c1 + (c2 + c3);
        }
        if (k + 1 < K) {
          const a0 = D[o + k],
            a1 = D[o + K + k],
            a2 = D[o + 2 * K + k],
            a3 = D[o + 3 * K + k];
          const b0 = D[o + k + 1],
            b1 = D[o + K + k + 1],
            b2 = D[o + 2 * K + k + 1],
            b3 = D[o + 3 * K + k + 1];
          const ga = k * p,
            gb = ga + p;
          for (let j = 0; j < p; j++) {
            const x0 = data[r0 + j],
              x1 = data[r1 + j],
              x2 = data[r2 + j],
              x3 = data[r3 + j];
            g[ga + j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
            g[gb + j] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
          }
          g[bo + k] += a0 + a1 + (a2 + a3);
          g[bo + k + 1] += b0 + b1 + (b2 + b3);
          k += 2;
        }
        for (; k < K; k++) {
          const d0 = D[o + k],
            d1 = D[o + K + k],
            d2 = D[o + 2 * K + k],
            d3 = D[o + 3 * K + k];
          for (let j = 0, gk = k * p; j < p; j++)
            g[gk + j] += d0 * data[r0 + j] + d1 * data[r1 + j] + d2 * data[r2 + j] + d3 * data[r3 + j];
          g[bo + k] += d0 + d1 + (d2 + d3);
        }
      }
      for (; i < i1; i++) {
        const r = i * p,
          o = (i - i0) * K;
        for (let k = 0; k < K; k++) {
          const d = D[o + k];
          axpyAt(d, data, r, g, k * p, p);
          g[bo + k] += d;
        }
      }
    }
    let wsq = 0;
    for (let q = 0; q < bo; q++) {
      wsq += w[q] * w[q];
      g[q] += reg * w[q];
    }
    if (!fitIntercept) for (let k = 0; k < K; k++) g[bo + k] = 0;
    return loss + 0.5 * reg * wsq;
  };
}

/**
 * Binary objective over [w (p) | b], one logit as scikit-learn fits two classes (HalfBinomialLoss,
 * y = 1 for the second class): Σ_i [log(1 + e^{z_i}) − y_i·z_i] + ‖w‖²/(2C).
 */
function binomial(X: Matrix, codes: Int32Array, C: number, fitIntercept: boolean) {
  const n = X.rows,
    p = X.cols,
    data = X.data;
  const D = new Float64Array(BLOCK); // the block's residuals σ(z) − y
  const reg = 1 / C;
  return (w: Float64Array, g: Float64Array): number => {
    g.fill(0);
    const b = fitIntercept ? w[p] : 0;
    let loss = 0,
      gb = 0;
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const i1 = Math.min(n, i0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        const z = b + dotAt(data, i * p, w, 0, p);
        // log(1 + e^z) and the sigmoid, both without overflow
        let d: number;
        if (z > 0) {
          const e = exp(-z);
          loss += z + log1p(e);
          d = 1 / (1 + e);
        } else {
          const e = exp(z);
          loss += log1p(e);
          d = e / (1 + e);
        }
        if (codes[i] === 1) {
          loss -= z;
          d -= 1;
        }
        D[i - i0] = d;
        gb += d;
      }
      for (let i = i0; i < i1; i++) axpyAt(D[i - i0], data, i * p, g, 0, p);
    }
    let wsq = 0;
    for (let j = 0; j < p; j++) {
      wsq += w[j] * w[j];
      g[j] += reg * w[j];
    }
    g[p] = fitIntercept ? gb : 0;
    return loss + 0.5 * reg * wsq;
  };
}

export class LogisticRegression
  extends Configured<LogisticRegressionParams>
  implements Estimator<LogisticRegressionParams, LogisticRegressionModel>
{
  readonly name = 'logistic_regression';
  readonly task = 'classification' as const;

  constructor(params: Partial<LogisticRegressionParams> = {}) {
    super({ C: 1.0, max_iter: 100, tol: 1e-4, fit_intercept: true }, params, (p) => {
      if (!(p.C > 0)) throw new RangeError(`C must be > 0, got ${p.C}`);
    });
  }

  fit(X: Matrix, y: Target): LogisticRegressionModel {
    return this.solve(X, y, this.params, null);
  }

  /** Parameters packed as the objective takes them: [w | b] for two classes, [W | b] otherwise. */
  private static size(K: number, p: number): number {
    return K === 2 ? p + 1 : K * (p + 1);
  }

  private solve(
    X: Matrix,
    y: Target,
    p: LogisticRegressionParams,
    start: Float64Array | null,
  ): LogisticRegressionModel {
    const t = requireClassification(y, this.name);
    const K = t.classes.length;
    if (K < 2) throw new RangeError('logistic regression needs at least two classes');
    const d = X.cols;
    const fun = K === 2 ? binomial(X, t.codes, p.C, p.fit_intercept) : multinomial(X, t.codes, K, p.C, p.fit_intercept);
    // scikit-learn's call of scipy's L-BFGS-B: gtol = tol on the summed gradient, maxiter = max_iter,
    // scipy's default ftol
    const res = lbfgs(fun, start ?? new Float64Array(LogisticRegression.size(K, d)), {
      maxIter: Math.max(p.max_iter, 1),
      gtol: p.tol,
      ftol: SCIPY_FTOL,
    });
    const x = res.x;
    if (K === 2) {
      // one logit z stored as the decisions [0, z]: softmax gives [1 − σ(z), σ(z)], argmax the
      // second class only when z > 0, as scikit-learn's predict
      const W = new Float64Array(2 * d);
      W.set(x.subarray(0, d), d);
      return new LogisticRegressionModel(
        t.classes,
        new LinearScores(W, Float64Array.of(0, p.fit_intercept ? x[d] : 0), d),
      );
    }
    const W = x.slice(0, K * d);
    const b = p.fit_intercept ? x.slice(K * d) : new Float64Array(K);
    return new LogisticRegressionModel(t.classes, new LinearScores(W, b, d));
  }
}
