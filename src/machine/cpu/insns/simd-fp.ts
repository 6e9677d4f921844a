import type { Cpu } from '../cpu.js';
import {
  fpBinary32,
  fpBinary64,
  fpMulAdd32,
  fpMulAdd64,
  fpSqrt32,
  fpSqrt64,
  FPCR_DN,
  FPCR_FZ,
  FPSR_IOC,
  FPSR_IXC,
  FPSR_OFC,
  FPSR_UFC,
  input32,
  input64,
  isNaN32,
  isNaN64,
  isSNaN64,
  OP_ADD,
  OP_DIV,
  OP_MAX,
  OP_MAXNM,
  OP_MIN,
  OP_MINNM,
  OP_MUL,
  OP_MULX,
  OP_SUB,
  processNaNs32,
  processNaNs64,
} from '../fpu.js';
import { doubleToSingle, fixedToFp, fpToFixed, halfToSingleLane, roundToIntegral, singleToDouble, singleToHalfBits, unsignedRecipEstimate, unsignedRSqrtEstimate } from '../fpu-convert.js';
import { fpRecipEstimate, fpRecpX, fpRSqrtEstimate } from '../fpu-estimate.js';
import { decompose, RM_AWAY, RM_MINUS, RM_NEAREST, RM_PLUS, RM_ZERO, roundExact } from '../softfloat.js';
import { ELEM_LETTER, vreg } from './simd-lanes.js';
import { insn, type AnyInsnDef } from './types.js';

/** Advanced SIMD floating point, vector forms (ARM DDI 0487, C4.1.91). */

/** Scratch V registers: results are built in V32, sources copied to V33/V34 when needed. */
const OUT = 32;
const SRC1 = 33;
const SRC2 = 34;

function copyReg(cpu: Cpu, to: number, from: number): void {
  cpu.V32.copyWithin(4 * to, 4 * from, 4 * from + 4);
}

function commitOut(cpu: Cpu, d: number, q: number): void {
  const V32 = cpu.V32;
  V32[4 * d] = V32[4 * OUT]!;
  V32[4 * d + 1] = V32[4 * OUT + 1]!;
  V32[4 * d + 2] = q ? V32[4 * OUT + 2]! : 0;
  V32[4 * d + 3] = q ? V32[4 * OUT + 3]! : 0;
}

/** Lane index into VF64 (double) or VF32 (single) for lane i of register r. */
function li(double: boolean, r: number, i: number): number {
  return double ? 2 * r + i : 4 * r + i;
}

// ---------------------------------------------------------------- compare helpers

/** FCMEQ/FCMGE/FCMGT/FACGE/FACGT lane: all ones or zero. */
function fpCompareLane(cpu: Cpu, double: boolean, kind: number, n: number, m: number): boolean {
  const V32 = cpu.V32;
  let a = double ? input64(cpu, n) : input32(cpu, n);
  let b = m < 0 ? 0 : double ? input64(cpu, m) : input32(cpu, m);
  const nNaN = double ? isNaN64(V32, n) : isNaN32(V32[n]!);
  const mNaN = m < 0 ? false : double ? isNaN64(V32, m) : isNaN32(V32[m]!);
  if (nNaN || mNaN) {
    // FCMEQ is a quiet compare: only signalling NaNs raise IOC; the ordered compares raise it
    // for any NaN.
    const snan = (k: number): boolean => (double ? isSNaN64(V32, k) : (V32[k]! & 0x400000) === 0);
    if (kind !== 0 || (nNaN && snan(n)) || (mNaN && snan(m))) cpu.fpsr |= FPSR_IOC;
    return false;
  }
  if (kind === 3 || kind === 4) {
    a = Math.abs(a);
    b = Math.abs(b);
  }
  switch (kind) {
    case 0:
      return a === b;
    case 1:
    case 3:
      return a >= b;
    case 2:
    case 4:
      return a > b;
    case 5: // LE (against zero)
      return a <= b;
    default: // LT
      return a < b;
  }
}

