import type { Cpu } from './cpu.js';

/**
 * The EL0 register context of a thread, as a kernel saves and restores it on a switch:
 * X0–X30, SP_EL0, the PC (ELR_EL1), NZCV (SPSR_EL1), TPIDR_EL0, TPIDRRO_EL0, FPCR, FPSR and
 * V0–V31. Values are unsigned 64-bit BigInts.
 */
export interface UserContext {
  /** X0–X30 then SP_EL0: 32 entries. */
  x: BigUint64Array;
  /** The same bytes as 32-bit halves (low at 2 i, high at 2 i + 1): reads that allocate no BigInt. */
  x32: Int32Array;
  pc: bigint;
  nzcv: number;
  tpidr: bigint;
  tpidrro: bigint;
  fpcr: number;
  fpsr: number;
  /** V0–V31, 16 bytes each, little-endian. */
  v: Uint8Array;
}

export function newUserContext(): UserContext {
  const x = new BigUint64Array(32);
  return { x, x32: new Int32Array(x.buffer), pc: 0n, nzcv: 0, tpidr: 0n, tpidrro: 0n, fpcr: 0, fpsr: 0, v: new Uint8Array(512) };
}

/** 2^53: PCs from here up do not fit a number. */
const PC_LIMIT = 1n << 53n;

// Thread pointers are usually 0: no BigInt work then (a context switch does this twice).
const halves = (lo: number, hi: number): bigint => ((lo | hi) === 0 ? 0n : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
const lowHalf = (v: bigint): number => (v === 0n ? 0 : Number(v & 0xffffffffn) | 0);
const highHalf = (v: bigint): number => (v === 0n ? 0 : Number(v >> 32n) | 0);

/** Copy the CPU's state into `ctx`. */
export function saveContext(cpu: Cpu, ctx: UserContext): void {
  ctx.x.set(cpu.userX);
  ctx.pc = BigInt(cpu.pc);
  ctx.nzcv = cpu.nzcv >>> 0;
  ctx.tpidr = halves(cpu.tpidrLo, cpu.tpidrHi);
  ctx.tpidrro = halves(cpu.tpidrroLo, cpu.tpidrroHi);
  ctx.fpcr = cpu.fpcr;
  ctx.fpsr = cpu.fpsr;
  ctx.v.set(cpu.userV);
}

/**
 * Load `ctx` into the CPU. The PC must be below 2^53 (every address a 48-bit VA space
 * can hold); a larger one is replaced by a value that faults on fetch as a translation fault.
 */
export function restoreContext(cpu: Cpu, ctx: UserContext): void {
  cpu.userX.set(ctx.x);
  cpu.pc = ctx.pc < PC_LIMIT ? Number(ctx.pc) : 2 ** 53 - 4;
  cpu.nzcv = ctx.nzcv;
  cpu.tpidrLo = lowHalf(ctx.tpidr);
  cpu.tpidrHi = highHalf(ctx.tpidr);
  cpu.tpidrroLo = lowHalf(ctx.tpidrro);
  cpu.tpidrroHi = highHalf(ctx.tpidrro);
  cpu.fpcr = ctx.fpcr;
  cpu.fpsr = ctx.fpsr;
  cpu.userV.set(ctx.v);
}
