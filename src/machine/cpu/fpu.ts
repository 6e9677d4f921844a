import type { Cpu } from './cpu.js';
import { directed, fmaExact, nextUp, nextUpF32, productIsSafe, RM_NEAREST, roundExact, twoProductError, twoSumError, decompose } from './softfloat.js';

/**
 * IEEE 754 arithmetic as an ARMv8 FPU performs it: NaN propagation by operand order (on raw
 * bits, because JavaScript may not keep NaN payloads), the default NaN, flush-to-zero, the
 * rounding modes of FPCR.RMode, and the cumulative exception flags of FPSR.
 *
 * Operands and results are lanes of the SIMD&FP register file: a double lane `k` is
 * `VF64[k]` (bits in `V32[2k]`, `V32[2k+1]`), a single lane `k` is `VF32[k]` (bits `V32[k]`).
 */

export const FPSR_IOC = 1;
export const FPSR_DZC = 2;
export const FPSR_OFC = 4;
export const FPSR_UFC = 8;
export const FPSR_IXC = 16;
export const FPSR_IDC = 128;
export const FPSR_QC = 1 << 27;

export const FPCR_FZ = 1 << 24;
export const FPCR_DN = 1 << 25;
export const FPCR_AHP = 1 << 26;

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_MAX = 4;
export const OP_MIN = 5;
export const OP_MAXNM = 6;
export const OP_MINNM = 7;
export const OP_NMUL = 8;
export const OP_MULX = 9;

const MIN_NORMAL_D = 2 ** -1022;
const MIN_NORMAL_S = 2 ** -126;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function isEvenMantissa(x: number): boolean {
  F64[0] = x;
  return (U32[0]! & 1) === 0;
}

function rmode(cpu: Cpu): number {
  return (cpu.fpcr >>> 22) & 3;
}

// ---------------------------------------------------------------- NaN handling, double

function isNaN64(V32: Uint32Array, k: number): boolean {
  const hi = V32[2 * k + 1]!;
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | V32[2 * k]!) !== 0;
}

function isSNaN64(V32: Uint32Array, k: number): boolean {
  return isNaN64(V32, k) && (V32[2 * k + 1]! & 0x00080000) === 0;
}

function writeDefaultNaN64(V32: Uint32Array, d: number): void {
  V32[2 * d] = 0;
  V32[2 * d + 1] = 0x7ff80000;
}

/** Result NaN copied from lane `k` and quietened (or the default NaN with FPCR.DN). */
function propagateNaN64(cpu: Cpu, d: number, k: number): void {
  const V32 = cpu.V32;
  if (cpu.fpcr & FPCR_DN) {
    writeDefaultNaN64(V32, d);
    return;
  }
  const lo = V32[2 * k]!;
  const hi = V32[2 * k + 1]! | 0x00080000;
  V32[2 * d] = lo;
  V32[2 * d + 1] = hi;
}