function setMaskLane(cpu: Cpu, double: boolean, k: number, on: boolean): void {
  if (double) {
    cpu.V32[2 * k] = on ? 0xffffffff : 0;
    cpu.V32[2 * k + 1] = on ? 0xffffffff : 0;
  } else cpu.V32[k] = on ? 0xffffffff : 0;
}

/** Round (a·b + c)/2^h exactly once into lane k, with the FPSR flags (finite operands). */
function mulAddScaledExact(cpu: Cpu, double: boolean, k: number, a: number, b: number, c: number, h: number): void {
  const da = decompose(a);
  const db = decompose(b);
  const dc = decompose(c);
  const pm = da.m * db.m;
  const pe = da.e + db.e;
  const e = Math.min(pe, dc.e);
  const m = (pm << BigInt(pe - e)) + (dc.m << BigInt(dc.e - e));
  const mode = (cpu.fpcr >>> 22) & 3;
  if (m === 0n) {
    const zero = mode === 2 ? -0 : 0;
    if (double) cpu.VF64[k] = zero;
    else cpu.VF32[k] = zero;
    return;
  }
  const r = double ? roundExact(m, e - h, mode, 53, -1022, 1023) : roundExact(m, e - h, mode, 24, -126, 127);
  let v = r.value;
  if (r.overflow) cpu.fpsr |= FPSR_OFC | FPSR_IXC;
  else {
    if (r.tiny) {
      if (cpu.fpcr & FPCR_FZ) {
        cpu.fpsr |= FPSR_UFC;
        v = v < 0 || Object.is(v, -0) ? -0 : 0;
      } else if (r.inexact) cpu.fpsr |= FPSR_UFC;
    }
    if (r.inexact && !(r.tiny && cpu.fpcr & FPCR_FZ)) cpu.fpsr |= FPSR_IXC;
  }
  if (double) cpu.VF64[k] = v;
  else cpu.VF32[k] = v;
}

// ---------------------------------------------------------------- three same (FP)

interface Fp3Same {
  q: number;
  u: number;
  a: number;
  double: boolean;
  opc: number;
  d: number;
  n: number;
  m: number;
  name: string;
}

const FP3_NAMES: Record<string, string> = {
  '0:0:0': 'fmaxnm',
  '0:0:1': 'fmla',
  '0:0:2': 'fadd',
  '0:0:3': 'fmulx',
  '0:0:4': 'fcmeq',
  '0:0:6': 'fmax',
  '0:0:7': 'frecps',
  '0:1:0': 'fminnm',
  '0:1:1': 'fmls',
  '0:1:2': 'fsub',
  '0:1:6': 'fmin',
  '0:1:7': 'frsqrts',
  '1:0:0': 'fmaxnmp',
  '1:0:2': 'faddp',
  '1:0:3': 'fmul',
  '1:0:4': 'fcmge',
  '1:0:5': 'facge',
  '1:0:6': 'fmaxp',
  '1:0:7': 'fdiv',
  '1:1:0': 'fminnmp',
  '1:1:2': 'fabd',
  '1:1:4': 'fcmgt',
  '1:1:5': 'facgt',
  '1:1:6': 'fminp',
};

