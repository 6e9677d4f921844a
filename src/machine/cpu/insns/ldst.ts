import { addOffset, extend64, T } from '../alu.js';
import type { Cpu } from '../cpu.js';
import { SCRATCH0, SCRATCH1 } from '../slots.js';
import { FSC, MemoryFault } from '../fault.js';
import { insn, sp, xname, zr, zrw, type AnyInsnDef } from './types.js';

/**
 * Loads and stores (ARM DDI 0487, C4.1.88): single registers in every addressing mode,
 * literals, pairs, exclusives, load-acquire/store-release and the ARMv8.1 atomics.
 */

// A transfer kind: what moves between memory and which register file (the compiled tiers'
// rows, jit/rows.ts and wasm/rows.ts, read the same `kind` field of these rows).
export const K_STR = 0; // store `bytes` from a general register
export const K_LDR = 1; // load `bytes`, zero-extended
export const K_LDRS64 = 2; // load `bytes`, sign-extended to 64 bits
export const K_LDRS32 = 3; // load `bytes`, sign-extended to 32 bits
export const K_PRFM = 4;
export const K_STR_FP = 5; // store `bytes` from a SIMD&FP register
export const K_LDR_FP = 6; // load `bytes` into a SIMD&FP register (the rest zeroed)

interface Kind {
  kind: number;
  bytes: number;
}

/** size:V:opc of the single-register forms → the transfer, or undefined if unallocated. */
function kindOf(size: number, v: number, opc: number): Kind | undefined {
  if (v === 0) {
    const bytes = 1 << size;
    if (opc === 0) return { kind: K_STR, bytes };
    if (opc === 1) return { kind: K_LDR, bytes };
    if (opc === 2) return size === 3 ? { kind: K_PRFM, bytes: 8 } : { kind: K_LDRS64, bytes };
    return size < 2 ? { kind: K_LDRS32, bytes } : undefined;
  }
  if (opc < 2) return { kind: opc === 0 ? K_STR_FP : K_LDR_FP, bytes: 1 << size };
  if (size === 0) return { kind: opc === 2 ? K_STR_FP : K_LDR_FP, bytes: 16 };
  return undefined;
}

const SIZE_SUFFIX = ['b', 'h', '', ''];

function mnemonic(k: Kind, unscaled: boolean): string {
  const u = unscaled ? 'u' : '';
  switch (k.kind) {
    case K_STR:
      return `st${u}r${SIZE_SUFFIX[Math.log2(k.bytes)]}`;
    case K_LDR:
      return `ld${u}r${SIZE_SUFFIX[Math.log2(k.bytes)]}`;
    case K_LDRS64:
    case K_LDRS32:
      return `ld${u}rs${['b', 'h', 'w'][Math.log2(k.bytes)]}`;
    case K_PRFM:
      return unscaled ? 'prfum' : 'prfm';
    case K_STR_FP:
      return `st${u}r`;
    default:
      return `ld${u}r`;
  }
}

const FP_NAMES: Record<number, string> = { 1: 'b', 2: 'h', 4: 's', 8: 'd', 16: 'q' };

function regName(k: Kind, rt: number): string {
  if (k.kind === K_STR_FP || k.kind === K_LDR_FP) return `${FP_NAMES[k.bytes]}${rt}`;
  if (k.kind === K_PRFM) return PRFOPS[rt] ?? `#0x${rt.toString(16)}`;
  const x = k.kind === K_LDRS64 || (k.bytes === 8 && k.kind !== K_LDRS32);
  return xname(rt, x ? 1 : 0, 'zr');
}

const PRFOPS: Record<number, string> = {
  0: 'pldl1keep',
  1: 'pldl1strm',
  2: 'pldl2keep',
  3: 'pldl2strm',
  4: 'pldl3keep',
  5: 'pldl3strm',
  8: 'plil1keep',
  9: 'plil1strm',
  10: 'plil2keep',
  11: 'plil2strm',
  12: 'plil3keep',
  13: 'plil3strm',
  16: 'pstl1keep',
  17: 'pstl1strm',
  18: 'pstl2keep',
  19: 'pstl2strm',
  20: 'pstl3keep',
  21: 'pstl3strm',
};