/** ARM `FPProcessNaNs` over lanes: true when a NaN result was written. */
function processNaNs64(cpu: Cpu, d: number, ks: number[]): boolean {
  const V32 = cpu.V32;
  for (const k of ks) {
    if (isSNaN64(V32, k)) {
      cpu.fpsr |= FPSR_IOC;
      propagateNaN64(cpu, d, k);
      return true;
    }
  }
  for (const k of ks) {
    if (isNaN64(V32, k)) {
      propagateNaN64(cpu, d, k);
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- NaN handling, single

function isNaN32(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
}

function processNaNs32(cpu: Cpu, d: number, ks: number[]): boolean {
  const V32 = cpu.V32;
  for (const k of ks) {
    const b = V32[k]!;
    if (isNaN32(b) && (b & 0x400000) === 0) {
      cpu.fpsr |= FPSR_IOC;
      V32[d] = cpu.fpcr & FPCR_DN ? 0x7fc00000 : b | 0x400000;
      return true;
    }
  }
  for (const k of ks) {
    const b = V32[k]!;
    if (isNaN32(b)) {
      V32[d] = cpu.fpcr & FPCR_DN ? 0x7fc00000 : b;
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- operand and result filters

/** Operand value with FPCR.FZ: a subnormal input counts as zero (and raises IDC). */
function input64(cpu: Cpu, k: number): number {
  const x = cpu.VF64[k]!;
  if (cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < MIN_NORMAL_D) {
    cpu.fpsr |= FPSR_IDC;
    return x < 0 ? -0 : 0;
  }
  return x;
}

function input32(cpu: Cpu, k: number): number {
  const x = cpu.VF32[k]!;
  if (cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < MIN_NORMAL_S) {
    cpu.fpsr |= FPSR_IDC;
    return x < 0 ? -0 : 0;
  }
  return x;
}

/**
 * Write a finite-or-infinite result r = RN(exact), given the sign of (exact − r), applying the
 * rounding mode, overflow, underflow, flush-to-zero and inexact rules.
 */
/**
 * Write a result r = RN(exact), given the sign of (exact − r), applying the rounding mode,
 * overflow, underflow, flush-to-zero and inexact rules. `beyond` says whether |exact| ≥ 2^1024
 * (asked only when rounding towards zero would otherwise hide an overflow).
 */
function result64(cpu: Cpu, d: number, r: number, errSign: number, operandsFinite: boolean, beyond: () => boolean = () => true): void {
  const mode = rmode(cpu);
  let v = r;
  if (!Number.isFinite(v)) {
    if (operandsFinite) {
      cpu.fpsr |= FPSR_IXC;
      const toInf = mode === RM_NEAREST || (mode === 1 && v > 0) || (mode === 2 && v < 0);
      if (toInf) cpu.fpsr |= FPSR_OFC;
      else {
        v = v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
        if (beyond()) cpu.fpsr |= FPSR_OFC;
      }
    }
    cpu.VF64[d] = v;
    return;
  }
  if (mode !== RM_NEAREST) v = directed(v, errSign, mode, nextUp);
  if (!Number.isFinite(v)) {
    // Rounded up past the largest finite value.
    cpu.fpsr |= FPSR_OFC | FPSR_IXC;
    cpu.VF64[d] = v;
    return;
  }
  const av = Math.abs(v);
  const tiny = av < MIN_NORMAL_D && (v !== 0 || errSign !== 0);
  if (tiny || (av === MIN_NORMAL_D && errSign !== 0 && Math.abs(r) === MIN_NORMAL_D && Math.sign(errSign) !== Math.sign(r))) {
    if (cpu.fpcr & FPCR_FZ) {
      cpu.fpsr |= FPSR_UFC;
      cpu.VF64[d] = v < 0 || Object.is(v, -0) || (v === 0 && errSign < 0) ? -0 : 0;
      return;
    }
    if (errSign !== 0) cpu.fpsr |= FPSR_UFC;
  }
  if (errSign !== 0) cpu.fpsr |= FPSR_IXC;
  cpu.VF64[d] = v;
}

const MAX_F32 = 3.4028234663852886e38;

function result32(cpu: Cpu, d: number, exact: number, errSign: number, operandsFinite: boolean): void {
  // `exact` is the double value of the result (itself possibly rounded, with errSign the sign
  // of the remaining error); round it to single precision.
  const mode = rmode(cpu);
  const ae = Math.abs(exact);
  const awayFromZero = errSign !== 0 && Math.sign(errSign) === Math.sign(exact);
  if (operandsFinite && ae >= MAX_F32 && Number.isFinite(exact) !== false) {
    // Near or beyond the largest single: decide overflow from the exact value.
    const halfUlp = 2 ** 103;
    const rnOverflow = ae > 2 ** 128 - halfUlp || (ae === 2 ** 128 - halfUlp && (awayFromZero || errSign === 0));
    const beyond = ae > 2 ** 128 || (ae === 2 ** 128 && (awayFromZero || errSign === 0));
    const up = (mode === 1 && exact > 0) || (mode === 2 && exact < 0);
    const overflow = mode === RM_NEAREST ? rnOverflow : up ? ae > MAX_F32 || (ae === MAX_F32 && awayFromZero) : beyond;
    if (overflow) {
      cpu.fpsr |= FPSR_OFC | FPSR_IXC;
      const toInf = mode === RM_NEAREST || up;
      cpu.VF32[d] = toInf ? (exact > 0 ? Infinity : -Infinity) : exact > 0 ? MAX_F32 : -MAX_F32;
      return;
    }
    if (ae > MAX_F32 || (ae === MAX_F32 && awayFromZero)) {
      cpu.fpsr |= FPSR_IXC;
      cpu.VF32[d] = exact > 0 ? MAX_F32 : -MAX_F32;
      return;
    }
  }
  let r = Math.fround(exact);
  let sign = r === exact ? errSign : exact > r ? 1 : -1;
  if (!Number.isFinite(r)) {
    cpu.VF32[d] = r;
    return;
  }
  if (mode !== RM_NEAREST) {
    r = directed(r, sign, mode, nextUpF32);
    if (!Number.isFinite(r)) sign = 0;
  }
  const tiny = ae < MIN_NORMAL_S && (exact !== 0 || errSign !== 0);
  if (tiny) {
    if (cpu.fpcr & FPCR_FZ) {
      cpu.fpsr |= FPSR_UFC;
      cpu.VF32[d] = r < 0 || Object.is(r, -0) || exact < 0 || Object.is(exact, -0) ? -0 : 0;
      return;
    }
    if (sign !== 0) cpu.fpsr |= FPSR_UFC;
  }
  if (sign !== 0) cpu.fpsr |= FPSR_IXC;
  cpu.VF32[d] = r;
}

/** Whether |a op b| ≥ 2^1024, exactly (for overflow under rounding towards zero). */
function beyondDouble(op: number, a: number, b: number): boolean {
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      const bb = op === OP_SUB ? -b : b;
      const s = a / 2 + bb / 2;
      const e = twoSumError(a / 2, bb / 2, s);
      return Math.abs(s) > 2 ** 1023 || (Math.abs(s) === 2 ** 1023 && (e === 0 || Math.sign(e) === Math.sign(s)));
    }
    case OP_DIV: {
      const da = decompose(Math.abs(a));
      const db = decompose(Math.abs(b));
      // |a| ≥ 2^1024·|b|  ⟺  ma·2^ea ≥ mb·2^(eb+1024)
      const e = Math.min(da.e, db.e + 1024);
      return da.m << BigInt(da.e - e) >= db.m << BigInt(db.e + 1024 - e);
    }
    default: {
      const da = decompose(Math.abs(a));
      const db = decompose(Math.abs(b));
      const p = da.m * db.m;
      return p.toString(2).length - 1 + da.e + db.e >= 1024;
    }
  }
}

// ---------------------------------------------------------------- binary operations

/** The exact error sign of RN(a op b) for +, −, ×, ÷ (a, b finite). */
function errorSign(op: number, a: number, b: number, r: number): number {
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      const bb = op === OP_SUB ? -b : b;
      return Math.sign(twoSumError(a, bb, r));
    }
    case OP_MUL:
    case OP_NMUL:
    case OP_MULX: {
      if (a === 0 || b === 0 || !Number.isFinite(r)) return 0;
      if (productIsSafe(a, b)) return Math.sign(twoProductError(a, b, r));
      return exactSign(a, b, 0, r);
    }
    case OP_DIV: {
      if (a === 0 || !Number.isFinite(r) || b === 0) return 0;
      // exact − q has the sign of (a − q·b)·sign(b).
      if (productIsSafe(r, b) && Math.abs(r) > 2 ** -900) {
        const p = r * b;
        const pe = twoProductError(r, b, p);
        const residual = a - p - pe;
        const hi = a - p;
        return Math.sign(hi !== 0 ? hi - pe : -pe) * Math.sign(b) || Math.sign(residual) * Math.sign(b);
      }
      return divSignExact(a, b, r);
    }
    default:
      return 0;
  }
}

/** sign(a·b + c − r), exactly, with BigInt. */
function exactSign(a: number, b: number, c: number, r: number): number {
  const da = decompose(a);
  const db = decompose(b);
  const dc = decompose(c);
  const dr = decompose(r);
  const terms: [bigint, number][] = [
    [da.m * db.m, da.e + db.e],
    [dc.m, dc.e],
    [-dr.m, dr.e],
  ];
  const e = Math.min(...terms.map((t) => t[1]));
  let sum = 0n;
  for (const [m, te] of terms) sum += m << BigInt(te - e);
  return sum > 0n ? 1 : sum < 0n ? -1 : 0;
}

function divSignExact(a: number, b: number, q: number): number {
  // sign(a/b − q) = sign(a − q·b)·sign(b)
  const da = decompose(a);
  const db = decompose(b);
  const dq = decompose(q);
  const pm = dq.m * db.m;
  const pe = dq.e + db.e;
  const e = Math.min(da.e, pe);
  const diff = (da.m << BigInt(da.e - e)) - (pm << BigInt(pe - e));
  const s = diff > 0n ? 1 : diff < 0n ? -1 : 0;
  return s * Math.sign(b);
}

function compute(op: number, a: number, b: number): number {
  switch (op) {
    case OP_ADD:
      return a + b;
    case OP_SUB:
      return a - b;
    case OP_MUL:
    case OP_MULX:
      return a * b;
    case OP_NMUL:
      return -(a * b);
    default:
      return a / b;
  }
}

/** Whether op is invalid for these (non-NaN) operands, producing the default NaN. */
function invalid(op: number, a: number, b: number): boolean {
  switch (op) {
    case OP_ADD:
      return a === Infinity ? b === -Infinity : a === -Infinity && b === Infinity;
    case OP_SUB:
      return (a === Infinity && b === Infinity) || (a === -Infinity && b === -Infinity);
    case OP_MUL:
    case OP_NMUL:
    case OP_MULX:
      return (a === 0 && !Number.isFinite(b)) || (b === 0 && !Number.isFinite(a));
    case OP_DIV:
      return (a === 0 && b === 0) || (!Number.isFinite(a) && !Number.isFinite(b));
    default:
      return false;
  }
}

function minMax(op: number, a: number, b: number): number {
  const max = op === OP_MAX || op === OP_MAXNM;
  if (a === 0 && b === 0) {
    // max(+0, −0) = +0, min(+0, −0) = −0.
    const aNeg = Object.is(a, -0);
    const bNeg = Object.is(b, -0);
    return max ? (aNeg && bNeg ? -0 : 0) : aNeg || bNeg ? -0 : 0;
  }
  return max ? (a > b ? a : b) : a < b ? a : b;
}

/**
 * d = n op m on double lanes (lane indices into VF64). Returns nothing; writes the lane and
 * accumulates FPSR flags.
 */
export function fpBinary64(cpu: Cpu, op: number, d: number, n: number, m: number): void {
  const V32 = cpu.V32;
  if (op >= OP_MAX && op <= OP_MINNM) {
    if (op >= OP_MAXNM) {
      // A quiet NaN operand is ignored when the other is a number.
      const nq = isNaN64(V32, n) && !isSNaN64(V32, n);
      const mq = isNaN64(V32, m) && !isSNaN64(V32, m);
      if (nq && !isNaN64(V32, m)) {
        cpu.VF64[d] = input64(cpu, m);
        return;
      }
      if (mq && !isNaN64(V32, n)) {
        cpu.VF64[d] = input64(cpu, n);
        return;
      }
    }
    const x = input64(cpu, n);
    const y = input64(cpu, m);
    if (processNaNs64(cpu, d, [n, m])) return;
    cpu.VF64[d] = minMax(op, x, y);
    return;
  }
  // FPUnpack flushes denormal inputs (raising IDC) before NaNs are looked at.
  const a = input64(cpu, n);
  const b = input64(cpu, m);
  if (processNaNs64(cpu, d, [n, m])) {
    // FNMUL negates whatever FMUL produced, a NaN included.
    if (op === OP_NMUL) V32[2 * d + 1] = V32[2 * d + 1]! ^ 0x80000000;
    return;
  }
  if (invalid(op, a, b)) {
    if (op === OP_MULX) {
      // FMULX: 0 × ∞ = ±2.
      cpu.VF64[d] = (a < 0 || Object.is(a, -0)) !== (b < 0 || Object.is(b, -0)) ? -2 : 2;
      return;
    }
    cpu.fpsr |= FPSR_IOC;
    writeDefaultNaN64(V32, d);
    if (op === OP_NMUL) V32[2 * d + 1] = V32[2 * d + 1]! ^ 0x80000000;
    return;
  }
  if (op === OP_DIV && b === 0 && Number.isFinite(a)) {
    cpu.fpsr |= FPSR_DZC;
    cpu.VF64[d] = (a < 0 || Object.is(a, -0)) !== Object.is(b, -0) ? -Infinity : Infinity;
    return;
  }
  // FNMUL rounds the product, then negates it.
  const op2 = op === OP_NMUL ? OP_MUL : op;
  const r = compute(op2, a, b);
  const finite = Number.isFinite(a) && Number.isFinite(b);
  // The exactness check is skipped in the common steady state: round-to-nearest, IXC already
  // set, and a result far from the subnormal range (so no flag or rounding depends on it).
  let sign = 0;
  if (finite && (rmode(cpu) !== RM_NEAREST || !(cpu.fpsr & FPSR_IXC) || Math.abs(r) < 2 * MIN_NORMAL_D)) {
    sign = errorSign(op2, a, b, r);
  }
  if (r === 0 && sign === 0 && (op === OP_ADD || op === OP_SUB) && rmode(cpu) === 2) {
    // An exact zero sum is −0 when rounding towards minus infinity.
    const bb = op === OP_SUB ? -b : b;
    cpu.VF64[d] = Object.is(a, 0) && Object.is(bb, 0) ? 0 : -0;
    return;
  }
  result64(cpu, d, r, sign, finite, () => beyondDouble(op2, a, b));
  if (op === OP_NMUL) V32[2 * d + 1] = V32[2 * d + 1]! ^ 0x80000000;
}

export function fpBinary32(cpu: Cpu, op: number, d: number, n: number, m: number): void {
  const V32 = cpu.V32;
  if (op >= OP_MAX && op <= OP_MINNM) {
    if (op >= OP_MAXNM) {
      const bn = V32[n]!;
      const bm = V32[m]!;
      const nq = isNaN32(bn) && (bn & 0x400000) !== 0;
      const mq = isNaN32(bm) && (bm & 0x400000) !== 0;
      if (nq && !isNaN32(bm)) {
        cpu.VF32[d] = input32(cpu, m);
        return;
      }
      if (mq && !isNaN32(bn)) {
        cpu.VF32[d] = input32(cpu, n);
        return;
      }
    }
    const x = input32(cpu, n);
    const y = input32(cpu, m);
    if (processNaNs32(cpu, d, [n, m])) return;
    cpu.VF32[d] = minMax(op, x, y);
    return;
  }
  const a = input32(cpu, n);
  const b = input32(cpu, m);
  if (processNaNs32(cpu, d, [n, m])) {
    if (op === OP_NMUL) V32[d] = V32[d]! ^ 0x80000000;
    return;
  }
  if (invalid(op, a, b)) {
    if (op === OP_MULX) {
      cpu.VF32[d] = (a < 0 || Object.is(a, -0)) !== (b < 0 || Object.is(b, -0)) ? -2 : 2;
      return;
    }
    cpu.fpsr |= FPSR_IOC;
    V32[d] = op === OP_NMUL ? 0xffc00000 : 0x7fc00000;
    return;
  }
  if (op === OP_DIV && b === 0 && Number.isFinite(a)) {
    cpu.fpsr |= FPSR_DZC;
    cpu.VF32[d] = (a < 0 || Object.is(a, -0)) !== Object.is(b, -0) ? -Infinity : Infinity;
    return;
  }
  // The double result of one operation on singles is exact for ×, and for +, − and ÷ its
  // remaining error is given by the error-free transformations.
  const op2 = op === OP_NMUL ? OP_MUL : op;
  const r = compute(op2, a, b);
  const finite = Number.isFinite(a) && Number.isFinite(b);
  const sign = finite ? errorSign(op2, a, b, r) : 0;
  if (r === 0 && sign === 0 && (op === OP_ADD || op === OP_SUB) && rmode(cpu) === 2) {
    const bb = op === OP_SUB ? -b : b;
    cpu.VF32[d] = Object.is(a, 0) && Object.is(bb, 0) ? 0 : -0;
    return;
  }
  result32(cpu, d, r, sign, finite);
  if (op === OP_NMUL) V32[d] = V32[d]! ^ 0x80000000;
}

// ---------------------------------------------------------------- fused multiply-add

/**
 * d = addend + n·m with one rounding (ARM `FPMulAdd`); `negProduct`/`negAddend` give FMSUB,
 * FNMADD, FNMSUB and FMLS.
 */
export function fpMulAdd64(cpu: Cpu, d: number, addend: number, n: number, m: number, negProduct: boolean, negAddend: boolean): void {
  const V32 = cpu.V32;
  // Denormal inputs are flushed (raising IDC) before NaNs are looked at.
  let c = input64(cpu, addend);
  let x = input64(cpu, n);
  const y = input64(cpu, m);
  const anyNaN = isNaN64(V32, addend) || isNaN64(V32, n) || isNaN64(V32, m);
  if (anyNaN) {
    const addendQNaN = isNaN64(V32, addend) && !isSNaN64(V32, addend);
    // Inf × 0 is judged on the operands after flush-to-zero.
    const infZero = !isNaN64(V32, n) && !isNaN64(V32, m) && ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x)));
    if (addendQNaN && infZero) {
      cpu.fpsr |= FPSR_IOC;
      writeDefaultNaN64(V32, d);
      return;
    }
    // ARM FPProcessNaNs3 over (addend, n, m); the operands were negated first (FNMADD …).
    const lanes = [addend, n, m];
    const negs = [negAddend, negProduct, false];
    let pick = lanes.findIndex((k) => isSNaN64(V32, k));
    if (pick >= 0) cpu.fpsr |= FPSR_IOC;
    else pick = lanes.findIndex((k) => isNaN64(V32, k));
    const k = lanes[pick]!;
    if (cpu.fpcr & FPCR_DN) writeDefaultNaN64(V32, d);
    else {
      V32[2 * d] = V32[2 * k]!;
      V32[2 * d + 1] = (V32[2 * k + 1]! | 0x00080000) ^ (negs[pick] ? 0x80000000 : 0);
    }
    return;
  }
  if (negAddend) c = -c;
  if (negProduct) x = -x;
  const prodInfinite = !Number.isFinite(x) || !Number.isFinite(y);
  if ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))) {
    cpu.fpsr |= FPSR_IOC;
    writeDefaultNaN64(V32, d);
    return;
  }
  if (prodInfinite || !Number.isFinite(c)) {
    const p = x * y;
    if (Number.isFinite(c) || !prodInfinite || Math.sign(p) === Math.sign(c)) {
      cpu.VF64[d] = prodInfinite ? p : c;
      return;
    }
    cpu.fpsr |= FPSR_IOC;
    writeDefaultNaN64(V32, d);
    return;
  }
  const rounded = fmaExact(x, y, c, rmode(cpu));
  finishRounded64(cpu, d, rounded.value, rounded.inexact, rounded.tiny, rounded.overflow);
}

