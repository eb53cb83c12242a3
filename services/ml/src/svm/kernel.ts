// The RBF kernel with scikit-learn's gamma='scale', and LIBSVM's bounded cache of kernel rows that
// the SMO solver reads (memory ≤ cache_size whatever the row count, instead of an n × n matrix).
import type { Matrix } from '../matrix.js';
import { WasmDots, dotsModule } from './dots-wasm.js';

// Math and the infinities bound once: a global lookup in a hot loop is slow inside jest's vm context.
const { exp } = Math;

export type Gamma = 'scale' | 'auto' | number;

/** gamma='scale' is 1 / (n_features · X.var()) over every value of X; 'auto' is 1 / n_features. */
export function resolveGamma(gamma: Gamma, X: Matrix): number {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / X.cols;
  const d = X.data;
  let mean = 0;
  for (let i = 0; i < d.length; i++) mean += d[i];
  mean /= d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - mean) * (d[i] - mean);
  v /= d.length;
  return v > 0 ? 1 / (X.cols * v) : 1;
}

/** exp(-gamma · |a - b|²) between row i of A and row j of B. */
export function rbf(A: Float64Array, i: number, B: Float64Array, j: number, F: number, gamma: number): number {
  let s = 0;
  for (let f = 0; f < F; f++) {
    const d = A[i * F + f] - B[j * F + f];
    s += d * d;
  }
  return exp(-gamma * s);
}

/**
 * RBF kernel values between one point and every row of a fixed set, by LIBSVM's formula
 * exp(−γ(‖x‖² + ‖u‖² − 2 x·u)) with the rows' squared norms computed once. The dot products and
 * exp run in WebAssembly (dots-wasm.ts; the dots ~5 ns each for 20 features); where that is unavailable, in
 * JavaScript over the set stored feature by feature, four features a pass with x's values held in
 * registers (about 1.4× faster in V8 than one dot product per row, ~3× slower than the WebAssembly).
 */
export class RbfPoints {
  /** ‖row u‖². */
  readonly sq: Float64Array;
  private readonly wasm: WasmDots | null;
  /** JavaScript path: the rows' values, feature f of row u at f · m + u, and the dots. */
  private readonly T: Float64Array;
  private readonly acc: Float64Array;

  constructor(
    X: Float64Array,
    readonly m: number,
    readonly p: number,
    readonly gamma: number,
    /** The WebAssembly dots' module; null computes them in JavaScript (the fallback, and its test). */
    mod = dotsModule(),
  ) {
    this.sq = new Float64Array(m);
    for (let u = 0; u < m; u++) {
      let s = 0;
      for (let f = 0, o = u * p; f < p; f++) s += X[o + f] * X[o + f];
      this.sq[u] = s;
    }
    this.wasm = mod ? new WasmDots(mod, X, m, p, this.sq) : null;
    this.T = new Float64Array(this.wasm ? 0 : m * p);
    this.acc = new Float64Array(this.wasm ? 0 : m);
    if (!this.wasm) for (let u = 0; u < m; u++) for (let f = 0; f < p; f++) this.T[f * m + u] = X[u * p + f];
  }

  /** out[u] = K(x, row u) for every u < m, x being the p values of `x` from offset `xo`. */
  values(x: Float64Array, xo: number, out: Float32Array | Float64Array): void {
    const { sq, m, p } = this;
    let xx = 0;
    for (let f = 0; f < p; f++) xx += x[xo + f] * x[xo + f];
    const ng = -this.gamma;
    if (this.wasm) {
      out.set(this.wasm.rbf(x, xo, xx, ng));
      return;
    }
    const dot = this.jsDots(x, xo);
    for (let u = 0; u < m; u++) out[u] = exp(ng * (xx + sq[u] - 2 * dot[u]));
  }

