import { conditionHolds } from '../alu.js';
import type { Cpu } from '../cpu.js';
import {
  fpBinary32,
  fpBinary64,
  fpCompare,
  fpMulAdd32,
  fpMulAdd64,
  fpSqrt32,
  fpSqrt64,
  FPSR_IXC,
  isNaN32,
  isNaN64,
  isSNaN64,
  processNaNs32,
  processNaNs64,
  input32,
  input64,
  OP_ADD,
  OP_DIV,
  OP_MAX,
  OP_MAXNM,
  OP_MIN,
  OP_MINNM,
  OP_MUL,
  OP_NMUL,
  OP_SUB,
} from '../fpu.js';
import { doubleToSingle, fixedToFp, fpToFixed, halfToNumber, numberToHalf, roundToIntegral, singleToDouble } from '../fpu-convert.js';
import { RM_AWAY, RM_MINUS, RM_NEAREST, RM_PLUS, RM_ZERO } from '../softfloat.js';
import { CONDITIONS, insn, xname, zr, zrw, type AnyInsnDef } from './types.js';

/** Scalar floating point (ARM DDI 0487, C4.1.90): arithmetic, compare, select, convert, move. */

const FP_REG = ['s', 'd', '', 'h'];

/** Zero the bytes of V register `d` above the low `bytes` (a scalar write clears the rest). */
function zeroAbove(cpu: Cpu, d: number, bytes: number): void {
  const V32 = cpu.V32;
  const b = 4 * d;
  if (bytes <= 2) V32[b] = V32[b]! & (bytes === 1 ? 0xff : 0xffff);
  if (bytes <= 4) V32[b + 1] = 0;
  if (bytes <= 8) {
    V32[b + 2] = 0;
    V32[b + 3] = 0;
  }
}

function reg(ftype: number, r: number): string {
  return `${FP_REG[ftype]}${r}`;
}