/** One lane of an FP three-same op: OUT lane k from lanes kn, km. */
export function fp3Lane(cpu: Cpu, name: string, double: boolean, k: number, kn: number, km: number, kd: number): void {
  const bin = double ? fpBinary64 : fpBinary32;
  switch (name) {
    case 'fadd':
    case 'faddp':
      bin(cpu, OP_ADD, k, kn, km);
      return;
    case 'fsub':
      bin(cpu, OP_SUB, k, kn, km);
      return;
    case 'fmul':
      bin(cpu, OP_MUL, k, kn, km);
      return;
    case 'fmulx':
      bin(cpu, OP_MULX, k, kn, km);
      return;
    case 'fdiv':
      bin(cpu, OP_DIV, k, kn, km);
      return;
    case 'fmax':
    case 'fmaxp':
      bin(cpu, OP_MAX, k, kn, km);
      return;
    case 'fmin':
    case 'fminp':
      bin(cpu, OP_MIN, k, kn, km);
      return;
    case 'fmaxnm':
    case 'fmaxnmp':
      bin(cpu, OP_MAXNM, k, kn, km);
      return;
    case 'fminnm':
    case 'fminnmp':
      bin(cpu, OP_MINNM, k, kn, km);
      return;
    case 'fabd':
      bin(cpu, OP_SUB, k, kn, km);
      if (double) cpu.V32[2 * k + 1] = cpu.V32[2 * k + 1]! & 0x7fffffff;
      else cpu.V32[k] = cpu.V32[k]! & 0x7fffffff;
      return;
    case 'fmla':
    case 'fmls':
      if (double) fpMulAdd64(cpu, k, kd, kn, km, name === 'fmls', false);
      else fpMulAdd32(cpu, k, kd, kn, km, name === 'fmls', false);
      return;
    case 'frecps':
    case 'frsqrts': {
      // FRECPS: 2 − n·m; FRSQRTS: (3 − n·m)/2, fused. ∞·0 gives 2 (or 1.5).
      const x = double ? cpu.VF64[kn]! : cpu.VF32[kn]!;
      const y = double ? cpu.VF64[km]! : cpu.VF32[km]!;
      const nan = double ? isNaN64(cpu.V32, kn) || isNaN64(cpu.V32, km) : isNaN32(cpu.V32[kn]!) || isNaN32(cpu.V32[km]!);
      if (!nan && ((x === 0 && !Number.isFinite(y)) || (y === 0 && !Number.isFinite(x)))) {
        if (double) cpu.VF64[k] = name === 'frecps' ? 2 : 1.5;
        else cpu.VF32[k] = name === 'frecps' ? 2 : 1.5;
        return;
      }
      // (c − n·m) / 2^h with one rounding: c = 2, h = 0 (FRECPS) or c = 3, h = 1 (FRSQRTS).
      const c = name === 'frecps' ? 2 : 3;
      const h = name === 'frecps' ? 0 : 1;
      const xn = double ? input64(cpu, kn) : input32(cpu, kn);
      const ym = double ? input64(cpu, km) : input32(cpu, km);
      // The first operand is negated before NaNs are looked at (FPRecipStepFused).
      if (double ? processNaNs64(cpu, k, [kn, km]) : processNaNs32(cpu, k, [kn, km])) {
        const fromN = double ? isNaN64(cpu.V32, kn) && (isSNaN64(cpu.V32, kn) || !isSNaN64(cpu.V32, km)) : isNaN32(cpu.V32[kn]!) && ((cpu.V32[kn]! & 0x400000) === 0 || !(isNaN32(cpu.V32[km]!) && (cpu.V32[km]! & 0x400000) === 0));
        if (fromN && !(cpu.fpcr & FPCR_DN)) {
          if (double) cpu.V32[2 * k + 1] = cpu.V32[2 * k + 1]! ^ 0x80000000;
          else cpu.V32[k] = cpu.V32[k]! ^ 0x80000000;
        }
        return;
      }
      if ((xn === 0 && !Number.isFinite(ym)) || (ym === 0 && !Number.isFinite(xn))) {
        if (double) cpu.VF64[k] = c / 2 ** h;
        else cpu.VF32[k] = c / 2 ** h;
        return;
      }
      if (!Number.isFinite(xn) || !Number.isFinite(ym)) {
        const v = -(xn * ym) / 2 ** h;
        if (double) cpu.VF64[k] = v;
        else cpu.VF32[k] = v;
        return;
      }
      mulAddScaledExact(cpu, double, k, -xn, ym, c, h);
      return;
    }
    default: {
      const kind = { fcmeq: 0, fcmge: 1, fcmgt: 2, facge: 3, facgt: 4 }[name]!;
      setMaskLane(cpu, double, k, fpCompareLane(cpu, double, kind, kn, km));
    }
  }
}