function finishRounded64(cpu: Cpu, d: number, v: number, inexact: boolean, tiny: boolean, overflow: boolean): void {
  if (overflow) {
    cpu.fpsr |= FPSR_OFC | FPSR_IXC;
    cpu.VF64[d] = v;
    return;
  }
  if (tiny || (v !== 0 && Math.abs(v) < MIN_NORMAL_D)) {
    if (cpu.fpcr & FPCR_FZ) {
      cpu.fpsr |= FPSR_UFC;
      cpu.VF64[d] = v < 0 || Object.is(v, -0) ? -0 : 0;
      return;
    }
    if (inexact) cpu.fpsr |= FPSR_UFC;
  }
  if (inexact) cpu.fpsr |= FPSR_IXC;
  cpu.VF64[d] = v;
}

export function fpMulAdd32(cpu: Cpu, d: number, addend: number, n: number, m: number, negProduct: boolean, negAddend: boolean): void {
  const V32 = cpu.V32;
  const ba = V32[addend]!;
  const bn = V32[n]!;
  const bm = V32[m]!;
  let c = input32(cpu, addend);
  let x = input32(cpu, n);
  const y = input32(cpu, m);
  if (isNaN32(ba) || isNaN32(bn) || isNaN32(bm)) {
    const addendQNaN = isNaN32(ba) && (ba & 0x400000) !== 0;
    const infZero = !isNaN32(bn) && !isNaN32(bm) && ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x)));
    if (addendQNaN && infZero) {
      cpu.fpsr |= FPSR_IOC;
      V32[d] = 0x7fc00000;
      return;
    }
    const bits = [ba, bn, bm];
    const negs = [negAddend, negProduct, false];
    let pick = bits.findIndex((b) => isNaN32(b) && (b & 0x400000) === 0);
    if (pick >= 0) cpu.fpsr |= FPSR_IOC;
    else pick = bits.findIndex((b) => isNaN32(b));
    V32[d] = cpu.fpcr & FPCR_DN ? 0x7fc00000 : (bits[pick]! | 0x400000) ^ (negs[pick] ? 0x80000000 : 0);
    return;
  }
  if (negAddend) c = -c;
  if (negProduct) x = -x;
  const prodInfinite = !Number.isFinite(x) || !Number.isFinite(y);
  if ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x))) {
    cpu.fpsr |= FPSR_IOC;
    V32[d] = 0x7fc00000;
    return;
  }
  if (prodInfinite || !Number.isFinite(c)) {
    const p = x * y;
    if (Number.isFinite(c) || !prodInfinite || Math.sign(p) === Math.sign(c)) {
      cpu.VF32[d] = prodInfinite ? p : c;
      return;
    }
    cpu.fpsr |= FPSR_IOC;
    V32[d] = 0x7fc00000;
    return;
  }
  // x·y is exact in double; s + e = x·y + c exactly; round that once to single.
  const p = x * y;
  const s = p + c;
  const e = twoSumError(p, c, s);
  if (s === 0 && e === 0) {
    const rm = rmode(cpu);
    const pNeg = Object.is(p, -0) || p < 0;
    const cNeg = Object.is(c, -0) || c < 0;
    cpu.VF32[d] = (pNeg && cNeg) || (pNeg !== cNeg && rm === 2) ? -0 : 0;
    return;
  }
  if (rmode(cpu) === RM_NEAREST) {
    // Round to odd at double precision first: RN to single of that is then correctly rounded
    // (a sum of three terms is outside the double-rounding theorem that covers +, −, ×, ÷, √).
    let so = s;
    if (e !== 0 && isEvenMantissa(s)) so = e > 0 ? nextUp(s) : -nextUp(-s);
    result32(cpu, d, so, Math.sign(e), true);
    return;
  }
  const ds = decompose(s);
  const de = decompose(e);
  const emin = Math.min(ds.e, de.e);
  const m2 = (ds.m << BigInt(ds.e - emin)) + (de.m << BigInt(de.e - emin));
  const r = roundExact(m2, emin, rmode(cpu), 24, -126, 127);
  if (r.overflow) cpu.fpsr |= FPSR_OFC | FPSR_IXC;
  else {
    if (r.tiny) {
      if (cpu.fpcr & FPCR_FZ) {
        cpu.fpsr |= FPSR_UFC;
        cpu.VF32[d] = r.value < 0 || Object.is(r.value, -0) ? -0 : 0;
        return;
      }
      if (r.inexact) cpu.fpsr |= FPSR_UFC;
    }
    if (r.inexact) cpu.fpsr |= FPSR_IXC;
  }
  cpu.VF32[d] = r.value;
}