/** objdump prints FP immediates with printf's %.18e. */
function fpImmText(v: number): string {
  const s = v.toExponential(18);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

// ---------------------------------------------------------------- 2-source

interface Fp2 {
  ftype: number;
  d: number;
  n: number;
  m: number;
  op: number;
}

const FP2_OPS = [OP_MUL, OP_DIV, OP_ADD, OP_SUB, OP_MAX, OP_MIN, OP_MAXNM, OP_MINNM, OP_NMUL];
const FP2_NAMES = ['fmul', 'fdiv', 'fadd', 'fsub', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fnmul'];

const FP_2SRC = insn<Fp2>({
  name: 'FP_2SRC',
  pattern: '0 0 0 11110 ftype:2 1 rm:5 opcode:4 10 rn:5 rd:5',
  guard: (f) => f.ftype! < 2 && f.opcode! <= 8,
  prepare: (f) => ({ ftype: f.ftype!, d: f.rd!, n: f.rn!, m: f.rm!, op: f.opcode! }),
  exec(cpu, a) {
    if (a.ftype === 1) {
      fpBinary64(cpu, FP2_OPS[a.op]!, 2 * a.d, 2 * a.n, 2 * a.m);
      zeroAbove(cpu, a.d, 8);
    } else {
      fpBinary32(cpu, FP2_OPS[a.op]!, 4 * a.d, 4 * a.n, 4 * a.m);
      zeroAbove(cpu, a.d, 4);
    }
  },
  disasm: (a) => `${FP2_NAMES[a.op]}\t${reg(a.ftype, a.d)}, ${reg(a.ftype, a.n)}, ${reg(a.ftype, a.m)}`,
});

// ---------------------------------------------------------------- 3-source

interface Fp3 {
  ftype: number;
  d: number;
  n: number;
  m: number;
  a: number;
  negProduct: boolean;
  negAddend: boolean;
  name: string;
}

const FP_3SRC = insn<Fp3>({
  name: 'FP_3SRC',
  pattern: '0 0 0 11111 ftype:2 o1:1 rm:5 o0:1 ra:5 rn:5 rd:5',
  guard: (f) => f.ftype! < 2,
  prepare: (f) => {
    const kind = (f.o1! << 1) | f.o0!;
    return {
      ftype: f.ftype!,
      d: f.rd!,
      n: f.rn!,
      m: f.rm!,
      a: f.ra!,
      // FMADD: a + n·m; FMSUB: a − n·m; FNMADD: −a − n·m; FNMSUB: −a + n·m
      negProduct: kind === 1 || kind === 2,
      negAddend: kind >= 2,
      name: ['fmadd', 'fmsub', 'fnmadd', 'fnmsub'][kind]!,
    };
  },
  exec(cpu, a) {
    if (a.ftype === 1) {
      fpMulAdd64(cpu, 2 * a.d, 2 * a.a, 2 * a.n, 2 * a.m, a.negProduct, a.negAddend);
      zeroAbove(cpu, a.d, 8);
    } else {
      fpMulAdd32(cpu, 4 * a.d, 4 * a.a, 4 * a.n, 4 * a.m, a.negProduct, a.negAddend);
      zeroAbove(cpu, a.d, 4);
    }
  },
  disasm: (a) => `${a.name}\t${reg(a.ftype, a.d)}, ${reg(a.ftype, a.n)}, ${reg(a.ftype, a.m)}, ${reg(a.ftype, a.a)}`,
});

// ---------------------------------------------------------------- 1-source

interface Fp1 {
  ftype: number;
  d: number;
  n: number;
  op: number;
}

const FRINT_MODES: Record<number, number> = { 8: RM_NEAREST, 9: RM_PLUS, 10: RM_MINUS, 11: RM_ZERO, 12: RM_AWAY, 14: -1, 15: -2 };
const FP1_NAMES: Record<number, string> = {
  0: 'fmov',
  1: 'fabs',
  2: 'fneg',
  3: 'fsqrt',
  8: 'frintn',
  9: 'frintp',
  10: 'frintm',
  11: 'frintz',
  12: 'frinta',
  14: 'frintx',
  15: 'frinti',
};

const FP_1SRC = insn<Fp1>({
  name: 'FP_1SRC',
  pattern: '0 0 0 11110 ftype:2 1 0000 opcode:2 10000 rn:5 rd:5',
  guard: (f) => f.ftype! < 2,
  prepare: (f) => ({ ftype: f.ftype!, d: f.rd!, n: f.rn!, op: f.opcode! }),
  exec(cpu, a) {
    const V32 = cpu.V32;
    const double = a.ftype === 1;
    const bytes = double ? 8 : 4;
    switch (a.op) {
      case 0: // FMOV
        V32[4 * a.d] = V32[4 * a.n]!;
        if (double) V32[4 * a.d + 1] = V32[4 * a.n + 1]!;
        break;
      case 1: // FABS (bit operation: no NaN processing)
        V32[4 * a.d] = V32[4 * a.n]!;
        if (double) V32[4 * a.d + 1] = V32[4 * a.n + 1]! & 0x7fffffff;
        else V32[4 * a.d] = V32[4 * a.n]! & 0x7fffffff;
        break;
      case 2: // FNEG
        V32[4 * a.d] = V32[4 * a.n]!;
        if (double) V32[4 * a.d + 1] = V32[4 * a.n + 1]! ^ 0x80000000;
        else V32[4 * a.d] = V32[4 * a.n]! ^ 0x80000000;
        break;
      default:
        if (double) fpSqrt64(cpu, 2 * a.d, 2 * a.n);
        else fpSqrt32(cpu, 4 * a.d, 4 * a.n);
    }
    zeroAbove(cpu, a.d, bytes);
  },
  disasm: (a) => `${FP1_NAMES[a.op]}\t${reg(a.ftype, a.d)}, ${reg(a.ftype, a.n)}`,
});

const FRINT = insn<Fp1>({
  name: 'FRINT',
  pattern: '0 0 0 11110 ftype:2 1 001 opcode:3 10000 rn:5 rd:5',
  guard: (f) => f.ftype! < 2 && f.opcode !== 5,
  prepare: (f) => ({ ftype: f.ftype!, d: f.rd!, n: f.rn!, op: 8 + f.opcode! }),
  exec(cpu, a) {
    const double = a.ftype === 1;
    let mode = FRINT_MODES[a.op]!;
    const exact = mode === -1; // FRINTX raises IXC
    if (mode < 0) mode = (cpu.fpcr >>> 22) & 3;
    if (double) {
      const x = input64(cpu, 2 * a.n);
      if (!processNaNs64(cpu, 2 * a.d, [2 * a.n])) {
        const r = Number.isFinite(x) ? roundToIntegral(x, mode) : x;
        if (exact && r !== x) cpu.fpsr |= FPSR_IXC;
        cpu.VF64[2 * a.d] = r;
      }
    } else {
      const x = input32(cpu, 4 * a.n);
      if (!processNaNs32(cpu, 4 * a.d, [4 * a.n])) {
        const r = Number.isFinite(x) ? roundToIntegral(x, mode) : x;
        if (exact && r !== x) cpu.fpsr |= FPSR_IXC;
        cpu.VF32[4 * a.d] = r;
      }
    }
    zeroAbove(cpu, a.d, double ? 8 : 4);
  },
  disasm: (a) => `${FP1_NAMES[a.op]}\t${reg(a.ftype, a.d)}, ${reg(a.ftype, a.n)}`,
});

interface FpCvt {
  from: number;
  to: number;
  d: number;
  n: number;
}

const FCVT = insn<FpCvt>({
  name: 'FCVT',
  pattern: '0 0 0 11110 ftype:2 1 0001 opc:2 10000 rn:5 rd:5',
  guard: (f) => f.ftype !== 2 && f.opc !== 2 && f.ftype !== f.opc,
  prepare: (f) => ({ from: f.ftype!, to: f.opc!, d: f.rd!, n: f.rn! }),
  exec(cpu, a) {
    const V32 = cpu.V32;
    const V16 = cpu.V16;
    if (a.from === 1 && a.to === 0) {
      doubleToSingle(cpu, 4 * a.d, 2 * a.n);
      zeroAbove(cpu, a.d, 4);
    } else if (a.from === 0 && a.to === 1) {
      singleToDouble(cpu, 2 * a.d, 4 * a.n);
      zeroAbove(cpu, a.d, 8);
    } else if (a.to === 3) {
      // to half
      let nan: number | undefined;
      let x: number;
      if (a.from === 1) {
        if (isNaN64(V32, 2 * a.n)) {
          if (isSNaN64(V32, 2 * a.n)) cpu.fpsr |= 1;
          const hi = V32[4 * a.n + 1]!;
          nan = ((hi >>> 16) & 0x8000) | 0x7e00 | ((hi >>> 10) & 0x1ff);
        }
        x = input64(cpu, 2 * a.n);
      } else {
        const b = V32[4 * a.n]!;
        if (isNaN32(b)) {
          if ((b & 0x400000) === 0) cpu.fpsr |= 1;
          nan = ((b >>> 16) & 0x8000) | 0x7e00 | ((b >>> 13) & 0x1ff);
        }
        x = input32(cpu, 4 * a.n);
      }
      const h = numberToHalf(cpu, x, nan);
      V32[4 * a.d] = h;
      zeroAbove(cpu, a.d, 2);
    } else {
      // from half
      const h = V16[8 * a.n]!;
      const ahp = (cpu.fpcr & (1 << 26)) !== 0;
      const isNan = !ahp && (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (a.to === 1) {
        if (isNan) {
          if ((h & 0x200) === 0) cpu.fpsr |= 1;
          V32[4 * a.d] = 0;
          V32[4 * a.d + 1] = cpu.fpcr & (1 << 25) ? 0x7ff80000 : ((h & 0x8000) << 16) | 0x7ff80000 | ((h & 0x1ff) << 10);
        } else cpu.VF64[2 * a.d] = halfToNumber(h, ahp);
        zeroAbove(cpu, a.d, 8);
      } else {
        if (isNan) {
          if ((h & 0x200) === 0) cpu.fpsr |= 1;
          V32[4 * a.d] = cpu.fpcr & (1 << 25) ? 0x7fc00000 : ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
        } else cpu.VF32[4 * a.d] = halfToNumber(h, ahp);
        zeroAbove(cpu, a.d, 4);
      }
    }
  },
  disasm: (a) => `fcvt\t${reg(a.to, a.d)}, ${reg(a.from, a.n)}`,
});

// ---------------------------------------------------------------- compare, select

interface FpCmp {
  ftype: number;
  n: number;
  m: number;
  zero: number;
  signal: number;
}

const FCMP = insn<FpCmp>({
  name: 'FCMP',
  pattern: '0 0 0 11110 ftype:2 1 rm:5 00 1000 rn:5 e:1 z:1 000',
  guard: (f) => f.ftype! < 2,
  prepare: (f) => ({ ftype: f.ftype!, n: f.rn!, m: f.rm!, zero: f.z!, signal: f.e! }),
  exec(cpu, a) {
    const double = a.ftype === 1;
    const n = double ? 2 * a.n : 4 * a.n;
    const m = a.zero ? -1 : double ? 2 * a.m : 4 * a.m;
    fpCompare(cpu, double, n, m, a.signal === 1);
  },
  disasm: (a) => `${a.signal ? 'fcmpe' : 'fcmp'}\t${reg(a.ftype, a.n)}, ${a.zero ? '#0.0' : reg(a.ftype, a.m)}`,
});

interface FpCcmp {
  ftype: number;
  n: number;
  m: number;
  cond: number;
  nzcv: number;
  signal: number;
}

const FCCMP = insn<FpCcmp>({
  name: 'FCCMP',
  pattern: '0 0 0 11110 ftype:2 1 rm:5 cond:4 01 rn:5 e:1 nzcv:4',
  guard: (f) => f.ftype! < 2,
  prepare: (f) => ({ ftype: f.ftype!, n: f.rn!, m: f.rm!, cond: f.cond!, nzcv: f.nzcv!, signal: f.e! }),
  exec(cpu, a) {
    if (!conditionHolds(a.cond, cpu.n, cpu.z, cpu.c, cpu.v)) {
      cpu.nzcv = a.nzcv << 28;
      return;
    }
    const double = a.ftype === 1;
    fpCompare(cpu, double, double ? 2 * a.n : 4 * a.n, double ? 2 * a.m : 4 * a.m, a.signal === 1);
  },
  disasm: (a) => `${a.signal ? 'fccmpe' : 'fccmp'}\t${reg(a.ftype, a.n)}, ${reg(a.ftype, a.m)}, #0x${a.nzcv.toString(16)}, ${CONDITIONS[a.cond]}`,
});

interface FpSel {
  ftype: number;
  d: number;
  n: number;
  m: number;
  cond: number;
}

const FCSEL = insn<FpSel>({
  name: 'FCSEL',
  pattern: '0 0 0 11110 ftype:2 1 rm:5 cond:4 11 rn:5 rd:5',
  guard: (f) => f.ftype! < 2,
  prepare: (f) => ({ ftype: f.ftype!, d: f.rd!, n: f.rn!, m: f.rm!, cond: f.cond! }),
  exec(cpu, a) {
    const src = conditionHolds(a.cond, cpu.n, cpu.z, cpu.c, cpu.v) ? a.n : a.m;
    const V32 = cpu.V32;
    const lo = V32[4 * src]!;
    const hi = V32[4 * src + 1]!;
    V32[4 * a.d] = lo;
    V32[4 * a.d + 1] = a.ftype === 1 ? hi : 0;
    zeroAbove(cpu, a.d, a.ftype === 1 ? 8 : 4);
  },
  disasm: (a) => `fcsel\t${reg(a.ftype, a.d)}, ${reg(a.ftype, a.n)}, ${reg(a.ftype, a.m)}, ${CONDITIONS[a.cond]}`,
});

// ---------------------------------------------------------------- FMOV (immediate)

/** ARM `VFPExpandImm` for an 8-bit FP immediate. */
function vfpExpandImm(imm8: number): number {
  const sign = imm8 & 0x80 ? -1 : 1;
  const exp = ((imm8 >>> 4) & 7) ^ 4; // NOT(b):b:b … as a 3-bit exponent biased around 0
  const frac = imm8 & 15;
  return sign * (16 + frac) * 2 ** (exp - 7);
}

interface FmovImm {
  ftype: number;
  d: number;
  value: number;
}

const FMOV_i = insn<FmovImm>({
  name: 'FMOV_i',
  pattern: '0 0 0 11110 ftype:2 1 imm8:8 100 00000 rd:5',
  guard: (f) => f.ftype! < 2,
  prepare: (f) => ({ ftype: f.ftype!, d: f.rd!, value: vfpExpandImm(f.imm8!) }),
  exec(cpu, a) {
    if (a.ftype === 1) cpu.VF64[2 * a.d] = a.value;
    else cpu.VF32[4 * a.d] = a.value;
    zeroAbove(cpu, a.d, a.ftype === 1 ? 8 : 4);
  },
  disasm: (a) => `fmov\t${reg(a.ftype, a.d)}, #${fpImmText(a.value)}`,
});

// ---------------------------------------------------------------- FP ↔ integer

interface FpInt {
  sf: number;
  ftype: number;
  d: number;
  n: number;
  rd: number;
  rn: number;
  kind: number;
  rmode: number;
  fbits: number;
  name: string;
}

const CVT_NAMES: Record<string, string> = {
  '0:0': 'fcvtns',
  '0:1': 'fcvtnu',
  '0:2': 'scvtf',
  '0:3': 'ucvtf',
  '0:4': 'fcvtas',
  '0:5': 'fcvtau',
  '1:0': 'fcvtps',
  '1:1': 'fcvtpu',
  '2:0': 'fcvtms',
  '2:1': 'fcvtmu',
  '3:0': 'fcvtzs',
  '3:1': 'fcvtzu',
};

function fpIntExec(cpu: Cpu, a: FpInt): void {
  const R = cpu.R;
  const double = a.ftype === 1;
  const bits = a.sf ? 64 : 32;
  if (a.kind === 2 || a.kind === 3) {
    // SCVTF, UCVTF: integer register → FP
    let v: bigint;
    if (a.sf) v = a.kind === 2 ? BigInt.asIntN(64, cpu.X[a.n]!) : cpu.X[a.n]!;
    else v = a.kind === 2 ? BigInt(R[2 * a.n]!) : BigInt(R[2 * a.n]! >>> 0);
    const r = fixedToFp(cpu, v, a.fbits, double);
    if (double) cpu.VF64[2 * a.d] = r;
    else cpu.VF32[4 * a.d] = r;
    zeroAbove(cpu, a.d, double ? 8 : 4);
    return;
  }
  // FP → integer register
  const unsigned = (a.kind & 1) === 1;
  let mode: number;
  if (a.kind >= 4) mode = RM_AWAY;
  else mode = [RM_NEAREST, RM_PLUS, RM_MINUS, RM_ZERO][a.rmode]!;
  const value = double ? cpu.VF64[2 * a.n]! : cpu.VF32[4 * a.n]!;
  const nan = double ? isNaN64(cpu.V32, 2 * a.n) : isNaN32(cpu.V32[4 * a.n]!);
  const r = fpToFixed(cpu, value, nan, a.fbits, unsigned, bits, mode, double);
  if (a.sf) cpu.X[a.d] = r;
  else {
    R[2 * a.d] = Number(BigInt.asIntN(32, r));
    R[2 * a.d + 1] = 0;
  }
}

const FP_INT = insn<FpInt>({
  name: 'FP_INT',
  pattern: 'sf:1 0 0 11110 ftype:2 1 rmode:2 opcode:3 000000 rn:5 rd:5',
  guard: (f) => f.ftype! < 2 && `${f.rmode}:${f.opcode}` in CVT_NAMES,
  prepare: (f) => {
    const toFp = f.opcode === 2 || f.opcode === 3;
    return {
      sf: f.sf!,
      ftype: f.ftype!,
      d: toFp ? f.rd! : zrw(f.rd!),
      n: toFp ? zr(f.rn!) : f.rn!,
      rd: f.rd!,
      rn: f.rn!,
      kind: f.opcode!,
      rmode: f.rmode!,
      fbits: 0,
      name: CVT_NAMES[`${f.rmode}:${f.opcode}`]!,
    };
  },
  exec: fpIntExec,
  disasm(a) {
    const toFp = a.kind === 2 || a.kind === 3;
    return toFp ? `${a.name}\t${reg(a.ftype, a.rd)}, ${xname(a.rn, a.sf, 'zr')}` : `${a.name}\t${xname(a.rd, a.sf, 'zr')}, ${reg(a.ftype, a.rn)}`;
  },
});

const FP_FIXED = insn<FpInt>({
  name: 'FP_FIXED',
  pattern: 'sf:1 0 0 11110 ftype:2 0 rmode:2 opcode:3 scale:6 rn:5 rd:5',
  guard: (f) => f.ftype! < 2 && ((f.rmode === 0 && (f.opcode === 2 || f.opcode === 3)) || (f.rmode === 3 && f.opcode! < 2)) && (f.sf === 1 || f.scale! >= 32),
  prepare: (f) => {
    const toFp = f.opcode === 2 || f.opcode === 3;
    return {
      sf: f.sf!,
      ftype: f.ftype!,
      d: toFp ? f.rd! : zrw(f.rd!),
      n: toFp ? zr(f.rn!) : f.rn!,
      rd: f.rd!,
      rn: f.rn!,
      kind: f.opcode!,
      rmode: f.rmode!,
      fbits: 64 - f.scale!,
      name: CVT_NAMES[`${f.rmode}:${f.opcode}`]!,
    };
  },
  exec: fpIntExec,
  disasm(a) {
    const toFp = a.kind === 2 || a.kind === 3;
    const regs = toFp ? `${reg(a.ftype, a.rd)}, ${xname(a.rn, a.sf, 'zr')}` : `${xname(a.rd, a.sf, 'zr')}, ${reg(a.ftype, a.rn)}`;
    return `${a.name}\t${regs}, #${a.fbits}`;
  },
});

interface FmovGen {
  sf: number;
  ftype: number;
  toFp: number;
  top: number;
  d: number;
  n: number;
  rd: number;
  rn: number;
}

const FMOV_gen = insn<FmovGen>({
  name: 'FMOV_gen',
  pattern: 'sf:1 0 0 11110 ftype:2 1 rmode:2 11 op:1 000000 rn:5 rd:5',
  guard: (f) => (f.rmode === 0 && ((f.sf === 0 && f.ftype === 0) || (f.sf === 1 && f.ftype === 1))) || (f.rmode === 1 && f.sf === 1 && f.ftype === 2),
  prepare: (f) => ({
    sf: f.sf!,
    ftype: f.ftype!,
    toFp: f.op!,
    top: f.rmode!,
    d: f.op ? f.rd! : zrw(f.rd!),
    n: f.op ? zr(f.rn!) : f.rn!,
    rd: f.rd!,
    rn: f.rn!,
  }),
  exec(cpu, a) {
    const R = cpu.R;
    const V32 = cpu.V32;
    if (a.toFp) {
      const b = 4 * a.d + (a.top ? 2 : 0);
      V32[b] = R[2 * a.n]!;
      V32[b + 1] = a.sf ? R[2 * a.n + 1]! : 0;
      if (!a.top) zeroAbove(cpu, a.d, a.sf ? 8 : 4);
    } else {
      const b = 4 * a.n + (a.top ? 2 : 0);
      R[2 * a.d] = V32[b]! | 0;
      R[2 * a.d + 1] = a.sf ? V32[b + 1]! | 0 : 0;
    }
  },
  disasm(a) {
    const v = a.top ? `v${a.toFp ? a.rd : a.rn}.d[1]` : reg(a.ftype, a.toFp ? a.rd : a.rn);
    return a.toFp ? `fmov\t${v}, ${xname(a.rn, a.sf, 'zr')}` : `fmov\t${xname(a.rd, a.sf, 'zr')}, ${v}`;
  },
});

export const FP_SCALAR: AnyInsnDef[] = [FP_2SRC, FP_3SRC, FP_1SRC, FRINT, FCVT, FCMP, FCCMP, FCSEL, FMOV_i, FP_INT, FP_FIXED, FMOV_gen];
void OP_MAX;
void OP_MIN;
void OP_MAXNM;
void OP_MINNM;