const SIMD_3SAME_FP = insn<Fp3Same>({
  name: 'SIMD_3SAME_FP',
  pattern: '0 q:1 u:1 01110 a:1 sz:1 1 rm:5 11 opc:3 1 rn:5 rd:5',
  guard: (f) => `${f.u}:${f.a}:${f.opc}` in FP3_NAMES && !(f.sz === 1 && f.q === 0),
  prepare: (f) => ({ q: f.q!, u: f.u!, a: f.a!, double: f.sz === 1, opc: f.opc!, d: f.rd!, n: f.rn!, m: f.rm!, name: FP3_NAMES[`${f.u}:${f.a}:${f.opc}`]! }),
  exec(cpu, a) {
    const lanes = a.double ? (a.q ? 2 : 1) : a.q ? 4 : 2;
    const pairwise = a.name.endsWith('p') && a.name !== 'fmaxnmp' ? true : a.name === 'fmaxnmp' || a.name === 'fminnmp';
    if (pairwise) {
      copyReg(cpu, SRC1, a.n);
      copyReg(cpu, SRC2, a.m);
      const half = lanes / 2;
      for (let i = 0; i < lanes; i++) {
        const src = i < half || lanes === 1 ? SRC1 : SRC2;
        const j = 2 * (i % Math.max(half, 1));
        fp3Lane(cpu, a.name, a.double, li(a.double, OUT, i), li(a.double, src, j), li(a.double, src, j + 1), 0);
      }
    } else {
      for (let i = 0; i < lanes; i++) {
        fp3Lane(cpu, a.name, a.double, li(a.double, OUT, i), li(a.double, a.n, i), li(a.double, a.m, i), li(a.double, a.d, i));
      }
    }
    commitOut(cpu, a.d, a.q);
  },
  disasm: (a) => {
    const e = a.double ? 64 : 32;
    return `${a.name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}, ${vreg(a.m, e, a.q)}`;
  },
});

// ---------------------------------------------------------------- two-register misc (FP)

interface Fp2Misc {
  q: number;
  double: boolean;
  name: string;
  d: number;
  n: number;
}

const FP2MISC_NAMES: Record<string, string> = {
  '0:1:12': 'fcmgt',
  '0:1:13': 'fcmeq',
  '0:1:14': 'fcmlt',
  '0:1:15': 'fabs',
  '1:1:12': 'fcmge',
  '1:1:13': 'fcmle',
  '1:1:15': 'fneg',
  '1:1:31': 'fsqrt',
  '0:0:22': 'fcvtn',
  '0:0:23': 'fcvtl',
  '0:0:24': 'frintn',
  '0:1:24': 'frintp',
  '0:0:25': 'frintm',
  '0:1:25': 'frintz',
  '1:0:24': 'frinta',
  '1:0:25': 'frintx',
  '1:1:25': 'frinti',
  '0:0:26': 'fcvtns',
  '0:1:26': 'fcvtps',
  '0:0:27': 'fcvtms',
  '0:1:27': 'fcvtzs',
  '0:0:28': 'fcvtas',
  '1:0:26': 'fcvtnu',
  '1:1:26': 'fcvtpu',
  '1:0:27': 'fcvtmu',
  '1:1:27': 'fcvtzu',
  '1:0:28': 'fcvtau',
  '0:0:29': 'scvtf',
  '1:0:29': 'ucvtf',
  '0:1:28': 'urecpe',
  '0:1:29': 'frecpe',
  '1:1:28': 'ursqrte',
  '1:1:29': 'frsqrte',
};

const ROUND_MODE: Record<string, number> = {
  frintn: RM_NEAREST,
  frintp: RM_PLUS,
  frintm: RM_MINUS,
  frintz: RM_ZERO,
  frinta: RM_AWAY,
  fcvtns: RM_NEAREST,
  fcvtnu: RM_NEAREST,
  fcvtps: RM_PLUS,
  fcvtpu: RM_PLUS,
  fcvtms: RM_MINUS,
  fcvtmu: RM_MINUS,
  fcvtzs: RM_ZERO,
  fcvtzu: RM_ZERO,
  fcvtas: RM_AWAY,
  fcvtau: RM_AWAY,
};

