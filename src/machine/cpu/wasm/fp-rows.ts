import { FPCR_FZ, FPSR_IXC } from '../fpu.js';
import { Op } from './encoder.js';
import type { WasmEmitter } from './emitter.js';
import { condition } from './flags.js';
import { S_FPCR, S_FPSR, vAt } from './layout.js';
import type { WasmRow } from './rows.js';

/**
 * Scalar and vector floating-point arithmetic in WebAssembly, on the JavaScript tier's fast
 * path (jit/fp-rows.ts): FPCR all zero (round to nearest, no flush-to-zero, no default NaN)
 * and results that are normal numbers, so no overflow, underflow, invalid operation, division
 * by zero or NaN is involved. WebAssembly's f64 arithmetic is IEEE binary64 round-to-nearest
 * (and never contracts a·b + c), so on that path the result is the ARM ARM's. FPSR.IXC is
 * set from an error-free transformation (TwoSum, TwoProduct) while it is still clear; the
 * fused multiply-add is Boldo and Melquiond's sum with one rounding to odd (softfloat.ts
 * `fmaNearest`, here inline), so no call leaves WebAssembly. Single precision is computed in
 * double and rounded once more to single: exact for +, −, ×, ÷ and √ (53 ≥ 2·24 + 2), and
 * the single result is exact when the double one is and survives the rounding to single.
 * The single-precision FMA rounds to odd at double precision first, as fpu.ts does.
 * Anything else (NaN operands, infinities, results near or past the subnormal or overflow
 * range, another FPCR) calls the instruction's handler (`e.fallback`), which does the whole
 * of FPProcessException, NaN propagation and the rounding modes on raw bits.
 *
 * Bit moves that do not depend on FPCR (FMOV, FABS, FNEG, FCSEL, FMOV immediate) are always
 * inline; FCMP/FCMPE are inline when neither operand is a NaN and FPCR.FZ is clear.
 *
 * FPCR and FPSR are i32 words of the layout (S_FPCR, S_FPSR); V registers are read and written
 * in the register memory at VREGS + 16·n, after `fpReady`.
 */

const MIN_D = 2 ** -1022;
const MAX_D = Number.MAX_VALUE;
const MIN_S = 2 ** -126;
const MAX_S = 3.4028234663852886e38;
const SPLITTER = 134217729; // 2^27 + 1, as softfloat.ts
const FPCR_RMODE = 3 << 22;

// ---------------------------------------------------------------- error-free transformations

/** Push the error of s = a + b (softfloat.ts `twoSumError`), all f64 locals. */
function twoSumError(e: WasmEmitter, a: number, b: number, s: number): void {
  const f = e.f;
  const bb = e.tmpF64();
  f.get(s).get(a).op(Op.f64_sub).set(bb);
  f.get(a).get(s).get(bb).op(Op.f64_sub).op(Op.f64_sub);
  f.get(b).get(bb).op(Op.f64_sub);
  f.op(Op.f64_add);
}

/** Split x into high and low halves (Veltkamp), into two new locals. */
function split(e: WasmEmitter, x: number): [number, number] {
  const f = e.f;
  const [t, h, l] = [e.tmpF64(), e.tmpF64(), e.tmpF64()];
  f.f64(SPLITTER).get(x).op(Op.f64_mul).set(t);
  f.get(t).get(t).get(x).op(Op.f64_sub).op(Op.f64_sub).set(h);
  f.get(x).get(h).op(Op.f64_sub).set(l);
  return [h, l];
}

/** Push the error of p = a·b (softfloat.ts `twoProductError`: Dekker), valid when `productIsSafe`. */
function twoProductError(e: WasmEmitter, a: number, b: number, p: number): void {
  const f = e.f;
  const [ah, al] = split(e, a);
  const [bh, bl] = split(e, b);
  // al·bl − (((p − ah·bh) − al·bh) − ah·bl), in that order.
  f.get(al).get(bl).op(Op.f64_mul);
  f.get(p).get(ah).get(bh).op(Op.f64_mul).op(Op.f64_sub);
  f.get(al).get(bh).op(Op.f64_mul).op(Op.f64_sub);
  f.get(ah).get(bl).op(Op.f64_mul).op(Op.f64_sub);
  f.op(Op.f64_sub);
}

