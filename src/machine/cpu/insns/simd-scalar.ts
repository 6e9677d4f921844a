import type { Cpu } from '../cpu.js';
import { fpBinary32, fpBinary64, FPSR_QC, OP_ADD, OP_MAX, OP_MAXNM, OP_MIN, OP_MINNM } from '../fpu.js';
import { fp2Lane, fp3Lane, fpElemArgs, fpElemExec, fpElemText, OUT } from './simd-fp.js';
import { shiftImmLane } from './simd-int.js';
import { ELEM_LETTER, ESIZE, lane, lane64 } from './simd-lanes.js';
import { insn, type AnyInsnDef } from './types.js';

/** Advanced SIMD scalar forms (ARM DDI 0487, C4.1.92). */

const MASK64 = (1n << 64n) - 1n;

function writeScalar(cpu: Cpu, d: number, bytes: number, lo: number, hi: number): void {
  const V32 = cpu.V32;
  V32[4 * d] = bytes === 1 ? lo & 0xff : bytes === 2 ? lo & 0xffff : lo;
  V32[4 * d + 1] = bytes === 8 ? hi : 0;
  V32[4 * d + 2] = 0;
  V32[4 * d + 3] = 0;
}

function writeScalar64(cpu: Cpu, d: number, v: bigint): void {
  cpu.V64[2 * d] = BigInt.asUintN(64, v);
  cpu.V64[2 * d + 1] = 0n;
}

function copyOut(cpu: Cpu, d: number, bytes: number): void {
  const V32 = cpu.V32;
  writeScalar(cpu, d, bytes, V32[4 * OUT]!, V32[4 * OUT + 1]!);
}

function satBig(cpu: Cpu, v: bigint, min: bigint, max: bigint): bigint {
  if (v > max) {
    cpu.fpsr |= FPSR_QC;
    return max;
  }
  if (v < min) {
    cpu.fpsr |= FPSR_QC;
    return min;
  }
  return v;
}

const REG_LETTER = ['b', 'h', 's', 'd'];

// ---------------------------------------------------------------- scalar three same

interface S3 {
  u: number;
  size: number;
  op: number;
  d: number;
  n: number;
  m: number;
  name: string;
}

const S3_INT: Record<string, string> = {
  '0:1': 'sqadd',
  '1:1': 'uqadd',
  '0:5': 'sqsub',
  '1:5': 'uqsub',
  '0:6': 'cmgt',
  '1:6': 'cmhi',
  '0:7': 'cmge',
  '1:7': 'cmhs',
  '0:8': 'sshl',
  '1:8': 'ushl',
  '0:16': 'add',
  '1:16': 'sub',
  '0:17': 'cmtst',
  '1:17': 'cmeq',
};

const S3_FP: Record<string, string> = {
  '0:0:3': 'fmulx',
  '0:0:4': 'fcmeq',
  '0:0:7': 'frecps',
  '0:1:7': 'frsqrts',
  '1:0:4': 'fcmge',
  '1:0:5': 'facge',
  '1:1:2': 'fabd',
  '1:1:4': 'fcmgt',
  '1:1:5': 'facgt',
};

