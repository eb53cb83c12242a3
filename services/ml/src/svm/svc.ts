// RBF support vector classification as libsvm (inside scikit-learn) does it: one-vs-one over class
// pairs, each an SMO dual (Fan, Chen & Lin 2005), prediction by votes; probabilities from Platt
// sigmoids on 5-fold cross-validated decision values, coupled across pairs (Lin, Lin & Weng 2007;
// Wu, Lin & Weng 2004). fitPath over C shares the kernel matrix and warm-starts every dual.
// The Platt calibration (five more duals per pair) runs when probabilities are first asked for:
// the same numbers as computing it in fit, without paying for it in the CV fits of a grid search,
// which only predict labels.
import { Matrix } from '../matrix.js';
import { throwIfAborted, Configured } from '../estimator.js';
import type { Classifier, Estimator, FitContext, Target } from '../estimator.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { Stream, mix } from '../tree/random.js';
import { CACHE_MB, KernelCache, RbfPoints, rbf, resolveGamma } from './kernel.js';
import type { Gamma } from './kernel.js';
import { solvePath } from './path.js';
import { coupleProbabilities, sigmoidPredict, sigmoidTrain } from './platt.js';
import type { Sigmoid } from './platt.js';
import { svmClassifierOnnx } from './svm-onnx.js';
import type { SvmClassifierOutputs } from './svm-onnx.js';

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { floor, max, min } = Math;

export interface SvcParams {
  readonly C: number;
  readonly gamma: Gamma;
  /** scikit-learn defaults to false; the product shows ROC curves, so its SVC is created with true. */
  readonly probability: boolean;
  readonly tol: number;
  /** Kernel cache size in MB (LIBSVM's cache_size): memory stays bounded whatever the row count. */
  readonly cache_size: number;
}

const DEFAULTS: SvcParams = { C: 1.0, gamma: 'scale', probability: true, tol: 1e-3, cache_size: CACHE_MB };
const PROB_FOLDS = 5;
const MIN_PROB = 1e-7;

function checkParams(p: SvcParams): void {
  if (!(p.C > 0)) throw new RangeError(`C must be > 0, got ${p.C}`);
  if (typeof p.gamma === 'number' && !(p.gamma > 0)) throw new RangeError(`gamma must be > 0, got ${p.gamma}`);
  if (!(p.tol > 0)) throw new RangeError(`tol must be > 0, got ${p.tol}`);
  if (!(p.cache_size > 0)) throw new RangeError(`cache_size must be > 0 (MB), got ${p.cache_size}`);
}

interface PairFit {
  /** Training rows of the pair, class a's first (libsvm's grouping). */
  readonly rows: Int32Array;
  readonly alpha: Float64Array;
  readonly rho: number;
}

/** libsvm's probA / probB: one Platt sigmoid per pair. */
export interface Calibration {
  readonly probA: Float64Array;
  readonly probB: Float64Array;
}

export class SVC extends Configured<SvcParams> implements Estimator<SvcParams, SvcModel> {
  readonly name = 'svc';
  readonly task = 'classification' as const;

  constructor(params: Partial<SvcParams> = {}) {
    super(DEFAULTS, params, checkParams);
  }

  fit(X: Matrix, y: Target, ctx?: FitContext): SvcModel {
    return this.fitPath(X, y, [{}], ctx)[0];
  }

  fitPath(X: Matrix, y: Target, settings: readonly Partial<SvcParams>[], ctx?: FitContext): SvcModel[] {
    if (y.kind !== 'classification') throw new TypeError('SVC needs class labels, got a numeric target');
    if (X.rows !== y.codes.length) throw new RangeError(`X has ${X.rows} rows but y has ${y.codes.length}`);
    const full = settings.map((s) => ({ ...this.params, ...s }));
    full.forEach(checkParams);
    const base = full[0];
    if (
      full.some(
        (s) =>
          s.gamma !== base.gamma ||
          s.tol !== base.tol ||
          s.probability !== base.probability ||
          s.cache_size !== base.cache_size,
      )
    ) {
      throw new RangeError('SVC fitPath shares work only across C');
    }
    const nClasses = y.classes.length;
    if (nClasses < 2) throw new RangeError(`SVC needs at least 2 classes, got ${nClasses}`);
    const gamma = resolveGamma(base.gamma, X);
    const n = X.rows;
    const Cs = full.map((s) => s.C);
    const byClass: number[][] = Array.from({ length: nClasses }, () => []);
    for (let i = 0; i < n; i++) byClass[y.codes[i]].push(i);
    const nPairs = (nClasses * (nClasses - 1)) / 2;
    // pairs[p][c]: the fit of pair p at setting c
    const pairs: PairFit[][] = [];
    let pi = 0;
    for (let a = 0; a < nClasses; a++) {
      for (let b = a + 1; b < nClasses; b++) {
        throwIfAborted(ctx);
        const rows = Int32Array.from([...byClass[a], ...byClass[b]]);
        if (byClass[a].length === 0 || byClass[b].length === 0) {
          // a class absent from this training set (a CV fold of a rare class): the pair always
          // votes for the class that is present
          const sign = byClass[a].length > 0 ? 1 : -1;
          pairs.push(Cs.map(() => ({ rows, alpha: new Float64Array(rows.length), rho: -sign })));
        } else {
          const labels = Int8Array.from(rows, (r) => (y.codes[r] === a ? 1 : -1));
          // one cache per pair over the pair's rows, shared by every C of the path
          const kernel = new KernelCache(X, rows, gamma, base.cache_size);
          const sols = solvePath(
            { kernel, rowOf: identity(rows.length), y: labels, p: new Float64Array(rows.length).fill(-1) },
            Cs,
            base.tol,
            ctx,
          );
          pairs.push(sols.map((s) => ({ rows, alpha: s.alpha, rho: s.rho })));
        }
        pi++;
        ctx?.onProgress?.(pi / nPairs);
      }
    }
    const seed = ctx?.seed ?? 0;
    const codes = y.codes;
    return Cs.map((C, c) =>
      buildModel(
        X,
        codes,
        y.classes,
        gamma,
        pairs.map((p) => p[c]),
        base.probability ? () => calibrate(X, codes, nClasses, gamma, C, base.tol, seed, base.cache_size) : null,
      ),
    );
  }
}

