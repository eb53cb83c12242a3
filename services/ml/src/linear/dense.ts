// Small dense linear algebra for the linear models (p ≤ a few hundred features): centring, Gram
// matrices and Cholesky solves over Float64Array. Written out because the models need only these
// few kernels and they must run inside worker threads without a dependency.
import type { Matrix } from '../matrix.js';

export interface Centred {
  readonly X: Float64Array; // row-major n×p, columns centred
  readonly xMean: Float64Array;
  readonly y: Float64Array;
  readonly yMean: number;
}

export function centre(X: Matrix, y: Float64Array): Centred {
  const { rows: n, cols: p, data } = X;
  const xMean = new Float64Array(p);
  for (let i = 0, o = 0; i < n; i++) for (let j = 0; j < p; j++, o++) xMean[j] += data[o];
  for (let j = 0; j < p; j++) xMean[j] /= n;
  const Xc = new Float64Array(n * p);
  for (let i = 0, o = 0; i < n; i++) for (let j = 0; j < p; j++, o++) Xc[o] = data[o] - xMean[j];
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i] - yMean;
  return { X: Xc, xMean, y: yc, yMean };
}

/** XᵀX (p×p) and Xᵀy of a row-major n×p matrix. */
export function gram(X: Float64Array, y: Float64Array, n: number, p: number): { G: Float64Array; b: Float64Array } {
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const r = i * p;
    for (let j = 0; j < p; j++) {
      const xij = X[r + j];
      b[j] += xij * y[i];
      for (let k = j; k < p; k++) G[j * p + k] += xij * X[r + k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) G[j * p + k] = G[k * p + j];
  return { G, b };
}

/**
 * Solves (G + ridge·I) w = b by Cholesky. Returns null when the matrix is not positive definite
 * (rank-deficient least squares), so callers can fall back to a pseudo-inverse.
 */
export function choleskySolve(G: Float64Array, b: Float64Array, p: number, ridge = 0): Float64Array | null {
  const L = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let d = G[j * p + j] + ridge;
    for (let k = 0; k < j; k++) d -= L[j * p + k] * L[j * p + k];
    if (!(d > 1e-12 * (Math.abs(G[j * p + j]) + ridge + 1e-300))) return null;
    const ljj = Math.sqrt(d);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = G[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      L[i * p + j] = s / ljj;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * z[k];
    z[i] = s / L[i * p + i];
  }
  const w = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * w[k];
    w[i] = s / L[i * p + i];
  }
  return w;
}

/**
 * Minimum-norm least squares through the eigen-decomposition of G (Jacobi rotations), dropping
 * eigenvalues below rcond·max — what lstsq does for a rank-deficient design.
 */
export function pinvSolve(G: Float64Array, b: Float64Array, p: number): Float64Array {
  const A = Float64Array.from(G);
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) V[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += A[i * p + j] ** 2;
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = A[i * p + j];
        if (Math.abs(aij) < 1e-300) continue;
        const theta = (A[j * p + j] - A[i * p + i]) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = A[k * p + i],
            akj = A[k * p + j];
          A[k * p + i] = c * aki - s * akj;
          A[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = A[i * p + k],
            ajk = A[j * p + k];
          A[i * p + k] = c * aik - s * ajk;
          A[j * p + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = V[k * p + i],
            vkj = V[k * p + j];
          V[k * p + i] = c * vki - s * vkj;
          V[k * p + j] = s * vki + c * vkj;
        }
      }
    }
  }
  let maxEig = 0;
  for (let i = 0; i < p; i++) maxEig = Math.max(maxEig, Math.abs(A[i * p + i]));
  const w = new Float64Array(p);
  for (let e = 0; e < p; e++) {
    const lam = A[e * p + e];
    if (Math.abs(lam) <= 1e-12 * maxEig) continue;
    let proj = 0;
    for (let k = 0; k < p; k++) proj += V[k * p + e] * b[k];
    for (let k = 0; k < p; k++) w[k] += (V[k * p + e] * proj) / lam;
  }
  return w;
}
