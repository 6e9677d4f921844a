/**
 * What the GDB stub debugs, independent of the machine model: processes (protection domains)
 * with threads, registers in GDB's AArch64 numbering, memory per process, break- and
 * watchpoints, and execution control. `sel4-target.ts` implements it over the machine and
 * kernel models; tests implement it with a fake.
 */

/** A thread as the multiprocess extensions name it: `p<pid>.<tid>` (both ≥ 1). */
export interface ThreadId {
  pid: number;
  tid: number;
}

export interface TargetThread extends ThreadId {
  /** The protection domain's name (shown by `info threads` and `info os processes`). */
  name: string;
  /** The absolute path of the PD's ELF, if known (`qXfer:exec-file:read`: GDB loads it into the inferior). */
  executable?: string;
}

/** Z/z packet types: 0 software breakpoint, 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint. */
export type PointKind = 0 | 1 | 2 | 3 | 4;

/** Why the target stopped: the stop reply GDB gets. */
export type StopEvent =
  | {
      kind: 'signal';
      /** GDB's signal number: 5 SIGTRAP, 2 SIGINT, 11 SIGSEGV, 4 SIGILL, 7 SIGBUS. */
      signal: number;
      thread: ThreadId;
      /** A breakpoint stop: `swbreak` or `hwbreak`. */
      breakpoint?: 'swbreak' | 'hwbreak';
      /** A watchpoint stop: which kind and the data address. */
      watch?: { kind: 'watch' | 'rwatch' | 'awatch'; address: bigint };
      /** A fault stop: Linux's si_code and si_addr for it (`qXfer:siginfo:read`, GDB's `$_siginfo`). */
      siginfo?: { code: number; address: bigint };
    }
  /** The run ended (the system halted, its time limit, or it idles for good). */
  | { kind: 'exited'; code: number };

/** GDB's AArch64 register numbers: x0–x30 0–30, sp 31, pc 32, cpsr 33, v0–v31 34–65, fpsr 66, fpcr 67. */
export const REG = { SP: 31, PC: 32, CPSR: 33, V0: 34, FPSR: 66, FPCR: 67, COUNT: 68 } as const;

/** The size in bytes of register `n`. */
export function registerSize(n: number): number {
  if (n < REG.CPSR) return 8;
  if (n === REG.CPSR || n === REG.FPSR || n === REG.FPCR) return 4;
  return 16;
}

export interface GdbTarget {
  threads(): TargetThread[];
  /** Register `n` of a thread, or undefined for an unknown thread or register. */
  readRegister(thread: ThreadId, n: number): bigint | undefined;
  writeRegister(thread: ThreadId, n: number, value: bigint): boolean;
  /** Memory of a process: the bytes up to the first unmapped one (empty: none readable). */
  readMemory(pid: number, address: bigint, length: number): Uint8Array;
  /** False (and nothing written) when any byte is unmapped. */
  writeMemory(pid: number, address: bigint, bytes: Uint8Array): boolean;
  /** False when the address is unmapped in that process, or the kind is not supported. */
  insertPoint(kind: PointKind, pid: number, address: bigint, length: number): boolean;
  removePoint(kind: PointKind, pid: number, address: bigint, length: number): boolean;
  /**
   * Run: everything (`step` undefined), or one instruction of `step`'s thread. The target
   * calls the stub's `stopped` when it stops again.
   */
  resume(step: ThreadId | undefined): void;
  /** Stop a running target soon (GDB's Ctrl-C): it reports SIGINT through `stopped`. */
  interrupt(): void;
  /** The debugger leaves: breakpoints go, the run goes on by itself. */
  detach(): void;
  /** `kill`: end the run. */
  kill(): void;
  /** A `monitor` command's output. */
  monitor(command: string): string;
}
