import { type FunctionBuilder, I32, I64, Op } from './encoder.js';
import type { WasmEmitter } from './emitter.js';

/**
 * NZCV in compiled WebAssembly. A flag-setter leaves its operands and result in the locals
 * fa, fb, fr and its kind in fk (runtime.ts storeFlags numbering: 1/2 SUBS 64/32, 3/4 ADDS,
 * 5/6 ANDS); a B.cond, CSEL or CCMP that knows which setter that was tests the operands
 * directly (`cmp x0, x1; b.lt` is one i64.lt_s), anything else first turns them into the NZCV
 * word (`nzcvOf`). 32-bit setters keep zero-extended operands; conditions wrap them.
 */

/** Body of the module's `nzcvOf(fk, fa, fb, fr) → NZCV` function. */
export function emitNzcvOf(f: FunctionBuilder): void {
  const [k, a, b, r] = [0, 1, 2, 3];
  // A 32-bit setter's operands shifted to the top half obey the 64-bit formulas.
  f.get(k).i32(1).op(Op.i32_and).op(Op.i32_eqz).if_();
  for (const x of [a, b, r]) f.get(x).i64(32).op(Op.i64_shl).set(x);
  f.end();
  const nz = (): void => {
    f.get(r).i64(0).op(Op.i64_lt_s).i32(31).op(Op.i32_shl);
    f.get(r).op(Op.i64_eqz).i32(30).op(Op.i32_shl).op(Op.i32_or);
  };
  // Logic: C = V = 0.
  f.get(k).i32(5).op(Op.i32_ge_u).if_();
  nz();
  f.op(Op.return);
  f.end();
  f.get(k).i32(3).op(Op.i32_ge_u).if_();
  // ADDS: C = r <u a; V = (~(a ^ b) & (a ^ r)) < 0.
  nz();
  f.get(r).get(a).op(Op.i64_lt_u).i32(29).op(Op.i32_shl).op(Op.i32_or);
  f.get(a).get(b).op(Op.i64_xor).i64(-1).op(Op.i64_xor).get(a).get(r).op(Op.i64_xor).op(Op.i64_and).i64(0).op(Op.i64_lt_s).i32(28).op(Op.i32_shl).op(Op.i32_or);
  f.op(Op.return);
  f.end();
  // SUBS: C = a >=u b; V = ((a ^ b) & (a ^ r)) < 0.
  nz();
  f.get(a).get(b).op(Op.i64_ge_u).i32(29).op(Op.i32_shl).op(Op.i32_or);
  f.get(a).get(b).op(Op.i64_xor).get(a).get(r).op(Op.i64_xor).op(Op.i64_and).i64(0).op(Op.i64_lt_s).i32(28).op(Op.i32_shl).op(Op.i32_or);
}

export const NZCV_OF_PARAMS = [I32, I64, I64, I64] as const;

/** Push a condition (ARM `cond`) over the NZCV word in the `nzcv` local, as an i32 0/1. */
function condFromNzcv(e: WasmEmitter, cond: number): void {
  const f = e.f;
  if (cond >= 14) {
    f.i32(1);
    return;
  }
  const bit = (n: number): void => {
    f.get(e.nzcv).i32(n).op(Op.i32_shr_u).i32(1).op(Op.i32_and);
  };
  const nEqualsV = (): void => {
    f.get(e.nzcv).get(e.nzcv).i32(3).op(Op.i32_shl).op(Op.i32_xor).i32(31).op(Op.i32_shr_u).op(Op.i32_eqz);
  };
  switch (cond >> 1) {
    case 0:
      bit(30);
      break;
    case 1:
      bit(29);
      break;
    case 2:
      bit(31);
      break;
    case 3:
      bit(28);
      break;
    case 4:
      // C && !Z: bits 30..29 are 0b01.
      f.get(e.nzcv).i32(29).op(Op.i32_shr_u).i32(3).op(Op.i32_and).i32(1).op(Op.i32_eq);
      break;
    case 5:
      nEqualsV();
      break;
    default:
      nEqualsV();
      bit(30);
      op(f, Op.i32_eqz);
      f.op(Op.i32_and);
  }
  if (cond & 1) f.op(Op.i32_eqz);
}

