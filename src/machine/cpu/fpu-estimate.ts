import type { Cpu } from './cpu.js';
import { recipEstimate, recipSqrtEstimate } from './fpu-convert.js';
import { FPCR_FZ, FPSR_DZC, FPSR_IDC, FPSR_IOC, FPSR_IXC, FPSR_OFC, FPSR_UFC, isNaN32, isNaN64, processNaNs32, processNaNs64, writeDefaultNaN64 } from './fpu.js';

/**
 * FRECPE, FRSQRTE and FRECPX (ARM `FPRecipEstimate`, `FPRSqrtEstimate`, `FPRecpX`), on raw
 * bits: the estimates are defined bit by bit, so they are computed on integers, not doubles.
 */

interface Parts {
  sign: number;
  exp: number;
  /** The 52-bit fraction as two halves (hi: bits 51..32, lo: bits 31..0). */
  fhi: number;
  flo: number;
  zero: boolean;
  inf: boolean;
}

function unpack(cpu: Cpu, double: boolean, k: number): Parts {
  const V32 = cpu.V32;
  let sign: number;
  let exp: number;
  let fhi: number;
  let flo: number;
  if (double) {
    const hi = V32[2 * k + 1]!;
    sign = hi >>> 31;
    exp = (hi >>> 20) & 0x7ff;
    fhi = hi & 0xfffff;
    flo = V32[2 * k]!;
  } else {
    const b = V32[k]!;
    sign = b >>> 31;
    exp = (b >>> 23) & 0xff;
    // operand<22:0> : Zeros(29)  → bits 51..29
    fhi = (b & 0x7fffff) >>> 3;
    flo = ((b & 7) << 29) >>> 0;
  }
  const emax = double ? 0x7ff : 0xff;
  let zero = exp === 0 && fhi === 0 && flo === 0;
  if (exp === 0 && !zero && cpu.fpcr & FPCR_FZ) {
    cpu.fpsr |= FPSR_IDC;
    zero = true;
    fhi = 0;
    flo = 0;
  }
  return { sign, exp, fhi, flo, zero, inf: exp === emax && fhi === 0 && flo === 0 };
}

function write(cpu: Cpu, double: boolean, k: number, sign: number, exp: number, fhi: number, flo: number): void {
  const V32 = cpu.V32;
  if (double) {
    V32[2 * k + 1] = ((sign << 31) | (exp << 20) | fhi) >>> 0;
    V32[2 * k] = flo >>> 0;
  } else V32[k] = ((sign << 31) | (exp << 23) | (fhi << 3) | (flo >>> 29)) >>> 0;
}

function writeInfOrZero(cpu: Cpu, double: boolean, k: number, sign: number, inf: boolean): void {
  write(cpu, double, k, sign, inf ? (double ? 0x7ff : 0xff) : 0, 0, 0);
}

/** fraction<51:44> as an 8-bit number */
function top8(p: { fhi: number }): number {
  return (p.fhi >>> 12) & 0xff;
}