/** Load `bytes` into SIMD&FP register t (zeroing the rest), or store from it. */
function fpLoad(cpu: Cpu, t: number, bytes: number, lo: number, hi: number): void {
  const V32 = cpu.V32;
  const b = 4 * t;
  if (bytes === 16) {
    cpu.load64(lo, hi);
    const l0 = cpu.l64lo;
    const l1 = cpu.l64hi;
    const lo2 = (lo + 8) | 0;
    cpu.load64(lo2, lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi);
    V32[b] = l0;
    V32[b + 1] = l1;
    V32[b + 2] = cpu.l64lo;
    V32[b + 3] = cpu.l64hi;
    return;
  }
  let w0 = 0;
  let w1 = 0;
  if (bytes === 8) {
    cpu.load64(lo, hi);
    w0 = cpu.l64lo;
    w1 = cpu.l64hi;
  } else if (bytes === 4) w0 = cpu.load32(lo, hi);
  else if (bytes === 2) w0 = cpu.load16(lo, hi);
  else w0 = cpu.load8(lo, hi);
  V32[b] = w0;
  V32[b + 1] = w1;
  V32[b + 2] = 0;
  V32[b + 3] = 0;
}

function fpStore(cpu: Cpu, t: number, bytes: number, lo: number, hi: number): void {
  const V32 = cpu.V32;
  const b = 4 * t;
  if (bytes === 16) {
    const lo2 = (lo + 8) | 0;
    const hi2 = lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
    cpu.probeWrite(lo, hi, 16);
    cpu.store64(lo, hi, V32[b]! | 0, V32[b + 1]! | 0);
    cpu.store64(lo2, hi2, V32[b + 2]! | 0, V32[b + 3]! | 0);
  } else if (bytes === 8) cpu.store64(lo, hi, V32[b]! | 0, V32[b + 1]! | 0);
  else if (bytes === 4) cpu.store32(lo, hi, V32[b]! | 0);
  else if (bytes === 2) cpu.store16(lo, hi, V32[b]! & 0xffff);
  else cpu.store8(lo, hi, V32[b]! & 0xff);
}

/** Move one register to or from memory at (lo, hi). `t` is a slot (or a V register number). */
function transfer(cpu: Cpu, kind: number, bytes: number, t: number, lo: number, hi: number): void {
  const R = cpu.R;
  switch (kind) {
    case K_LDR:
      if (bytes === 8) {
        cpu.load64(lo, hi);
        R[2 * t] = cpu.l64lo;
        R[2 * t + 1] = cpu.l64hi;
      } else {
        R[2 * t] = bytes === 4 ? cpu.load32(lo, hi) : bytes === 1 ? cpu.load8(lo, hi) : cpu.load16(lo, hi);
        R[2 * t + 1] = 0;
      }
      return;
    case K_STR:
      if (bytes === 8) cpu.store64(lo, hi, R[2 * t]!, R[2 * t + 1]!);
      else if (bytes === 4) cpu.store32(lo, hi, R[2 * t]!);
      else if (bytes === 1) cpu.store8(lo, hi, R[2 * t]! & 0xff);
      else cpu.store16(lo, hi, R[2 * t]! & 0xffff);
      return;
    case K_LDRS64:
    case K_LDRS32: {
      const v = bytes === 4 ? cpu.load32(lo, hi) : bytes === 1 ? (cpu.load8(lo, hi) << 24) >> 24 : (cpu.load16(lo, hi) << 16) >> 16;
      R[2 * t] = v;
      R[2 * t + 1] = kind === K_LDRS64 ? v >> 31 : 0;
      return;
    }
    case K_PRFM:
      return;
    case K_LDR_FP:
      fpLoad(cpu, t, bytes, lo, hi);
      return;
    default:
      fpStore(cpu, t, bytes, lo, hi);
  }
}

// ---------------------------------------------------------------- immediate offset forms

interface LdstImm {
  kind: number;
  bytes: number;
  t: number;
  n: number;
  rt: number;
  rn: number;
  offset: number;
  /** 0: offset, 1: post-index, 2: pre-index */
  index: number;
  unscaled: boolean;
}

function ldstImmArgs(f: Record<string, number>, k: Kind, offset: number, index: number, unscaled: boolean): LdstImm {
  const fp = k.kind === K_LDR_FP || k.kind === K_STR_FP;
  const t = fp || k.kind === K_PRFM ? f.rt! : k.kind === K_STR ? zr(f.rt!) : zrw(f.rt!);
  return { kind: k.kind, bytes: k.bytes, t, n: sp(f.rn!), rt: f.rt!, rn: f.rn!, offset, index, unscaled };
}

