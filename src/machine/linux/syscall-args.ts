import type { LinuxProcess } from './process.js';

const TWO32 = 4294967296;

/** The six argument registers X0–X5 of a system call, read the ways the calls need them. */
export class SyscallArgs {
  constructor(private readonly R: Int32Array) {}

  /** Unsigned (addresses, sizes, flags); exact below 2^53. */
  u(i: number): number {
    return (this.R[2 * i + 1]! >>> 0) * TWO32 + (this.R[2 * i]! >>> 0);
  }

  /** The low 32 bits, signed (an `int`: file descriptors, AT_FDCWD). */
  int(i: number): number {
    return this.R[2 * i]! | 0;
  }

  /** Signed 64-bit (an `off_t`); exact within ±2^53. */
  s64(i: number): number {
    return (this.R[2 * i + 1]! | 0) * TWO32 + (this.R[2 * i]! >>> 0);
  }

  /** The whole register, for --trace-syscalls. */
  raw(i: number): bigint {
    return (BigInt(this.R[2 * i + 1]! >>> 0) << 32n) | BigInt(this.R[2 * i]! >>> 0);
  }
}

/** One system call: its argument count (for the trace) and what it does; returns X0. */
export interface SyscallDef {
  args: number;
  run(p: LinuxProcess, a: SyscallArgs): number;
}