// ---------------------------------------------------------------- square root

export function fpSqrt64(cpu: Cpu, d: number, n: number): void {
  const a = input64(cpu, n);
  if (processNaNs64(cpu, d, [n])) return;
  if (a < 0) {
    cpu.fpsr |= FPSR_IOC;
    writeDefaultNaN64(cpu.V32, d);
    return;
  }
  const r = Math.sqrt(a);
  if (a === 0 || a === Infinity) {
    cpu.VF64[d] = r;
    return;
  }
  // sign(√a − r) = sign(a − r²), exactly.
  let sign: number;
  if (productIsSafe(r, r)) {
    const p = r * r;
    const e = twoProductError(r, r, p);
    const hi = a - p;
    sign = Math.sign(hi !== 0 ? hi : -e) || Math.sign(-e);
  } else sign = exactSign(-r, r, a, 0);
  result64(cpu, d, r, sign, true);
}

export function fpSqrt32(cpu: Cpu, d: number, n: number): void {
  const a = input32(cpu, n);
  if (processNaNs32(cpu, d, [n])) return;
  if (a < 0) {
    cpu.fpsr |= FPSR_IOC;
    cpu.V32[d] = 0x7fc00000;
    return;
  }
  const r = Math.sqrt(a);
  if (a === 0 || a === Infinity) {
    cpu.VF32[d] = r;
    return;
  }
  const p = r * r;
  const sign = Math.sign(a - p - twoProductError(r, r, p));
  result32(cpu, d, r, sign, true);
}

