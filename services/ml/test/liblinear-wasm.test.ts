// liblinear's dual coordinate descent with its dot products and updates in WebAssembly
// (liblinear-wasm.ts) takes the same steps as with the JavaScript loops, to the last bit.
import { LiblinearRng, solveL1LossSvrDual, solveL2LossSvcDual } from '../src/linear/liblinear.js';
import { MIN_FEATURES, wasmRows } from '../src/linear/liblinear-wasm.js';

let s = 11;
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;

describe('liblinear with WebAssembly vector operations', () => {
  // 42 features and a bias column (43 values, odd: the update's scalar tail runs), digits-sized rows
  const l = 300,
    n = 43;
  const X = Float64Array.from({ length: l * n }, (_, k) => (k % n === n - 1 ? 1 : r() * 2 - 1));
  const truth = Float64Array.from({ length: n }, () => r() - 0.5);
  const score = (i: number) => X.subarray(i * n, i * n + n).reduce((a, v, j) => a + v * truth[j], 0);
  const pr = { X, l, n };

  it('uses WebAssembly here for rows of this length', () => {
    expect(n).toBeGreaterThanOrEqual(MIN_FEATURES);
    expect(wasmRows(X, l, n)).not.toBeNull();
  });

  it.each([0.01, 1, 100])('gives the L2-loss SVC dual the same w and iterations at C=%p', (C) => {
    const y = Int8Array.from({ length: l }, (_, i) => (score(i) + 0.3 * (r() - 0.5) > 0 ? 1 : -1));
    const a = solveL2LossSvcDual(pr, y, C, 1e-4, 200, new LiblinearRng(3), 'wasm');
    const b = solveL2LossSvcDual(pr, y, C, 1e-4, 200, new LiblinearRng(3), 'js');
    expect(a.iter).toBe(b.iter);
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
  });

  it.each([0.01, 1, 100])('gives the L1-loss SVR dual the same w and iterations at C=%p', (C) => {
    const y = Float64Array.from({ length: l }, (_, i) => score(i) + 0.1 * (r() - 0.5));
    const a = solveL1LossSvrDual(pr, y, C, 0.05, 1e-4, 200, new LiblinearRng(3), 'wasm');
    const b = solveL1LossSvrDual(pr, y, C, 0.05, 1e-4, 200, new LiblinearRng(3), 'js');
    expect(a.iter).toBe(b.iter);
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
  });
});