/** Push whether TwoProduct of a and b is exact (softfloat.ts `productIsSafe`), as an i32. */
function productIsSafe(e: WasmEmitter, a: number, b: number): void {
  const f = e.f;
  const [aa, bb, p] = [e.tmpF64(), e.tmpF64(), e.tmpF64()];
  f.get(a).op(Op.f64_abs).set(aa);
  f.get(b).op(Op.f64_abs).set(bb);
  f.get(aa).get(bb).op(Op.f64_mul).set(p);
  f.get(aa)
    .f64(2 ** 995)
    .op(Op.f64_le);
  f.get(bb)
    .f64(2 ** 995)
    .op(Op.f64_le)
    .op(Op.i32_and);
  // A zero product of non-zero operands has underflowed.
  f.get(p).f64(0).op(Op.f64_eq);
  f.get(aa).f64(0).op(Op.f64_eq).get(bb).f64(0).op(Op.f64_eq).op(Op.i32_or).op(Op.i32_and);
  f.get(p)
    .f64(2 ** -969)
    .op(Op.f64_gt)
    .get(p)
    .f64(2 ** 1020)
    .op(Op.f64_lt)
    .op(Op.i32_and);
  f.op(Op.i32_or).op(Op.i32_and);
}

/** Push the inexactness of p = RN(a·b) (runtime.ts `ixMul`): 0 exact, 1 inexact, 2 cannot tell. */
function ixMul(e: WasmEmitter, a: number, b: number, p: number): void {
  const f = e.f;
  const k = e.tmp32();
  f.i32(2).set(k);
  productIsSafe(e, a, b);
  f.if_();
  twoProductError(e, a, b, p);
  f.f64(0).op(Op.f64_ne).set(k);
  f.end();
  f.get(k);
}

/** Push the inexactness of q = RN(a / b) (runtime.ts `ixDiv`): exact iff q·b is a, exactly. */
function ixDiv(e: WasmEmitter, a: number, b: number, q: number): void {
  const f = e.f;
  const p = e.tmpF64();
  const k = e.tmp32();
  f.i32(2).set(k);
  productIsSafe(e, q, b);
  f.if_();
  f.get(q).get(b).op(Op.f64_mul).tee(p).get(a).op(Op.f64_ne);
  twoProductError(e, q, b, p);
  f.f64(0).op(Op.f64_ne).op(Op.i32_or).set(k);
  f.end();
  f.get(k);
}

// ---------------------------------------------------------------- lanes

/** One lane's result: `r` the f64 local with its value (for single precision, the double value before the final rounding to single; NaN when beyond the fast path). */
interface Lane {
  r: number;
  /** Push its inexactness (i32: 0 exact, 1 inexact, 2 cannot tell); emitted only while IXC is clear. */
  ix: () => void;
  /** Push whether a zero result is exact (an i32); absent: a zero result takes the slow path. */
  zero?: () => void;
}

/**
 * The fast path for `count` lanes of a precision written to register d (as jit/fp-rows.ts
 * `lanes`): every lane computed first (a destination may be a source), then the test that
 * FPCR is zero and every result normal (or an exact zero), FPSR.IXC while it is clear, and
 * the write-back zeroing the rest of the register; otherwise the handler does it all.
 */
