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
  /** The PC as a number when it is within ±2^53 (else NaN, and `pc` holds it): switches make no BigInt. */
  readonly pcNumber: number;
  setPcNumber(pc: number): void;
  nzcv: number;
  tpidr: bigint;
  tpidrro: bigint;
  fpcr: number;
  fpsr: number;
  /** V0–V31, 16 bytes each, little-endian. */
  v: Uint8Array;
}

/** 2^53: PCs from here up do not fit a number. */
const PC_LIMIT = 1n << 53n;

class Context implements UserContext {
  readonly x = new BigUint64Array(32);
  readonly x32 = new Int32Array(this.x.buffer);
  pcNumber = 0;
  /** The PC when `pcNumber` cannot hold it. */
  private pcWide: bigint | undefined = undefined;
  nzcv = 0;
  tpidr = 0n;
  tpidrro = 0n;
  fpcr = 0;
  fpsr = 0;
  readonly v = new Uint8Array(512);

  get pc(): bigint {
    return this.pcWide ?? BigInt(this.pcNumber);
  }

  set pc(value: bigint) {
    if (value > -PC_LIMIT && value < PC_LIMIT) this.setPcNumber(Number(value));
    else {
      this.pcNumber = Number.NaN;
      this.pcWide = value;
    }
  }

  setPcNumber(pc: number): void {
    this.pcNumber = pc;
    this.pcWide = undefined;
  }
}

export function newUserContext(): UserContext {
  return new Context();
}

// Thread pointers are usually 0: no BigInt work then (a context switch does this twice).
const halves = (lo: number, hi: number): bigint => ((lo | hi) === 0 ? 0n : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
const lowHalf = (v: bigint): number => (v === 0n ? 0 : Number(v & 0xffffffffn) | 0);
const highHalf = (v: bigint): number => (v === 0n ? 0 : Number(v >> 32n) | 0);

/*
 * Lazy FP/SIMD switching. The CPU holds the V registers, FPCR and FPSR of one context, its
 * `fpOwner`: the last one that ran an instruction touching them. Loading another context does
 * not copy them; its first such instruction does (`loadFpState`, from the interpreter's
 * handler and the block compiler's code, before the instruction: no trap, nothing a program or
 * a trace can see). So threads that never use FP/SIMD, most Microkit PDs, switch without
 * copying 1 KiB. The owner's context is kept complete whenever the owner is not loaded (saving
 * it copies them, restoring it copies them back), so a reader or writer of a saved context
 * (the kernel, GDB) sees and sets the thread's values, and loading another context's state
 * never has to write the owner's back.
 */

/**
 * Whether an instruction word reads or writes V0–V31, FPCR or FPSR: bits [27:26] = 11 (the
 * SIMD&FP loads and stores, whose V bit is 26, and the SIMD&FP data-processing group), and
 * MRS/MSR of FPCR and FPSR (op0 3, op1 3, CRn 4, CRm 4, op2 0 or 1).
 */
export function usesFpState(word: number): boolean {
  return ((word >>> 26) & 3) === 3 || (word & 0xffdf_ffc0) >>> 0 === 0xd51b_4400;
}

/** Make the CPU hold the FP/SIMD state of the context loaded now (`fpNext`). */
export function loadFpState(cpu: Cpu): void {
  const ctx = cpu.fpNext!;
  cpu.fpcr = ctx.fpcr;
  cpu.fpsr = ctx.fpsr;
  cpu.userV.set(ctx.v);
  cpu.fpOwner = ctx;
  cpu.fpStale = false;
}

/** Copy the CPU's state into `ctx` (the FP/SIMD state only when the CPU holds `ctx`'s). */
export function saveContext(cpu: Cpu, ctx: UserContext): void {
  ctx.x.set(cpu.userX);
  ctx.setPcNumber(cpu.pc);
  ctx.nzcv = cpu.nzcv >>> 0;
  ctx.tpidr = halves(cpu.tpidrLo, cpu.tpidrHi);
  ctx.tpidrro = halves(cpu.tpidrroLo, cpu.tpidrroHi);
  if (ctx === cpu.fpOwner) {
    ctx.fpcr = cpu.fpcr;
    ctx.fpsr = cpu.fpsr;
    ctx.v.set(cpu.userV);
  }
}

/**
 * Load `ctx` into the CPU. The PC must be below 2^53 (every address a 48-bit VA space
 * can hold); a larger one is replaced by a value that faults on fetch as a translation fault.
 * The FP/SIMD state is copied only when the CPU holds `ctx`'s (it may have been written);
 * otherwise its first use loads it.
 */
export function restoreContext(cpu: Cpu, ctx: UserContext): void {
  cpu.userX.set(ctx.x);
  const pc = ctx.pcNumber;
  cpu.pc = !Number.isNaN(pc) ? pc : ctx.pc < PC_LIMIT ? Number(ctx.pc) : 2 ** 53 - 4;
  cpu.nzcv = ctx.nzcv;
  cpu.tpidrLo = lowHalf(ctx.tpidr);
  cpu.tpidrHi = highHalf(ctx.tpidr);
  cpu.tpidrroLo = lowHalf(ctx.tpidrro);
  cpu.tpidrroHi = highHalf(ctx.tpidrro);
  cpu.fpNext = ctx;
  if (ctx === cpu.fpOwner) {
    cpu.fpcr = ctx.fpcr;
    cpu.fpsr = ctx.fpsr;
    cpu.userV.set(ctx.v);
    cpu.fpStale = false;
  } else cpu.fpStale = true;
}
