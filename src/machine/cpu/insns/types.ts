import type { Cpu } from '../cpu.js';
import { SP, ZR, ZR_SINK } from '../slots.js';
import type { Fields } from '../decode.js';

/**
 * One row of the instruction table: the encoding, the semantics and the disassembly of one
 * A64 instruction form. `name` follows the ARM ARM / QEMU decodetree naming (`ADD_i`,
 * `LDR_ui`, `B_cond`).
 */
export interface InsnDef<A = unknown> {
  name: string;
  pattern: string;
  /** False for field values the ARM ARM marks UNALLOCATED within this pattern. */
  guard?: (f: Fields) => boolean;
  /** The handler's argument record, computed once per decoded instruction. */
  prepare: (f: Fields) => A;
  exec: (cpu: Cpu, a: A) => void;
  /** Picks a specialised handler for one decoded instance (instead of `exec`). */
  execFor?: (a: A) => (cpu: Cpu, a: A) => void;
  /** objdump-style text; `pc` is the instruction's address. */
  disasm: (a: A, pc: number) => string;
}

// biome-ignore lint/suspicious/noExplicitAny: `A` is inferred per row; the table holds rows of different argument types.
export type AnyInsnDef = InsnDef<any>;

export function insn<A>(def: InsnDef<A>): InsnDef<A> {
  return def;
}

/** The register slot a field selects when 31 means the zero register (for reads). */
export function zr(n: number): number {
  return n === 31 ? ZR : n;
}

/** The slot for writing when 31 means the zero register: writes go to a sink. */
export function zrw(n: number): number {
  return n === 31 ? ZR_SINK : n;
}

/** The slot when 31 means SP. */
export function sp(n: number): number {
  return n === 31 ? SP : n;
}

/** Register names as objdump prints them. */
export function xname(n: number, sf: number, kind: 'zr' | 'sp'): string {
  if (n === 31) return kind === 'sp' ? (sf ? 'sp' : 'wsp') : sf ? 'xzr' : 'wzr';
  return `${sf ? 'x' : 'w'}${n}`;
}

export function hex(v: number | bigint): string {
  const n = typeof v === 'bigint' ? v : BigInt(v);
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** objdump's immediate: `#0x10` for non-negative, `#-16` for negative. */
export function imm(v: number | bigint): string {
  const n = typeof v === 'bigint' ? v : BigInt(v);
  return n < 0n ? `#${n}` : `#0x${n.toString(16)}`;
}

export const CONDITIONS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];