function lanes(e: WasmEmitter, single: boolean, count: number, d: number, compute: (i: number) => Lane): true {
  const f = e.f;
  e.fpReady();
  const results = Array.from({ length: count }, (_, i) => compute(i));
  const [min, max] = single ? [MIN_S, MAX_S] : [MIN_D, MAX_D];
  const ok = e.tmp32();
  f.i32(0).mem(Op.i32_load, 2, S_FPCR).op(Op.i32_eqz);
  for (const x of results) {
    // A normal number (strictly above the smallest normal: a result rounded up to it may be
    // tiny before rounding, which raises Underflow), or a zero the operation gave exactly.
    const a = e.tmpF64();
    f.get(x.r).op(Op.f64_abs).tee(a).f64(min).op(Op.f64_gt);
    f.get(a).f64(max).op(Op.f64_le).op(Op.i32_and);
    if (x.zero !== undefined) {
      f.get(x.r).f64(0).op(Op.f64_eq);
      x.zero();
      f.op(Op.i32_and).op(Op.i32_or);
    }
    f.op(Op.i32_and);
  }
  f.set(ok);
  // IXC is sticky: once set, exactness no longer matters.
  f.get(ok).i32(0).mem(Op.i32_load, 2, S_FPSR).i32(FPSR_IXC).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and).if_();
  const k = e.tmp32();
  results.forEach((x, i) => {
    x.ix();
    if (i > 0) f.op(Op.i32_or);
  });
  f.tee(k).i32(2).op(Op.i32_ge_u).if_();
  f.i32(0).set(ok);
  f.else_();
  f.get(k).if_();
  f.i32(0).i32(0).mem(Op.i32_load, 2, S_FPSR).i32(FPSR_IXC).op(Op.i32_or).mem(Op.i32_store, 2, S_FPSR);
  f.end();
  f.end();
  f.end();
  f.get(ok).if_();
  const bytes = single ? 4 : 8;
  results.forEach((x, i) => {
    f.i32(0).get(x.r);
    if (single) f.op(Op.f32_demote_f64).mem(Op.f32_store, 2, vAt(d, 4 * i));
    else f.mem(Op.f64_store, 3, vAt(d, 8 * i));
  });
  // The rest of the register is zeroed (scalar forms, and 64-bit vectors).
  for (let at = count * bytes; at < 16; at += at % 8 === 0 ? 8 : 4) {
    if (at % 8 === 0) f.i32(0).i64(0).mem(Op.i64_store, 3, vAt(d, at));
    else f.i32(0).i32(0).mem(Op.i32_store, 2, vAt(d, at));
  }
  f.else_();
  e.fallback();
  f.end();
  return true;
}

/** Push lane i of register r as an f64 (a single lane promoted, exactly). */
function lane(e: WasmEmitter, single: boolean, r: number, i: number): void {
  if (single)
    e.f
      .i32(0)
      .mem(Op.f32_load, 2, vAt(r, 4 * i))
      .op(Op.f64_promote_f32);
  else e.f.i32(0).mem(Op.f64_load, 3, vAt(r, 8 * i));
}

/** A new f64 local holding lane i of register r. */
function laneLocal(e: WasmEmitter, single: boolean, r: number, i: number): number {
  const x = e.tmpF64();
  lane(e, single, r, i);
  e.f.set(x);
  return x;
}

/** Push 1 when the f64 local r (a single result in double) does not survive the rounding to single. */
function lostToSingle(e: WasmEmitter, r: number): void {
  e.f.get(r).op(Op.f32_demote_f64).op(Op.f64_promote_f32).get(r).op(Op.f64_ne);
}

// FP_2SRC opcode numbering (insns/fp.ts): fmul, fdiv, fadd, fsub, …, fnmul.
const OP_FMUL = 0;
const OP_FDIV = 1;
const OP_FADD = 2;
const OP_FSUB = 3;
const OP_FNMUL = 8;

/** One lane of a binary operation on the f64 locals x, y (single: promoted singles). */
function binaryLane(e: WasmEmitter, op: number, single: boolean, x: number, y: number): Lane {
  const f = e.f;
  const r = e.tmpF64();
  const f64op = op === OP_FMUL || op === OP_FNMUL ? Op.f64_mul : op === OP_FDIV ? Op.f64_div : op === OP_FADD ? Op.f64_add : Op.f64_sub;
  f.get(x).get(y).op(f64op).set(r);
  // FNMUL rounds the product, then negates it: the exactness test is the product's.
  let p = r;
  if (op === OP_FNMUL) {
    p = e.tmpF64();
    f.get(r).tee(p).op(Op.f64_neg).set(r);
  }
  const ix = (): void => {
    if (op === OP_FADD || op === OP_FSUB) {
      let yy = y;
      if (op === OP_FSUB) {
        yy = e.tmpF64();
        f.get(y).op(Op.f64_neg).set(yy);
      }
      twoSumError(e, x, yy, r);
      f.f64(0).op(Op.f64_ne);
    } else if (op === OP_FDIV) ixDiv(e, x, y, r);
    // The product of two singles is exact in double.
    else if (single) f.i32(0);
    else ixMul(e, x, y, p);
    if (single) {
      lostToSingle(e, r);
      f.op(Op.i32_or);
    }
  };
  const zero = (): void => {
    if (op === OP_FADD) f.get(x).get(y).op(Op.f64_neg).op(Op.f64_eq);
    else if (op === OP_FSUB) f.get(x).get(y).op(Op.f64_eq);
    else if (op === OP_FDIV) f.get(x).f64(0).op(Op.f64_eq);
    else f.get(x).f64(0).op(Op.f64_eq).get(y).f64(0).op(Op.f64_eq).op(Op.i32_or);
  };
  return { r, ix, zero };
}

