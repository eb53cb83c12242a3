// RBF kernel rows in WebAssembly: the dot products of one point with every row of a row-major
// matrix with 128-bit SIMD (two float64 lanes), then exp (rbfCode). The kernel SVMs spend most of
// their time here (a 24,000-row RBF SVC asks for ~7,000 kernel rows of 24,000 values each); V8
// neither vectorises JavaScript loops nor drops their bounds checks: the dots run ~3× faster than
// the best JavaScript we found (~5 against ~16 ns per 20-feature dot, measured here), and the exp
// loop took ~3× the dots' time with Math.exp (cpu profile of a 30k SVR fit). The module is
// assembled below from named opcodes (a toolchain dependency for two loops was not worth it);
// `dotsModule()` is null where WebAssembly SIMD is unavailable, and callers then compute in
// JavaScript. What the dots function does, in WebAssembly's text form:
// (func (export "dots") (param $X i32) (param $m i32) (param $p i32) (param $x i32) (param $out i32) …)
//   out[u] = Σ_f X[u·p + f] · x[f] for u < m, all float64 at byte offsets in the exported memory:
//   two f64x2 accumulators over four features a step, then one f64x2 step and one scalar step for
//   the p mod 4 features left.

export const I32 = 0x7f,
  F64 = 0x7c,
  V128 = 0x7b;
/** The opcodes used here and in linear/liblinear-wasm.ts. */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br_if: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
  f64Add: 0xa0,
  f64Mul: 0xa2,
  void: 0x40,
} as const;
// SIMD instructions: prefix 0xfd, then the LEB128 opcode
export const v128Load = [0xfd, 0x00, 0x03, 0x00]; // align 2^3, offset 0
const v128Zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const f64x2Lane = (lane: number) => [0xfd, 0x21, lane]; // f64x2.extract_lane
export const f64x2Add = [0xfd, 0xf0, 0x01];
export const f64x2Mul = [0xfd, 0xf2, 0x01];

// locals: params 0–4, then u, f, row, pe (p rounded down to 4), acc0, acc1, s
const [X, m, p, x, out, u, f, row, pe, acc0, acc1, s] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const get = (i: number) => [op.localGet, i];
const set = (i: number) => [op.localSet, i];
const i32 = (v: number) => [op.i32Const, v & 0x7f]; // small non-negative constants only
/** The address of float64 number `idx` (a local) from base `base` (a local). */
const at = (base: number, idx: number, plus = 0) => [
  ...get(base),
  ...get(idx),
  ...(plus ? [...i32(plus), op.i32Add] : []),
  ...i32(3),
  op.i32Shl,
  op.i32Add,
];

