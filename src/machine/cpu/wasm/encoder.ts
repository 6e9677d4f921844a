/**
 * A small WebAssembly binary encoder: the module sections the CPU's WebAssembly tier needs
 * (types, imported functions and memory, functions with locals, exports) and a function-body
 * builder with structured control flow whose branch depths are computed from labels.
 *
 * Written by hand rather than through binaryen: binaryen.js is a 10+ MB asm.js/wasm
 * module that takes longer to load than our compiles take in total, and our code is already
 * in the shape V8's baseline and optimising compilers want (see docs/architecture.md).
 * Names follow the WebAssembly core specification (§5 Binary Format).
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;
/** The empty block type (a block with no result). */
const EMPTY = 0x40;

/** Opcodes used by the tier (core spec §5.4); names as in the text format. */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  i32_load: 0x28,
  i64_load: 0x29,
  f32_load: 0x2a,
  f64_load: 0x2b,
  i32_load8_s: 0x2c,
  i32_load8_u: 0x2d,
  i32_load16_s: 0x2e,
  i32_load16_u: 0x2f,
  i64_load8_s: 0x30,
  i64_load8_u: 0x31,
  i64_load16_s: 0x32,
  i64_load16_u: 0x33,
  i64_load32_s: 0x34,
  i64_load32_u: 0x35,
  i32_store: 0x36,
  i64_store: 0x37,
  f32_store: 0x38,
  f64_store: 0x39,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
  i64_store8: 0x3c,
  i64_store16: 0x3d,
  i64_store32: 0x3e,
  i32_const: 0x41,
  i64_const: 0x42,
  f64_const: 0x44,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  i32_clz: 0x67,
  i32_ctz: 0x68,
  i32_popcnt: 0x69,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i64_clz: 0x79,
  i64_ctz: 0x7a,
  i64_popcnt: 0x7b,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_rem_s: 0x81,
  i64_rem_u: 0x82,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i64_rotl: 0x89,
  i64_rotr: 0x8a,
  f64_abs: 0x99,
  f64_neg: 0x9a,
  f64_trunc: 0x9d,
  f64_sqrt: 0x9f,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  i32_wrap_i64: 0xa7,
  i32_trunc_f64_s: 0xaa,
  i32_trunc_f64_u: 0xab,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  i64_trunc_f64_s: 0xb0,
  i64_trunc_f64_u: 0xb1,
  f32_convert_i64_s: 0xb4,
  f32_convert_i64_u: 0xb5,
  f32_demote_f64: 0xb6,
  f64_convert_i64_s: 0xb9,
  f64_convert_i64_u: 0xba,
  f64_promote_f32: 0xbb,
  i64_reinterpret_f64: 0xbd,
  f64_reinterpret_i64: 0xbf,
  i32_extend8_s: 0xc0,
  i32_extend16_s: 0xc1,
  i64_extend8_s: 0xc2,
  i64_extend16_s: 0xc3,
  i64_extend32_s: 0xc4,
} as const;

/**
 * Vector instructions (WebAssembly 2.0 §5.4.8): the 0xfd prefix, then these numbers as
 * LEB128 u32. Lane-size families are in the order 8, 16, 32, 64 bits (`i8x16`…`i64x2`).
 */
export const SimdOp = {
  v128_load: 0x00,
  v128_load8_splat: 0x07,
  v128_load16_splat: 0x08,
  v128_load32_splat: 0x09,
  v128_load64_splat: 0x0a,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  i8x16_swizzle: 0x0e,
  i8x16_splat: 0x0f,
  i16x8_splat: 0x10,
  i32x4_splat: 0x11,
  i64x2_splat: 0x12,
  v128_not: 0x4d,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  i8x16_popcnt: 0x62,
} as const;