function op(f: FunctionBuilder, code: number): void {
  f.op(code);
}

/** Push the operands a, b (or the result r) of the pending setter at its width. */
function operand(e: WasmEmitter, local: number, sf: boolean): void {
  e.f.get(local);
  if (!sf) e.f.op(Op.i32_wrap_i64);
}

/**
 * Push a condition as an i32 0/1: fused with the flag-setter the locals are known to hold,
 * else over the NZCV word (made exact first).
 */
export function condition(e: WasmEmitter, cond: number): void {
  const f = e.f;
  const p = e.pending;
  if (cond >= 14) {
    f.i32(1);
    return;
  }
  if (p !== undefined && p.kind <= 2) {
    const sf = p.kind === 1;
    const cmp = (op64: number, op32: number): void => {
      operand(e, e.fa, sf);
      operand(e, e.fb, sf);
      f.op(sf ? op64 : op32);
    };
    const inv = (cond & 1) === 1;
    switch (cond >> 1) {
      case 0:
        return cmp(inv ? Op.i64_ne : Op.i64_eq, inv ? Op.i32_ne : Op.i32_eq);
      case 1:
        return cmp(inv ? Op.i64_lt_u : Op.i64_ge_u, inv ? Op.i32_lt_u : Op.i32_ge_u);
      case 4:
        return cmp(inv ? Op.i64_le_u : Op.i64_gt_u, inv ? Op.i32_le_u : Op.i32_gt_u);
      case 5:
        return cmp(inv ? Op.i64_lt_s : Op.i64_ge_s, inv ? Op.i32_lt_s : Op.i32_ge_s);
      case 6:
        return cmp(inv ? Op.i64_le_s : Op.i64_gt_s, inv ? Op.i32_le_s : Op.i32_gt_s);
      case 2:
        operand(e, e.fr, sf);
        f.op(sf ? Op.i64_const : Op.i32_const);
        e.f.code.byte(0);
        f.op(inv ? (sf ? Op.i64_ge_s : Op.i32_ge_s) : sf ? Op.i64_lt_s : Op.i32_lt_s);
        return;
    }
  }
  if (p !== undefined && p.kind >= 5) {
    // ANDS/TST: N = r < 0, Z = r == 0, C = V = 0.
    const sf = p.kind === 5;
    const inv = (cond & 1) === 1;
    const r = (op64: number, op32: number): void => {
      operand(e, e.fr, sf);
      f.op(sf ? Op.i64_const : Op.i32_const);
      e.f.code.byte(0);
      f.op(sf ? op64 : op32);
    };
    switch (cond >> 1) {
      case 0:
        return r(inv ? Op.i64_ne : Op.i64_eq, inv ? Op.i32_ne : Op.i32_eq);
      case 1:
      case 3:
      case 4:
        // C (and hence HI) is 0, V is 0.
        f.i32(inv ? 1 : 0);
        return;
      case 2:
        return r(inv ? Op.i64_ge_s : Op.i64_lt_s, inv ? Op.i32_ge_s : Op.i32_lt_s);
      case 5:
        return r(inv ? Op.i64_lt_s : Op.i64_ge_s, inv ? Op.i32_lt_s : Op.i32_ge_s);
      case 6:
        return r(inv ? Op.i64_le_s : Op.i64_gt_s, inv ? Op.i32_le_s : Op.i32_gt_s);
    }
  }
  e.materialise();
  condFromNzcv(e, cond);
}

/**
 * Record a flag-setter: `a`, `b` and `r` are locals holding the operands and result at the
 * width (i64, or i32 for 32-bit); kind as `Pending.kind`.
 */
export function setFlags(e: WasmEmitter, kind: number, a: number | undefined, b: number | undefined, r: number, sf: number): void {
  const f = e.f;
  const put = (src: number | undefined, dst: number): void => {
    if (src === undefined) f.i64(0);
    else {
      f.get(src);
      if (!sf) f.op(Op.i64_extend_i32_u);
    }
    f.set(dst);
  };
  put(a, e.fa);
  put(b, e.fb);
  put(r, e.fr);
  f.i32(kind).set(e.fk);
  e.pending = { kind };
}