/** One lane of an FP two-register op (`k` out, `kn` in, same precision). */
export function fp2Lane(cpu: Cpu, name: string, double: boolean, k: number, kn: number, fbits = 0): void {
  const V32 = cpu.V32;
  switch (name) {
    case 'fabs':
    case 'fneg':
      if (double) {
        V32[2 * k] = V32[2 * kn]!;
        V32[2 * k + 1] = name === 'fabs' ? V32[2 * kn + 1]! & 0x7fffffff : V32[2 * kn + 1]! ^ 0x80000000;
      } else V32[k] = name === 'fabs' ? V32[kn]! & 0x7fffffff : V32[kn]! ^ 0x80000000;
      return;
    case 'fsqrt':
      if (double) fpSqrt64(cpu, k, kn);
      else fpSqrt32(cpu, k, kn);
      return;
    case 'fcmgt':
    case 'fcmeq':
    case 'fcmlt':
    case 'fcmge':
    case 'fcmle': {
      const kind = { fcmeq: 0, fcmge: 1, fcmgt: 2, fcmle: 5, fcmlt: 6 }[name]!;
      setMaskLane(cpu, double, k, fpCompareLane(cpu, double, kind, kn, -1));
      return;
    }
    case 'frecpe':
      fpRecipEstimate(cpu, double, k, kn);
      return;
    case 'frsqrte':
      fpRSqrtEstimate(cpu, double, k, kn);
      return;
    case 'frecpx':
      fpRecpX(cpu, double, k, kn);
      return;
    case 'urecpe':
      V32[k] = unsignedRecipEstimate(V32[kn]!);
      return;
    case 'ursqrte':
      V32[k] = unsignedRSqrtEstimate(V32[kn]!);
      return;
    case 'scvtf':
    case 'ucvtf': {
      const v = double ? cpu.V64[kn]! : BigInt(cpu.V32[kn]!);
      const x = name === 'scvtf' ? BigInt.asIntN(double ? 64 : 32, v) : v;
      const r = fixedToFp(cpu, x, fbits, double);
      if (double) cpu.VF64[k] = r;
      else cpu.VF32[k] = r;
      return;
    }
    default:
      break;
  }
  if (name.startsWith('frint')) {
    const x = double ? input64(cpu, kn) : input32(cpu, kn);
    const nan = double ? processNaNs64(cpu, k, [kn]) : processNaNs32(cpu, k, [kn]);
    if (nan) return;
    let mode = ROUND_MODE[name];
    if (mode === undefined) mode = (cpu.fpcr >>> 22) & 3;
    const r = Number.isFinite(x) ? roundToIntegral(x, mode) : x;
    if (name === 'frintx' && r !== x) cpu.fpsr |= FPSR_IXC;
    if (double) cpu.VF64[k] = r;
    else cpu.VF32[k] = r;
    return;
  }
  // FCVT[NPMZA][SU]: to integer lanes
  const unsigned = name.endsWith('u');
  const mode = ROUND_MODE[name]!;
  const value = double ? cpu.VF64[kn]! : cpu.VF32[kn]!;
  const nan = double ? isNaN64(V32, kn) : isNaN32(V32[kn]!);
  const r = fpToFixed(cpu, value, nan, fbits, unsigned, double ? 64 : 32, mode, double);
  if (double) cpu.V64[k] = BigInt.asUintN(64, r);
  else V32[k] = Number(BigInt.asUintN(32, r));
}