function ldstImmExec(cpu: Cpu, a: LdstImm): void {
  const R = cpu.R;
  const blo = R[2 * a.n]!;
  const bhi = R[2 * a.n + 1]!;
  addOffset(blo, bhi, a.offset);
  const lo = T.lo;
  const hi = T.hi;
  if (a.index === 1) {
    transfer(cpu, a.kind, a.bytes, a.t, blo, bhi);
    R[2 * a.n] = lo;
    R[2 * a.n + 1] = hi;
  } else {
    transfer(cpu, a.kind, a.bytes, a.t, lo, hi);
    if (a.index === 2) {
      R[2 * a.n] = lo;
      R[2 * a.n + 1] = hi;
    }
  }
}

/** LDR Xt, [Xn, #imm]: the most frequent load, without the generic switch. */
function ldrX(cpu: Cpu, a: LdstImm): void {
  const R = cpu.R;
  addOffset(R[2 * a.n]!, R[2 * a.n + 1]!, a.offset);
  cpu.load64(T.lo, T.hi);
  R[2 * a.t] = cpu.l64lo;
  R[2 * a.t + 1] = cpu.l64hi;
}

function ldrW(cpu: Cpu, a: LdstImm): void {
  const R = cpu.R;
  addOffset(R[2 * a.n]!, R[2 * a.n + 1]!, a.offset);
  R[2 * a.t] = cpu.load32(T.lo, T.hi);
  R[2 * a.t + 1] = 0;
}

function ldrB(cpu: Cpu, a: LdstImm): void {
  const R = cpu.R;
  addOffset(R[2 * a.n]!, R[2 * a.n + 1]!, a.offset);
  R[2 * a.t] = cpu.load8(T.lo, T.hi);
  R[2 * a.t + 1] = 0;
}

function strX(cpu: Cpu, a: LdstImm): void {
  const R = cpu.R;
  addOffset(R[2 * a.n]!, R[2 * a.n + 1]!, a.offset);
  cpu.store64(T.lo, T.hi, R[2 * a.t]!, R[2 * a.t + 1]!);
}

function strB(cpu: Cpu, a: LdstImm): void {
  const R = cpu.R;
  addOffset(R[2 * a.n]!, R[2 * a.n + 1]!, a.offset);
  cpu.store8(T.lo, T.hi, R[2 * a.t]! & 0xff);
}

function pickImmExec(a: LdstImm): (cpu: Cpu, a: LdstImm) => void {
  if (a.index !== 0) return ldstImmExec;
  if (a.kind === K_LDR) return a.bytes === 8 ? ldrX : a.bytes === 4 ? ldrW : a.bytes === 1 ? ldrB : ldstImmExec;
  if (a.kind === K_STR) return a.bytes === 8 ? strX : a.bytes === 1 ? strB : ldstImmExec;
  return ldstImmExec;
}

function ldstImmText(a: LdstImm): string {
  const k = { kind: a.kind, bytes: a.bytes };
  const rn = xname(a.rn, 1, 'sp');
  const off = a.offset === 0 && a.index === 0 ? '' : `, #${a.offset}`;
  const addr = a.index === 1 ? `[${rn}], #${a.offset}` : a.index === 2 ? `[${rn}, #${a.offset}]!` : `[${rn}${off}]`;
  return `${mnemonic(k, a.unscaled)}\t${regName(k, a.rt)}, ${addr}`;
}

const LDST_ui = insn<LdstImm>({
  name: 'LDST_ui',
  pattern: 'size:2 111 v:1 01 opc:2 imm12:12 rn:5 rt:5',
  guard: (f) => kindOf(f.size!, f.v!, f.opc!) !== undefined,
  prepare: (f) => {
    const k = kindOf(f.size!, f.v!, f.opc!)!;
    return ldstImmArgs(f, k, f.imm12! * k.bytes, 0, false);
  },
  exec: ldstImmExec,
  execFor: pickImmExec,
  disasm: ldstImmText,
});