  private jsDots(x: Float64Array, xo: number): Float64Array {
    const { T, m, p, acc } = this;
    acc.fill(0);
    let f = 0;
    for (; f + 3 < p; f += 4) {
      const x0 = x[xo + f],
        x1 = x[xo + f + 1],
        x2 = x[xo + f + 2],
        x3 = x[xo + f + 3];
      const o0 = f * m,
        o1 = o0 + m,
        o2 = o1 + m,
        o3 = o2 + m;
      for (let u = 0; u < m; u++) acc[u] += x0 * T[o0 + u] + x1 * T[o1 + u] + (x2 * T[o2 + u] + x3 * T[o3 + u]);
    }
    for (; f < p; f++) {
      const x0 = x[xo + f],
        o0 = f * m;
      for (let u = 0; u < m; u++) acc[u] += x0 * T[o0 + u];
    }
    return acc;
  }
}

/** Rows of a problem's kernel matrix over its own rows, as the SMO solver reads them. */
export interface KernelRows {
  /** Number of rows m of the problem. */
  readonly m: number;
  /** K(row i, row u) for every u < m. Valid until the next two calls (the cache keeps ≥ 2 rows). */
  row(i: number): Float32Array;
  /** K(row i, row i), without filling a row. */
  diagonal(i: number): number;
}

/** LIBSVM's default cache_size (MB). */
export const CACHE_MB = 200;

/**
 * LIBSVM's kernel cache (Chang & Lin, LIBSVM: a library for support vector machines, ACM TIST 2(3),
 * 2011, §5.1): kernel rows are computed when the solver first asks for them and kept in a
 * least-recently-used cache of `cacheMb` megabytes, so memory is bounded instead of growing as m².
 * Values are stored as float32, as LIBSVM's Qfloat, and computed with LIBSVM's RBF formula
 * exp(−γ(‖x_i‖² + ‖x_u‖² − 2 x_i·x_u)). Rows are whole (all m columns): the gradient updates of
 * the shrunk variables need them anyway.
 */
export class KernelCache implements KernelRows {
  readonly m: number;
  private readonly X: Float64Array;
  private readonly p: number;
  private readonly points: RbfPoints;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly lru = new Map<number, Float32Array>();
  private readonly capacity: number;
  /**
   * The cache's rows, one slab allocated at once (virtual until the rows are written): one large
   * allocation is mapped and unmapped whole, where many 64 KB rows stay in the allocator's arenas
   * after the worker ends (bench:limits: viz kept 440 MB resident after a 25,000-row SVC job).
   */
  private slab: Float32Array | null = null;
  private used = 0;
  computed = 0;

  constructor(
    X: Matrix,
    rows: ArrayLike<number> | null,
    readonly gamma: number,
    cacheMb = CACHE_MB,
  ) {
    const sub = rows ? X.takeRows(rows) : X;
    this.m = sub.rows;
    this.p = sub.cols;
    this.X = sub.data;
    this.points = new RbfPoints(this.X, this.m, this.p, gamma);
    this.capacity = Math.max(2, Math.floor((cacheMb * 1024 * 1024) / (4 * Math.max(1, this.m))));
  }

  /** The bytes the cache may hold for m rows at cacheMb (≤ m² float32 values). */
  static bytes(m: number, cacheMb = CACHE_MB): number {
    return Math.min(m * m * 4, Math.max(2 * m * 4, cacheMb * 1024 * 1024));
  }

  row(i: number): Float32Array {
    const hit = this.lru.get(i);
    if (hit) {
      this.lru.delete(i);
      this.lru.set(i, hit);
      return hit;
    }
    let buf: Float32Array;
    if (this.lru.size >= this.capacity) {
      const [oldest, old] = this.lru.entries().next().value as [number, Float32Array];
      this.lru.delete(oldest);
      buf = old;
    } else {
      this.slab ??= new Float32Array(Math.min(this.capacity, this.m) * this.m);
      buf = this.slab.subarray(this.used * this.m, (this.used + 1) * this.m);
      this.used++;
    }
    this.fill(i, buf);
    this.lru.set(i, buf);
    this.computed++;
    return buf;
  }

  diagonal(i: number): number {
    const { X, p } = this;
    const sq = this.points.sq;
    let dot = 0;
    for (let f = 0, o = i * p; f < p; f++) dot += X[o + f] * X[o + f];
    return Math.fround(exp(-this.gamma * (sq[i] + sq[i] - 2 * dot)));
  }

  private fill(i: number, out: Float32Array): void {
    this.points.values(this.X, i * this.p, out);
  }
}
