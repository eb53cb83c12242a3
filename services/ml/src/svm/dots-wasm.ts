// Dot products of one point with every row of a row-major matrix, in WebAssembly with 128-bit SIMD
// (two float64 lanes). The kernel SVMs spend most of their time here (a 24,000-row RBF SVC asks
// for ~7,000 kernel rows of 24,000 dot products each); V8 neither vectorises JavaScript loops nor
// drops their bounds checks, and this loop runs about 3× faster as SIMD WebAssembly than as the
// best JavaScript we found (~5 against ~16 ns per 20-feature dot product, measured here). The
// module is 370 bytes, assembled below from named opcodes (a toolchain dependency for one loop was
// not worth it); `dotsModule()` is null where WebAssembly SIMD is unavailable, and callers then
// compute the dots in JavaScript. What the function does, in WebAssembly's text form:
//
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
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (t: string) => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type: (i32 ×5) → ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page
    ...section(7, [2, ...name('dots'), 0x00, 0, ...name('mem'), 0x02, 0]), // exports
    ...section(10, [1, ...uleb(fn.length), ...fn]), // code
  ]);
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
  private readonly memory: WasmMemory;
  private readonly xAt: number;
  private readonly outAt: number;

  constructor(
    mod: WasmModule,
    X: Float64Array,
    private readonly m: number,
    private readonly p: number,
  ) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const inst = new wasm.Instance(mod, {});
    this.dots = inst.exports.dots as WasmDots['dots'];
    this.memory = inst.exports.mem as WasmMemory;
    this.xAt = m * p * 8;
    this.outAt = this.xAt + p * 8;
    const pages = Math.ceil((this.outAt + m * 8) / 65536);
    if (pages > 1) this.memory.grow(pages - 1);
    new Float64Array(this.memory.buffer, 0, m * p).set(X.subarray(0, m * p));
  }

  /** The dot products of x (p values from offset xo) with every row, valid until the next call. */
  run(x: Float64Array, xo: number): Float64Array {
    const buf = this.memory.buffer;
    new Float64Array(buf, this.xAt, this.p).set(x.subarray(xo, xo + this.p));
    this.dots(0, this.m, this.p, this.xAt, this.outAt);
    return new Float64Array(buf, this.outAt, this.m);
  }
}