const SIMD_2MISC_FP = insn<Fp2Misc>({
  name: 'SIMD_2MISC_FP',
  pattern: '0 q:1 u:1 01110 a:1 sz:1 10000 opcode:5 10 rn:5 rd:5',
  guard: (f) => {
    const name = FP2MISC_NAMES[`${f.u}:${f.a}:${f.opcode}`];
    if (!name) return false;
    if (name === 'fcvtn' || name === 'fcvtl') return true;
    if ((name === 'urecpe' || name === 'ursqrte') && f.sz === 1) return false;
    return !(f.sz === 1 && f.q === 0);
  },
  prepare: (f) => ({ q: f.q!, double: f.sz === 1, name: FP2MISC_NAMES[`${f.u}:${f.a}:${f.opcode}`]!, d: f.rd!, n: f.rn! }),
  exec(cpu, a) {
    if (a.name === 'fcvtn') {
      // Narrow doubles → singles (sz=1) or singles → halves (sz=0), into the low or high half
      copyReg(cpu, SRC1, a.n);
      copyReg(cpu, OUT, a.d);
      if (a.double) {
        const base = a.q ? 2 : 0;
        for (let i = 0; i < 2; i++) doubleToSingle(cpu, 4 * OUT + base + i, 2 * SRC1 + i);
      } else {
        const base = a.q ? 4 : 0;
        for (let i = 0; i < 4; i++) cpu.V16[8 * OUT + base + i] = singleToHalfBits(cpu, 4 * SRC1 + i);
      }
      if (!a.q) {
        cpu.V32[4 * OUT + 2] = 0;
        cpu.V32[4 * OUT + 3] = 0;
      }
      commitOut(cpu, a.d, 1);
      return;
    }
    if (a.name === 'fcvtl') {
      copyReg(cpu, SRC1, a.n);
      if (a.double) {
        const base = a.q ? 2 : 0;
        for (let i = 0; i < 2; i++) singleToDouble(cpu, 2 * OUT + i, 4 * SRC1 + base + i);
      } else {
        const base = a.q ? 4 : 0;
        for (let i = 0; i < 4; i++) halfToSingleLane(cpu, 4 * OUT + i, cpu.V16[8 * SRC1 + base + i]!);
      }
      commitOut(cpu, a.d, 1);
      return;
    }
    const lanes = a.double ? 2 : a.q ? 4 : 2;
    for (let i = 0; i < lanes; i++) fp2Lane(cpu, a.name, a.double, li(a.double, OUT, i), li(a.double, a.n, i));
    commitOut(cpu, a.d, a.q);
  },
  disasm(a) {
    const w = a.double ? 64 : 32;
    if (a.name === 'fcvtn') return `fcvtn${a.q ? '2' : ''}\t${vreg(a.d, w / 2, a.q)}, ${vreg(a.n, w, 1)}`;
    if (a.name === 'fcvtl') return `fcvtl${a.q ? '2' : ''}\t${vreg(a.d, w, 1)}, ${vreg(a.n, w / 2, a.q)}`;
    const e = a.double ? 64 : 32;
    const zero = a.name.startsWith('fcm') ? ', #0.0' : '';
    return `${a.name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}${zero}`;
  },
});

// ---------------------------------------------------------------- across lanes (FP)

interface FpAcross {
  name: string;
  d: number;
  n: number;
}

const FPACROSS: Record<string, string> = { '1:0:12': 'fmaxnmv', '1:1:12': 'fminnmv', '1:0:15': 'fmaxv', '1:1:15': 'fminv' };

const SIMD_ACROSS_FP = insn<FpAcross>({
  name: 'SIMD_ACROSS_FP',
  pattern: '0 1 u:1 01110 a:1 0 11000 opcode:5 10 rn:5 rd:5',
  guard: (f) => `${f.u}:${f.a}:${f.opcode}` in FPACROSS,
  prepare: (f) => ({ name: FPACROSS[`${f.u}:${f.a}:${f.opcode}`]!, d: f.rd!, n: f.rn! }),
  exec(cpu, a) {
    const op = { fmaxnmv: OP_MAXNM, fminnmv: OP_MINNM, fmaxv: OP_MAX, fminv: OP_MIN }[a.name]!;
    // Pairwise reduction tree, as the ARM pseudocode `Reduce` does.
    copyReg(cpu, SRC1, a.n);
    fpBinary32(cpu, op, 4 * SRC2, 4 * SRC1, 4 * SRC1 + 1);
    fpBinary32(cpu, op, 4 * SRC2 + 1, 4 * SRC1 + 2, 4 * SRC1 + 3);
    fpBinary32(cpu, op, 4 * OUT, 4 * SRC2, 4 * SRC2 + 1);
    const V32 = cpu.V32;
    V32[4 * a.d] = V32[4 * OUT]!;
    V32[4 * a.d + 1] = 0;
    V32[4 * a.d + 2] = 0;
    V32[4 * a.d + 3] = 0;
  },
  disasm: (a) => `${a.name}\ts${a.d}, ${vreg(a.n, 32, 1)}`,
});

