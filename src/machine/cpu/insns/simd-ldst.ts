import { addOffset, T } from '../alu.js';
import type { Cpu } from '../cpu.js';
import { ELEM_LETTER, ESIZE, vreg } from './simd-lanes.js';
import { insn, sp, xname, zr, type AnyInsnDef } from './types.js';

/** Advanced SIMD load/store of multiple and single structures (LD1–LD4, ST1–ST4, LDnR). */

function loadElement(cpu: Cpu, t: number, ebytes: number, index: number, lo: number, hi: number): void {
  switch (ebytes) {
    case 1:
      cpu.V8[16 * t + index] = cpu.load8(lo, hi);
      return;
    case 2:
      cpu.V16[8 * t + index] = cpu.load16(lo, hi);
      return;
    case 4:
      cpu.V32[4 * t + index] = cpu.load32(lo, hi);
      return;
    default:
      cpu.load64(lo, hi);
      cpu.V32[4 * t + 2 * index] = cpu.l64lo;
      cpu.V32[4 * t + 2 * index + 1] = cpu.l64hi;
  }
}

function storeElement(cpu: Cpu, t: number, ebytes: number, index: number, lo: number, hi: number): void {
  switch (ebytes) {
    case 1:
      cpu.store8(lo, hi, cpu.V8[16 * t + index]!);
      return;
    case 2:
      cpu.store16(lo, hi, cpu.V16[8 * t + index]!);
      return;
    case 4:
      cpu.store32(lo, hi, cpu.V32[4 * t + index]! | 0);
      return;
    default:
      cpu.store64(lo, hi, cpu.V32[4 * t + 2 * index]! | 0, cpu.V32[4 * t + 2 * index + 1]! | 0);
  }
}

/** Post-index writeback: by the register m, or (m = 31) by the bytes transferred. */
function writeback(cpu: Cpu, n: number, m: number, post: number, total: number): void {
  if (!post) return;
  const R = cpu.R;
  const lo = R[2 * n]!;
  const hi = R[2 * n + 1]!;
  if (m === 31) addOffset(lo, hi, total);
  else {
    const ml = R[2 * m]!;
    const s = (lo >>> 0) + (ml >>> 0);
    T.lo = s | 0;
    T.hi = (hi + R[2 * m + 1]! + (s > 0xffffffff ? 1 : 0)) | 0;
  }
  R[2 * n] = T.lo;
  R[2 * n + 1] = T.hi;
}

// ---------------------------------------------------------------- multiple structures

interface Multi {
  q: number;
  load: number;
  esize: number;
  regs: number;
  selem: number;
  t: number;
  n: number;
  m: number;
  post: number;
  rn: number;
}

/** opcode → [registers, elements per structure] */
const MULTI: Record<number, [number, number]> = { 0: [4, 4], 2: [4, 1], 4: [3, 3], 6: [3, 1], 7: [1, 1], 8: [2, 2], 10: [2, 1] };

function multiExec(cpu: Cpu, a: Multi): void {
  const R = cpu.R;
  const blo = R[2 * a.n]!;
  const bhi = R[2 * a.n + 1]!;
  const ebytes = a.esize / 8;
  const elements = (a.q ? 16 : 8) / ebytes;
  const repeats = a.regs / a.selem; // LD1 with several registers: consecutive blocks
  let offset = 0;
  if (!a.load) cpu.probeWrite(blo, bhi, a.regs * (a.q ? 16 : 8));
  for (let r = 0; r < repeats; r++) {
    for (let e = 0; e < elements; e++) {
      for (let s = 0; s < a.selem; s++) {
        const t = (a.t + r * a.selem + s) % 32;
        addOffset(blo, bhi, offset);
        if (a.load) loadElement(cpu, t, ebytes, e, T.lo, T.hi);
        else storeElement(cpu, t, ebytes, e, T.lo, T.hi);
        offset += ebytes;
      }
    }
  }
  if (a.load && !a.q) {
    for (let k = 0; k < a.regs; k++) {
      const t = (a.t + k) % 32;
      cpu.V32[4 * t + 2] = 0;
      cpu.V32[4 * t + 3] = 0;
    }
  }
  writeback(cpu, a.n, a.m, a.post, offset);
}

/** A register list as objdump prints it: a range for three or more consecutive registers. */
function regList(t: number, count: number, fmt: (r: number) => string): string {
  if (count > 2 && t + count <= 32) return `${fmt(t)}-${fmt(t + count - 1)}`;
  return Array.from({ length: count }, (_, k) => fmt((t + k) % 32)).join(', ');
}

function multiText(a: Multi): string {
  const name = `${a.load ? 'ld' : 'st'}${a.selem}`;
  const regs = regList(a.t, a.regs, (r) => vreg(r, a.esize, a.q));
  const rn = xname(a.rn, 1, 'sp');
  const post = a.post ? (a.m === 31 ? `, #${a.regs * (a.q ? 16 : 8)}` : `, ${xname(a.m, 1, 'zr')}`) : '';
  return `${name}\t{${regs}}, [${rn}]${post}`;
}

const multiGuard = (f: Record<string, number>): boolean => {
  const spec = MULTI[f.opcode!];
  if (!spec) return false;
  return !(f.size === 3 && f.q === 0 && spec[1] !== 1);
};

function multiArgs(f: Record<string, number>, post: number): Multi {
  const [regs, selem] = MULTI[f.opcode!]!;
  return { q: f.q!, load: f.l!, esize: ESIZE[f.size!]!, regs, selem, t: f.rt!, n: sp(f.rn!), m: post ? f.rm! : 31, post, rn: f.rn! };
}