const LDST_imm9 = insn<LdstImm>({
  name: 'LDST_imm9',
  pattern: 'size:2 111 v:1 00 opc:2 0 imm9:9 idx:2 rn:5 rt:5',
  guard: (f) => {
    const k = kindOf(f.size!, f.v!, f.opc!);
    if (!k) return false;
    // Prefetch has only the unscaled (PRFUM) form; LDTR/STTR (idx 10) has no FP or prefetch form.
    if (k.kind === K_PRFM && f.idx !== 0) return false;
    if (f.idx === 2 && f.v === 1) return false;
    return true;
  },
  prepare: (f) => {
    const k = kindOf(f.size!, f.v!, f.opc!)!;
    const offset = (f.imm9! << 23) >> 23;
    const index = f.idx === 1 ? 1 : f.idx === 3 ? 2 : 0;
    return ldstImmArgs(f, k, offset, index, f.idx === 0);
  },
  exec: ldstImmExec,
  execFor: pickImmExec,
  disasm(a) {
    // LDTR/STTR (idx 10) act as ordinary accesses at EL0.
    return ldstImmText(a);
  },
});

// ---------------------------------------------------------------- register offset

interface LdstReg {
  kind: number;
  bytes: number;
  t: number;
  n: number;
  m: number;
  rt: number;
  rn: number;
  rm: number;
  option: number;
  shift: number;
  s: number;
}

const REG_EXTEND = ['', '', 'uxtw', 'lsl', '', '', 'sxtw', 'sxtx'];

const LDST_reg = insn<LdstReg>({
  name: 'LDST_reg',
  pattern: 'size:2 111 v:1 00 opc:2 1 rm:5 option:3 s:1 10 rn:5 rt:5',
  guard: (f) => kindOf(f.size!, f.v!, f.opc!) !== undefined && (f.option! & 2) === 2,
  prepare: (f) => {
    const k = kindOf(f.size!, f.v!, f.opc!)!;
    const fp = k.kind === K_LDR_FP || k.kind === K_STR_FP;
    const t = fp || k.kind === K_PRFM ? f.rt! : k.kind === K_STR ? zr(f.rt!) : zrw(f.rt!);
    return {
      kind: k.kind,
      bytes: k.bytes,
      t,
      n: sp(f.rn!),
      m: zr(f.rm!),
      rt: f.rt!,
      rn: f.rn!,
      rm: f.rm!,
      option: f.option!,
      shift: f.s ? Math.log2(k.bytes) : 0,
      s: f.s!,
    };
  },
  exec(cpu, a) {
    const R = cpu.R;
    extend64(R[2 * a.m]!, R[2 * a.m + 1]!, a.option, a.shift);
    const olo = T.lo;
    const ohi = T.hi;
    const blo = R[2 * a.n]!;
    const lo = (blo >>> 0) + (olo >>> 0);
    const hi = (R[2 * a.n + 1]! + ohi + (lo > 0xffffffff ? 1 : 0)) | 0;
    transfer(cpu, a.kind, a.bytes, a.t, lo | 0, hi);
  },
  disasm(a) {
    const k = { kind: a.kind, bytes: a.bytes };
    const rm = xname(a.rm, (a.option & 1) === 1 ? 1 : 0, 'zr');
    const ext = REG_EXTEND[a.option]!;
    let suffix = '';
    if (ext === 'lsl') suffix = a.s ? `, lsl #${a.shift}` : '';
    else suffix = `, ${ext}${a.s ? ` #${a.shift}` : ''}`;
    return `${mnemonic(k, false)}\t${regName(k, a.rt)}, [${xname(a.rn, 1, 'sp')}, ${rm}${suffix}]`;
  },
});

// ---------------------------------------------------------------- literal

interface LdrLit {
  kind: number;
  bytes: number;
  t: number;
  rt: number;
  offset: number;
}

const LDR_lit = insn<LdrLit>({
  name: 'LDR_lit',
  pattern: 'opc:2 011 v:1 00 imm19:19 rt:5',
  guard: (f) => !(f.v === 1 && f.opc === 3),
  prepare: (f) => {
    const offset = ((f.imm19! << 13) >> 13) * 4;
    if (f.v === 1) return { kind: K_LDR_FP, bytes: 4 << f.opc!, t: f.rt!, rt: f.rt!, offset };
    if (f.opc === 3) return { kind: K_PRFM, bytes: 8, t: f.rt!, rt: f.rt!, offset };
    if (f.opc === 2) return { kind: K_LDRS64, bytes: 4, t: zrw(f.rt!), rt: f.rt!, offset };
    return { kind: K_LDR, bytes: f.opc ? 8 : 4, t: zrw(f.rt!), rt: f.rt!, offset };
  },
  exec(cpu, a) {
    const address = cpu.nextPc - 4 + a.offset;
    transfer(cpu, a.kind, a.bytes, a.t, (address % 4294967296) | 0, Math.floor(address / 4294967296) | 0);
  },
  disasm: (a, pc) => `${a.kind === K_LDRS64 ? 'ldrsw' : a.kind === K_PRFM ? 'prfm' : 'ldr'}\t${regName({ kind: a.kind, bytes: a.bytes }, a.rt)}, ${(pc + a.offset).toString(16)}`,
});