// ---------------------------------------------------------------- compare

/** FCMP/FCMPE: NZCV from comparing lanes (or with zero when m < 0). */
export function fpCompare(cpu: Cpu, double: boolean, n: number, m: number, signalAll: boolean): void {
  const V32 = cpu.V32;
  const a = double ? input64(cpu, n) : input32(cpu, n);
  const b = m < 0 ? 0 : double ? input64(cpu, m) : input32(cpu, m);
  const nNaN = double ? isNaN64(V32, n) : isNaN32(V32[n]!);
  const mNaN = m < 0 ? false : double ? isNaN64(V32, m) : isNaN32(V32[m]!);
  if (nNaN || mNaN) {
    const sn = nNaN && (double ? isSNaN64(V32, n) : (V32[n]! & 0x400000) === 0);
    const sm = mNaN && (double ? isSNaN64(V32, m) : (V32[m]! & 0x400000) === 0);
    if (signalAll || sn || sm) cpu.fpsr |= FPSR_IOC;
    cpu.nzcv = 0x30000000; // unordered: C and V
    return;
  }
  cpu.nzcv = a === b ? 0x60000000 : a < b ? 0x80000000 : 0x20000000;
}

export { isNaN64, isNaN32, isSNaN64, processNaNs64, processNaNs32, input64, input32, result32, writeDefaultNaN64 };