/** Push x stepped one ulp (bits ± 1) away from zero when `away` (an i32 on the stack), else towards it; x finite, non-zero. */
function stepUlp(e: WasmEmitter, x: number): void {
  const f = e.f;
  const away = e.tmp32();
  f.set(away);
  f.get(x).op(Op.i64_reinterpret_f64);
  f.i64(1).i64(-1).get(away).op(Op.select);
  f.op(Op.i64_add).op(Op.f64_reinterpret_i64);
}

/**
 * One lane of a fused multiply-add a·b + c (double), by softfloat.ts `fmaNearest`: TwoProduct,
 * then Boldo and Melquiond's sum with one rounding to odd. `r` is NaN outside the range where
 * the transformations are exact, so the lane's normal test sends it to the handler.
 */
function fmaLane(e: WasmEmitter, a: number, b: number, c: number): Lane {
  const f = e.f;
  const [r, p, pe] = [e.tmpF64(), e.tmpF64(), e.tmpF64()];
  const ix = e.tmp32();
  f.f64(Number.NaN).set(r);
  f.i32(0).set(ix);
  productIsSafe(e, a, b);
  f.get(c)
    .op(Op.f64_abs)
    .f64(2 ** 1020)
    .op(Op.f64_lt)
    .op(Op.i32_and)
    .if_();
  f.get(a).get(b).op(Op.f64_mul).set(p);
  twoProductError(e, a, b, p);
  f.tee(pe).f64(0).op(Op.f64_eq).if_();
  {
    // An exact product: one rounding, of p + c.
    const s = e.tmpF64();
    f.get(p).get(c).op(Op.f64_add).tee(s).op(Op.f64_abs).f64(Number.POSITIVE_INFINITY).op(Op.f64_lt).if_();
    f.get(s).set(r);
    twoSumError(e, p, c, s);
    f.f64(0).op(Op.f64_ne).set(ix);
    f.end();
  }
  f.else_();
  {
    const [uh, ul, th, tl, v, ve] = [e.tmpF64(), e.tmpF64(), e.tmpF64(), e.tmpF64(), e.tmpF64(), e.tmpF64()];
    f.get(pe).get(c).op(Op.f64_add).set(uh);
    twoSumError(e, pe, c, uh);
    f.set(ul);
    f.get(p).get(uh).op(Op.f64_add).set(th);
    twoSumError(e, p, uh, th);
    f.set(tl);
    f.get(tl).get(ul).op(Op.f64_add).set(v);
    twoSumError(e, tl, ul, v);
    f.set(ve);
    // Round to odd: an even result with a remainder moves one ulp towards the exact value.
    f.get(ve).f64(0).op(Op.f64_ne);
    f.get(v).op(Op.i64_reinterpret_f64).i64(1).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_and).if_();
    f.get(v).f64(0).op(Op.f64_eq).if_();
    f.f64(Number.MIN_VALUE).f64(-Number.MIN_VALUE).get(ve).f64(0).op(Op.f64_gt).op(Op.select).set(v);
    f.else_();
    f.get(ve).f64(0).op(Op.f64_gt).get(v).f64(0).op(Op.f64_gt).op(Op.i32_eq);
    stepUlp(e, v);
    f.set(v);
    f.end();
    f.end();
    const rr = e.tmpF64();
    f.get(th).get(v).op(Op.f64_add).tee(rr).op(Op.f64_abs).tee(pe);
    f.f64(2 ** -960)
      .op(Op.f64_gt)
      .get(pe)
      .f64(2 ** 1020)
      .op(Op.f64_lt)
      .op(Op.i32_and)
      .if_();
    f.get(rr).set(r);
    f.get(ve).f64(0).op(Op.f64_ne);
    twoSumError(e, th, v, rr);
    f.f64(0).op(Op.f64_ne).op(Op.i32_or).set(ix);
    f.end();
  }
  f.end();
  f.end();
  // A zero is an exact one (p + c with p exact): its sign is IEEE's for the sum.
  return { r, ix: () => f.get(ix), zero: () => f.i32(1) };
}

/**
 * One lane of a single-precision fused multiply-add (fpu.ts `fpMulAdd32`): a·b is exact in
 * double, s + err = a·b + c exactly, s rounded to odd at double precision, then to single.
 */