// ---------------------------------------------------------------- pairs

interface LdstPair {
  load: number;
  fp: number;
  bytes: number;
  signed: number;
  t: number;
  t2: number;
  n: number;
  rt: number;
  rt2: number;
  rn: number;
  offset: number;
  index: number;
  nonTemporal: number;
}

const LDSTP = insn<LdstPair>({
  name: 'LDSTP',
  pattern: 'opc:2 101 v:1 0 mode:2 l:1 imm7:7 rt2:5 rn:5 rt:5',
  guard: (f) => {
    if (f.opc === 3) return false;
    if (f.v === 0 && f.opc === 1 && (f.l === 0 || f.mode === 0)) return false; // STGP / no LDNPSW
    if (f.v === 1 && f.opc === 3) return false;
    return true;
  },
  prepare: (f) => {
    const fp = f.v!;
    const bytes = fp ? 4 << f.opc! : f.opc === 2 ? 8 : 4;
    const signed = fp === 0 && f.opc === 1 ? 1 : 0;
    const reg = (r: number): number => (fp ? r : f.l ? zrw(r) : zr(r));
    return {
      load: f.l!,
      fp,
      bytes,
      signed,
      t: reg(f.rt!),
      t2: reg(f.rt2!),
      n: sp(f.rn!),
      rt: f.rt!,
      rt2: f.rt2!,
      rn: f.rn!,
      offset: ((f.imm7! << 25) >> 25) * bytes,
      index: f.mode === 1 ? 1 : f.mode === 3 ? 2 : 0,
      nonTemporal: f.mode === 0 ? 1 : 0,
    };
  },
  exec(cpu, a) {
    const R = cpu.R;
    const blo = R[2 * a.n]!;
    const bhi = R[2 * a.n + 1]!;
    addOffset(blo, bhi, a.offset);
    const wlo = T.lo;
    const whi = T.hi;
    const lo = a.index === 1 ? blo : wlo;
    const hi = a.index === 1 ? bhi : whi;
    addOffset(lo, hi, a.bytes);
    const lo2 = T.lo;
    const hi2 = T.hi;
    if (a.fp) {
      if (a.load) {
        // Load both before writing either, so a fault in the second leaves the first unchanged.
        const save = cpu.V32.slice(4 * a.t, 4 * a.t + 4);
        fpLoad(cpu, a.t, a.bytes, lo, hi);
        try {
          fpLoad(cpu, a.t2, a.bytes, lo2, hi2);
        } catch (e) {
          cpu.V32.set(save, 4 * a.t);
          throw e;
        }
      } else {
        cpu.probeWrite(lo, hi, 2 * a.bytes);
        fpStore(cpu, a.t, a.bytes, lo, hi);
        fpStore(cpu, a.t2, a.bytes, lo2, hi2);
      }
    } else if (a.bytes === 8) {
      if (a.load) {
        cpu.load64(lo, hi);
        const v0 = cpu.l64lo;
        const v1 = cpu.l64hi;
        cpu.load64(lo2, hi2);
        R[2 * a.t] = v0;
        R[2 * a.t + 1] = v1;
        R[2 * a.t2] = cpu.l64lo;
        R[2 * a.t2 + 1] = cpu.l64hi;
      } else {
        cpu.probeWrite(lo, hi, 16);
        cpu.store64(lo, hi, R[2 * a.t]!, R[2 * a.t + 1]!);
        cpu.store64(lo2, hi2, R[2 * a.t2]!, R[2 * a.t2 + 1]!);
      }
    } else if (a.load) {
      const v0 = cpu.load32(lo, hi);
      const v1 = cpu.load32(lo2, hi2);
      R[2 * a.t] = v0;
      R[2 * a.t + 1] = a.signed ? v0 >> 31 : 0;
      R[2 * a.t2] = v1;
      R[2 * a.t2 + 1] = a.signed ? v1 >> 31 : 0;
    } else {
      cpu.probeWrite(lo, hi, 8);
      cpu.store32(lo, hi, R[2 * a.t]!);
      cpu.store32(lo2, hi2, R[2 * a.t2]!);
    }
    if (a.index !== 0) {
      R[2 * a.n] = wlo;
      R[2 * a.n + 1] = whi;
    }
  },
  disasm(a) {
    const name = `${a.load ? 'ld' : 'st'}${a.nonTemporal ? 'n' : ''}p${a.signed ? 'sw' : ''}`;
    const r = (x: number): string => (a.fp ? `${FP_NAMES[a.bytes]}${x}` : xname(x, a.bytes === 8 || a.signed ? 1 : 0, 'zr'));
    const rn = xname(a.rn, 1, 'sp');
    const addr = a.index === 1 ? `[${rn}], #${a.offset}` : a.index === 2 ? `[${rn}, #${a.offset}]!` : `[${rn}${a.offset ? `, #${a.offset}` : ''}]`;
    return `${name}\t${r(a.rt)}, ${r(a.rt2)}, ${addr}`;
  },
});