/** Per lane size (8, 16, 32, 64): the integer lane operations the CPU's vector rows use; undefined where WebAssembly has none. */
type Lanes = readonly [number | undefined, number | undefined, number | undefined, number | undefined];
export const SimdLanes: Record<string, Lanes> = {
  eq: [0x23, 0x2d, 0x37, 0xd6],
  ne: [0x24, 0x2e, 0x38, 0xd7],
  lt_s: [0x25, 0x2f, 0x39, 0xd8],
  gt_s: [0x27, 0x31, 0x3b, 0xd9],
  gt_u: [0x28, 0x32, 0x3c, undefined],
  le_s: [0x29, 0x33, 0x3d, 0xda],
  ge_s: [0x2b, 0x35, 0x3f, 0xdb],
  ge_u: [0x2c, 0x36, 0x40, undefined],
  abs: [0x60, 0x80, 0xa0, 0xc0],
  neg: [0x61, 0x81, 0xa1, 0xc1],
  shl: [0x6b, 0x8b, 0xab, 0xcb],
  shr_s: [0x6c, 0x8c, 0xac, 0xcc],
  shr_u: [0x6d, 0x8d, 0xad, 0xcd],
  add: [0x6e, 0x8e, 0xae, 0xce],
  sub: [0x71, 0x91, 0xb1, 0xd1],
  mul: [undefined, 0x95, 0xb5, 0xd5],
  min_s: [0x76, 0x96, 0xb6, undefined],
  min_u: [0x77, 0x97, 0xb7, undefined],
  max_s: [0x78, 0x98, 0xb8, undefined],
  max_u: [0x79, 0x99, 0xb9, undefined],
  // Widening (into lanes of twice the size, indexed by the wide size): low or high half, signed or not.
  extend_low_s: [undefined, 0x87, 0xa7, 0xc7],
  extend_high_s: [undefined, 0x88, 0xa8, 0xc8],
  extend_low_u: [undefined, 0x89, 0xa9, 0xc9],
  extend_high_u: [undefined, 0x8a, 0xaa, 0xca],
  extmul_low_s: [undefined, 0x9c, 0xbc, 0xdc],
  extmul_high_s: [undefined, 0x9d, 0xbd, 0xdd],
  extmul_low_u: [undefined, 0x9e, 0xbe, 0xde],
  extmul_high_u: [undefined, 0x9f, 0xbf, 0xdf],
};