const SIMDS_3SAME = insn<S3>({
  name: 'SIMDS_3SAME',
  pattern: '01 u:1 11110 size:2 1 rm:5 opcode:5 1 rn:5 rd:5',
  guard: (f) => {
    if (f.opcode! >= 24) return `${f.u}:${f.size! >> 1}:${f.opcode! & 7}` in S3_FP;
    const name = S3_INT[`${f.u}:${f.opcode}`];
    if (!name) return false;
    if (f.opcode === 1 || f.opcode === 5) return true;
    return f.size === 3;
  },
  prepare: (f) => ({
    u: f.u!,
    size: f.size!,
    op: f.opcode!,
    d: f.rd!,
    n: f.rn!,
    m: f.rm!,
    name: f.opcode! >= 24 ? S3_FP[`${f.u}:${f.size! >> 1}:${f.opcode! & 7}`]! : S3_INT[`${f.u}:${f.opcode}`]!,
  }),
  exec(cpu, a) {
    if (a.op >= 24) {
      const double = (a.size & 1) === 1;
      fp3Lane(cpu, a.name, double, double ? 2 * OUT : 4 * OUT, double ? 2 * a.n : 4 * a.n, double ? 2 * a.m : 4 * a.m, double ? 2 * a.d : 4 * a.d);
      copyOut(cpu, a.d, double ? 8 : 4);
      return;
    }
    const e = ESIZE[a.size]!;
    const x = e === 64 ? lane64(cpu, a.n, 0) : BigInt(lane(cpu, a.n, e, 0));
    const y = e === 64 ? lane64(cpu, a.m, 0) : BigInt(lane(cpu, a.m, e, 0));
    const sx = BigInt.asIntN(e, x);
    const sy = BigInt.asIntN(e, y);
    const m = (1n << BigInt(e)) - 1n;
    let r: bigint;
    switch (a.op) {
      case 1:
        r = a.u ? satBig(cpu, x + y, 0n, m) : satBig(cpu, sx + sy, -(1n << BigInt(e - 1)), (1n << BigInt(e - 1)) - 1n);
        break;
      case 5:
        r = a.u ? satBig(cpu, x - y, 0n, m) : satBig(cpu, sx - sy, -(1n << BigInt(e - 1)), (1n << BigInt(e - 1)) - 1n);
        break;
      case 6:
        r = (a.u ? x > y : sx > sy) ? MASK64 : 0n;
        break;
      case 7:
        r = (a.u ? x >= y : sx >= sy) ? MASK64 : 0n;
        break;
      case 8: {
        const amount = Number(BigInt.asIntN(8, y));
        const v = a.u ? x : sx;
        r = amount >= 0 ? (amount >= 64 ? 0n : v << BigInt(amount)) : -amount >= 64 ? (a.u ? 0n : v < 0n ? -1n : 0n) : v >> BigInt(-amount);
        break;
      }
      case 16:
        r = a.u ? x - y : x + y;
        break;
      default:
        r = (a.u ? x === y : (x & y) !== 0n) ? MASK64 : 0n;
    }
    if (e === 64) writeScalar64(cpu, a.d, r);
    else writeScalar(cpu, a.d, e / 8, Number(BigInt.asUintN(32, r)), 0);
  },
  disasm(a) {
    if (a.op >= 24) {
      const r = a.size & 1 ? 'd' : 's';
      return `${a.name}\t${r}${a.d}, ${r}${a.n}, ${r}${a.m}`;
    }
    const r = REG_LETTER[a.size]!;
    return `${a.name}\t${r}${a.d}, ${r}${a.n}, ${r}${a.m}`;
  },
});

// ---------------------------------------------------------------- scalar pairwise

interface SPair {
  name: string;
  double: boolean;
  d: number;
  n: number;
}

const SPAIR: Record<string, string> = { '0:3:27': 'addp', '1:0:13': 'faddp', '1:0:12': 'fmaxnmp', '1:2:12': 'fminnmp', '1:0:15': 'fmaxp', '1:2:15': 'fminp' };

const SIMDS_PAIR = insn<SPair>({
  name: 'SIMDS_PAIR',
  pattern: '01 u:1 11110 size:2 11000 opcode:5 10 rn:5 rd:5',
  guard: (f) => `${f.u}:${f.u ? f.size! & 2 : f.size}:${f.opcode}` in SPAIR,
  prepare: (f) => ({ name: SPAIR[`${f.u}:${f.u ? f.size! & 2 : f.size}:${f.opcode}`]!, double: (f.size! & 1) === 1, d: f.rd!, n: f.rn! }),
  exec(cpu, a) {
    if (a.name === 'addp') {
      writeScalar64(cpu, a.d, lane64(cpu, a.n, 0) + lane64(cpu, a.n, 1));
      return;
    }
    const op = { faddp: OP_ADD, fmaxnmp: OP_MAXNM, fminnmp: OP_MINNM, fmaxp: OP_MAX, fminp: OP_MIN }[a.name]!;
    if (a.double) fpBinary64(cpu, op, 2 * OUT, 2 * a.n, 2 * a.n + 1);
    else fpBinary32(cpu, op, 4 * OUT, 4 * a.n, 4 * a.n + 1);
    copyOut(cpu, a.d, a.double ? 8 : 4);
  },
  disasm(a) {
    if (a.name === 'addp') return `addp\td${a.d}, v${a.n}.2d`;
    return `${a.name}\t${a.double ? 'd' : 's'}${a.d}, v${a.n}.${a.double ? '2d' : '2s'}`;
  },
});

