import { addWithCarry32, addWithCarry64, decodeBitMasks, F, T } from '../alu.js';
import type { Cpu } from '../cpu.js';
import { hex, imm, insn, sp, xname, zr, zrw, type AnyInsnDef } from './types.js';

/** Data processing — immediate (ARM DDI 0487, C4.1.86). */

interface AddSubImm {
  sf: number;
  d: number;
  n: number;
  imm: number;
  rd: number;
  rn: number;
  sh: number;
  imm12: number;
}

function addSubImmArgs(f: Record<string, number>, flags: boolean): AddSubImm {
  // S forms write the zero register, others SP.
  return { sf: f.sf!, d: flags ? zrw(f.rd!) : sp(f.rd!), n: sp(f.rn!), imm: f.imm12! << (f.sh! ? 12 : 0), rd: f.rd!, rn: f.rn!, sh: f.sh!, imm12: f.imm12! };
}

function addSubImmText(mn: string, a: AddSubImm, flags: boolean): string {
  const rd = xname(a.rd, a.sf, flags ? 'zr' : 'sp');
  const rn = xname(a.rn, a.sf, 'sp');
  const shift = a.sh ? ', lsl #12' : '';
  if (flags && a.rd === 31) return `${mn === 'adds' ? 'cmn' : 'cmp'}\t${rn}, ${imm(a.imm12)}${shift}`;
  if (mn === 'add' && a.imm12 === 0 && a.sh === 0 && (a.rd === 31 || a.rn === 31)) return `mov\t${rd}, ${rn}`;
  return `${mn}\t${rd}, ${rn}, ${imm(a.imm12)}${shift}`;
}

const ADDSUB_IMM = 'sf:1 op:1 s:1 100010 sh:1 imm12:12 rn:5 rd:5';