/** Growable byte buffer with LEB128 (core spec §5.2.2). */
export class Bytes {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
  }

  bytes(bs: ArrayLike<number>): void {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]!);
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  u32(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  /** Signed LEB128 of an int32. */
  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit value (two's complement, any bigint is taken modulo 2^64). */
  s64(v: bigint): void {
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  name(s: string): void {
    const utf8 = new TextEncoder().encode(s);
    this.u32(utf8.length);
    this.bytes(utf8);
  }

  /** A vector of already-encoded content: its length, then the bytes. */
  sized(content: Bytes): void {
    this.u32(content.length);
    this.bytes(content.view());
  }

  view(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.length);
  }
}

/** A branch target: a block, loop or if of a function body. */
export interface Label {
  /** Position in the builder's control stack (set when the construct is open). */
  readonly depth: number;
}

/** A function body: locals and instructions, with labels for structured branches. */
export class FunctionBuilder {
  code = new Bytes();
  /** Code placed before `code` (emitted last, when what it must do is known). */
  private prologue: Bytes | undefined;
  private readonly locals: ValType[] = [];
  private readonly control: Label[] = [];

  /** `params` are locals 0..params.length-1. */
  constructor(private readonly params: readonly ValType[]) {}

  /** A new local of the type; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(opcode: number): this {
    this.code.byte(opcode);
    return this;
  }

  i32(v: number): this {
    this.code.byte(Op.i32_const);
    this.code.s32(v);
    return this;
  }

  i64(v: bigint | number): this {
    this.code.byte(Op.i64_const);
    if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff && Number.isInteger(v)) this.code.s32(v);
    else this.code.s64(BigInt(v));
    return this;
  }

  f64(v: number): this {
    this.code.byte(Op.f64_const);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    this.code.bytes(b);
    return this;
  }

  get(local: number): this {
    this.code.byte(Op.local_get);
    this.code.u32(local);
    return this;
  }

  set(local: number): this {
    this.code.byte(Op.local_set);
    this.code.u32(local);
    return this;
  }

  tee(local: number): this {
    this.code.byte(Op.local_tee);
    this.code.u32(local);
    return this;
  }

  call(func: number): this {
    this.code.byte(Op.call);
    this.code.u32(func);
    return this;
  }

  /** A vector instruction without immediates (SimdOp, SimdLanes). */
  simd(opcode: number): this {
    this.code.byte(0xfd);
    this.code.u32(opcode);
    return this;
  }

  /** A vector load or store with its memory argument (`align` as log2 of the access size). */
  simdMem(opcode: number, align: number, offset = 0): this {
    this.simd(opcode);
    this.code.u32(align);
    this.code.u32(offset);
    return this;
  }

  /** v128.const of 16 bytes (lane 0 first). */
  v128(bytes: ArrayLike<number>): this {
    if (bytes.length !== 16) throw new Error('wasm encoder: v128.const takes 16 bytes');
    this.simd(SimdOp.v128_const);
    this.code.bytes(bytes);
    return this;
  }

  /** i8x16.shuffle: byte k of the result is byte lanes[k] of the two operands (0–15 the first, 16–31 the second). */
  shuffle(lanes: ArrayLike<number>): this {
    if (lanes.length !== 16) throw new Error('wasm encoder: i8x16.shuffle takes 16 lane indices');
    this.simd(SimdOp.i8x16_shuffle);
    this.code.bytes(lanes);
    return this;
  }

  /** A load or store with its memory argument: `align` as log2 of the access size. */
  mem(opcode: number, align: number, offset = 0): this {
    this.code.byte(opcode);
    this.code.u32(align);
    this.code.u32(offset);
    return this;
  }

  private open(opcode: number): Label {
    this.code.byte(opcode);
    this.code.byte(EMPTY);
    const label = { depth: this.control.length };
    this.control.push(label);
    return label;
  }

  block(): Label {
    return this.open(Op.block);
  }

  loop(): Label {
    return this.open(Op.loop);
  }

  /** `if` on the i32 on the stack; close with `end()` (optionally `else_()` first). */
  if_(): Label {
    return this.open(Op.if);
  }

  else_(): this {
    this.code.byte(Op.else);
    return this;
  }

  end(): this {
    if (this.control.length === 0) throw new Error('wasm encoder: end without an open block');
    this.control.pop();
    this.code.byte(Op.end);
    return this;
  }

  /** The relative depth of an open label, as br takes it. */
  private depthOf(label: Label): number {
    const d = this.control.length - 1 - label.depth;
    if (d < 0 || this.control[label.depth] !== label) throw new Error('wasm encoder: branch to a label that is not open');
    return d;
  }

  br(label: Label): this {
    this.code.byte(Op.br);
    this.code.u32(this.depthOf(label));
    return this;
  }

  brIf(label: Label): this {
    this.code.byte(Op.br_if);
    this.code.u32(this.depthOf(label));
    return this;
  }

  brTable(labels: readonly Label[], fallback: Label): this {
    this.code.byte(Op.br_table);
    this.code.u32(labels.length);
    for (const l of labels) this.code.u32(this.depthOf(l));
    this.code.u32(this.depthOf(fallback));
    return this;
  }

  /** Emit code that runs before everything emitted so far or later (e.g. loading the locals the body turned out to use). */
  prepend(fill: (f: this) => void): void {
    const main = this.code;
    this.code = new Bytes();
    fill(this);
    this.prologue = this.code;
    this.code = main;
  }

  /** The encoded body (locals vector, then code and the final `end`). */
  encode(): Bytes {
    if (this.control.length !== 0) throw new Error('wasm encoder: a block is still open');
    const out = new Bytes();
    // Runs of equal types are declared together.
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    out.u32(runs.length);
    for (const [n, t] of runs) {
      out.u32(n);
      out.byte(t);
    }
    if (this.prologue) out.bytes(this.prologue.view());
    out.bytes(this.code.view());
    out.byte(Op.end);
    return out;
  }
}

interface FuncType {
  params: readonly ValType[];
  results: readonly ValType[];
}

/** A module: imported functions first (they take the low function indices), then defined ones. */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly typeKeys = new Map<string, number>();
  private readonly funcImports: { module: string; name: string; type: number }[] = [];
  private memoryImport: { module: string; name: string; min: number; sharedMax: number | undefined } | undefined;
  private readonly funcs: { type: number; body: FunctionBuilder }[] = [];
  private readonly exports: { name: string; func: number }[] = [];

  private typeIndex(t: FuncType): number {
    const key = `${t.params.join(',')}:${t.results.join(',')}`;
    let i = this.typeKeys.get(key);
    if (i === undefined) {
      i = this.types.length;
      this.types.push(t);
      this.typeKeys.set(key, i);
    }
    return i;
  }

  /** Import a function; returns its function index. All imports come before any `func`. */
  importFunc(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.funcs.length > 0) throw new Error('wasm encoder: imports must come before functions');
    this.funcImports.push({ module, name, type: this.typeIndex({ params, results }) });
    return this.funcImports.length - 1;
  }

  /**
   * Import the module's memory (`min` pages of 64 KiB); a shared one (the threads proposal's
   * limits flag 3) needs its maximum, which the imported memory's must not exceed.
   */
  importMemory(module: string, name: string, min: number, sharedMax?: number): void {
    this.memoryImport = { module, name, min, sharedMax };
  }

  /** Define a function; returns its index and its body builder. */
  func(params: readonly ValType[], results: readonly ValType[]): { index: number; body: FunctionBuilder } {
    const body = new FunctionBuilder(params);
    this.funcs.push({ type: this.typeIndex({ params, results }), body });
    return { index: this.funcImports.length + this.funcs.length - 1, body };
  }

  exportFunc(name: string, func: number): void {
    this.exports.push({ name, func });
  }

  encode(): Uint8Array<ArrayBuffer> {
    const out = new Bytes();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, fill: (s: Bytes) => void): void => {
      const s = new Bytes();
      fill(s);
      out.byte(id);
      out.sized(s);
    };
    section(1, (s) => {
      s.u32(this.types.length);
      for (const t of this.types) {
        s.byte(0x60);
        s.u32(t.params.length);
        s.bytes(t.params);
        s.u32(t.results.length);
        s.bytes(t.results);
      }
    });
    section(2, (s) => {
      s.u32(this.funcImports.length + (this.memoryImport ? 1 : 0));
      for (const imp of this.funcImports) {
        s.name(imp.module);
        s.name(imp.name);
        s.byte(0x00);
        s.u32(imp.type);
      }
      if (this.memoryImport) {
        s.name(this.memoryImport.module);
        s.name(this.memoryImport.name);
        s.byte(0x02);
        const max = this.memoryImport.sharedMax;
        s.byte(max === undefined ? 0x00 : 0x03);
        s.u32(this.memoryImport.min);
        if (max !== undefined) s.u32(max);
      }
    });
    section(3, (s) => {
      s.u32(this.funcs.length);
      for (const f of this.funcs) s.u32(f.type);
    });
    section(7, (s) => {
      s.u32(this.exports.length);
      for (const e of this.exports) {
        s.name(e.name);
        s.byte(0x00);
        s.u32(e.func);
      }
    });
    section(10, (s) => {
      s.u32(this.funcs.length);
      for (const f of this.funcs) s.sized(f.body.encode());
    });
    return out.view().slice();
  }
}