const SIMD_LDST_MULTI = insn<Multi>({
  name: 'SIMD_LDST_MULTI',
  pattern: '0 q:1 0011000 l:1 000000 opcode:4 size:2 rn:5 rt:5',
  guard: multiGuard,
  prepare: (f) => multiArgs(f, 0),
  exec: multiExec,
  disasm: multiText,
});

const SIMD_LDST_MULTI_POST = insn<Multi>({
  name: 'SIMD_LDST_MULTI_POST',
  pattern: '0 q:1 0011001 l:1 0 rm:5 opcode:4 size:2 rn:5 rt:5',
  guard: multiGuard,
  prepare: (f) => multiArgs(f, 1),
  exec(cpu, a) {
    multiExec(cpu, { ...a, m: a.m === 31 ? 31 : zr(a.m) });
  },
  disasm: multiText,
});

// ---------------------------------------------------------------- single structure

interface Single {
  q: number;
  load: number;
  replicate: number;
  esize: number;
  selem: number;
  index: number;
  t: number;
  n: number;
  m: number;
  post: number;
  rn: number;
}

function singleArgs(f: Record<string, number>, post: number): Single | undefined {
  const opcode = f.opcode!;
  const selem = (((opcode & 1) << 1) | f.r!) + 1;
  const scale = opcode >> 1;
  let index: number;
  let esize: number;
  switch (scale) {
    case 0:
      esize = 8;
      index = (f.q! << 3) | (f.s! << 2) | f.size!;
      break;
    case 1:
      if (f.size! & 1) return undefined;
      esize = 16;
      index = (f.q! << 2) | (f.s! << 1) | (f.size! >> 1);
      break;
    case 2:
      if (f.size! & 2) return undefined;
      if (f.size === 0) {
        esize = 32;
        index = (f.q! << 1) | f.s!;
      } else {
        if (f.s) return undefined;
        esize = 64;
        index = f.q!;
      }
      break;
    default:
      if (!f.l || f.s) return undefined;
      esize = ESIZE[f.size!]!;
      index = 0;
  }
  return { q: f.q!, load: f.l!, replicate: scale === 3 ? 1 : 0, esize, selem, index, t: f.rt!, n: sp(f.rn!), m: post ? f.rm! : 31, post, rn: f.rn! };
}

function singleExec(cpu: Cpu, a: Single): void {
  const R = cpu.R;
  const blo = R[2 * a.n]!;
  const bhi = R[2 * a.n + 1]!;
  const ebytes = a.esize / 8;
  if (!a.load) cpu.probeWrite(blo, bhi, a.selem * ebytes);
  for (let s = 0; s < a.selem; s++) {
    const t = (a.t + s) % 32;
    addOffset(blo, bhi, s * ebytes);
    if (a.replicate) {
      loadElement(cpu, t, ebytes, 0, T.lo, T.hi);
      const elements = (a.q ? 16 : 8) / ebytes;
      for (let e = 1; e < elements; e++) {
        if (ebytes === 8) {
          cpu.V32[4 * t + 2 * e] = cpu.V32[4 * t]!;
          cpu.V32[4 * t + 2 * e + 1] = cpu.V32[4 * t + 1]!;
        } else if (ebytes === 4) cpu.V32[4 * t + e] = cpu.V32[4 * t]!;
        else if (ebytes === 2) cpu.V16[8 * t + e] = cpu.V16[8 * t]!;
        else cpu.V8[16 * t + e] = cpu.V8[16 * t]!;
      }
      if (!a.q) {
        cpu.V32[4 * t + 2] = 0;
        cpu.V32[4 * t + 3] = 0;
      }
    } else if (a.load) loadElement(cpu, t, ebytes, a.index, T.lo, T.hi);
    else storeElement(cpu, t, ebytes, a.index, T.lo, T.hi);
  }
  writeback(cpu, a.n, a.m === 31 ? 31 : zr(a.m), a.post, a.selem * ebytes);
}

function singleText(a: Single): string {
  const rn = xname(a.rn, 1, 'sp');
  const post = a.post ? (a.m === 31 ? `, #${a.selem * (a.esize / 8)}` : `, ${xname(a.m, 1, 'zr')}`) : '';
  if (a.replicate) {
    const regs = regList(a.t, a.selem, (r) => vreg(r, a.esize, a.q));
    return `ld${a.selem}r\t{${regs}}, [${rn}]${post}`;
  }
  const regs = regList(a.t, a.selem, (r) => `v${r}.${ELEM_LETTER[a.esize]}`);
  return `${a.load ? 'ld' : 'st'}${a.selem}\t{${regs}}[${a.index}], [${rn}]${post}`;
}

const SIMD_LDST_SINGLE = insn<Single>({
  name: 'SIMD_LDST_SINGLE',
  pattern: '0 q:1 0011010 l:1 r:1 00000 opcode:3 s:1 size:2 rn:5 rt:5',
  guard: (f) => singleArgs(f, 0) !== undefined,
  prepare: (f) => singleArgs(f, 0)!,
  exec: singleExec,
  disasm: singleText,
});

const SIMD_LDST_SINGLE_POST = insn<Single>({
  name: 'SIMD_LDST_SINGLE_POST',
  pattern: '0 q:1 0011011 l:1 r:1 rm:5 opcode:3 s:1 size:2 rn:5 rt:5',
  guard: (f) => singleArgs(f, 1) !== undefined,
  prepare: (f) => singleArgs(f, 1)!,
  exec: singleExec,
  disasm: singleText,
});

export const SIMD_LDST: AnyInsnDef[] = [SIMD_LDST_MULTI, SIMD_LDST_MULTI_POST, SIMD_LDST_SINGLE, SIMD_LDST_SINGLE_POST];