function fmaLaneSingle(e: WasmEmitter, a: number, b: number, c: number): Lane {
  const f = e.f;
  const [p, s, err] = [e.tmpF64(), e.tmpF64(), e.tmpF64()];
  f.get(a).get(b).op(Op.f64_mul).set(p);
  f.get(p).get(c).op(Op.f64_add).set(s);
  twoSumError(e, p, c, s);
  f.set(err);
  f.get(err).f64(0).op(Op.f64_ne);
  f.get(s).op(Op.i64_reinterpret_f64).i64(1).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_and);
  // s is not zero here: a zero sum of two doubles is exact.
  f.get(s).f64(0).op(Op.f64_ne).op(Op.i32_and).if_();
  f.get(err).f64(0).op(Op.f64_gt).get(s).f64(0).op(Op.f64_gt).op(Op.i32_eq);
  stepUlp(e, s);
  f.set(s);
  f.end();
  return {
    r: s,
    ix: () => {
      f.get(err).f64(0).op(Op.f64_ne);
      lostToSingle(e, s);
      f.op(Op.i32_or);
    },
    zero: () => f.i32(1),
  };
}

/** A fused multiply-add lane at the precision: (±)a·b + (±)c from f64 locals (negated in place). */
function fused(e: WasmEmitter, single: boolean, a: number, b: number, c: number, negProduct: boolean, negAddend: boolean): Lane {
  const f = e.f;
  if (negProduct) f.get(a).op(Op.f64_neg).set(a);
  if (negAddend) f.get(c).op(Op.f64_neg).set(c);
  return single ? fmaLaneSingle(e, a, b, c) : fmaLane(e, a, b, c);
}

// ---------------------------------------------------------------- rows

const SIMD_OPS: Record<string, number> = { fmul: OP_FMUL, fdiv: OP_FDIV, fadd: OP_FADD, fsub: OP_FSUB };

/** FCMP/FCMPE of two f64 values on the stack → the NZCV word (no NaN among them). */
function compareNzcv(e: WasmEmitter, x: number, y: number): void {
  const f = e.f;
  f.i32(0x60000000);
  f.i32(0x80000000 | 0)
    .i32(0x20000000)
    .get(x)
    .get(y)
    .op(Op.f64_lt)
    .op(Op.select);
  f.get(x).get(y).op(Op.f64_eq).op(Op.select);
}