// ---------------------------------------------------------------- scalar DUP (element)

interface SDup {
  esize: number;
  index: number;
  d: number;
  n: number;
}

const SIMDS_DUP = insn<SDup>({
  name: 'SIMDS_DUP',
  pattern: '01 0 11110000 imm5:5 0 0000 1 rn:5 rd:5',
  guard: (f) => (f.imm5! & 0xf) !== 0,
  prepare: (f) => {
    const imm5 = f.imm5!;
    const size = imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : 3;
    return { esize: ESIZE[size]!, index: imm5 >>> (size + 1), d: f.rd!, n: f.rn! };
  },
  exec(cpu, a) {
    if (a.esize === 64) writeScalar64(cpu, a.d, lane64(cpu, a.n, a.index));
    else writeScalar(cpu, a.d, a.esize / 8, lane(cpu, a.n, a.esize, a.index), 0);
  },
  disasm: (a) => `mov\t${ELEM_LETTER[a.esize]}${a.d}, v${a.n}.${ELEM_LETTER[a.esize]}[${a.index}]`,
});

// ---------------------------------------------------------------- scalar two-register misc

interface S2Misc {
  size: number;
  name: string;
  d: number;
  n: number;
}

const S2INT: Record<string, string> = {
  '0:8': 'cmgt',
  '1:8': 'cmge',
  '0:9': 'cmeq',
  '1:9': 'cmle',
  '0:10': 'cmlt',
  '0:11': 'abs',
  '1:11': 'neg',
};
const S2FP: Record<string, string> = {
  '0:1:12': 'fcmgt',
  '0:1:13': 'fcmeq',
  '0:1:14': 'fcmlt',
  '1:1:12': 'fcmge',
  '1:1:13': 'fcmle',
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
  '0:1:29': 'frecpe',
  '1:1:29': 'frsqrte',
  '0:1:31': 'frecpx',
};

const SIMDS_2MISC = insn<S2Misc>({
  name: 'SIMDS_2MISC',
  pattern: '01 u:1 11110 size:2 10000 opcode:5 10 rn:5 rd:5',
  guard: (f) => {
    if (`${f.u}:${f.size! >> 1}:${f.opcode}` in S2FP) return true;
    return `${f.u}:${f.opcode}` in S2INT && f.size === 3;
  },
  prepare: (f) => {
    const fpName = S2FP[`${f.u}:${f.size! >> 1}:${f.opcode}`];
    return { size: f.size!, name: fpName ?? S2INT[`${f.u}:${f.opcode}`]!, d: f.rd!, n: f.rn! };
  },
  exec(cpu, a) {
    if (a.size === 3 && a.name in INT_OPS) {
      writeScalar64(cpu, a.d, INT_OPS[a.name]!(BigInt.asIntN(64, lane64(cpu, a.n, 0))));
      return;
    }
    const double = (a.size & 1) === 1;
    fp2Lane(cpu, a.name, double, double ? 2 * OUT : 4 * OUT, double ? 2 * a.n : 4 * a.n);
    copyOut(cpu, a.d, double ? 8 : 4);
  },
  disasm(a) {
    if (a.size === 3 && a.name in INT_OPS) return `${a.name}\td${a.d}, d${a.n}${a.name.startsWith('cm') ? ', #0' : ''}`;
    const r = a.size & 1 ? 'd' : 's';
    return `${a.name}\t${r}${a.d}, ${r}${a.n}${a.name.startsWith('fcm') ? ', #0.0' : ''}`;
  },
});

