// LIBSVM's kernel cache: any access order gives the RBF kernel's rows, rows evicted least recently
// used first, and its memory is one slab of at most cache_size (or m × m when smaller).
import { Matrix } from '../src/matrix.js';
import { dotsModule } from '../src/svm/dots-wasm.js';
import { KernelCache, RbfPoints, rbf } from '../src/svm/kernel.js';

let s = 3;
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;

describe('KernelCache', () => {
  const m = 400,
    p = 3,
    gamma = 0.7;
  const X = new Matrix(m, p, Float64Array.from({ length: m * p }, r));
  const expected = (i: number, u: number) => Math.fround(rbf(X.data, i, X.data, u, p, gamma));

  it('answers every row as the RBF kernel, through evictions, recomputing only the rows it dropped', () => {
    // 0.004 MB holds 2 rows of 400 float32s: a row asked again after two others is computed again
    const cache = new KernelCache(X, null, gamma, 0.004);
    const order = [0, 1, 0, 2, 3, 0, 399, 3, 5, 5];
    for (const i of order) {
      const row = cache.row(i);
      expect(row).toHaveLength(m);
      for (const u of [0, 1, 17, 200, 399]) expect(row[u]).toBeCloseTo(expected(i, u), 6);
    }
    // two hits: 0 asked again right after 1 (both held), and 5 twice in a row; the third 0 and the
    // second 3 had been evicted by two newer rows each
    expect(cache.computed).toBe(order.length - 2);
    const slab = (cache as unknown as { slab: Float32Array }).slab;
    expect(slab.length).toBe(2 * m);
  });

  it('holds at most the whole m × m matrix when cache_size is larger', () => {
    const cache = new KernelCache(X, null, gamma);
    for (let i = 0; i < m; i++) cache.row(i);
    for (let i = 0; i < m; i++) cache.row(i);
    expect(cache.computed).toBe(m);
    expect((cache as unknown as { slab: Float32Array }).slab.length).toBe(m * m);
    expect(KernelCache.bytes(m)).toBe(m * m * 4);
  });
});

describe('RbfPoints', () => {
  const naive = (A: Float64Array, i: number, B: Float64Array, u: number, p: number, gamma: number) => {
    let s = 0;
    for (let f = 0; f < p; f++) s += (A[i * p + f] - B[u * p + f]) ** 2;
    return Math.exp(-gamma * s);
  };

  it('runs its dot products in WebAssembly SIMD here (the fast path is the one tested)', () => {
    expect(dotsModule()).not.toBeNull();
  });

  it('computes exp in WebAssembly within 4e-16 (relative) of Math.exp from 0 down to −708, and ~0 below', () => {
    // one feature, the point at 0: the kernel value of row u is exp(−γ·a_u²)
    const t = Float64Array.from({ length: 20001 }, (_, k) => (k * 708) / 20000);
    const X = t.map(Math.sqrt);
    const points = new RbfPoints(X, X.length, 1, 1);
    const out = new Float64Array(X.length);
    points.values(new Float64Array(1), 0, out);
    let worst = 0;
    for (let u = 0; u < t.length; u++) {
      const want = Math.exp(-X[u] * X[u]);
      worst = Math.max(worst, Math.abs(out[u] - want) / want);
    }
    expect(worst).toBeLessThan(4e-16);
    const far = new RbfPoints(Float64Array.from([30, 40]), 2, 1, 1);
    far.values(new Float64Array(1), 0, out);
    expect(out[0]).toBeLessThan(1e-300);
    expect(out[1]).toBeLessThan(1e-300);
    // a NaN gives NaN, as Math.exp does
    new RbfPoints(Float64Array.from([NaN, 1]), 2, 1, 1).values(new Float64Array(1), 0, out);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(Math.exp(-1), 15);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 23])(
    'gives the RBF kernel of a point with every row for %p features, in WebAssembly and in JavaScript',
    (p) => {
      const m = 57,
        gamma = 0.3;
      const X = Float64Array.from({ length: m * p }, () => r() * 2 - 1);
      const Q = Float64Array.from({ length: 3 * p }, () => r() * 2 - 1);
      for (const mod of [dotsModule(), null]) {
        const points = new RbfPoints(X, m, p, gamma, mod);
        const out = new Float64Array(m);
        for (let q = 0; q < 3; q++) {
          points.values(Q, q * p, out);
          for (let u = 0; u < m; u++) expect(Math.abs(out[u] - naive(Q, q, X, u, p, gamma))).toBeLessThan(1e-13);
        }
      }
    },
  );
});