const ADD_i = insn<AddSubImm>({
  name: 'ADD_i',
  pattern: 'sf:1 0 0 100010 sh:1 imm12:12 rn:5 rd:5',
  prepare: (f) => addSubImmArgs(f, false),
  exec(cpu, a) {
    const R = cpu.R;
    const n = 2 * a.n;
    const d = 2 * a.d;
    if (a.sf) {
      const lo = (R[n]! >>> 0) + a.imm;
      R[d + 1] = (R[n + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0;
      R[d] = lo | 0;
    } else {
      R[d] = (R[n]! + a.imm) | 0;
      R[d + 1] = 0;
    }
  },
  disasm: (a) => addSubImmText('add', a, false),
});

const SUB_i = insn<AddSubImm>({
  name: 'SUB_i',
  pattern: 'sf:1 1 0 100010 sh:1 imm12:12 rn:5 rd:5',
  prepare: (f) => addSubImmArgs(f, false),
  exec(cpu, a) {
    const R = cpu.R;
    const n = 2 * a.n;
    const d = 2 * a.d;
    if (a.sf) {
      const lo = (R[n]! >>> 0) - a.imm;
      R[d + 1] = (R[n + 1]! - (lo < 0 ? 1 : 0)) | 0;
      R[d] = lo | 0;
    } else {
      R[d] = (R[n]! - a.imm) | 0;
      R[d + 1] = 0;
    }
  },
  disasm: (a) => addSubImmText('sub', a, false),
});

function addSubImmFlags(cpu: Cpu, a: AddSubImm, sub: boolean): void {
  const R = cpu.R;
  const n = 2 * a.n;
  const b = sub ? ~a.imm : a.imm;
  if (a.sf) addWithCarry64(R[n]!, R[n + 1]!, b, sub ? -1 : 0, sub ? 1 : 0);
  else addWithCarry32(R[n]!, b, sub ? 1 : 0);
  R[2 * a.d] = T.lo;
  R[2 * a.d + 1] = T.hi;
  cpu.n = F.n;
  cpu.z = F.z;
  cpu.c = F.c;
  cpu.v = F.v;
}

const ADDS_i = insn<AddSubImm>({
  name: 'ADDS_i',
  pattern: 'sf:1 0 1 100010 sh:1 imm12:12 rn:5 rd:5',
  prepare: (f) => addSubImmArgs(f, true),
  exec: (cpu, a) => addSubImmFlags(cpu, a, false),
  disasm: (a) => addSubImmText('adds', a, true),
});

const SUBS_i = insn<AddSubImm>({
  name: 'SUBS_i',
  pattern: 'sf:1 1 1 100010 sh:1 imm12:12 rn:5 rd:5',
  prepare: (f) => addSubImmArgs(f, true),
  exec: (cpu, a) => addSubImmFlags(cpu, a, true),
  disasm: (a) => addSubImmText('subs', a, true),
});
void ADDSUB_IMM;

// ---------------------------------------------------------------- ADR, ADRP

interface Adr {
  d: number;
  rd: number;
  offset: number;
  page: boolean;
}

function adrArgs(f: Record<string, number>, page: boolean): Adr {
  const raw = (f.immhi! << 2) | f.immlo!;
  const offset = ((raw << 11) >> 11) * (page ? 4096 : 1);
  return { d: zrw(f.rd!), rd: f.rd!, offset, page };
}

function adrExec(cpu: Cpu, a: Adr): void {
  const pc = cpu.nextPc - 4;
  const base = a.page ? pc - (pc % 4096) : pc;
  const v = base + a.offset;
  // The result wraps modulo 2^64 like any address arithmetic: a negative v gives its two's
  // complement words directly (v + 2^64 as a double would round away the low bits).
  cpu.R[2 * a.d] = (v % 4294967296) | 0;
  cpu.R[2 * a.d + 1] = Math.floor(v / 4294967296) | 0;
}

const ADR = insn<Adr>({
  name: 'ADR',
  pattern: '0 immlo:2 10000 immhi:19 rd:5',
  prepare: (f) => adrArgs(f, false),
  exec: adrExec,
  disasm: (a, pc) => `adr\t${xname(a.rd, 1, 'zr')}, ${(pc + a.offset).toString(16)}`,
});

const ADRP = insn<Adr>({
  name: 'ADRP',
  pattern: '1 immlo:2 10000 immhi:19 rd:5',
  prepare: (f) => adrArgs(f, true),
  exec: adrExec,
  disasm: (a, pc) => `adrp\t${xname(a.rd, 1, 'zr')}, ${(pc - (pc % 4096) + a.offset).toString(16)}`,
});

// ---------------------------------------------------------------- logical immediate

interface LogImm {
  sf: number;
  d: number;
  n: number;
  lo: number;
  hi: number;
  rd: number;
  rn: number;
}

function logImmArgs(f: Record<string, number>, flags: boolean): LogImm {
  const m = decodeBitMasks(f.N!, f.imms!, f.immr!, true, f.sf ? 64 : 32)!;
  return { sf: f.sf!, d: flags ? zrw(f.rd!) : sp(f.rd!), n: zr(f.rn!), lo: m[0], hi: f.sf ? m[1] : 0, rd: f.rd!, rn: f.rn! };
}

const logImmGuard = (f: Record<string, number>): boolean => (f.sf === 1 || f.N === 0) && decodeBitMasks(f.N!, f.imms!, f.immr!, true, f.sf ? 64 : 32) !== undefined;

function logImmValue(a: LogImm): bigint {
  return (BigInt(a.hi >>> 0) << 32n) | BigInt(a.lo >>> 0);
}

function logImmText(mn: string, a: LogImm): string {
  const v = logImmValue(a);
  if (mn === 'ands' && a.rd === 31) return `tst\t${xname(a.rn, a.sf, 'zr')}, #${hex(v)}`;
  if (mn === 'orr' && a.rn === 31 && !movzAble(v, a.sf)) return `mov\t${xname(a.rd, a.sf, 'sp')}, #${hex(v)}`;
  return `${mn}\t${xname(a.rd, a.sf, mn === 'ands' ? 'zr' : 'sp')}, ${xname(a.rn, a.sf, 'zr')}, #${hex(v)}`;
}

/** Whether MOVZ or MOVN could produce v (then objdump does not use the ORR alias). */
function movzAble(v: bigint, sf: number): boolean {
  const bits = sf ? 64 : 32;
  const mask = (1n << BigInt(bits)) - 1n;
  for (const x of [v, ~v & mask]) {
    for (let hw = 0; hw < bits / 16; hw++) if ((x & ~(0xffffn << BigInt(16 * hw)) & mask) === 0n) return true;
  }
  return false;
}

const AND_i = insn<LogImm>({
  name: 'AND_i',
  pattern: 'sf:1 00 100100 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: logImmGuard,
  prepare: (f) => logImmArgs(f, false),
  exec(cpu, a) {
    const R = cpu.R;
    R[2 * a.d] = R[2 * a.n]! & a.lo;
    R[2 * a.d + 1] = R[2 * a.n + 1]! & a.hi;
  },
  disasm: (a) => logImmText('and', a),
});

const ORR_i = insn<LogImm>({
  name: 'ORR_i',
  pattern: 'sf:1 01 100100 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: logImmGuard,
  prepare: (f) => logImmArgs(f, false),
  exec(cpu, a) {
    const R = cpu.R;
    R[2 * a.d] = R[2 * a.n]! | a.lo;
    R[2 * a.d + 1] = (R[2 * a.n + 1]! | a.hi) & (a.sf ? -1 : 0);
  },
  disasm: (a) => logImmText('orr', a),
});

const EOR_i = insn<LogImm>({
  name: 'EOR_i',
  pattern: 'sf:1 10 100100 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: logImmGuard,
  prepare: (f) => logImmArgs(f, false),
  exec(cpu, a) {
    const R = cpu.R;
    R[2 * a.d] = R[2 * a.n]! ^ a.lo;
    R[2 * a.d + 1] = (R[2 * a.n + 1]! ^ a.hi) & (a.sf ? -1 : 0);
  },
  disasm: (a) => logImmText('eor', a),
});

const ANDS_i = insn<LogImm>({
  name: 'ANDS_i',
  pattern: 'sf:1 11 100100 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: logImmGuard,
  prepare: (f) => logImmArgs(f, true),
  exec(cpu, a) {
    const R = cpu.R;
    const lo = R[2 * a.n]! & a.lo;
    const hi = R[2 * a.n + 1]! & a.hi;
    R[2 * a.d] = lo;
    R[2 * a.d + 1] = hi;
    cpu.n = (a.sf ? hi : lo) >>> 31;
    cpu.z = (lo | hi) === 0 ? 1 : 0;
    cpu.c = 0;
    cpu.v = 0;
  },
  disasm: (a) => logImmText('ands', a),
});

// ---------------------------------------------------------------- move wide

interface MoveWide {
  sf: number;
  d: number;
  rd: number;
  imm16: number;
  hw: number;
  lo: number;
  hi: number;
}

function moveWideArgs(f: Record<string, number>): MoveWide {
  const shift = f.hw! * 16;
  const lo = shift < 32 ? (f.imm16! << shift) | 0 : 0;
  const hi = shift >= 32 ? (f.imm16! << (shift - 32)) | 0 : 0;
  return { sf: f.sf!, d: zrw(f.rd!), rd: f.rd!, imm16: f.imm16!, hw: f.hw!, lo, hi };
}

const moveWideGuard = (f: Record<string, number>): boolean => f.sf === 1 || f.hw! < 2;

const MOVN = insn<MoveWide>({
  name: 'MOVN',
  pattern: 'sf:1 00 100101 hw:2 imm16:16 rd:5',
  guard: moveWideGuard,
  prepare: moveWideArgs,
  exec(cpu, a) {
    cpu.R[2 * a.d] = ~a.lo;
    cpu.R[2 * a.d + 1] = a.sf ? ~a.hi : 0;
  },
  disasm(a) {
    const bits = a.sf ? 64n : 32n;
    const v = ~(BigInt(a.imm16) << BigInt(a.hw * 16)) & ((1n << bits) - 1n);
    if (a.imm16 === 0 && a.hw !== 0) return `movn\t${xname(a.rd, a.sf, 'zr')}, #0x0, lsl #${a.hw * 16}`;
    return `mov\t${xname(a.rd, a.sf, 'zr')}, #${hex(v)}`;
  },
});

const MOVZ = insn<MoveWide>({
  name: 'MOVZ',
  pattern: 'sf:1 10 100101 hw:2 imm16:16 rd:5',
  guard: moveWideGuard,
  prepare: moveWideArgs,
  exec(cpu, a) {
    cpu.R[2 * a.d] = a.lo;
    cpu.R[2 * a.d + 1] = a.hi;
  },
  disasm(a) {
    if (a.imm16 === 0 && a.hw !== 0) return `movz\t${xname(a.rd, a.sf, 'zr')}, #0x0, lsl #${a.hw * 16}`;
    return `mov\t${xname(a.rd, a.sf, 'zr')}, #${hex(BigInt(a.imm16) << BigInt(a.hw * 16))}`;
  },
});

const MOVK = insn<MoveWide>({
  name: 'MOVK',
  pattern: 'sf:1 11 100101 hw:2 imm16:16 rd:5',
  guard: moveWideGuard,
  prepare: moveWideArgs,
  exec(cpu, a) {
    const R = cpu.R;
    const i = a.hw < 2 ? 2 * a.d : 2 * a.d + 1;
    const shift = (a.hw & 1) * 16;
    R[i] = (R[i]! & ~(0xffff << shift)) | (a.imm16 << shift);
    if (!a.sf) R[2 * a.d + 1] = 0;
  },
  disasm: (a) => `movk\t${xname(a.rd, a.sf, 'zr')}, ${imm(a.imm16)}${a.hw ? `, lsl #${a.hw * 16}` : ''}`,
});

// ---------------------------------------------------------------- bitfield

interface Bitfield {
  sf: number;
  d: number;
  n: number;
  rd: number;
  rn: number;
  immr: number;
  imms: number;
  wlo: number;
  whi: number;
  tlo: number;
  thi: number;
}

const bitfieldGuard = (f: Record<string, number>): boolean => f.sf === f.N && (f.sf === 1 || (f.immr! < 32 && f.imms! < 32)) && decodeBitMasks(f.N!, f.imms!, f.immr!, false, f.sf ? 64 : 32) !== undefined;

function bitfieldArgs(f: Record<string, number>): Bitfield {
  const m = decodeBitMasks(f.N!, f.imms!, f.immr!, false, f.sf ? 64 : 32)!;
  return { sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), rd: f.rd!, rn: f.rn!, immr: f.immr!, imms: f.imms!, wlo: m[0], whi: m[1], tlo: m[2], thi: m[3] };
}

/** ROR of the source by immr, 64 or 32 bits, into T. */
function rorSource(cpu: Cpu, a: Bitfield): void {
  const lo = cpu.R[2 * a.n]!;
  const r = a.immr;
  if (!a.sf) {
    T.lo = r === 0 ? lo : (lo >>> r) | (lo << (32 - r));
    T.hi = 0;
    return;
  }
  const hi = cpu.R[2 * a.n + 1]!;
  if (r === 0) {
    T.lo = lo;
    T.hi = hi;
  } else if (r < 32) {
    T.lo = (lo >>> r) | (hi << (32 - r));
    T.hi = (hi >>> r) | (lo << (32 - r));
  } else if (r === 32) {
    T.lo = hi;
    T.hi = lo;
  } else {
    T.lo = (hi >>> (r - 32)) | (lo << (64 - r));
    T.hi = (lo >>> (r - 32)) | (hi << (64 - r));
  }
}

const UBFM = insn<Bitfield>({
  name: 'UBFM',
  pattern: 'sf:1 10 100110 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: bitfieldGuard,
  prepare: bitfieldArgs,
  exec(cpu, a) {
    rorSource(cpu, a);
    cpu.R[2 * a.d] = T.lo & a.wlo & a.tlo;
    cpu.R[2 * a.d + 1] = a.sf ? T.hi & a.whi & a.thi : 0;
  },
  disasm(a) {
    const size = a.sf ? 64 : 32;
    const rd = xname(a.rd, a.sf, 'zr');
    const rn = xname(a.rn, a.sf, 'zr');
    if (a.imms === size - 1) return `lsr\t${rd}, ${rn}, #${a.immr}`;
    if (a.imms + 1 === a.immr) return `lsl\t${rd}, ${rn}, #${size - 1 - a.imms}`;
    if (a.immr === 0 && a.imms === 7 && !a.sf) return `uxtb\t${rd}, ${xname(a.rn, 0, 'zr')}`;
    if (a.immr === 0 && a.imms === 15 && !a.sf) return `uxth\t${rd}, ${xname(a.rn, 0, 'zr')}`;
    if (a.imms < a.immr) return `ubfiz\t${rd}, ${rn}, #${size - a.immr}, #${a.imms + 1}`;
    return `ubfx\t${rd}, ${rn}, #${a.immr}, #${a.imms - a.immr + 1}`;
  },
});

const SBFM = insn<Bitfield>({
  name: 'SBFM',
  pattern: 'sf:1 00 100110 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: bitfieldGuard,
  prepare: bitfieldArgs,
  exec(cpu, a) {
    const src = 2 * a.n;
    // Replicate(src<S>): the sign of bit S of the source.
    const s = a.imms;
    const bit = s < 32 ? (cpu.R[src]! >>> s) & 1 : (cpu.R[src + 1]! >>> (s - 32)) & 1;
    const top = -bit;
    rorSource(cpu, a);
    const blo = T.lo & a.wlo;
    const bhi = T.hi & a.whi;
    cpu.R[2 * a.d] = (top & ~a.tlo) | (blo & a.tlo);
    cpu.R[2 * a.d + 1] = a.sf ? (top & ~a.thi) | (bhi & a.thi) : 0;
  },
  disasm(a) {
    const size = a.sf ? 64 : 32;
    const rd = xname(a.rd, a.sf, 'zr');
    const rn = xname(a.rn, a.sf, 'zr');
    if (a.imms === size - 1) return `asr\t${rd}, ${rn}, #${a.immr}`;
    if (a.immr === 0 && a.imms === 7) return `sxtb\t${rd}, ${xname(a.rn, 0, 'zr')}`;
    if (a.immr === 0 && a.imms === 15) return `sxth\t${rd}, ${xname(a.rn, 0, 'zr')}`;
    if (a.immr === 0 && a.imms === 31 && a.sf) return `sxtw\t${rd}, ${xname(a.rn, 0, 'zr')}`;
    if (a.imms < a.immr) return `sbfiz\t${rd}, ${rn}, #${size - a.immr}, #${a.imms + 1}`;
    return `sbfx\t${rd}, ${rn}, #${a.immr}, #${a.imms - a.immr + 1}`;
  },
});

const BFM = insn<Bitfield>({
  name: 'BFM',
  pattern: 'sf:1 01 100110 N:1 immr:6 imms:6 rn:5 rd:5',
  guard: bitfieldGuard,
  prepare: (f) => ({ ...bitfieldArgs(f), d: zr(f.rd!) === 32 ? 33 : f.rd! }),
  exec(cpu, a) {
    const d = 2 * a.d;
    const dlo = cpu.R[d]!;
    const dhi = cpu.R[d + 1]!;
    rorSource(cpu, a);
    const blo = (dlo & ~a.wlo) | (T.lo & a.wlo);
    const bhi = (dhi & ~a.whi) | (T.hi & a.whi);
    cpu.R[d] = (dlo & ~a.tlo) | (blo & a.tlo);
    cpu.R[d + 1] = a.sf ? (dhi & ~a.thi) | (bhi & a.thi) : 0;
  },
  disasm(a) {
    const size = a.sf ? 64 : 32;
    const rd = xname(a.rd, a.sf, 'zr');
    const rn = xname(a.rn, a.sf, 'zr');
    if (a.imms < a.immr) {
      if (a.rn === 31) return `bfc\t${rd}, #${size - a.immr}, #${a.imms + 1}`;
      return `bfi\t${rd}, ${rn}, #${size - a.immr}, #${a.imms + 1}`;
    }
    return `bfxil\t${rd}, ${rn}, #${a.immr}, #${a.imms - a.immr + 1}`;
  },
});

// ---------------------------------------------------------------- EXTR

interface Extr {
  sf: number;
  d: number;
  n: number;
  m: number;
  lsb: number;
  rd: number;
  rn: number;
  rm: number;
}

const EXTR = insn<Extr>({
  name: 'EXTR',
  pattern: 'sf:1 00 100111 N:1 0 rm:5 imms:6 rn:5 rd:5',
  guard: (f) => f.sf === f.N && (f.sf === 1 || f.imms! < 32),
  prepare: (f) => ({ sf: f.sf!, d: zrw(f.rd!), n: zr(f.rn!), m: zr(f.rm!), lsb: f.imms!, rd: f.rd!, rn: f.rn!, rm: f.rm! }),
  exec(cpu, a) {
    const R = cpu.R;
    const l = a.lsb;
    if (!a.sf) {
      const lo = R[2 * a.m]!;
      const hi = R[2 * a.n]!;
      R[2 * a.d] = l === 0 ? lo : (lo >>> l) | (hi << (32 - l));
      R[2 * a.d + 1] = 0;
      return;
    }
    // Bits [lsb+63:lsb] of Rn:Rm.
    const mlo = R[2 * a.m]!;
    const mhi = R[2 * a.m + 1]!;
    const nlo = R[2 * a.n]!;
    const nhi = R[2 * a.n + 1]!;
    let lo: number;
    let hi: number;
    if (l === 0) {
      lo = mlo;
      hi = mhi;
    } else if (l < 32) {
      lo = (mlo >>> l) | (mhi << (32 - l));
      hi = (mhi >>> l) | (nlo << (32 - l));
    } else if (l === 32) {
      lo = mhi;
      hi = nlo;
    } else {
      lo = (mhi >>> (l - 32)) | (nlo << (64 - l));
      hi = (nlo >>> (l - 32)) | (nhi << (64 - l));
    }
    R[2 * a.d] = lo;
    R[2 * a.d + 1] = hi;
  },
  disasm(a) {
    const rd = xname(a.rd, a.sf, 'zr');
    if (a.rn === a.rm) return `ror\t${rd}, ${xname(a.rn, a.sf, 'zr')}, #${a.lsb}`;
    return `extr\t${rd}, ${xname(a.rn, a.sf, 'zr')}, ${xname(a.rm, a.sf, 'zr')}, #${a.lsb}`;
  },
});

export const DP_IMM: AnyInsnDef[] = [ADD_i, ADDS_i, SUB_i, SUBS_i, ADR, ADRP, AND_i, ORR_i, EOR_i, ANDS_i, MOVN, MOVZ, MOVK, UBFM, SBFM, BFM, EXTR];
