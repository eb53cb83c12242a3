// The two vector operations of liblinear's coordinate steps, in WebAssembly: the dot product of a
// row with w (sequential, in liblinear's order, so every sum is the same float64 as the JavaScript
// loop's) and w += d·row (two lanes at a time; each element is computed as in JavaScript, so the
// result is identical too). With the row length known only at run time, V8 bounds-checks every
// element of the JavaScript loops: on the digits rows (65 values) a step with one dot and one
// update took ~420 ns, ~3 ns per element; with these the digits solves take half the time
// (bench:solvers linear-svc-digits-grid, 12.2 → 6.9 s CPU here). On short rows (the toy tables'
// 5–14 values) the calls cost more than they save, so those stay in JavaScript (MIN_FEATURES).
//
// (func $dot (param $a i32) (param $b i32) (param $n i32) (param $s f64) (result f64)):
//   s + Σ_j a[j]·b[j], added to s in order j = 0…n−1
// (func $axpy (param $d f64) (param $x i32) (param $y i32) (param $n i32)): y[j] += d·x[j]
// with a, b, x, y byte offsets of float64 arrays in the exported memory.
import { F64, I32, V128, f64x2Add, f64x2Mul, op, uleb, v128Load } from '../svm/dots-wasm.js';
import type { WasmApi, WasmMemory, WasmModule } from '../svm/dots-wasm.js';

const get = (i: number) => [op.localGet, i];
const set = (i: number) => [op.localSet, i];
const i32 = (v: number) => [op.i32Const, v & 0x7f]; // small constants: −64 ≤ v < 64
/** The address of float64 number `idx` (a local) from base `base` (a local). */
const at = (base: number, idx: number) => [...get(base), ...get(idx), ...i32(3), op.i32Shl, op.i32Add];
const f64Load = [op.f64Load, 0x03, 0x00];
const f64Store = [op.f64Store, 0x03, 0x00];
const v128Store = [0xfd, 0x0b, 0x03, 0x00];
const f64x2Splat = [0xfd, 0x14];

function dotCode(): number[] {
  const [a, b, n, init, j, s] = [0, 1, 2, 3, 4, 5];
  const code = [
    ...get(init),
    ...set(s),
    ...i32(0),
    ...set(j),
    op.block,
    op.void,
    ...get(n),
    op.i32Eqz,
    op.br_if,
    0,
    op.loop,
    op.void,
    ...get(s),
    ...at(a, j),
    ...f64Load,
    ...at(b, j),
    ...f64Load,
    op.f64Mul,
    op.f64Add,
    ...set(s),
    ...get(j),
    ...i32(1),
    op.i32Add,
    op.localTee,
    j,
    ...get(n),
    op.i32LtU,
    op.br_if,
    0,
    op.end,
    op.end,
    ...get(s),
    op.end,
  ];
  return [2, 1, I32, 1, F64, ...code]; // locals: j, s
}

function axpyCode(): number[] {
  const [d, x, y, n, j, ne, dv] = [0, 1, 2, 3, 4, 5, 6];
  const code = [
    ...get(d),
    ...f64x2Splat,
    ...set(dv),
    ...get(n),
    ...i32(-2),
    op.i32And,
    ...set(ne),
    ...i32(0),
    ...set(j),
    op.block,
    op.void,
    ...get(ne),
    op.i32Eqz,
    op.br_if,
    0,
    op.loop,
    op.void,
    ...at(y, j),
    ...at(y, j),
    ...v128Load,
    ...get(dv),
    ...at(x, j),
    ...v128Load,
    ...f64x2Mul,
    ...f64x2Add,
    ...v128Store,
    ...get(j),
    ...i32(2),
    op.i32Add,
    op.localTee,
    j,
    ...get(ne),
    op.i32LtU,
    op.br_if,
    0,
    op.end,
    op.end,
    // the last element when n is odd
    ...get(j),
    ...get(n),
    op.i32LtU,
    op.if,
    op.void,
    ...at(y, j),
    ...at(y, j),
    ...f64Load,
    ...get(d),
    ...at(x, j),
    ...f64Load,
    op.f64Mul,
    op.f64Add,
    ...f64Store,
    op.end,
    op.end,
  ];
  return [2, 2, I32, 1, V128, ...code]; // locals: j, ne, dv
}

function assemble(): Uint8Array {
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (t: string) => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  const dot = dotCode(),
    axpy = axpyCode();
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // types: 0 = (i32 i32 i32 f64) → f64, 1 = (f64 i32 i32 i32) → ()
    ...section(1, [2, 0x60, 4, I32, I32, I32, F64, 1, F64, 0x60, 4, F64, I32, I32, I32, 0]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [3, ...name('dot'), 0x00, 0, ...name('axpy'), 0x00, 1, ...name('mem'), 0x02, 0]),
    ...section(10, [2, ...uleb(dot.length), ...dot, ...uleb(axpy.length), ...axpy]),
  ]);
}

let compiled: WasmModule | null | undefined;
const byProblem = new WeakMap<Float64Array, WasmRows>();

/**
 * The rows of X (l × n) in WebAssembly memory with w zeroed, or null to use the JavaScript loops:
 * below MIN_FEATURES the call into WebAssembly costs more than the short loops it replaces. One
 * copy per X, shared by the solves over it (the classes of one-vs-rest), which run one after
 * another: each starts by zeroing the shared w.
 */
export function wasmRows(X: Float64Array, l: number, n: number): WasmRows | null {
  if (n < MIN_FEATURES) return null;
  const mod = vectorModule();
  if (!mod) return null;
  let rows = byProblem.get(X);
  if (!rows) {
    rows = new WasmRows(mod, X, l, n);
    byProblem.set(X, rows);
  }
  rows.w.fill(0);
  return rows;
}

/**
 * Row length from which the WebAssembly dot and update pay for their calls: the iris, wine and
 * boston grids (5–14 values a row) were 1.1–1.5× slower with them, digits (65) 1.8× faster.
 */
export const MIN_FEATURES = 16;

/** The compiled module (once per thread), or null where WebAssembly SIMD is unavailable. */
export function vectorModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    const bytes = assemble();
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * A problem's rows (l × n, row-major) copied into WebAssembly memory once, with room for w: the
 * solvers keep w there (a Float64Array view) and call dot / axpy by row.
 */
export class WasmRows {
  readonly dot: (a: number, b: number, n: number, s: number) => number;
  readonly axpy: (d: number, x: number, y: number, n: number) => void;
  /** w, in the instance's memory, at byte offset wAt. */
  readonly w: Float64Array;
  readonly wAt: number;

  constructor(mod: WasmModule, X: Float64Array, l: number, n: number) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const inst = new wasm.Instance(mod, {});
    this.dot = inst.exports.dot as WasmRows['dot'];
    this.axpy = inst.exports.axpy as WasmRows['axpy'];
    const memory = inst.exports.mem as WasmMemory;
    this.wAt = l * n * 8;
    const pages = Math.ceil((this.wAt + n * 8) / 65536);
    if (pages > 1) memory.grow(pages - 1);
    new Float64Array(memory.buffer, 0, l * n).set(X.subarray(0, l * n));
    this.w = new Float64Array(memory.buffer, this.wAt, n);
  }
}