// ---------------------------------------------------------------- exclusives, acquire/release

interface Excl {
  size: number;
  bytes: number;
  load: number;
  pair: number;
  exclusive: number;
  acqrel: number;
  t: number;
  t2: number;
  s: number;
  n: number;
  rt: number;
  rt2: number;
  rs: number;
  rn: number;
}

/** Exclusive and ordered accesses must be aligned to their size: else an alignment fault. */
function checkAligned(lo: number, hi: number, bytes: number, write: boolean): void {
  if ((lo & (bytes - 1)) !== 0) throw new MemoryFault(FSC.ALIGNMENT, lo, hi, write, false);
}

const LDSTX = insn<Excl>({
  name: 'LDSTX',
  pattern: 'size:2 001000 o2:1 l:1 o1:1 rs:5 o0:1 rt2:5 rn:5 rt:5',
  guard: (f) => {
    // o2:o1 = 00 exclusive (single), 01 exclusive pair (size 1x), 10 ordered (LDAR/STLR, and
    // LDLAR/STLLR with o0=0), 11 is CAS (handled by its own row).
    if (f.o2 === 1 && f.o1 === 1) return false;
    if (f.o1 === 1 && f.size! < 2) return false;
    return true;
  },
  prepare: (f) => {
    const pair = f.o2 === 0 && f.o1 === 1 ? 1 : 0;
    const exclusive = f.o2 === 0 ? 1 : 0;
    const bytes = 1 << f.size!;
    const reg = (r: number): number => (f.l ? zrw(r) : zr(r));
    return {
      size: f.size!,
      bytes,
      load: f.l!,
      pair,
      exclusive,
      acqrel: f.o0!,
      t: reg(f.rt!),
      t2: reg(f.rt2!),
      s: zrw(f.rs!),
      n: sp(f.rn!),
      rt: f.rt!,
      rt2: f.rt2!,
      rs: f.rs!,
      rn: f.rn!,
    };
  },
  exec(cpu, a) {
    const R = cpu.R;
    const lo = R[2 * a.n]!;
    const hi = R[2 * a.n + 1]!;
    const total = a.pair ? 2 * a.bytes : a.bytes;
    if (a.load) {
      checkAligned(lo, hi, total, false);
      if (a.pair) {
        const lo2 = (lo + a.bytes) | 0;
        transfer(cpu, K_LDR, a.bytes, a.t, lo, hi);
        transfer(cpu, K_LDR, a.bytes, a.t2, lo2, hi);
      } else transfer(cpu, K_LDR, a.bytes, a.t, lo, hi);
      if (a.exclusive) {
        cpu.exclusiveLo = lo;
        cpu.exclusiveHi = hi;
      }
      return;
    }
    checkAligned(lo, hi, total, true);
    if (a.exclusive && (cpu.exclusiveLo !== lo || cpu.exclusiveHi !== hi)) {
      // The store happens only if the monitor still covers this address; Rs gets 0 or 1.
      cpu.exclusiveLo = -1;
      R[2 * a.s] = 1;
      R[2 * a.s + 1] = 0;
      return;
    }
    if (a.pair) {
      cpu.probeWrite(lo, hi, total);
      transfer(cpu, K_STR, a.bytes, a.t, lo, hi);
      transfer(cpu, K_STR, a.bytes, a.t2, (lo + a.bytes) | 0, hi);
    } else transfer(cpu, K_STR, a.bytes, a.t, lo, hi);
    if (a.exclusive) {
      // Cleared after the store: a debugger's watchpoint stops before the store, and the
      // instruction, run again, must still find the monitor set.
      cpu.exclusiveLo = -1;
      R[2 * a.s] = 0;
      R[2 * a.s + 1] = 0;
    }
  },
  disasm(a) {
    const sfx = a.size === 0 ? 'b' : a.size === 1 ? 'h' : '';
    const x = a.size === 3 ? 1 : 0;
    const rn = `[${xname(a.rn, 1, 'sp')}]`;
    if (!a.exclusive) {
      const name = a.load ? (a.acqrel ? 'ldar' : 'ldlar') : a.acqrel ? 'stlr' : 'stllr';
      return `${name}${sfx}\t${xname(a.rt, x, 'zr')}, ${rn}`;
    }
    const base = `${a.load ? 'ld' : 'st'}${a.acqrel ? (a.load ? 'a' : 'l') : ''}x${a.pair ? 'p' : 'r'}${sfx}`;
    const regs = a.pair ? `${xname(a.rt, x, 'zr')}, ${xname(a.rt2, x, 'zr')}` : xname(a.rt, x, 'zr');
    return a.load ? `${base}\t${regs}, ${rn}` : `${base}\t${xname(a.rs, 0, 'zr')}, ${regs}, ${rn}`;
  },
});