const INT_OPS: Record<string, (x: bigint) => bigint> = {
  cmgt: (x) => (x > 0n ? MASK64 : 0n),
  cmge: (x) => (x >= 0n ? MASK64 : 0n),
  cmeq: (x) => (x === 0n ? MASK64 : 0n),
  cmle: (x) => (x <= 0n ? MASK64 : 0n),
  cmlt: (x) => (x < 0n ? MASK64 : 0n),
  abs: (x) => (x < 0n ? -x : x),
  neg: (x) => -x,
};

// ---------------------------------------------------------------- scalar shift by immediate

interface SShift {
  u: number;
  esize: number;
  shift: number;
  op: number;
  d: number;
  n: number;
  name: string;
}

const SSHIFT: Record<string, string> = {
  '0:0': 'sshr',
  '1:0': 'ushr',
  '0:2': 'ssra',
  '1:2': 'usra',
  '0:4': 'srshr',
  '1:4': 'urshr',
  '0:6': 'srsra',
  '1:6': 'ursra',
  '1:8': 'sri',
  '0:10': 'shl',
  '1:10': 'sli',
  '0:28': 'scvtf',
  '1:28': 'ucvtf',
  '0:31': 'fcvtzs',
  '1:31': 'fcvtzu',
};

const SIMDS_SHIFT = insn<SShift>({
  name: 'SIMDS_SHIFT',
  pattern: '01 u:1 111110 immh:4 immb:3 opcode:5 1 rn:5 rd:5',
  guard: (f) => {
    if (!(`${f.u}:${f.opcode}` in SSHIFT) || f.immh === 0) return false;
    if (f.opcode! >= 28) return (f.immh! & 0xc) !== 0; // 32- or 64-bit FP conversions
    return (f.immh! & 8) !== 0; // integer shifts: 64-bit only
  },
  prepare: (f) => {
    const immh = f.immh!;
    const esize = immh & 8 ? 64 : immh & 4 ? 32 : immh & 2 ? 16 : 8;
    const immhb = (immh << 3) | f.immb!;
    const op = f.opcode!;
    const left = op === 10;
    return { u: f.u!, esize, shift: left ? immhb - esize : 2 * esize - immhb, op, d: f.rd!, n: f.rn!, name: SSHIFT[`${f.u}:${op}`]! };
  },
  exec(cpu, a) {
    if (a.op >= 28) {
      const double = a.esize === 64;
      const name = a.op === 28 ? (a.u ? 'ucvtf' : 'scvtf') : a.u ? 'fcvtzu' : 'fcvtzs';
      fp2Lane(cpu, name, double, double ? 2 * OUT : 4 * OUT, double ? 2 * a.n : 4 * a.n, a.shift);
      copyOut(cpu, a.d, double ? 8 : 4);
      return;
    }
    writeScalar64(cpu, a.d, shiftImmLane(cpu, a, lane64(cpu, a.n, 0), lane64(cpu, a.d, 0)));
  },
  disasm(a) {
    const r = a.esize === 64 ? 'd' : 's';
    return `${a.name}\t${r}${a.d}, ${r}${a.n}, #${a.shift}`;
  },
});

// ---------------------------------------------------------------- scalar by element (FP)

const SIMDS_ELEM_FP = insn({
  name: 'SIMDS_ELEM_FP',
  pattern: '01 u:1 11111 1 sz:1 l:1 m:1 rm:4 opcode:4 h:1 0 rn:5 rd:5',
  guard: (f) => ['0:1', '0:5', '0:9', '1:9'].includes(`${f.u}:${f.opcode}`) && !(f.sz === 1 && f.l === 1),
  prepare: (f) => fpElemArgs(f, true),
  exec: fpElemExec,
  disasm: fpElemText,
});

export const SIMD_SCALAR: AnyInsnDef[] = [SIMDS_3SAME, SIMDS_PAIR, SIMDS_DUP, SIMDS_2MISC, SIMDS_SHIFT, SIMDS_ELEM_FP];
