import type { Cpu } from '../cpu.js';
import { FPSR_QC } from '../fpu.js';
import { clearStage, commit, ELEM_LETTER, ESIZE, lane, lane64, S16, S32, S64, S8, slane, stage, stage64, vreg } from './simd-lanes.js';
import { hex, insn, xname, zr, zrw, type AnyInsnDef } from './types.js';

/** Advanced SIMD integer, permute and move instructions (ARM DDI 0487, C4.1.91). */

const MASK64 = (1n << 64n) - 1n;

function mask(esize: number): number {
  return esize === 32 ? 0xffffffff : (1 << esize) - 1;
}

function sat(cpu: Cpu, v: number, min: number, max: number): number {
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

/** A lane shift by a signed register amount (SSHL, USHL, and their rounding forms). */
function shiftByReg(x: bigint, amount: number, esize: number, signed: boolean, round: boolean): bigint {
  const width = BigInt(esize);
  const m = (1n << width) - 1n;
  const v = signed ? BigInt.asIntN(esize, x) : x & m;
  if (amount >= 0) return amount >= esize ? 0n : (v << BigInt(amount)) & m;
  const s = BigInt(-amount);
  const r = round ? (v + (1n << (s - 1n))) >> s : v >> s;
  return r & m;
}

// ---------------------------------------------------------------- three same

interface ThreeSame {
  q: number;
  u: number;
  size: number;
  esize: number;
  op: number;
  d: number;
  n: number;
  m: number;
}

const INT3_NAMES: Record<number, [string, string]> = {
  0: ['shadd', 'uhadd'],
  1: ['sqadd', 'uqadd'],
  2: ['srhadd', 'urhadd'],
  4: ['shsub', 'uhsub'],
  5: ['sqsub', 'uqsub'],
  6: ['cmgt', 'cmhi'],
  7: ['cmge', 'cmhs'],
  8: ['sshl', 'ushl'],
  9: ['sqshl', 'uqshl'],
  10: ['srshl', 'urshl'],
  11: ['sqrshl', 'uqrshl'],
  12: ['smax', 'umax'],
  13: ['smin', 'umin'],
  14: ['sabd', 'uabd'],
  15: ['saba', 'uaba'],
  16: ['add', 'sub'],
  17: ['cmtst', 'cmeq'],
  18: ['mla', 'mls'],
  19: ['mul', 'pmul'],
  20: ['smaxp', 'umaxp'],
  21: ['sminp', 'uminp'],
  22: ['sqdmulh', 'sqrdmulh'],
  23: ['addp', ''],
};
const LOGIC_NAMES = [
  ['and', 'bic', 'orr', 'orn'],
  ['eor', 'bsl', 'bit', 'bif'],
];

/** One lane of a three-same integer op, for esize ≤ 32 (unsigned lane values in and out). */
function int3Lane(cpu: Cpu, u: number, op: number, esize: number, a: number, b: number, dOld: number): number {
  const msk = mask(esize);
  const sa = esize === 32 ? a | 0 : (a << (32 - esize)) >> (32 - esize);
  const sb = esize === 32 ? b | 0 : (b << (32 - esize)) >> (32 - esize);
  const x = u ? a : sa;
  const y = u ? b : sb;
  const smin = -(2 ** (esize - 1));
  const smax = 2 ** (esize - 1) - 1;
  switch (op) {
    case 0:
      return Math.floor((x + y) / 2);
    case 1:
      return u ? sat(cpu, x + y, 0, msk) : sat(cpu, x + y, smin, smax);
    case 2:
      return Math.floor((x + y + 1) / 2);
    case 4:
      return Math.floor((x - y) / 2);
    case 5:
      return u ? sat(cpu, x - y, 0, msk) : sat(cpu, x - y, smin, smax);
    case 6:
      return x > y ? msk : 0;
    case 7:
      return x >= y ? msk : 0;
    case 8:
    case 10: {
      const amount = (b << 24) >> 24; // the shift is the signed low byte of each lane of m
      return Number(shiftByReg(BigInt(a >>> 0), amount, esize, !u, op === 10));
    }
    case 9:
    case 11: {
      const amount = (b << 24) >> 24;
      const xb = BigInt(x);
      let r: bigint;
      if (amount >= 0) r = xb << BigInt(Math.min(amount, 64));
      else {
        const s = BigInt(Math.min(-amount, 64));
        r = op === 11 ? (xb + (1n << (s - 1n))) >> s : xb >> s;
      }
      return Number(u ? satBig(cpu, r, 0n, BigInt(msk)) : satBig(cpu, r, BigInt(smin), BigInt(smax)));
    }
    case 12:
      return x > y ? x : y;
    case 13:
      return x < y ? x : y;
    case 14:
      return Math.abs(x - y);
    case 15:
      return dOld + Math.abs(x - y);
    case 16:
      return u ? a - b : a + b;
    case 17:
      return u ? (a === b ? msk : 0) : (a & b) !== 0 ? msk : 0;
    case 18:
      return u ? dOld - Math.imul(a, b) : dOld + Math.imul(a, b);
    case 19:
      if (u) {
        // PMUL: polynomial (carry-less) multiply of bytes
        let r = 0;
        for (let i = 0; i < 8; i++) if ((b >>> i) & 1) r ^= a << i;
        return r;
      }
      return Math.imul(a, b);
    case 22: {
      // SQDMULH / SQRDMULH: (2·a·b [+ round]) >> esize, saturating
      const p = BigInt(sa) * BigInt(sb) * 2n + (u ? 1n << BigInt(esize - 1) : 0n);
      return Number(satBig(cpu, p >> BigInt(esize), BigInt(smin), BigInt(smax)));
    }
    default:
      return 0;
  }
}

function int3Lane64(cpu: Cpu, u: number, op: number, a: bigint, b: bigint): bigint {
  const sa = BigInt.asIntN(64, a);
  const sb = BigInt.asIntN(64, b);
  switch (op) {
    case 1:
      return u ? satBig(cpu, a + b, 0n, MASK64) : satBig(cpu, sa + sb, -(1n << 63n), (1n << 63n) - 1n);
    case 5:
      return u ? satBig(cpu, a - b, 0n, MASK64) : satBig(cpu, sa - sb, -(1n << 63n), (1n << 63n) - 1n);
    case 6:
      return (u ? a > b : sa > sb) ? MASK64 : 0n;
    case 7:
      return (u ? a >= b : sa >= sb) ? MASK64 : 0n;
    case 8:
    case 10:
      return shiftByReg(a, Number(BigInt.asIntN(8, b)), 64, !u, op === 10);
    case 16:
      return u ? a - b : a + b;
    case 17:
      return u ? (a === b ? MASK64 : 0n) : (a & b) !== 0n ? MASK64 : 0n;
    default:
      return 0n;
  }
}

const SIMD_3SAME = insn<ThreeSame>({
  name: 'SIMD_3SAME',
  pattern: '0 q:1 u:1 01110 size:2 1 rm:5 opcode:5 1 rn:5 rd:5',
  guard: (f) => {
    const op = f.opcode!;
    if (op >= 24) return false; // floating point: SIMD_3SAME_FP
    if (op === 3) return true;
    const names = INT3_NAMES[op];
    if (!names || names[f.u!] === '') return false;
    if (f.size === 3 && f.q === 0 && ![3].includes(op)) return false;
    if (f.size === 3 && ![1, 5, 6, 7, 8, 10, 16, 17, 23].includes(op)) return false;
    if ((op === 18 || op === 19 || op === 15 || op === 14 || op === 12 || op === 13 || op === 20 || op === 21 || op <= 2 || op === 4) && f.size === 3) return false;
    if (op === 19 && f.u === 1 && f.size !== 0) return false;
    if (op === 22 && (f.size === 0 || f.size === 3)) return false;
    if (op === 23 && f.u === 1) return false;
    return true;
  },
  prepare: (f) => ({ q: f.q!, u: f.u!, size: f.size!, esize: ESIZE[f.size!]!, op: f.opcode!, d: f.rd!, n: f.rn!, m: f.rm! }),
  exec: (cpu, a) => SIMD_3SAME_exec(cpu, a),
  execFor: (a) => (a.op === 16 ? ADDSUB_VECTOR[a.size]! : a.op === 3 && a.u === 0 && a.size !== 1 ? LOGIC_VECTOR[a.size]! : undefined) ?? SIMD_3SAME_exec,
  disasm(a) {
    if (a.op === 3) {
      const name = LOGIC_NAMES[a.u]![a.size]!;
      if (name === 'orr' && a.n === a.m) return `mov\t${vreg(a.d, 8, a.q)}, ${vreg(a.n, 8, a.q)}`;
      return `${name}\t${vreg(a.d, 8, a.q)}, ${vreg(a.n, 8, a.q)}, ${vreg(a.m, 8, a.q)}`;
    }
    return `${INT3_NAMES[a.op]![a.u]}\t${vreg(a.d, a.esize, a.q)}, ${vreg(a.n, a.esize, a.q)}, ${vreg(a.m, a.esize, a.q)}`;
  },
});

function SIMD_3SAME_exec(cpu: Cpu, a: ThreeSame): void {
  clearStage();
  const bytes = a.q ? 16 : 8;
  if (a.op === 3) {
    // Logic on whole bytes.
    const V32 = cpu.V32;
    for (let i = 0; i < bytes / 4; i++) {
      const x = V32[4 * a.n + i]!;
      const y = V32[4 * a.m + i]!;
      const d = V32[4 * a.d + i]!;
      let r: number;
      switch ((a.u << 2) | a.size) {
        case 0:
          r = x & y;
          break;
        case 1:
          r = x & ~y;
          break;
        case 2:
          r = x | y;
          break;
        case 3:
          r = x | ~y;
          break;
        case 4:
          r = x ^ y;
          break;
        case 5: // BSL: d selects between n (1) and m (0)
          r = (d & x) | (~d & y);
          break;
        case 6: // BIT: insert n where m is 1
          r = (x & y) | (d & ~y);
          break;
        default: // BIF: insert n where m is 0
          r = (d & y) | (x & ~y);
      }
      S32[i] = r;
    }
    commit(cpu, a.d, a.q);
    return;
  }
  const lanes = (bytes * 8) / a.esize;
  const pairwise = a.op === 20 || a.op === 21 || a.op === 23;
  if (a.esize === 64) {
    for (let i = 0; i < lanes; i++) {
      let x: bigint;
      let y: bigint;
      if (pairwise) {
        const src = i < lanes / 2 ? a.n : a.m;
        const j = (2 * i) % lanes;
        x = lane64(cpu, src, j);
        y = lane64(cpu, src, j + 1);
        stage64(i, x + y);
        continue;
      }
      x = lane64(cpu, a.n, i);
      y = lane64(cpu, a.m, i);
      stage64(i, int3Lane64(cpu, a.u, a.op, x, y));
    }
    commit(cpu, a.d, a.q);
    return;
  }
  for (let i = 0; i < lanes; i++) {
    if (pairwise) {
      const half = lanes / 2;
      const src = i < half ? a.n : a.m;
      const j = 2 * (i % half);
      const x = lane(cpu, src, a.esize, j);
      const y = lane(cpu, src, a.esize, j + 1);
      if (a.op === 23) stage(a.esize, i, x + y);
      else {
        const sx = a.u ? x : slane(cpu, src, a.esize, j);
        const sy = a.u ? y : slane(cpu, src, a.esize, j + 1);
        const max = a.op === 20;
        stage(a.esize, i, (max ? sx >= sy : sx <= sy) ? x : y);
      }
      continue;
    }
    const r = int3Lane(cpu, a.u, a.op, a.esize, lane(cpu, a.n, a.esize, i), lane(cpu, a.m, a.esize, i), lane(cpu, a.d, a.esize, i));
    stage(a.esize, i, r);
  }
  commit(cpu, a.d, a.q);
}

/** ADD/SUB (vector) per element size: whole lanes of the typed-array views, no staging. */
const ADDSUB_VECTOR: ((cpu: Cpu, a: ThreeSame) => void)[] = [8, 16, 32, 64].map((e) => {
  const lanes = (q: number): number => (q ? 128 : 64) / e;
  if (e === 64)
    return (cpu: Cpu, a: ThreeSame) => {
      const V = cpu.V64;
      const x0 = V[2 * a.n]!,
        x1 = V[2 * a.n + 1]!,
        y0 = V[2 * a.m]!,
        y1 = V[2 * a.m + 1]!;
      V[2 * a.d] = a.u ? x0 - y0 : x0 + y0;
      V[2 * a.d + 1] = a.q ? (a.u ? x1 - y1 : x1 + y1) : 0n;
    };
  return (cpu: Cpu, a: ThreeSame) => {
    const V = e === 8 ? cpu.V8 : e === 16 ? cpu.V16 : cpu.V32;
    const per = 128 / e;
    const n = lanes(a.q);
    for (let i = 0; i < n; i++) {
      const x = V[per * a.n + i]!;
      const y = V[per * a.m + i]!;
      stage(e, i, a.u ? x - y : x + y);
    }
    if (!a.q) {
      S32[2] = 0;
      S32[3] = 0;
    }
    commit(cpu, a.d, a.q);
  };
});

/** AND, ORR, ORN (vector): word by word. */
const LOGIC_VECTOR: ((cpu: Cpu, a: ThreeSame) => void)[] = [0, 1, 2, 3].map((size) => (cpu: Cpu, a: ThreeSame) => {
  const V32 = cpu.V32;
  const b = 4 * a.n;
  const c = 4 * a.m;
  const words = a.q ? 4 : 2;
  let r0 = 0,
    r1 = 0,
    r2 = 0,
    r3 = 0;
  const op = (x: number, y: number): number => (size === 0 ? x & y : size === 2 ? x | y : x | ~y);
  r0 = op(V32[b]!, V32[c]!);
  r1 = op(V32[b + 1]!, V32[c + 1]!);
  if (words === 4) {
    r2 = op(V32[b + 2]!, V32[c + 2]!);
    r3 = op(V32[b + 3]!, V32[c + 3]!);
  }
  const d = 4 * a.d;
  V32[d] = r0;
  V32[d + 1] = r1;
  V32[d + 2] = r2;
  V32[d + 3] = r3;
});

// ---------------------------------------------------------------- three different (long, wide, narrow)

interface ThreeDiff {
  q: number;
  u: number;
  esize: number;
  op: number;
  d: number;
  n: number;
  m: number;
}

const DIFF_NAMES: Record<number, [string, string]> = {
  0: ['saddl', 'uaddl'],
  1: ['saddw', 'uaddw'],
  2: ['ssubl', 'usubl'],
  3: ['ssubw', 'usubw'],
  4: ['addhn', 'raddhn'],
  5: ['sabal', 'uabal'],
  6: ['subhn', 'rsubhn'],
  7: ['sabdl', 'uabdl'],
  8: ['smlal', 'umlal'],
  9: ['sqdmlal', ''],
  10: ['smlsl', 'umlsl'],
  11: ['sqdmlsl', ''],
  12: ['smull', 'umull'],
  13: ['sqdmull', ''],
  14: ['pmull', ''],
};

/** A narrow lane as a BigInt (signed or not), from the low or high half of register r. */
function narrowLane(cpu: Cpu, r: number, esize: number, i: number, signed: boolean): bigint {
  if (esize === 32) return signed ? BigInt(cpu.VI32[4 * r + i]!) : BigInt(cpu.V32[4 * r + i]!);
  return BigInt(signed ? slane(cpu, r, esize, i) : lane(cpu, r, esize, i));
}

function wideLane(cpu: Cpu, r: number, wsize: number, i: number, signed: boolean): bigint {
  if (wsize === 64) return signed ? BigInt.asIntN(64, lane64(cpu, r, i)) : lane64(cpu, r, i);
  return narrowLane(cpu, r, wsize, i, signed);
}

function stageWide(wsize: number, i: number, v: bigint): void {
  if (wsize === 64) S64[i] = BigInt.asUintN(64, v);
  else stage(wsize, i, Number(BigInt.asUintN(32, v)));
}

const SIMD_3DIFF = insn<ThreeDiff>({
  name: 'SIMD_3DIFF',
  pattern: '0 q:1 u:1 01110 size:2 1 rm:5 opcode:4 00 rn:5 rd:5',
  guard: (f) => {
    const names = DIFF_NAMES[f.opcode!];
    if (!names || names[f.u!] === '' || f.size === 3) return false;
    if (f.opcode === 14) return f.size === 0; // PMULL.8h only (PMULL.1q needs FEAT_PMULL)
    if ((f.opcode === 9 || f.opcode === 11 || f.opcode === 13) && f.size === 0) return false;
    return true;
  },
  prepare: (f) => ({ q: f.q!, u: f.u!, esize: ESIZE[f.size!]!, op: f.opcode!, d: f.rd!, n: f.rn!, m: f.rm! }),
  exec(cpu, a) {
    clearStage();
    const e = a.esize;
    const w = 2 * e;
    const lanes = 64 / e;
    const base = a.q ? lanes : 0; // the "2" forms read the upper halves
    const signed = a.u === 0;
    if (a.op === 4 || a.op === 6) {
      // ADDHN, SUBHN: wide operands, narrow (high half) results into the low or high half of d
      for (let i = 0; i < lanes; i++) {
        const x = wideLane(cpu, a.n, w, i, false);
        const y = wideLane(cpu, a.m, w, i, false);
        let r = a.op === 4 ? x + y : x - y;
        if (a.u) r += 1n << BigInt(e - 1);
        stageNarrowHigh(e, base + i, r >> BigInt(e));
      }
      keepLowHalfIfHigh(cpu, a.d, a.q);
      commit(cpu, a.d, 1);
      return;
    }
    for (let i = 0; i < lanes; i++) {
      const wideN = a.op === 1 || a.op === 3;
      const x = wideN ? wideLane(cpu, a.n, w, i, signed) : narrowLane(cpu, a.n, e, base + i, signed);
      const y = narrowLane(cpu, a.m, e, base + i, signed);
      const acc = wideLane(cpu, a.d, w, i, signed);
      let r: bigint;
      switch (a.op) {
        case 0:
        case 1:
          r = x + y;
          break;
        case 2:
        case 3:
          r = x - y;
          break;
        case 5:
          r = acc + (x > y ? x - y : y - x);
          break;
        case 7:
          r = x > y ? x - y : y - x;
          break;
        case 8:
          r = acc + x * y;
          break;
        case 10:
          r = acc - x * y;
          break;
        case 12:
          r = x * y;
          break;
        case 9:
        case 11:
        case 13: {
          const lim = 1n << BigInt(w - 1);
          const p = satBig(cpu, 2n * x * y, -lim, lim - 1n);
          r = a.op === 13 ? p : satBig(cpu, a.op === 9 ? acc + p : acc - p, -lim, lim - 1n);
          break;
        }
        default: {
          // PMULL (bytes)
          let p = 0n;
          for (let k = 0n; k < 8n; k++) if ((y >> k) & 1n) p ^= (x & 0xffn) << k;
          r = p;
        }
      }
      stageWide(w, i, r);
    }
    commit(cpu, a.d, 1);
  },
  disasm(a) {
    const name = `${DIFF_NAMES[a.op]![a.u]}${a.q ? '2' : ''}`;
    const e = a.esize;
    if (a.op === 4 || a.op === 6) return `${name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, 2 * e, 1)}, ${vreg(a.m, 2 * e, 1)}`;
    const wideN = a.op === 1 || a.op === 3;
    return `${name}\t${vreg(a.d, 2 * e, 1)}, ${wideN ? vreg(a.n, 2 * e, 1) : vreg(a.n, e, a.q)}, ${vreg(a.m, e, a.q)}`;
  },
});

function stageNarrowHigh(e: number, i: number, v: bigint): void {
  stage(e, i, Number(BigInt.asUintN(e, v)));
}

/** For the "2" narrowing forms: the low half of d is kept. */
function keepLowHalfIfHigh(cpu: Cpu, d: number, q: number): void {
  if (q) {
    S32[0] = cpu.V32[4 * d]!;
    S32[1] = cpu.V32[4 * d + 1]!;
  }
}

// ---------------------------------------------------------------- two-register miscellaneous

interface TwoMisc {
  q: number;
  u: number;
  size: number;
  esize: number;
  op: number;
  d: number;
  n: number;
}

const MISC_NAMES: Record<string, string> = {
  '0:0': 'rev64',
  '1:0': 'rev32',
  '0:1': 'rev16',
  '0:2': 'saddlp',
  '1:2': 'uaddlp',
  '0:4': 'cls',
  '1:4': 'clz',
  '0:5': 'cnt',
  '1:5': 'not',
  '0:6': 'sadalp',
  '1:6': 'uadalp',
  '0:7': 'sqabs',
  '1:7': 'sqneg',
  '0:8': 'cmgt',
  '1:8': 'cmge',
  '0:9': 'cmeq',
  '1:9': 'cmle',
  '0:10': 'cmlt',
  '0:11': 'abs',
  '1:11': 'neg',
  '0:18': 'xtn',
  '1:18': 'sqxtun',
  '0:20': 'sqxtn',
  '1:20': 'uqxtn',
  '1:19': 'shll',
};

const SIMD_2MISC = insn<TwoMisc>({
  name: 'SIMD_2MISC',
  pattern: '0 q:1 u:1 01110 size:2 10000 opcode:5 10 rn:5 rd:5',
  guard: (f) => {
    const key = `${f.u}:${f.opcode}`;
    if (!(key in MISC_NAMES)) return false;
    const op = f.opcode!;
    if (op === 0 && f.size === 3) return false;
    if (op === 0 && f.u === 1 && f.size! >= 2) return false;
    if (op === 1 && f.size !== 0) return false;
    if ((op === 4 || op === 2 || op === 6) && f.size === 3) return false;
    if (op === 5 && f.size !== 0 && !(f.u === 1 && f.size === 1)) return false;
    if ((op >= 8 && op <= 11) || op === 7) return !(f.size === 3 && f.q === 0);
    if (op === 18 || op === 20 || op === 19) return f.size !== 3;
    return true;
  },
  prepare: (f) => ({ q: f.q!, u: f.u!, size: f.size!, esize: ESIZE[f.size!]!, op: f.opcode!, d: f.rd!, n: f.rn! }),
  exec(cpu, a) {
    clearStage();
    const e = a.esize;
    const bytes = a.q ? 16 : 8;
    const lanes = (bytes * 8) / e;
    const msk = e === 64 ? 0 : mask(e);
    switch (a.op) {
      case 0:
      case 1: {
        // REV64, REV32, REV16: reverse elements within containers
        const container = a.op === 1 ? 16 : a.u ? 32 : 64;
        const per = container / e;
        for (let i = 0; i < lanes; i++) {
          const base = i - (i % per);
          stage(e, i, lane(cpu, a.n, e, base + (per - 1 - (i % per))));
        }
        break;
      }
      case 2:
      case 6: {
        // [SU]ADDLP, [SU]ADALP: add adjacent pairs into double-width lanes
        const w = 2 * e;
        for (let i = 0; i < lanes / 2; i++) {
          const x = narrowLane(cpu, a.n, e, 2 * i, !a.u) + narrowLane(cpu, a.n, e, 2 * i + 1, !a.u);
          stageWide(w, i, a.op === 6 ? x + wideLane(cpu, a.d, w, i, false) : x);
        }
        break;
      }
      case 4:
        for (let i = 0; i < lanes; i++) {
          if (a.u) stage(e, i, Math.clz32(lane(cpu, a.n, e, i)) - (32 - e));
          else {
            const v = slane(cpu, a.n, e, i);
            stage(e, i, (v < 0 ? Math.clz32(~v) : Math.clz32(v)) - (32 - e) - 1);
          }
        }
        break;
      case 5:
        // CNT, NOT, RBIT work on bytes whatever the size field says.
        for (let i = 0; i < bytes; i++) {
          const x = cpu.V8[16 * a.n + i]!;
          if (a.u && a.size === 0) S8[i] = ~x;
          else if (a.u) S8[i] = reverseByte(x);
          else S8[i] = popcount8(x);
        }
        break;
      case 7:
      case 8:
      case 9:
      case 10:
      case 11:
        if (e === 64) {
          for (let i = 0; i < lanes; i++) {
            const x = BigInt.asIntN(64, lane64(cpu, a.n, i));
            let r: bigint;
            switch (a.op) {
              case 7:
                r = satBig(cpu, a.u ? -x : x < 0n ? -x : x, -(1n << 63n), (1n << 63n) - 1n);
                break;
              case 8:
                r = (a.u ? x >= 0n : x > 0n) ? MASK64 : 0n;
                break;
              case 9:
                r = (a.u ? x <= 0n : x === 0n) ? MASK64 : 0n;
                break;
              case 10:
                r = x < 0n ? MASK64 : 0n;
                break;
              default:
                r = a.u ? -x : x < 0n ? -x : x;
            }
            stage64(i, BigInt.asUintN(64, r));
          }
        } else {
          const smin = -(2 ** (e - 1));
          const smax = 2 ** (e - 1) - 1;
          for (let i = 0; i < lanes; i++) {
            const x = slane(cpu, a.n, e, i);
            let r: number;
            switch (a.op) {
              case 7:
                r = sat(cpu, a.u ? -x : Math.abs(x), smin, smax);
                break;
              case 8:
                r = (a.u ? x >= 0 : x > 0) ? msk : 0;
                break;
              case 9:
                r = (a.u ? x <= 0 : x === 0) ? msk : 0;
                break;
              case 10:
                r = x < 0 ? msk : 0;
                break;
              default:
                r = a.u ? -x : Math.abs(x);
            }
            stage(e, i, r);
          }
        }
        break;
      case 18:
      case 20: {
        // XTN, SQXTUN, SQXTN, UQXTN: narrow double-width lanes into the low or high half
        const w = 2 * e;
        const n = 64 / e;
        const base = a.q ? n : 0;
        for (let i = 0; i < n; i++) {
          let x = wideLane(cpu, a.n, w, i, a.op === 20 && a.u === 0 ? true : a.op === 18 && a.u === 1);
          if (a.op === 20) x = a.u ? satBig(cpu, x, 0n, (1n << BigInt(e)) - 1n) : satBig(cpu, x, -(1n << BigInt(e - 1)), (1n << BigInt(e - 1)) - 1n);
          else if (a.u) x = satBig(cpu, x, 0n, (1n << BigInt(e)) - 1n);
          stage(e, base + i, Number(BigInt.asUintN(e, x)));
        }
        keepLowHalfIfHigh(cpu, a.d, a.q);
        commit(cpu, a.d, 1);
        return;
      }
      default: {
        // SHLL: widen and shift left by the element size
        const w = 2 * e;
        const n = 64 / e;
        const base = a.q ? n : 0;
        for (let i = 0; i < n; i++) stageWide(w, i, BigInt(lane(cpu, a.n, e, base + i)) << BigInt(e));
        commit(cpu, a.d, 1);
        return;
      }
    }
    commit(cpu, a.d, a.q);
  },
  disasm(a) {
    const name = MISC_NAMES[`${a.u}:${a.op}`]!;
    const e = a.esize;
    if (a.op === 2 || a.op === 6) return `${name}\t${vreg(a.d, 2 * e, a.q)}, ${vreg(a.n, e, a.q)}`;
    if (a.op === 18 || a.op === 20) return `${name}${a.q ? '2' : ''}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, 2 * e, 1)}`;
    if (a.op === 19) return `shll${a.q ? '2' : ''}\t${vreg(a.d, 2 * e, 1)}, ${vreg(a.n, e, a.q)}, #${e}`;
    if (a.op === 5 && a.u) return `${a.size === 0 ? 'mvn' : 'rbit'}\t${vreg(a.d, 8, a.q)}, ${vreg(a.n, 8, a.q)}`;
    if (a.op >= 8 && a.op <= 10) return `${name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}, #0`;
    return `${name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}`;
  },
});

function popcount8(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

function reverseByte(x: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if ((x >>> i) & 1) r |= 1 << (7 - i);
  return r;
}

// ---------------------------------------------------------------- across lanes

interface Across {
  q: number;
  u: number;
  esize: number;
  op: number;
  d: number;
  n: number;
}

const ACROSS_NAMES: Record<string, string> = { '0:3': 'saddlv', '1:3': 'uaddlv', '0:10': 'smaxv', '1:10': 'umaxv', '0:26': 'sminv', '1:26': 'uminv', '0:27': 'addv' };

const SIMD_ACROSS = insn<Across>({
  name: 'SIMD_ACROSS',
  pattern: '0 q:1 u:1 01110 size:2 11000 opcode:5 10 rn:5 rd:5',
  guard: (f) => `${f.u}:${f.opcode}` in ACROSS_NAMES && f.size! < 3 && !(f.size === 2 && f.q === 0),
  prepare: (f) => ({ q: f.q!, u: f.u!, esize: ESIZE[f.size!]!, op: f.opcode!, d: f.rd!, n: f.rn! }),
  exec(cpu, a) {
    clearStage();
    const e = a.esize;
    const lanes = (a.q ? 128 : 64) / e;
    const signed = a.u === 0;
    let acc = signed ? slane(cpu, a.n, e, 0) : lane(cpu, a.n, e, 0);
    for (let i = 1; i < lanes; i++) {
      const x = signed ? slane(cpu, a.n, e, i) : lane(cpu, a.n, e, i);
      if (a.op === 3 || a.op === 27) acc += x;
      else if (a.op === 10) acc = Math.max(acc, x);
      else acc = Math.min(acc, x);
    }
    if (a.op === 3) {
      // Long sum: the result is twice as wide.
      if (2 * e === 64) S64[0] = BigInt.asUintN(64, BigInt(acc));
      else stage(2 * e, 0, acc);
      const V32 = cpu.V32;
      V32[4 * a.d] = S32[0]!;
      V32[4 * a.d + 1] = 2 * e === 64 ? S32[1]! : 0;
      V32[4 * a.d + 2] = 0;
      V32[4 * a.d + 3] = 0;
      return;
    }
    stage(e, 0, acc);
    const V32 = cpu.V32;
    V32[4 * a.d] = e === 32 ? S32[0]! : e === 16 ? S16[0]! : S8[0]!;
    V32[4 * a.d + 1] = 0;
    V32[4 * a.d + 2] = 0;
    V32[4 * a.d + 3] = 0;
  },
  disasm(a) {
    const w = a.op === 3 ? 2 * a.esize : a.esize;
    return `${ACROSS_NAMES[`${a.u}:${a.op}`]}\t${ELEM_LETTER[w]}${a.d}, ${vreg(a.n, a.esize, a.q)}`;
  },
});

// ---------------------------------------------------------------- copy (DUP, INS, UMOV, SMOV)

interface Copy {
  q: number;
  op: number;
  imm4: number;
  esize: number;
  index: number;
  index2: number;
  d: number;
  n: number;
  rd: number;
  rn: number;
}

function copyArgs(f: Record<string, number>): Copy {
  const imm5 = f.imm5!;
  const size = imm5 & 1 ? 0 : imm5 & 2 ? 1 : imm5 & 4 ? 2 : 3;
  const esize = ESIZE[size]!;
  return {
    q: f.q!,
    op: f.op!,
    imm4: f.imm4!,
    esize,
    index: imm5 >>> (size + 1),
    index2: f.imm4! >>> size,
    d: f.op === 0 && (f.imm4 === 5 || f.imm4 === 7) ? zrw(f.rd!) : f.rd!,
    n: f.op === 0 && (f.imm4 === 1 || f.imm4 === 3) ? zr(f.rn!) : f.rn!,
    rd: f.rd!,
    rn: f.rn!,
  };
}

const SIMD_COPY = insn<Copy>({
  name: 'SIMD_COPY',
  pattern: '0 q:1 op:1 01110000 imm5:5 0 imm4:4 1 rn:5 rd:5',
  guard: (f) => {
    if ((f.imm5! & 0xf) === 0) return false;
    const size = f.imm5! & 1 ? 0 : f.imm5! & 2 ? 1 : f.imm5! & 4 ? 2 : 3;
    if (f.op === 1) return f.q === 1;
    switch (f.imm4) {
      case 0:
        return !(size === 3 && f.q === 0);
      case 1:
        return !(size === 3 && f.q === 0);
      case 3:
        return f.q === 1;
      case 5:
        return size < 3 && !(size === 2 && f.q === 0) && !(f.q === 0 && size === 2);
      case 7:
        return (f.q === 1) === (size === 3);
      default:
        return false;
    }
  },
  prepare: copyArgs,
  exec(cpu, a) {
    const e = a.esize;
    if (a.op === 1) {
      // INS (element): Vd.T[index] = Vn.T[index2]
      if (e === 64) cpu.V64[2 * a.d + a.index] = cpu.V64[2 * a.n + a.index2]!;
      else {
        const v = lane(cpu, a.n, e, a.index2);
        if (e === 8) cpu.V8[16 * a.d + a.index] = v;
        else if (e === 16) cpu.V16[8 * a.d + a.index] = v;
        else cpu.V32[4 * a.d + a.index] = v;
      }
      return;
    }
    const R = cpu.R;
    switch (a.imm4) {
      case 0: // DUP (element)
      case 1: {
        // DUP (general)
        clearStage();
        const lanes = (a.q ? 128 : 64) / e;
        if (e === 64) {
          const v = a.imm4 === 0 ? cpu.V64[2 * a.n + a.index]! : cpu.X[a.n]!;
          for (let i = 0; i < lanes; i++) S64[i] = v;
        } else {
          const v = a.imm4 === 0 ? lane(cpu, a.n, e, a.index) : R[2 * a.n]! & mask(e);
          for (let i = 0; i < lanes; i++) stage(e, i, v);
        }
        commit(cpu, a.d, a.q);
        return;
      }
      case 3: // INS (general)
        if (e === 64) cpu.V64[2 * a.d + a.index] = cpu.X[a.n]!;
        else if (e === 32) cpu.V32[4 * a.d + a.index] = R[2 * a.n]!;
        else if (e === 16) cpu.V16[8 * a.d + a.index] = R[2 * a.n]!;
        else cpu.V8[16 * a.d + a.index] = R[2 * a.n]!;
        return;
      case 5: {
        // SMOV
        const v = slane(cpu, a.n, e, a.index);
        R[2 * a.d] = v;
        R[2 * a.d + 1] = a.q ? v >> 31 : 0;
        return;
      }
      default: // UMOV
        if (e === 64) cpu.X[a.d] = cpu.V64[2 * a.n + a.index]!;
        else {
          R[2 * a.d] = lane(cpu, a.n, e, a.index);
          R[2 * a.d + 1] = 0;
        }
    }
  },
  disasm(a) {
    const letter = ELEM_LETTER[a.esize]!;
    if (a.op === 1) return `mov\tv${a.rd}.${letter}[${a.index}], v${a.rn}.${letter}[${a.index2}]`;
    switch (a.imm4) {
      case 0:
        return `dup\t${vreg(a.rd, a.esize, a.q)}, v${a.rn}.${letter}[${a.index}]`;
      case 1:
        return `dup\t${vreg(a.rd, a.esize, a.q)}, ${xname(a.rn, a.esize === 64 ? 1 : 0, 'zr')}`;
      case 3:
        return `mov\tv${a.rd}.${letter}[${a.index}], ${xname(a.rn, a.esize === 64 ? 1 : 0, 'zr')}`;
      case 5:
        return `smov\t${xname(a.rd, a.q, 'zr')}, v${a.rn}.${letter}[${a.index}]`;
      default:
        return `${a.esize >= 32 ? 'mov' : 'umov'}\t${xname(a.rd, a.esize === 64 ? 1 : 0, 'zr')}, v${a.rn}.${letter}[${a.index}]`;
    }
  },
});

// ---------------------------------------------------------------- modified immediate

interface ModImm {
  q: number;
  op: number;
  cmode: number;
  imm8: number;
  d: number;
  lo: number;
  hi: number;
}

/** ARM `AdvSIMDExpandImm`: the 64-bit pattern, as halves. */
function advSimdExpandImm(op: number, cmode: number, imm8: number): [number, number] {
  let v32: number;
  switch (cmode >> 1) {
    case 0:
      v32 = imm8;
      break;
    case 1:
      v32 = imm8 << 8;
      break;
    case 2:
      v32 = imm8 << 16;
      break;
    case 3:
      v32 = imm8 << 24;
      break;
    case 4:
      v32 = imm8 | (imm8 << 16);
      break;
    case 5:
      v32 = (imm8 << 8) | (imm8 << 24);
      break;
    case 6:
      v32 = cmode & 1 ? (imm8 << 16) | 0xffff : (imm8 << 8) | 0xff;
      break;
    default:
      if ((cmode & 1) === 0 && op === 0) {
        v32 = imm8 | (imm8 << 8) | (imm8 << 16) | (imm8 << 24);
        break;
      }
      if ((cmode & 1) === 0 && op === 1) {
        // each bit becomes a byte
        let lo = 0;
        let hi = 0;
        for (let i = 0; i < 4; i++) if ((imm8 >>> i) & 1) lo |= 0xff << (8 * i);
        for (let i = 0; i < 4; i++) if ((imm8 >>> (i + 4)) & 1) hi |= 0xff << (8 * i);
        return [lo | 0, hi | 0];
      }
      if (op === 0) {
        // FMOV single: imm8 → a:NOT(b):bbbbb:cdefgh:Zeros(19)
        const a = (imm8 >>> 7) & 1;
        const b = (imm8 >>> 6) & 1;
        const v = (a << 31) | ((b ^ 1) << 30) | ((b ? 0x1f : 0) << 25) | ((imm8 & 0x3f) << 19);
        return [v | 0, v | 0];
      }
      {
        // FMOV double: a:NOT(b):bbbbbbbb:cdefgh:Zeros(48)
        const a = (imm8 >>> 7) & 1;
        const b = (imm8 >>> 6) & 1;
        const hi = (a << 31) | ((b ^ 1) << 30) | ((b ? 0xff : 0) << 22) | ((imm8 & 0x3f) << 16);
        return [0, hi | 0];
      }
  }
  return [v32 | 0, v32 | 0];
}

const SIMD_MODIMM = insn<ModImm>({
  name: 'SIMD_MODIMM',
  pattern: '0 q:1 op:1 0111100000 abc:3 cmode:4 o2:1 1 defgh:5 rd:5',
  guard: (f) => f.o2 === 0 && !(f.cmode === 15 && f.op === 1 && f.q === 0),
  prepare: (f) => {
    const imm8 = (f.abc! << 5) | f.defgh!;
    const [lo, hi] = advSimdExpandImm(f.op!, f.cmode!, imm8);
    return { q: f.q!, op: f.op!, cmode: f.cmode!, imm8, d: f.rd!, lo, hi };
  },
  exec(cpu, a) {
    const V32 = cpu.V32;
    const b = 4 * a.d;
    const c = a.cmode;
    const orr = (c < 12 && (c & 1) === 1) || false;
    const mvn = a.op === 1 && c < 14;
    let lo = a.lo;
    let hi = a.hi;
    if (mvn) {
      lo = ~lo;
      hi = ~hi;
    }
    if (orr) {
      // ORR (op=0) or BIC (op=1) with the expanded immediate
      for (let k = 0; k < (a.q ? 4 : 2); k++) {
        const imm = k % 2 === 0 ? a.lo : a.hi;
        V32[b + k] = a.op ? V32[b + k]! & ~imm : V32[b + k]! | imm;
      }
      if (!a.q) {
        V32[b + 2] = 0;
        V32[b + 3] = 0;
      }
      return;
    }
    V32[b] = lo;
    V32[b + 1] = hi;
    V32[b + 2] = a.q ? lo : 0;
    V32[b + 3] = a.q ? hi : 0;
  },
  disasm(a) {
    const c = a.cmode;
    if (c === 15) {
      const bits = a.op ? (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0) : BigInt(a.lo >>> 0);
      const v = a.op ? new Float64Array(new BigUint64Array([bits]).buffer)[0]! : new Float32Array(new Uint32Array([Number(bits)]).buffer)[0]!;
      return `fmov\t${vreg(a.d, a.op ? 64 : 32, a.q)}, #${v.toExponential(18).replace(/e([+-])(\d)$/, 'e$10$2')}`;
    }
    if (c === 14) {
      if (a.op) {
        const v = (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
        return a.q ? `movi\tv${a.d}.2d, #${hex(v)}` : `movi\td${a.d}, #${hex(v)}`;
      }
      return `movi\t${vreg(a.d, 8, a.q)}, #${hex(a.imm8)}`;
    }
    const esize = c < 8 ? 32 : c < 12 ? 16 : 32;
    const shift = c < 8 ? 8 * (c >> 1) : c < 12 ? 8 * ((c >> 1) & 1) : 8 * ((c & 1) + 1);
    const msl = c >= 12;
    const name = c < 12 && (c & 1) === 1 ? (a.op ? 'bic' : 'orr') : a.op ? 'mvni' : 'movi';
    const sh = msl ? `, msl #${shift}` : shift ? `, lsl #${shift}` : '';
    return `${name}\t${vreg(a.d, esize, a.q)}, #${hex(a.imm8)}${sh}`;
  },
});

// ---------------------------------------------------------------- shift by immediate

interface ShiftImm {
  q: number;
  u: number;
  esize: number;
  shift: number;
  op: number;
  d: number;
  n: number;
}

const SHIFT_NAMES: Record<string, string> = {
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
  '1:12': 'sqshlu',
  '0:14': 'sqshl',
  '1:14': 'uqshl',
  '0:16': 'shrn',
  '1:16': 'sqshrun',
  '0:17': 'rshrn',
  '1:17': 'sqrshrun',
  '0:18': 'sqshrn',
  '1:18': 'uqshrn',
  '0:19': 'sqrshrn',
  '1:19': 'uqrshrn',
  '0:20': 'sshll',
  '1:20': 'ushll',
};

function shiftImmArgs(f: Record<string, number>): ShiftImm {
  const immh = f.immh!;
  const esize = immh & 8 ? 64 : immh & 4 ? 32 : immh & 2 ? 16 : 8;
  const immhb = (immh << 3) | f.immb!;
  const op = f.opcode!;
  const left = op === 10 || op === 12 || op === 14 || op === 20;
  return { q: f.q!, u: f.u!, esize, shift: left ? immhb - esize : 2 * esize - immhb, op, d: f.rd!, n: f.rn! };
}

/** One lane of a shift-by-immediate (not the narrowing or long forms), as BigInt. */
export function shiftImmLane(cpu: Cpu, a: { u: number; esize: number; shift: number; op: number }, x: bigint, dOld: bigint): bigint {
  const e = a.esize;
  const m = (1n << BigInt(e)) - 1n;
  const sx = a.u ? x & m : BigInt.asIntN(e, x);
  const s = BigInt(a.shift);
  switch (a.op) {
    case 0:
    case 2:
    case 4:
    case 6: {
      const round = a.op >= 4 ? 1n << (s - 1n) : 0n;
      const r = (sx + round) >> s;
      return (a.op === 2 || a.op === 6 ? dOld + r : r) & m;
    }
    case 8: {
      // SRI: insert the shifted value, keeping the top `shift` bits of d
      const keep = s === BigInt(e) ? m : ~(m >> s) & m;
      return (dOld & keep) | ((x & m) >> s);
    }
    case 10:
      return a.u ? (dOld & ((1n << s) - 1n)) | ((x << s) & m) : (x << s) & m;
    default: {
      // SQSHLU, SQSHL, UQSHL (immediate)
      const r = sx << s;
      if (a.op === 12) return satBig(cpu, BigInt.asIntN(e, x) << s, 0n, m);
      return a.u ? satBig(cpu, r, 0n, m) & m : BigInt.asUintN(e, satBig(cpu, r, -(1n << BigInt(e - 1)), (1n << BigInt(e - 1)) - 1n));
    }
  }
}

const SIMD_SHIFT = insn<ShiftImm>({
  name: 'SIMD_SHIFT',
  pattern: '0 q:1 u:1 011110 immh:4 immb:3 opcode:5 1 rn:5 rd:5',
  guard: (f) => {
    if (f.immh === 0) return false;
    if (!(`${f.u}:${f.opcode}` in SHIFT_NAMES)) return false;
    const narrowOrLong = f.opcode! >= 16;
    if ((f.immh! & 8) !== 0 && (narrowOrLong || f.q === 0)) return false;
    return true;
  },
  prepare: shiftImmArgs,
  exec(cpu, a) {
    clearStage();
    const e = a.esize;
    if (a.op >= 16 && a.op <= 19) {
      // Narrowing right shifts into the low or high half of d.
      const w = 2 * e;
      const n = 64 / e;
      const base = a.q ? n : 0;
      const s = BigInt(a.shift);
      for (let i = 0; i < n; i++) {
        const signed = a.op >= 18 ? a.u === 0 : a.u === 1;
        let x = wideLane(cpu, a.n, w, i, a.op === 16 || a.op === 17 ? a.u === 1 : signed);
        if (a.op === 17 || a.op === 19) x += 1n << (s - 1n);
        x >>= s;
        if (a.op === 16 && a.u === 0) x = BigInt.asUintN(e, x);
        else if (a.op === 17 && a.u === 0) x = BigInt.asUintN(e, x);
        else if (a.u === 1 && a.op <= 17) x = satBig(cpu, x, 0n, (1n << BigInt(e)) - 1n);
        else if (a.u === 1) x = satBig(cpu, x, 0n, (1n << BigInt(e)) - 1n);
        else x = satBig(cpu, x, -(1n << BigInt(e - 1)), (1n << BigInt(e - 1)) - 1n);
        stage(e, base + i, Number(BigInt.asUintN(e, x)));
      }
      keepLowHalfIfHigh(cpu, a.d, a.q);
      commit(cpu, a.d, 1);
      return;
    }
    if (a.op === 20) {
      // SSHLL, USHLL (SXTL/UXTL when the shift is 0)
      const w = 2 * e;
      const n = 64 / e;
      const base = a.q ? n : 0;
      for (let i = 0; i < n; i++) stageWide(w, i, narrowLane(cpu, a.n, e, base + i, a.u === 0) << BigInt(a.shift));
      commit(cpu, a.d, 1);
      return;
    }
    const lanes = (a.q ? 128 : 64) / e;
    if (e <= 32 && (a.op === 0 || (a.op === 10 && a.u === 0)) && a.shift < e) {
      // Fast path: plain shifts on Numbers.
      for (let i = 0; i < lanes; i++) {
        let r: number;
        if (a.op === 10) r = lane(cpu, a.n, e, i) << a.shift;
        else if (a.u) r = lane(cpu, a.n, e, i) >>> a.shift;
        else r = slane(cpu, a.n, e, i) >> a.shift;
        stage(e, i, r);
      }
      commit(cpu, a.d, a.q);
      return;
    }
    for (let i = 0; i < lanes; i++) {
      const x = e === 64 ? lane64(cpu, a.n, i) : BigInt(lane(cpu, a.n, e, i));
      const dOld = e === 64 ? lane64(cpu, a.d, i) : BigInt(lane(cpu, a.d, e, i));
      const r = shiftImmLane(cpu, a, x, dOld);
      if (e === 64) S64[i] = r;
      else stage(e, i, Number(r));
    }
    commit(cpu, a.d, a.q);
  },
  disasm(a) {
    const name = SHIFT_NAMES[`${a.u}:${a.op}`]!;
    const e = a.esize;
    if (a.op >= 16 && a.op <= 19) return `${name}${a.q ? '2' : ''}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, 2 * e, 1)}, #${a.shift}`;
    if (a.op === 20) {
      if (a.shift === 0) return `${a.u ? 'uxtl' : 'sxtl'}${a.q ? '2' : ''}\t${vreg(a.d, 2 * e, 1)}, ${vreg(a.n, e, a.q)}`;
      return `${name}${a.q ? '2' : ''}\t${vreg(a.d, 2 * e, 1)}, ${vreg(a.n, e, a.q)}, #${a.shift}`;
    }
    return `${name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}, #${a.shift}`;
  },
});

// ---------------------------------------------------------------- permute, extract, table lookup

interface Permute {
  q: number;
  esize: number;
  op: number;
  d: number;
  n: number;
  m: number;
}

const PERM_NAMES: Record<number, string> = { 1: 'uzp1', 2: 'trn1', 3: 'zip1', 5: 'uzp2', 6: 'trn2', 7: 'zip2' };

const SIMD_PERMUTE = insn<Permute>({
  name: 'SIMD_PERMUTE',
  pattern: '0 q:1 001110 size:2 0 rm:5 0 opcode:3 10 rn:5 rd:5',
  guard: (f) => f.opcode! in PERM_NAMES && !(f.size === 3 && f.q === 0),
  prepare: (f) => ({ q: f.q!, esize: ESIZE[f.size!]!, op: f.opcode!, d: f.rd!, n: f.rn!, m: f.rm! }),
  exec(cpu, a) {
    clearStage();
    const e = a.esize;
    const lanes = (a.q ? 128 : 64) / e;
    const half = lanes / 2;
    const part = a.op >= 5 ? 1 : 0;
    const get = (r: number, i: number): bigint => (e === 64 ? lane64(cpu, r, i) : BigInt(lane(cpu, r, e, i)));
    for (let i = 0; i < lanes; i++) {
      let v: bigint;
      switch (a.op & 3) {
        case 1: {
          // UZP: even (or odd) elements of n then of m
          const j = 2 * i + part;
          v = j < lanes ? get(a.n, j) : get(a.m, j - lanes);
          break;
        }
        case 2: {
          // TRN
          const pair = i >> 1;
          v = i % 2 === 0 ? get(a.n, 2 * pair + part) : get(a.m, 2 * pair + part);
          break;
        }
        default: {
          // ZIP
          const base = part * half;
          v = i % 2 === 0 ? get(a.n, base + (i >> 1)) : get(a.m, base + (i >> 1));
        }
      }
      if (e === 64) S64[i] = v;
      else stage(e, i, Number(v));
    }
    commit(cpu, a.d, a.q);
  },
  disasm: (a) => `${PERM_NAMES[a.op]}\t${vreg(a.d, a.esize, a.q)}, ${vreg(a.n, a.esize, a.q)}, ${vreg(a.m, a.esize, a.q)}`,
});

interface Ext {
  q: number;
  index: number;
  d: number;
  n: number;
  m: number;
}

const SIMD_EXT = insn<Ext>({
  name: 'SIMD_EXT',
  pattern: '0 q:1 101110 00 0 rm:5 0 imm4:4 0 rn:5 rd:5',
  guard: (f) => f.q === 1 || f.imm4! < 8,
  prepare: (f) => ({ q: f.q!, index: f.imm4!, d: f.rd!, n: f.rn!, m: f.rm! }),
  exec(cpu, a) {
    clearStage();
    const bytes = a.q ? 16 : 8;
    for (let i = 0; i < bytes; i++) {
      const j = i + a.index;
      S8[i] = j < bytes ? cpu.V8[16 * a.n + j]! : cpu.V8[16 * a.m + j - bytes]!;
    }
    commit(cpu, a.d, a.q);
  },
  disasm: (a) => `ext\t${vreg(a.d, 8, a.q)}, ${vreg(a.n, 8, a.q)}, ${vreg(a.m, 8, a.q)}, #${a.index}`,
});

interface Tbl {
  q: number;
  len: number;
  tbx: number;
  d: number;
  n: number;
  m: number;
}

const SIMD_TBL = insn<Tbl>({
  name: 'SIMD_TBL',
  pattern: '0 q:1 001110 00 0 rm:5 0 len:2 op:1 00 rn:5 rd:5',
  prepare: (f) => ({ q: f.q!, len: f.len! + 1, tbx: f.op!, d: f.rd!, n: f.rn!, m: f.rm! }),
  exec(cpu, a) {
    clearStage();
    const bytes = a.q ? 16 : 8;
    const V8 = cpu.V8;
    for (let i = 0; i < bytes; i++) {
      const idx = V8[16 * a.m + i]!;
      if (idx < 16 * a.len) S8[i] = V8[16 * ((a.n + (idx >> 4)) % 32) + (idx & 15)]!;
      else S8[i] = a.tbx ? V8[16 * a.d + i]! : 0;
    }
    commit(cpu, a.d, a.q);
  },
  disasm(a) {
    const regs = Array.from({ length: a.len }, (_, k) => `v${(a.n + k) % 32}.16b`).join(', ');
    return `${a.tbx ? 'tbx' : 'tbl'}\t${vreg(a.d, 8, a.q)}, {${regs}}, ${vreg(a.m, 8, a.q)}`;
  },
});

// ---------------------------------------------------------------- by element (integer)

interface ByElem {
  q: number;
  u: number;
  esize: number;
  op: number;
  index: number;
  d: number;
  n: number;
  m: number;
}

const ELEM_NAMES: Record<string, string> = {
  '0:2': 'smlal',
  '1:2': 'umlal',
  '0:3': 'sqdmlal',
  '0:6': 'smlsl',
  '1:6': 'umlsl',
  '0:7': 'sqdmlsl',
  '0:8': 'mul',
  '1:0': 'mla',
  '1:4': 'mls',
  '0:10': 'smull',
  '1:10': 'umull',
  '0:11': 'sqdmull',
  '0:12': 'sqdmulh',
  '0:13': 'sqrdmulh',
};

const SIMD_ELEM = insn<ByElem>({
  name: 'SIMD_ELEM',
  pattern: '0 q:1 u:1 01111 size:2 l:1 m:1 rm:4 opcode:4 h:1 0 rn:5 rd:5',
  guard: (f) => `${f.u}:${f.opcode}` in ELEM_NAMES && (f.size === 1 || f.size === 2),
  prepare: (f) => {
    const index = f.size === 1 ? (f.h! << 2) | (f.l! << 1) | f.m! : (f.h! << 1) | f.l!;
    const m = f.size === 1 ? f.rm! : (f.m! << 4) | f.rm!;
    return { q: f.q!, u: f.u!, esize: ESIZE[f.size!]!, op: f.opcode!, index, d: f.rd!, n: f.rn!, m };
  },
  exec(cpu, a) {
    clearStage();
    const e = a.esize;
    const long = a.op === 2 || a.op === 3 || a.op === 6 || a.op === 7 || a.op === 10 || a.op === 11;
    const signed = a.u === 0;
    const y = signed ? slane(cpu, a.m, e, a.index) : lane(cpu, a.m, e, a.index);
    if (long) {
      const w = 2 * e;
      const n = 64 / e;
      const base = a.q ? n : 0;
      const lim = 1n << BigInt(w - 1);
      for (let i = 0; i < n; i++) {
        const x = narrowLane(cpu, a.n, e, base + i, signed);
        const p = x * BigInt(y);
        const acc = wideLane(cpu, a.d, w, i, signed);
        let r: bigint;
        switch (a.op) {
          case 2:
            r = acc + p;
            break;
          case 6:
            r = acc - p;
            break;
          case 10:
            r = p;
            break;
          case 11:
            r = satBig(cpu, 2n * p, -lim, lim - 1n);
            break;
          case 3:
            r = satBig(cpu, acc + satBig(cpu, 2n * p, -lim, lim - 1n), -lim, lim - 1n);
            break;
          default:
            r = satBig(cpu, acc - satBig(cpu, 2n * p, -lim, lim - 1n), -lim, lim - 1n);
        }
        stageWide(w, i, r);
      }
      commit(cpu, a.d, 1);
      return;
    }
    const lanes = (a.q ? 128 : 64) / e;
    for (let i = 0; i < lanes; i++) {
      const x = lane(cpu, a.n, e, i);
      let r: number;
      switch (a.op) {
        case 8:
          r = Math.imul(x, y);
          break;
        case 0:
          r = lane(cpu, a.d, e, i) + Math.imul(x, y);
          break;
        case 4:
          r = lane(cpu, a.d, e, i) - Math.imul(x, y);
          break;
        default: {
          const sx = slane(cpu, a.n, e, i);
          const p = BigInt(sx) * BigInt(y) * 2n + (a.op === 13 ? 1n << BigInt(e - 1) : 0n);
          r = Number(satBig(cpu, p >> BigInt(e), -(1n << BigInt(e - 1)), (1n << BigInt(e - 1)) - 1n));
        }
      }
      stage(e, i, r);
    }
    commit(cpu, a.d, a.q);
  },
  disasm(a) {
    const name = ELEM_NAMES[`${a.u}:${a.op}`]!;
    const e = a.esize;
    const long = a.op === 2 || a.op === 3 || a.op === 6 || a.op === 7 || a.op === 10 || a.op === 11;
    const el = `v${a.m}.${ELEM_LETTER[e]}[${a.index}]`;
    if (long) return `${name}${a.q ? '2' : ''}\t${vreg(a.d, 2 * e, 1)}, ${vreg(a.n, e, a.q)}, ${el}`;
    return `${name}\t${vreg(a.d, e, a.q)}, ${vreg(a.n, e, a.q)}, ${el}`;
  },
});

export const SIMD_INT: AnyInsnDef[] = [SIMD_3SAME, SIMD_3DIFF, SIMD_2MISC, SIMD_ACROSS, SIMD_COPY, SIMD_MODIMM, SIMD_SHIFT, SIMD_PERMUTE, SIMD_EXT, SIMD_TBL, SIMD_ELEM];
