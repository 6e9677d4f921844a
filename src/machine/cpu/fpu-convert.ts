import type { Cpu } from './cpu.js';
import { FPCR_AHP, FPCR_DN, FPCR_FZ, FPSR_IDC, FPSR_IOC, FPSR_IXC, FPSR_OFC, FPSR_UFC, isNaN32, isNaN64, isSNaN64, result32 } from './fpu.js';
import { RM_AWAY, RM_MINUS, RM_NEAREST, RM_PLUS, RM_ZERO, roundExact } from './softfloat.js';

/**
 * Conversions: FP ↔ integer and fixed point, between precisions (half, single, double), and
 * rounding to an integral value (FRINT*).
 */

/** Round x to an integer value in `mode` (x finite). */
export function roundToIntegral(x: number, mode: number): number {
  if (Math.abs(x) >= 2 ** 52 || x === 0) return x;
  let r: number;
  switch (mode) {
    case RM_PLUS:
      r = Math.ceil(x);
      break;
    case RM_MINUS:
      r = Math.floor(x);
      break;
    case RM_ZERO:
      r = Math.trunc(x);
      break;
    case RM_AWAY:
      r = Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
      break;
    default: {
      const f = Math.floor(x);
      const diff = x - f;
      r = diff > 0.5 ? f + 1 : diff < 0.5 ? f : f % 2 === 0 ? f : f + 1;
    }
  }
  // Keep the sign of zero: rounding −0.3 gives −0.
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}

/**
 * FPToFixed: a double (or single) lane to a signed/unsigned integer of `bits` bits with `fbits`
 * fraction bits, saturating; result as a BigInt. Raises IOC for NaN and out-of-range values, IXC
 * when inexact.
 */
export function fpToFixed(cpu: Cpu, value: number, nan: boolean, fbits: number, unsigned: boolean, bits: number, mode: number, double = true): bigint {
  if (nan) {
    cpu.fpsr |= FPSR_IOC;
    return 0n;
  }
  let x = value;
  if (cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < (double ? 2 ** -1022 : 2 ** -126)) {
    cpu.fpsr |= FPSR_IDC;
    x = 0;
  }
  const scaled = x * 2 ** fbits; // exact: a power-of-two scaling of a finite double
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (!Number.isFinite(scaled)) {
    cpu.fpsr |= FPSR_IOC;
    return scaled > 0 ? max : min;
  }
  const r = roundToIntegral(scaled, mode);
  const big = BigInt(r);
  if (big > max || big < min) {
    cpu.fpsr |= FPSR_IOC;
    return big > max ? max : min;
  }
  if (r !== scaled) cpu.fpsr |= FPSR_IXC;
  return big;
}

/** FixedToFP: an integer (BigInt) with `fbits` fraction bits to a double or single. */
export function fixedToFp(cpu: Cpu, value: bigint, fbits: number, double: boolean): number {
  if (value === 0n) return 0;
  const mode = (cpu.fpcr >>> 22) & 3;
  const r = double ? roundExact(value, -fbits, mode, 53, -1022, 1023) : roundExact(value, -fbits, mode, 24, -126, 127);
  if (r.inexact) cpu.fpsr |= FPSR_IXC;
  if (r.tiny && r.inexact) cpu.fpsr |= FPSR_UFC;
  return r.value;
}

// ---------------------------------------------------------------- precision conversions

/** FCVT Sd, Dn */
export function doubleToSingle(cpu: Cpu, dLane: number, nLane: number): void {
  const V32 = cpu.V32;
  if (isNaN64(V32, nLane)) {
    const hi = V32[2 * nLane + 1]!;
    const lo = V32[2 * nLane]!;
    if (isSNaN64(V32, nLane)) cpu.fpsr |= FPSR_IOC;
    if (cpu.fpcr & FPCR_DN) V32[dLane] = 0x7fc00000;
    else V32[dLane] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
    return;
  }
  let x = cpu.VF64[nLane]!;
  if (cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < 2 ** -1022) {
    cpu.fpsr |= FPSR_IDC;
    x = x < 0 ? -0 : 0;
  }
  if (!Number.isFinite(x)) {
    cpu.VF32[dLane] = x;
    return;
  }
  result32(cpu, dLane, x, 0, true);
}

/** FCVT Dd, Sn */
export function singleToDouble(cpu: Cpu, dLane: number, nLane: number): void {
  const V32 = cpu.V32;
  const b = V32[nLane]!;
  if (isNaN32(b)) {
    if ((b & 0x400000) === 0) cpu.fpsr |= FPSR_IOC;
    if (cpu.fpcr & FPCR_DN) {
      V32[2 * dLane] = 0;
      V32[2 * dLane + 1] = 0x7ff80000;
    } else {
      V32[2 * dLane] = (b & 0x7) << 29;
      V32[2 * dLane + 1] = (b & 0x80000000) | 0x7ff80000 | ((b >>> 3) & 0x7ffff);
    }
    return;
  }
  let x = cpu.VF32[nLane]!;
  if (cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < 2 ** -126) {
    cpu.fpsr |= FPSR_IDC;
    x = x < 0 ? -0 : 0;
  }
  cpu.VF64[dLane] = x;
}