function identity(m: number): Int32Array {
  return Int32Array.from({ length: m }, (_, i) => i);
}

/** Platt sigmoids of every pair at one C (libsvm's svm_binary_svc_probability for each pair). */
function calibrate(
  X: Matrix,
  codes: Int32Array,
  nClasses: number,
  gamma: number,
  C: number,
  tol: number,
  seed: number,
  cacheMb: number,
): Calibration {
  const n = X.rows;
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[codes[i]].push(i);
  const nPairs = (nClasses * (nClasses - 1)) / 2;
  const probA = new Float64Array(nPairs);
  const probB = new Float64Array(nPairs);
  let pi = 0;
  for (let a = 0; a < nClasses; a++) {
    for (let b = a + 1; b < nClasses; b++, pi++) {
      if (byClass[a].length === 0 || byClass[b].length === 0) {
        // one class absent: the sigmoid says the present class with probability ~1
        probB[pi] = byClass[a].length > 0 ? -30 : 30;
        continue;
      }
      const rows = Int32Array.from([...byClass[a], ...byClass[b]]);
      const labels = Int8Array.from(rows, (r) => (codes[r] === a ? 1 : -1));
      const [s] = plattPath(X, gamma, rows, labels, [C], tol, mix(seed, pi), cacheMb);
      probA[pi] = s.A;
      probB[pi] = s.B;
    }
  }
  return { probA, probB };
}

/** Platt sigmoids of one pair for every C, from 5-fold CV decision values (libsvm's procedure). */
function plattPath(
  X: Matrix,
  gamma: number,
  rows: Int32Array,
  labels: Int8Array,
  Cs: readonly number[],
  tol: number,
  seed: number,
  cacheMb: number,
): Sigmoid[] {
  const l = rows.length;
  const perm = Int32Array.from({ length: l }, (_, i) => i);
  const draw = new Stream(seed);
  for (let i = 0; i < l; i++) {
    const j = i + draw.below(l - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const dec = Cs.map(() => new Float64Array(l));
  for (let f = 0; f < PROB_FOLDS; f++) {
    const begin = floor((f * l) / PROB_FOLDS);
    const end = floor(((f + 1) * l) / PROB_FOLDS);
    const held = perm.subarray(begin, end);
    const trainIdx = Int32Array.from([...perm.subarray(0, begin), ...perm.subarray(end)]);
    const subRows = Int32Array.from(trainIdx, (t) => rows[t]);
    const subY = Int8Array.from(trainIdx, (t) => labels[t]);
    const pos = subY.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
    if (pos === 0 || pos === subY.length) {
      // one class only in this fold's training part: libsvm sets the decision values to ±1
      const v = subY.length === 0 ? 0 : pos > 0 ? 1 : -1;
      for (const d of dec) for (const t of held) d[t] = v;
      continue;
    }
    const kernel = new KernelCache(X, subRows, gamma, cacheMb);
    const sols = solvePath(
      { kernel, rowOf: identity(subRows.length), y: subY, p: new Float64Array(subRows.length).fill(-1) },
      Cs,
      tol,
    );
    const F = X.cols;
    sols.forEach((s, c) => {
      for (const t of held) {
        let v = -s.rho;
        // libsvm's svm_predict_values on the fold's model: k_function, differences squared
        for (let u = 0; u < subRows.length; u++)
          if (s.alpha[u] > 0) v += s.alpha[u] * subY[u] * rbf(X.data, rows[t], X.data, subRows[u], F, gamma);
        dec[c][t] = v;
      }
    });
  }
  return dec.map((d) => sigmoidTrain(d, labels));
}

/** Gathers the support vectors of all pairs in libsvm's layout (grouped by class). */
function buildModel(
  X: Matrix,
  codes: Int32Array,
  classes: readonly string[],
  gamma: number,
  pairs: readonly PairFit[],
  calibration: (() => Calibration) | null,
): SvcModel {
  const k = classes.length;
  const isSv = new Uint8Array(X.rows);
  for (const p of pairs)
    p.rows.forEach((r, t) => {
      if (p.alpha[t] > 0) isSv[r] = 1;
    });
  const svRows: number[] = [];
  const perClass = new Int32Array(k);
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < X.rows; r++)
      if (isSv[r] && codes[r] === c) {
        svRows.push(r);
        perClass[c]++;
      }
  }
  const nSv = svRows.length;
  const svIndex = new Map(svRows.map((r, s) => [r, s]));
  const coef = new Float64Array((k - 1) * nSv);
  const rho = new Float64Array(pairs.length);
  let p = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++, p++) {
      const fit = pairs[p];
      rho[p] = fit.rho;
      fit.rows.forEach((r, t) => {
        const s = svIndex.get(r);
        if (s === undefined || fit.alpha[t] <= 0) return;
        // libsvm: an SV of class a keeps its pair-(a,b) coefficient in row b-1, one of class b in row a
        if (codes[r] === a) coef[(b - 1) * nSv + s] = fit.alpha[t];
        else coef[a * nSv + s] = -fit.alpha[t];
      });
    }
  }
  const sv = X.takeRows(svRows);
  return new SvcModel(classes, gamma, sv, perClass, coef, rho, calibration);
}