export const WASM_FP_ROWS: Record<string, WasmRow> = {
  FP_2SRC(e, a) {
    if (![OP_FMUL, OP_FDIV, OP_FADD, OP_FSUB, OP_FNMUL].includes(a.op)) return false;
    const single = a.ftype === 0;
    return lanes(e, single, 1, a.d, () => binaryLane(e, a.op, single, laneLocal(e, single, a.n, 0), laneLocal(e, single, a.m, 0)));
  },
  FP_3SRC(e, a) {
    const single = a.ftype === 0;
    return lanes(e, single, 1, a.d, () => {
      const [x, y, c] = [laneLocal(e, single, a.n, 0), laneLocal(e, single, a.m, 0), laneLocal(e, single, a.a, 0)];
      return fused(e, single, x, y, c, a.negProduct, a.negAddend);
    });
  },
  FP_1SRC(e, a) {
    const f = e.f;
    const single = a.ftype === 0;
    if (a.op === 3) {
      // FSQRT of a positive finite number: the root is normal and never over- or underflows.
      return lanes(e, single, 1, a.d, () => {
        const x = laneLocal(e, single, a.n, 0);
        const r = e.tmpF64();
        f.get(x).op(Op.f64_sqrt).set(r);
        // Not positive and finite: the lane's test fails.
        f.get(x).f64(0).op(Op.f64_gt).get(x).f64(Number.POSITIVE_INFINITY).op(Op.f64_lt).op(Op.i32_and).op(Op.i32_eqz).if_();
        f.f64(Number.NaN).set(r);
        f.end();
        return {
          r,
          ix: () => {
            ixDiv(e, x, r, r);
            if (single) {
              lostToSingle(e, r);
              f.op(Op.i32_or);
            }
          },
        };
      });
    }
    // FMOV, FABS, FNEG: bit operations, no FP exception and no NaN processing.
    e.fpReady();
    const v = e.tmp64();
    f.i32(0).mem(single ? Op.i64_load32_u : Op.i64_load, single ? 2 : 3, vAt(a.n));
    const sign = single ? 0x80000000n : 0x8000000000000000n;
    if (a.op === 1) f.i64(~sign & (single ? 0xffffffffn : 0xffffffffffffffffn)).op(Op.i64_and);
    if (a.op === 2) f.i64(sign).op(Op.i64_xor);
    f.set(v);
    f.i32(0).get(v).mem(Op.i64_store, 3, vAt(a.d));
    f.i32(0).i64(0).mem(Op.i64_store, 3, vAt(a.d, 8));
    return true;
  },
  FMOV_i(e, a) {
    e.fpReady();
    const bits = new DataView(new ArrayBuffer(8));
    if (a.ftype === 1) bits.setFloat64(0, a.value, true);
    else bits.setFloat32(0, a.value, true);
    e.f.i32(0).i64(bits.getBigUint64(0, true)).mem(Op.i64_store, 3, vAt(a.d));
    e.f.i32(0).i64(0).mem(Op.i64_store, 3, vAt(a.d, 8));
    return true;
  },
  FCSEL(e, a) {
    const f = e.f;
    e.fpReady();
    const v = e.tmp64();
    const c = e.tmp32();
    condition(e, a.cond);
    f.set(c);
    const load = (r: number): void => {
      f.i32(0).mem(a.ftype === 1 ? Op.i64_load : Op.i64_load32_u, a.ftype === 1 ? 3 : 2, vAt(r));
    };
    load(a.n);
    load(a.m);
    f.get(c).op(Op.select).set(v);
    f.i32(0).get(v).mem(Op.i64_store, 3, vAt(a.d));
    f.i32(0).i64(0).mem(Op.i64_store, 3, vAt(a.d, 8));
    return true;
  },
  FCMP(e, a) {
    // Only NaNs raise anything (IOC), and FPCR.FZ flushes subnormal operands (IDC).
    const f = e.f;
    const single = a.ftype === 0;
    e.fpReady();
    const x = laneLocal(e, single, a.n, 0);
    const y = e.tmpF64();
    if (a.zero) f.f64(0).set(y);
    else {
      lane(e, single, a.m, 0);
      f.set(y);
    }
    f.get(x).get(x).op(Op.f64_eq).get(y).get(y).op(Op.f64_eq).op(Op.i32_and);
    f.i32(0).mem(Op.i32_load, 2, S_FPCR).i32(FPCR_FZ).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and).if_();
    compareNzcv(e, x, y);
    f.set(e.nzcv);
    f.i32(0).set(e.fk);
    f.else_();
    e.fallback();
    f.end();
    // Which flags the locals hold depends on the branch taken.
    e.pending = undefined;
    return true;
  },
  FCVT(e, a) {
    // Double to single rounds (an inexact, overflowing or tiny result goes to the handler);
    // single to double is exact. Half precision goes to the handler.
    if (a.from === 1 && a.to === 0)
      return lanes(e, true, 1, a.d, () => {
        const x = laneLocal(e, false, a.n, 0);
        return { r: x, ix: () => lostToSingle(e, x), zero: () => e.f.i32(1) };
      });
    if (a.from === 0 && a.to === 1)
      return lanes(e, false, 1, a.d, () => {
        const x = laneLocal(e, true, a.n, 0);
        return { r: x, ix: () => e.f.i32(0), zero: () => e.f.i32(1) };
      });
    return false;
  },
  FP_INT(e, a) {
    const f = e.f;
    const single = a.ftype === 0;
    if (a.kind === 2 || a.kind === 3) {
      // SCVTF, UCVTF: WebAssembly's conversions round to nearest (FPCR.RMode 0; FZ and DN do
      // not apply to integers, and an integer result is never tiny); IXC when the value does
      // not convert back to the same integer.
      const signed = a.kind === 2;
      e.fpReady();
      const [v, r, back] = [e.tmp64(), e.tmpF64(), e.tmp32()];
      e.get(a.sf, a.n);
      if (!a.sf) f.op(signed ? Op.i64_extend_i32_s : Op.i64_extend_i32_u);
      f.set(v);
      f.get(v);
      if (single) f.op(signed ? Op.f32_convert_i64_s : Op.f32_convert_i64_u).op(Op.f64_promote_f32);
      else f.op(signed ? Op.f64_convert_i64_s : Op.f64_convert_i64_u);
      f.set(r);
      // Exact iff r is below 2^63 (2^64 unsigned: the only larger results are inexact) and truncates to v.
      f.get(r)
        .f64(signed ? 2 ** 63 : 2 ** 64)
        .op(Op.f64_lt)
        .if_();
      f.get(r)
        .op(signed ? Op.i64_trunc_f64_s : Op.i64_trunc_f64_u)
        .get(v)
        .op(Op.i64_ne)
        .set(back);
      f.else_();
      f.i32(1).set(back);
      f.end();
      f.i32(0).mem(Op.i32_load, 2, S_FPCR).i32(FPCR_RMODE).op(Op.i32_and).op(Op.i32_eqz).if_();
      f.i32(0).i32(0).mem(Op.i32_load, 2, S_FPSR).get(back).i32(4).op(Op.i32_shl).op(Op.i32_or).mem(Op.i32_store, 2, S_FPSR);
      f.i32(0).get(r);
      if (single) f.op(Op.f32_demote_f64).mem(Op.f32_store, 2, vAt(a.d)).i32(0).i32(0).mem(Op.i32_store, 2, vAt(a.d, 4));
      else f.mem(Op.f64_store, 3, vAt(a.d));
      f.i32(0).i64(0).mem(Op.i64_store, 3, vAt(a.d, 8));
      f.else_();
      e.fallback();
      f.end();
      return true;
    }
    // FCVTZS, FCVTZU: truncation in range (a NaN, an out-of-range value and FPCR.FZ go to the handler); IXC when a fraction was dropped.
    if (a.kind > 1 || a.rmode !== 3) return false;
    const signed = a.kind === 0;
    e.fpReady();
    const x = laneLocal(e, single, a.n, 0);
    const bits = a.sf ? 64 : 32;
    f.get(x)
      .f64(signed ? -(2 ** (bits - 1)) : -1)
      .op(signed ? Op.f64_ge : Op.f64_gt);
    f.get(x)
      .f64(signed ? 2 ** (bits - 1) : 2 ** bits)
      .op(Op.f64_lt)
      .op(Op.i32_and);
    f.i32(0).mem(Op.i32_load, 2, S_FPCR).i32(FPCR_FZ).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and).if_();
    f.i32(0).i32(0).mem(Op.i32_load, 2, S_FPSR);
    f.get(x).op(Op.f64_trunc).get(x).op(Op.f64_ne).i32(4).op(Op.i32_shl).op(Op.i32_or).mem(Op.i32_store, 2, S_FPSR);
    f.get(x);
    if (a.sf) {
      f.op(signed ? Op.i64_trunc_f64_s : Op.i64_trunc_f64_u);
      e.setX(a.d);
    } else {
      f.op(signed ? Op.i32_trunc_f64_s : Op.i32_trunc_f64_u);
      e.setW(a.d);
    }
    f.else_();
    e.fallback();
    f.end();
    return true;
  },
  SIMD_3SAME_FP(e, a) {
    const single = !a.double;
    const isFused = a.name === 'fmla' || a.name === 'fmls';
    if (!(a.name in SIMD_OPS) && !isFused) return false;
    const count = a.double ? 2 : a.q ? 4 : 2;
    return lanes(e, single, count, a.d, (i) => {
      const x = laneLocal(e, single, a.n, i);
      const y = laneLocal(e, single, a.m, i);
      if (isFused) return fused(e, single, x, y, laneLocal(e, single, a.d, i), a.name === 'fmls', false);
      return binaryLane(e, SIMD_OPS[a.name]!, single, x, y);
    });
  },
  SIMD_ELEM_FP(e, a) {
    // By element: FMUL, FMLA, FMLS (the element is read before any lane is written).
    if (a.name === 'fmulx') return false;
    const single = !a.double;
    const count = a.scalar ? 1 : a.double ? 2 : a.q ? 4 : 2;
    let el = -1;
    return lanes(e, single, count, a.d, (i) => {
      if (el < 0) el = laneLocal(e, single, a.m, a.index);
      const x = laneLocal(e, single, a.n, i);
      if (a.name === 'fmul') return binaryLane(e, OP_FMUL, single, x, el);
      return fused(e, single, x, el, laneLocal(e, single, a.d, i), a.name === 'fmls', false);
    });
  },
};