export function fpRecipEstimate(cpu: Cpu, double: boolean, k: number, kn: number): void {
  const nan = double ? isNaN64(cpu.V32, kn) : isNaN32(cpu.V32[kn]!);
  const p = unpack(cpu, double, kn);
  if (nan) {
    if (double) processNaNs64(cpu, k, [kn]);
    else processNaNs32(cpu, k, [kn]);
    return;
  }
  if (p.inf) return writeInfOrZero(cpu, double, k, p.sign, false);
  if (p.zero) {
    cpu.fpsr |= FPSR_DZC;
    return writeInfOrZero(cpu, double, k, p.sign, true);
  }
  const value = double ? cpu.VF64[kn]! : cpu.VF32[kn]!;
  const tinyLimit = double ? 2 ** -1024 : 2 ** -128;
  if (Math.abs(value) < tinyLimit) {
    const mode = (cpu.fpcr >>> 22) & 3;
    const toInf = mode === 0 || (mode === 1 && p.sign === 0) || (mode === 2 && p.sign === 1);
    cpu.fpsr |= FPSR_OFC | FPSR_IXC;
    if (toInf) return writeInfOrZero(cpu, double, k, p.sign, true);
    // the largest normal of that sign
    return write(cpu, double, k, p.sign, double ? 0x7fe : 0xfe, double ? 0xfffff : 0xfffff, double ? 0xffffffff : 0xe0000000);
  }
  if (cpu.fpcr & FPCR_FZ && Math.abs(value) >= (double ? 2 ** 1022 : 2 ** 126)) {
    cpu.fpsr |= FPSR_UFC;
    return writeInfOrZero(cpu, double, k, p.sign, false);
  }
  let exp = p.exp;
  let fhi = p.fhi;
  // Only the fraction's top 8 bits reach the estimate, so the low word matters only for the bits
  // a subnormal's normalising shift moves into the high word.
  const flo = p.flo;
  if (exp === 0) {
    if (((fhi >>> 19) & 1) === 0) {
      exp = -1;
      // fraction<49:0>:'00'
      fhi = ((fhi << 2) | (flo >>> 30)) & 0xfffff;
    } else {
      fhi = ((fhi << 1) | (flo >>> 31)) & 0xfffff;
    }
  }
  const scaled = 256 | top8({ fhi });
  let resultExp = (double ? 2045 : 253) - exp;
  const estimate = recipEstimate(scaled);
  // fraction = estimate<7:0> : Zeros(44)
  let rhi = (estimate & 0xff) << 12;
  if (resultExp === 0) {
    rhi = (0x80000 | (rhi >>> 1)) & 0xfffff;
  } else if (resultExp === -1) {
    rhi = (0x40000 | (rhi >>> 2)) & 0xfffff;
    resultExp = 0;
  }
  write(cpu, double, k, p.sign, resultExp, rhi, 0);
}

export function fpRSqrtEstimate(cpu: Cpu, double: boolean, k: number, kn: number): void {
  const nan = double ? isNaN64(cpu.V32, kn) : isNaN32(cpu.V32[kn]!);
  const p = unpack(cpu, double, kn);
  if (nan) {
    if (double) processNaNs64(cpu, k, [kn]);
    else processNaNs32(cpu, k, [kn]);
    return;
  }
  if (p.zero) {
    cpu.fpsr |= FPSR_DZC;
    return writeInfOrZero(cpu, double, k, p.sign, true);
  }
  if (p.sign === 1) {
    cpu.fpsr |= FPSR_IOC;
    if (double) writeDefaultNaN64(cpu.V32, k);
    else cpu.V32[k] = 0x7fc00000;
    return;
  }
  if (p.inf) return writeInfOrZero(cpu, double, k, 0, false);
  let exp = p.exp;
  let fhi = p.fhi;
  let flo = p.flo;
  if (exp === 0) {
    while (((fhi >>> 19) & 1) === 0) {
      fhi = ((fhi << 1) | (flo >>> 31)) & 0xfffff;
      flo = (flo << 1) >>> 0;
      exp--;
    }
    fhi = ((fhi << 1) | (flo >>> 31)) & 0xfffff;
    flo = (flo << 1) >>> 0;
  }
  const scaled = (exp & 1) === 0 ? 256 | top8({ fhi }) : 128 | ((fhi >>> 13) & 0x7f);
  const resultExp = Math.floor(((double ? 3068 : 380) - exp) / 2);
  const estimate = recipSqrtEstimate(scaled);
  write(cpu, double, k, 0, resultExp, (estimate & 0xff) << 12, 0);
}

export function fpRecpX(cpu: Cpu, double: boolean, k: number, kn: number): void {
  const nan = double ? isNaN64(cpu.V32, kn) : isNaN32(cpu.V32[kn]!);
  const p = unpack(cpu, double, kn);
  if (nan) {
    if (double) processNaNs64(cpu, k, [kn]);
    else processNaNs32(cpu, k, [kn]);
    return;
  }
  const emax = double ? 0x7ff : 0xff;
  const exp = p.exp === 0 || p.zero ? emax - 1 : ~p.exp & emax;
  write(cpu, double, k, p.sign, exp, 0, 0);
}