// ---------------------------------------------------------------- ARMv8.1 atomics

interface Atomic {
  bytes: number;
  size: number;
  op: number;
  swap: number;
  acquire: number;
  release: number;
  t: number;
  s: number;
  n: number;
  rt: number;
  rs: number;
  rn: number;
}

const ATOMIC_NAMES = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'];

/** Read-modify-write of a 1/2/4/8-byte value, split into halves. */
const LDATOMIC = insn<Atomic>({
  name: 'LDATOMIC',
  pattern: 'size:2 111 0 00 a:1 r:1 1 rs:5 o3:1 opc:3 00 rn:5 rt:5',
  guard: (f) => f.o3 === 0 || f.opc === 0,
  prepare: (f) => ({
    bytes: 1 << f.size!,
    size: f.size!,
    op: f.opc!,
    swap: f.o3!,
    acquire: f.a!,
    release: f.r!,
    t: zrw(f.rt!),
    s: zr(f.rs!),
    n: sp(f.rn!),
    rt: f.rt!,
    rs: f.rs!,
    rn: f.rn!,
  }),
  exec(cpu, a) {
    const R = cpu.R;
    const lo = R[2 * a.n]!;
    const hi = R[2 * a.n + 1]!;
    checkAligned(lo, hi, a.bytes, true);
    cpu.probeWrite(lo, hi, a.bytes);
    const X = cpu.X;
    const bits = BigInt(8 * a.bytes);
    const mask = (1n << bits) - 1n;
    transfer(cpu, K_LDR, a.bytes, SCRATCH0, lo, hi);
    const old = X[SCRATCH0]! & mask;
    const operand = X[a.s]! & mask;
    let result: bigint;
    if (a.swap) result = operand;
    else {
      const sOld = BigInt.asIntN(Number(bits), old);
      const sOp = BigInt.asIntN(Number(bits), operand);
      switch (a.op) {
        case 0:
          result = old + operand;
          break;
        case 1:
          result = old & ~operand;
          break;
        case 2:
          result = old ^ operand;
          break;
        case 3:
          result = old | operand;
          break;
        case 4:
          result = sOld > sOp ? old : operand;
          break;
        case 5:
          result = sOld < sOp ? old : operand;
          break;
        case 6:
          result = old > operand ? old : operand;
          break;
        default:
          result = old < operand ? old : operand;
      }
    }
    X[SCRATCH1] = result & mask;
    transfer(cpu, K_STR, a.bytes, SCRATCH1, lo, hi);
    X[a.t] = old;
  },
  disasm(a) {
    const sfx = `${a.acquire ? 'a' : ''}${a.release ? 'l' : ''}${a.size === 0 ? 'b' : a.size === 1 ? 'h' : ''}`;
    const x = a.size === 3 ? 1 : 0;
    const name = a.swap ? 'swp' : a.rt === 31 && !a.acquire ? `st${ATOMIC_NAMES[a.op]}` : `ld${ATOMIC_NAMES[a.op]}`;
    if (!a.swap && a.rt === 31 && !a.acquire) return `${name}${sfx}\t${xname(a.rs, x, 'zr')}, [${xname(a.rn, 1, 'sp')}]`;
    return `${name}${sfx}\t${xname(a.rs, x, 'zr')}, ${xname(a.rt, x, 'zr')}, [${xname(a.rn, 1, 'sp')}]`;
  },
});