// ---------------------------------------------------------------- by element (FP)

interface FpElem {
  q: number;
  double: boolean;
  name: string;
  index: number;
  d: number;
  n: number;
  m: number;
  scalar: boolean;
}

const FPELEM: Record<string, string> = { '0:1': 'fmla', '0:5': 'fmls', '0:9': 'fmul', '1:9': 'fmulx' };

export function fpElemArgs(f: Record<string, number>, scalar: boolean): FpElem {
  const double = f.sz === 1;
  return {
    q: f.q ?? 1,
    double,
    name: FPELEM[`${f.u}:${f.opcode}`]!,
    index: double ? f.h! : (f.h! << 1) | f.l!,
    d: f.rd!,
    n: f.rn!,
    m: (f.m! << 4) | f.rm!,
    scalar,
  };
}

export function fpElemExec(cpu: Cpu, a: FpElem): void {
  copyReg(cpu, SRC2, a.m);
  const k = li(a.double, SRC2, a.index);
  const lanes = a.scalar ? 1 : a.double ? 2 : a.q ? 4 : 2;
  for (let i = 0; i < lanes; i++) {
    const out = li(a.double, OUT, i);
    const kn = li(a.double, a.n, i);
    const kd = li(a.double, a.d, i);
    if (a.name === 'fmul') (a.double ? fpBinary64 : fpBinary32)(cpu, OP_MUL, out, kn, k);
    else if (a.name === 'fmulx') (a.double ? fpBinary64 : fpBinary32)(cpu, OP_MULX, out, kn, k);
    else if (a.double) fpMulAdd64(cpu, out, kd, kn, k, a.name === 'fmls', false);
    else fpMulAdd32(cpu, out, kd, kn, k, a.name === 'fmls', false);
  }
  if (a.scalar) {
    const V32 = cpu.V32;
    V32[4 * a.d] = V32[4 * OUT]!;
    V32[4 * a.d + 1] = a.double ? V32[4 * OUT + 1]! : 0;
    V32[4 * a.d + 2] = 0;
    V32[4 * a.d + 3] = 0;
  } else commitOut(cpu, a.d, a.q);
}

export function fpElemText(a: FpElem): string {
  const e = a.double ? 64 : 32;
  const el = `v${a.m}.${ELEM_LETTER[e]}[${a.index}]`;
  if (a.scalar) {
    const r = a.double ? 'd' : 's';
    return `${a.name}\t${r}${a.d}, ${r}${a.n}, ${el}`;
  }
  return `${a.name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}, ${el}`;
}

const SIMD_ELEM_FP = insn<FpElem>({
  name: 'SIMD_ELEM_FP',
  pattern: '0 q:1 u:1 01111 1 sz:1 l:1 m:1 rm:4 opcode:4 h:1 0 rn:5 rd:5',
  guard: (f) => `${f.u}:${f.opcode}` in FPELEM && !(f.sz === 1 && (f.l === 1 || f.q === 0)),
  prepare: (f) => fpElemArgs(f, false),
  exec: fpElemExec,
  disasm: fpElemText,
});

export const SIMD_FP: AnyInsnDef[] = [SIMD_3SAME_FP, SIMD_2MISC_FP, SIMD_ACROSS_FP, SIMD_ELEM_FP];
export { OUT };