/** Decode IEEE (or, with FPCR.AHP, alternative) half precision bits to a Number. */
export function halfToNumber(h: number, ahp: boolean): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31 && !ahp) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** FCVT Hd, Sn/Dn: round a Number to half precision bits. */
export function numberToHalf(cpu: Cpu, x: number, nanBits: number | undefined): number {
  const ahp = (cpu.fpcr & FPCR_AHP) !== 0;
  if (nanBits !== undefined) {
    if (ahp) {
      // The alternative format has no NaN: a zero of the NaN's sign, and Invalid Operation.
      cpu.fpsr |= FPSR_IOC;
      return nanBits & 0x8000;
    }
    return cpu.fpcr & FPCR_DN ? 0x7e00 : nanBits;
  }
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  if (!Number.isFinite(x)) {
    if (ahp) {
      cpu.fpsr |= FPSR_IOC;
      return sign | 0x7fff;
    }
    return sign | 0x7c00;
  }
  if (x === 0) return sign;
  const mode = (cpu.fpcr >>> 22) & 3;
  const emax = ahp ? 16 : 15;
  // Exact value as m·2^e, then round to 11 significant bits with min normal exponent −14.
  const f = new Float64Array([Math.abs(x)]);
  const u = new Uint32Array(f.buffer);
  const biased = (u[1]! >>> 20) & 0x7ff;
  let m = (BigInt(u[1]! & 0xfffff) << 32n) | BigInt(u[0]!);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  const r = roundExact(sign ? -m : m, e, mode, 11, -14, emax);
  if (r.overflow) {
    cpu.fpsr |= ahp ? FPSR_IOC : FPSR_OFC | FPSR_IXC;
    if (ahp) return sign | 0x7fff;
    const toInf = mode === RM_NEAREST || (mode === RM_PLUS && !sign) || (mode === RM_MINUS && sign);
    return sign | (toInf ? 0x7c00 : 0x7bff);
  }
  // FPCR.FZ does not flush half-precision results (that is FZ16's job, with FP16 arithmetic).
  if (r.inexact) cpu.fpsr |= FPSR_IXC | (r.tiny ? FPSR_UFC : 0);
  const v = Math.abs(r.value);
  if (v < 2 ** -14) return sign | Math.round(v * 2 ** 24);
  const exp = Math.floor(Math.log2(v));
  const frac = Math.round((v / 2 ** exp - 1) * 1024);
  return sign | ((exp + 15) << 10) | frac;
}

/** FCVTN (singles → halves): the half-precision bits of single lane k. */
export function singleToHalfBits(cpu: Cpu, k: number): number {
  const b = cpu.V32[k]!;
  let nan: number | undefined;
  if (isNaN32(b)) {
    if ((b & 0x400000) === 0) cpu.fpsr |= FPSR_IOC;
    nan = ((b >>> 16) & 0x8000) | 0x7e00 | ((b >>> 13) & 0x1ff);
  }
  let x = cpu.VF32[k]!;
  if (nan === undefined && cpu.fpcr & FPCR_FZ && x !== 0 && Math.abs(x) < 2 ** -126) {
    cpu.fpsr |= FPSR_IDC;
    x = x < 0 ? -0 : 0;
  }
  return numberToHalf(cpu, x, nan);
}

/** FCVTL (halves → singles): write single lane k from half bits h. */
export function halfToSingleLane(cpu: Cpu, k: number, h: number): void {
  const ahp = (cpu.fpcr & FPCR_AHP) !== 0;
  if (!ahp && (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
    if ((h & 0x200) === 0) cpu.fpsr |= FPSR_IOC;
    cpu.V32[k] = cpu.fpcr & FPCR_DN ? 0x7fc00000 : ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
    return;
  }
  cpu.VF32[k] = halfToNumber(h, ahp);
}

// ---------------------------------------------------------------- reciprocal estimates

/** ARM `RecipEstimate`: a in 256..511 (units of 1/512) → estimate in 256..511. */
export function recipEstimate(a0: number): number {
  const a = a0 * 2 + 1;
  const b = Math.floor(2 ** 19 / a);
  return (b + 1) >> 1;
}

/** ARM `RecipSqrtEstimate`: a in 128..511 → estimate in 256..511. */
export function recipSqrtEstimate(a0: number): number {
  let a = a0;
  if (a < 256) a = a * 2 + 1;
  else {
    a = (a >> 1) << 1;
    a = (a + 1) * 2;
  }
  let b = 512;
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++;
  return (b + 1) >> 1;
}

/** URECPE on one 32-bit lane. */
export function unsignedRecipEstimate(x: number): number {
  if (x >>> 31 === 0) return 0xffffffff;
  return ((recipEstimate((x >>> 23) & 0x1ff) & 0x1ff) << 23) >>> 0;
}

/** URSQRTE on one 32-bit lane. */
export function unsignedRSqrtEstimate(x: number): number {
  if (x >>> 30 === 0) return 0xffffffff;
  return ((recipSqrtEstimate((x >>> 23) & 0x1ff) & 0x1ff) << 23) >>> 0;
}