interface Cas {
  bytes: number;
  size: number;
  pair: number;
  acquire: number;
  release: number;
  s: number;
  t: number;
  n: number;
  rs: number;
  rt: number;
  rn: number;
}

function casExec(cpu: Cpu, a: Cas): void {
  const R = cpu.R;
  const X = cpu.X;
  const lo = R[2 * a.n]!;
  const hi = R[2 * a.n + 1]!;
  const total = a.pair ? 2 * a.bytes : a.bytes;
  checkAligned(lo, hi, total, true);
  cpu.probeWrite(lo, hi, total);
  const mask = (1n << BigInt(8 * a.bytes)) - 1n;
  if (!a.pair) {
    transfer(cpu, K_LDR, a.bytes, SCRATCH0, lo, hi);
    const old = X[SCRATCH0]! & mask;
    if (old === (X[a.s]! & mask)) transfer(cpu, K_STR, a.bytes, a.t, lo, hi);
    if (a.s !== 32) X[a.s] = old;
    return;
  }
  // CASP: Rs,Rs+1 compared with memory; Rt,Rt+1 stored.
  const lo2 = (lo + a.bytes) | 0;
  transfer(cpu, K_LDR, a.bytes, SCRATCH0, lo, hi);
  transfer(cpu, K_LDR, a.bytes, SCRATCH1, lo2, hi);
  const o0 = X[SCRATCH0]! & mask;
  const o1 = X[SCRATCH1]! & mask;
  // The second register of a pair: X(r+1), where r+1 = 31 is XZR.
  const s1 = a.s === 32 || a.s === 30 ? 32 : a.s + 1;
  const t1 = a.t === 32 || a.t === 30 ? 32 : a.t + 1;
  if (o0 === (X[a.s]! & mask) && o1 === (X[s1]! & mask)) {
    transfer(cpu, K_STR, a.bytes, a.t, lo, hi);
    transfer(cpu, K_STR, a.bytes, t1, lo2, hi);
  }
  if (a.s !== 32) X[a.s] = o0;
  if (s1 !== 32) X[s1] = o1;
}

const CAS = insn<Cas>({
  name: 'CAS',
  pattern: 'size:2 001000 1 l:1 1 rs:5 o0:1 11111 rn:5 rt:5',
  prepare: (f) => ({ bytes: 1 << f.size!, size: f.size!, pair: 0, acquire: f.l!, release: f.o0!, s: zr(f.rs!), t: zr(f.rt!), n: sp(f.rn!), rs: f.rs!, rt: f.rt!, rn: f.rn! }),
  exec: casExec,
  disasm(a) {
    const sfx = `${a.acquire ? 'a' : ''}${a.release ? 'l' : ''}${a.size === 0 ? 'b' : a.size === 1 ? 'h' : ''}`;
    const x = a.size === 3 ? 1 : 0;
    return `cas${sfx}\t${xname(a.rs, x, 'zr')}, ${xname(a.rt, x, 'zr')}, [${xname(a.rn, 1, 'sp')}]`;
  },
});

const CASP = insn<Cas>({
  name: 'CASP',
  pattern: '0 sz:1 001000 0 l:1 1 rs:5 o0:1 11111 rn:5 rt:5',
  guard: (f) => (f.rs! & 1) === 0 && (f.rt! & 1) === 0,
  prepare: (f) => ({ bytes: 4 << f.sz!, size: 2 + f.sz!, pair: 1, acquire: f.l!, release: f.o0!, s: zr(f.rs!), t: zr(f.rt!), n: sp(f.rn!), rs: f.rs!, rt: f.rt!, rn: f.rn! }),
  exec: casExec,
  disasm(a) {
    const sfx = `${a.acquire ? 'a' : ''}${a.release ? 'l' : ''}`;
    const x = a.size === 3 ? 1 : 0;
    const r = (n: number): string => `${xname(n, x, 'zr')}, ${xname(n === 31 ? 31 : n + 1, x, 'zr')}`;
    return `casp${sfx}\t${r(a.rs)}, ${r(a.rt)}, [${xname(a.rn, 1, 'sp')}]`;
  },
});

export const LDST: AnyInsnDef[] = [LDST_ui, LDST_imm9, LDST_reg, LDR_lit, LDSTP, LDSTX, LDATOMIC, CAS, CASP];