/** Builds the module's bytes. */
function assemble(): Uint8Array {
  const code = [
    // pe = p & ~3
    ...get(p),
    op.i32Const,
    0x7c, // −4 in signed LEB128
    op.i32And,
    ...set(pe),
    ...get(X),
    ...set(row),
    ...i32(0),
    ...set(u),
    op.block,
    op.void,
    ...get(m),
    op.i32Eqz,
    op.br_if,
    0,
    op.loop,
    op.void,
    ...v128Zero,
    ...set(acc0),
    ...v128Zero,
    ...set(acc1),
    ...i32(0),
    ...set(f),
    // four features a step while f < pe
    op.block,
    op.void,
    ...get(pe),
    op.i32Eqz,
    op.br_if,
    0,
    op.loop,
    op.void,
    ...get(acc0),
    ...at(row, f),
    ...v128Load,
    ...at(x, f),
    ...v128Load,
    ...f64x2Mul,
    ...f64x2Add,
    ...set(acc0),
    ...get(acc1),
    ...at(row, f, 2),
    ...v128Load,
    ...at(x, f, 2),
    ...v128Load,
    ...f64x2Mul,
    ...f64x2Add,
    ...set(acc1),
    ...get(f),
    ...i32(4),
    op.i32Add,
    op.localTee,
    f,
    ...get(pe),
    op.i32LtU,
    op.br_if,
    0,
    op.end,
    op.end,
    // two more features when p mod 4 ≥ 2: f + 1 < p
    ...get(f),
    ...i32(1),
    op.i32Add,
    ...get(p),
    op.i32LtU,
    op.if,
    op.void,
    ...get(acc0),
    ...at(row, f),
    ...v128Load,
    ...at(x, f),
    ...v128Load,
    ...f64x2Mul,
    ...f64x2Add,
    ...set(acc0),
    ...get(f),
    ...i32(2),
    op.i32Add,
    ...set(f),
    op.end,
    // s = (acc0 + acc1) summed over lanes
    ...get(acc0),
    ...get(acc1),
    ...f64x2Add,
    ...set(acc0),
    ...get(acc0),
    ...f64x2Lane(0),
    ...get(acc0),
    ...f64x2Lane(1),
    op.f64Add,
    ...set(s),
    // the last feature when p is odd: f < p
    ...get(f),
    ...get(p),
    op.i32LtU,
    op.if,
    op.void,
    ...get(s),
    ...at(row, f),
    op.f64Load,
    0x03,
    0x00,
    ...at(x, f),
    op.f64Load,
    0x03,
    0x00,
    op.f64Mul,
    op.f64Add,
    ...set(s),
    op.end,
    // out[u] = s; row += p; u++
    ...at(out, u),
    ...get(s),
    op.f64Store,
    0x03,
    0x00,
    ...get(row),
    ...get(p),
    ...i32(3),
    op.i32Shl,
    op.i32Add,
    ...set(row),
    ...get(u),
    ...i32(1),
    op.i32Add,
    op.localTee,
    u,
    ...get(m),
    op.i32LtU,
    op.br_if,
    0,
    op.end,
    op.end,
    op.end,
  ];
  // local declarations: 4 × i32, 2 × v128, 1 × f64
  const fn = [3, 4, I32, 2, V128, 1, F64, ...code];
  const rbf = rbfCode();
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (t: string) => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    // types: 0 = (i32 ×5) → (), 1 = (i32 i32 i32 f64 f64) → ()
    ...section(1, [2, 0x60, 5, I32, I32, I32, I32, I32, 0, 0x60, 5, I32, I32, I32, F64, F64, 0]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page
    ...section(7, [3, ...name('dots'), 0x00, 0, ...name('rbf'), 0x00, 1, ...name('mem'), 0x02, 0]),
    ...section(10, [2, ...uleb(fn.length), ...fn, ...uleb(rbf.length), ...rbf]),
  ]);
}

/** float64 constant bytes (little-endian). */
function f64c(v: number): number[] {
  const b = new Uint8Array(new Float64Array([v]).buffer);
  return [0x44, ...b];
}

/**
 * (func $rbf (param $d i32) (param $sq i32) (param $m i32) (param $xx f64) (param $ng f64)):
 * d[u] = exp(ng · (xx + sq[u] − 2 d[u])) for u < m, in place. exp as fdlibm reduces it: k = the
 * nearest integer to x / ln 2, r = x − k ln 2 in two parts (|r| ≤ ½ ln 2), eʳ by its Taylor series
 * to degree 13 (truncation below 4e-18), times 2ᵏ built in the exponent bits; x is clamped at
 * −708 (below, eˣ < 3e-308 is 0 to any kernel value that matters and 2ᵏ would leave the normal
 * range). Within a few units in the last place of Math.exp, so the float32 kernel values are the
 * same but for values a few float64 ulps from a float32 rounding boundary.
 */