export class SvcModel implements Classifier {
  constructor(
    readonly classes: readonly string[],
    readonly gamma: number,
    /** Support vectors, grouped by class. */
    readonly supportVectors: Matrix,
    readonly nSupport: Int32Array,
    /** libsvm's sv_coef: (k-1) × nSV. */
    readonly coef: Float64Array,
    /** libsvm's rho per pair (decision = Σ coef·K − rho); scikit-learn's intercept_ is −rho. */
    readonly rho: Float64Array,
    calibration: Calibration | (() => Calibration) | null,
  ) {
    this.pending = calibration;
  }

  private pending: Calibration | (() => Calibration) | null;

  /** The Platt sigmoids (computed on first use), or null when fitted with probability=false. */
  calibration(): Calibration | null {
    if (typeof this.pending === 'function') this.pending = this.pending();
    return this.pending;
  }

  /** One-vs-one decision values, n × pairs, positive for the pair's first class. */
  pairDecisions(X: Matrix): Matrix {
    const F = this.supportVectors.cols;
    if (X.cols !== F) throw new RangeError(`model was fitted on ${F} features, X has ${X.cols}`);
    const k = this.classes.length;
    const nSv = this.supportVectors.rows;
    const start = new Int32Array(k + 1);
    for (let c = 0; c < k; c++) start[c + 1] = start[c] + this.nSupport[c];
    const out = new Matrix(X.rows, this.rho.length);
    const kv = new Float64Array(nSv);
    const points = new RbfPoints(this.supportVectors.data, nSv, F, this.gamma);
    for (let i = 0; i < X.rows; i++) {
      points.values(X.data, i * F, kv);
      let p = 0;
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++, p++) {
          let sum = -this.rho[p];
          for (let s = start[a]; s < start[a + 1]; s++) sum += this.coef[(b - 1) * nSv + s] * kv[s];
          for (let s = start[b]; s < start[b + 1]; s++) sum += this.coef[a * nSv + s] * kv[s];
          out.data[i * this.rho.length + p] = sum;
        }
      }
    }
    return out;
  }

  predict(X: Matrix): Int32Array {
    const D = this.pairDecisions(X);
    const k = this.classes.length;
    const out = new Int32Array(X.rows);
    const votes = new Int32Array(k);
    for (let i = 0; i < X.rows; i++) {
      votes.fill(0);
      let p = 0;
      for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++, p++) votes[D.data[i * D.cols + p] > 0 ? a : b]++;
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
      out[i] = best;
    }
    return out;
  }

  predictProba(X: Matrix): Matrix {
    const cal = this.calibration();
    if (!cal) throw new Error('SVC was fitted with probability=false: no probabilities');
    const { probA, probB } = cal;
    const D = this.pairDecisions(X);
    const k = this.classes.length;
    const out = new Matrix(X.rows, k);
    const r = new Float64Array(k * k);
    for (let i = 0; i < X.rows; i++) {
      let p = 0;
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++, p++) {
          const v = sigmoidPredict(D.data[i * D.cols + p], { A: probA[p], B: probB[p] });
          r[a * k + b] = min(max(v, MIN_PROB), 1 - MIN_PROB);
          r[b * k + a] = 1 - r[a * k + b];
        }
      }
      if (k === 2) {
        out.data[2 * i] = r[1];
        out.data[2 * i + 1] = r[2];
      } else {
        coupleProbabilities(k, r, out.data, i * k);
      }
    }
    return out;
  }

  toOnnx(g: OnnxGraph, input: string): string {
    return this.toOnnxOutputs(g, input).label;
  }

  /** Both outputs: label (int64 [N]) and probabilities (float [N, K]; needs probability=true). */
  toOnnxOutputs(g: OnnxGraph, input: string): SvmClassifierOutputs {
    return svmClassifierOnnx(g, input, this);
  }
}
