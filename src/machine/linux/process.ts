import type { Cpu } from '../cpu/cpu.js';
import type { FlatSpace } from '../memory/flat-space.js';
import { EFAULT, ENAMETOOLONG } from './errno.js';
import type { FdTable, HostFileSystem } from './files.js';
import type { DeterministicRandom } from './deterministic-random.js';
import type { ProcessMemory } from './process-memory.js';

/** The identity a program sees (getpid, getuid…): fixed, so that runs are reproducible. */
export const PID = 1000;
export const PPID = 1;
export const UID = 1000;
export const GID = 1000;

/** What ends a run from inside a system call. */
export type SyscallEnd = { kind: 'exit'; code: number } | { kind: 'killed'; signal: number; message: string } | { kind: 'deadlock'; message: string };

/** The state of the one-thread Linux process a program runs as. */
export interface LinuxProcess {
  cpu: Cpu;
  space: FlatSpace;
  memory: ProcessMemory;
  files: FdTable;
  host: HostFileSystem | undefined;
  random: DeterministicRandom;
  /** The program's path as started, and as /proc/self/exe reads. */
  exePath: string;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** Up to `max` bytes of standard input; empty at end of input. */
  stdin: (max: number) => Uint8Array;
  /** Virtual nanoseconds slept (nanosleep, futex timeouts): time passes without instructions. */
  sleptNs: number;
  /** rt_sigaction's 32-byte `struct sigaction` of each signal that has one set. */
  sigactions: Map<number, Uint8Array>;
  sigmask: bigint;
  /** sigaltstack's 24-byte stack_t, when set. */
  altStack: Uint8Array | undefined;
  /** setrlimit/prlimit64 values: [soft, hard] by resource. */
  rlimits: Map<number, [bigint, bigint]>;
  clearChildTid: number;
  /** A note for --trace-syscalls about the call being made (why it failed). */
  note: string | undefined;
  /** Set by a call that ends the program. */
  end: SyscallEnd | undefined;
}

/** Virtual time in nanoseconds: one per retired instruction (a 1 GHz CPU), plus time slept. */
export function nowNs(p: LinuxProcess): number {
  return p.cpu.icount + p.sleptNs;
}

/** The NUL-terminated string at `va` (a path), or −errno. */
export function readCString(p: LinuxProcess, va: number, max = 4096): string | number {
  const bytes: number[] = [];
  for (let at = va; ; ) {
    const chunk = p.space.read(at, 4096 - (at % 4096));
    if (!chunk) return -EFAULT;
    const nul = chunk.indexOf(0);
    const part = nul < 0 ? chunk : chunk.subarray(0, nul);
    for (const b of part) bytes.push(b);
    if (bytes.length >= max) return -ENAMETOOLONG;
    if (nul >= 0) return new TextDecoder().decode(new Uint8Array(bytes));
    at += chunk.length;
  }
}

export function readU32(p: LinuxProcess, va: number): number | undefined {
  const b = p.space.read(va, 4);
  return b ? new DataView(b.buffer).getUint32(0, true) : undefined;
}

/** 64-bit little-endian words at `va`, or undefined when unreadable. */
export function readWords(p: LinuxProcess, va: number, count: number): bigint[] | undefined {
  const b = p.space.read(va, count * 8);
  if (!b) return undefined;
  const d = new DataView(b.buffer);
  return Array.from({ length: count }, (_, i) => d.getBigUint64(i * 8, true));
}

/** Write 64-bit little-endian words at `va`: 0, or −EFAULT. */
export function writeWords(p: LinuxProcess, va: number, words: (bigint | number)[]): number {
  const d = new DataView(new ArrayBuffer(words.length * 8));
  words.forEach((w, i) => d.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(w)), true));
  return p.space.writeUser(va, new Uint8Array(d.buffer)) ? 0 : -EFAULT;
}

/** Write bytes the program asked for: 0, or −EFAULT. */
export function writeBytes(p: LinuxProcess, va: number, bytes: Uint8Array): number {
  return p.space.writeUser(va, bytes) ? 0 : -EFAULT;
}