function rbfCode(): number[] {
  const [d, sq, m, xx, ng, u, x, k, r, pp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const at = (base: number) => [...get(base), ...get(u), ...i32(3), op.i32Shl, op.i32Add];
  const F64_MAX = 0xa5,
    F64_NEAREST = 0x9e,
    F64_SUB = 0xa1,
    I64_CONST = 0x42,
    I64_ADD = 0x7c,
    I64_SHL = 0x86,
    F64_REINTERPRET_I64 = 0xbf;
  // the saturating conversion: a NaN argument (a NaN in X) gives NaN as Math.exp does, not a trap
  const I64_TRUNC_SAT_F64_S = [0xfc, 0x06];
  // Horner: p = c13; p = p·r + c_i for i = 12 … 0
  const horner: number[] = [...f64c(1 / 6227020800), ...set(pp)];
  let fact = 6227020800;
  for (let i = 12; i >= 0; i--) {
    fact /= i + 1;
    horner.push(...get(pp), ...get(r), op.f64Mul, ...f64c(1 / fact), op.f64Add, ...set(pp));
  }
  const code = [
    ...i32(0),
    ...set(u),
    op.block,
    op.void,
    ...get(m),
    op.i32Eqz,
    op.br_if,
    0,
    op.loop,
    op.void,
    // x = max(ng · ((xx + sq[u]) − 2·d[u]), −708)
    ...get(ng),
    ...get(xx),
    ...at(sq),
    op.f64Load,
    0x03,
    0x00,
    op.f64Add,
    ...f64c(2),
    ...at(d),
    op.f64Load,
    0x03,
    0x00,
    op.f64Mul,
    F64_SUB,
    op.f64Mul,
    ...f64c(-708),
    F64_MAX,
    ...set(x),
    // k = nearest(x · log2 e); r = (x − k·ln2_hi) − k·ln2_lo
    ...get(x),
    ...f64c(1.4426950408889634),
    op.f64Mul,
    F64_NEAREST,
    ...set(k),
    ...get(x),
    ...get(k),
    ...f64c(6.9314718036912381649e-1),
    op.f64Mul,
    F64_SUB,
    ...get(k),
    ...f64c(1.9082149292705877e-10),
    op.f64Mul,
    F64_SUB,
    ...set(r),
    ...horner,
    // d[u] = p · 2^k
    ...at(d),
    ...get(pp),
    ...get(k),
    ...I64_TRUNC_SAT_F64_S,
    I64_CONST,
    0xff,
    0x07, // 1023
    I64_ADD,
    I64_CONST,
    52,
    I64_SHL,
    F64_REINTERPRET_I64,
    op.f64Mul,
    op.f64Store,
    0x03,
    0x00,
    ...get(u),
    ...i32(1),
    op.i32Add,
    op.localTee,
    u,
    ...get(m),
    op.i32LtU,
    op.br_if,
    0,
    op.end,
    op.end,
    op.end,
  ];
  return [2, 1, I32, 4, F64, ...code]; // locals: u; x, k, r, p
}

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** The few WebAssembly APIs used here: the project's `lib` setting declares none. */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: object) => { exports: Record<string, unknown> };
}
export type WasmModule = { readonly __brand: 'WebAssembly.Module' };
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

let compiled: WasmModule | null | undefined;

/** The compiled module (once per thread), or null where WebAssembly SIMD is unavailable. */
export function dotsModule(): WasmModule | null {
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

/** One instance with its own memory: the matrix copied in once, then dots against any point. */
export class WasmDots {
  private readonly dots: (X: number, m: number, p: number, x: number, out: number) => void;
  private readonly rbfInPlace: (d: number, sq: number, m: number, xx: number, ng: number) => void;
  private readonly memory: WasmMemory;
  private readonly xAt: number;
  private readonly outAt: number;
  private readonly sqAt: number;

  constructor(
    mod: WasmModule,
    X: Float64Array,
    private readonly m: number,
    private readonly p: number,
    /** The rows' squared norms, for rbf(). */
    sq?: Float64Array,
  ) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const inst = new wasm.Instance(mod, {});
    this.dots = inst.exports.dots as WasmDots['dots'];
    this.rbfInPlace = inst.exports.rbf as WasmDots['rbfInPlace'];
    this.memory = inst.exports.mem as WasmMemory;
    this.xAt = m * p * 8;
    this.outAt = this.xAt + p * 8;
    this.sqAt = this.outAt + m * 8;
    const pages = Math.ceil((this.sqAt + m * 8) / 65536);
    if (pages > 1) this.memory.grow(pages - 1);
    new Float64Array(this.memory.buffer, 0, m * p).set(X.subarray(0, m * p));
    if (sq) new Float64Array(this.memory.buffer, this.sqAt, m).set(sq.subarray(0, m));
  }

  /** The dot products of x (p values from offset xo) with every row, valid until the next call. */
  run(x: Float64Array, xo: number): Float64Array {
    const buf = this.memory.buffer;
    new Float64Array(buf, this.xAt, this.p).set(x.subarray(xo, xo + this.p));
    this.dots(0, this.m, this.p, this.xAt, this.outAt);
    return new Float64Array(buf, this.outAt, this.m);
  }

  /** exp(ng · (xx + ‖row u‖² − 2 x·row u)) for every row (needs sq), valid until the next call. */
  rbf(x: Float64Array, xo: number, xx: number, ng: number): Float64Array {
    const out = this.run(x, xo);
    this.rbfInPlace(this.outAt, this.sqAt, this.m, xx, ng);
    return out;
  }
}
