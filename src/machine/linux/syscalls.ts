import { ENOSYS, errnoName } from './errno.js';
import type { LinuxProcess } from './process.js';
import { FILE_SYSCALLS } from './sys-files.js';
import { MEMORY_SYSCALLS } from './sys-memory.js';
import { PROCESS_SYSCALLS } from './sys-process.js';
import { SyscallArgs, type SyscallDef } from './syscall-args.js';
import { syscallName } from './syscall-names.js';

/** The system calls `sel4ts machine exec` implements, by AArch64 number. */
const SYSCALLS: Record<number, SyscallDef> = { ...FILE_SYSCALLS, ...MEMORY_SYSCALLS, ...PROCESS_SYSCALLS };

/** One system call as --trace-syscalls shows it. */
export interface SyscallEvent {
  nr: number;
  name: string;
  /** The arguments the call takes (all six for one sel4ts does not implement). */
  args: bigint[];
  result: number;
  /** What the call was about or why it failed (a path, "read-only"…). */
  note: string | undefined;
}

/** `openat(0xffffffffffffff9c, 0x4a0010, 0x241) = -30 EROFS ("out.txt": …)` */
export function formatSyscall(e: SyscallEvent): string {
  const args = e.args.map((a) => `0x${a.toString(16)}`).join(', ');
  const result = e.result < 0 && e.result > -4096 ? `-1 ${errnoName(-e.result)}` : e.result >= 0 && e.result < 4096 ? String(e.result) : `0x${BigInt.asUintN(64, BigInt(e.result)).toString(16)}`;
  return `${e.name}(${args}) = ${result}${e.note !== undefined ? ` (${e.note})` : ''}`;
}

export interface SyscallHooks {
  /** Called once per unsupported call number, with the message to show. */
  warn: (message: string) => void;
  onSyscall?: (event: SyscallEvent) => void;
}

/** Run the system call the SVC at `pc − 4` made: X8 is its number, X0–X5 its arguments, X0 its result. */
export function doSyscall(p: LinuxProcess, hooks: SyscallHooks, warned: Set<number>): void {
  const cpu = p.cpu;
  const nr = cpu.R[16]! >>> 0 === cpu.R[16] && cpu.R[17] === 0 ? cpu.R[16]! : -1;
  const a = new SyscallArgs(cpu.R);
  const def = SYSCALLS[nr];
  p.note = undefined;
  let result: number;
  if (def) result = def.run(p, a);
  else {
    result = -ENOSYS;
    if (!warned.has(nr)) {
      warned.add(nr);
      const name = syscallName(nr);
      const what = nr < 0 ? `number 0x${cpu.getX(8).toString(16)}` : `number ${nr}`;
      hooks.warn(`sel4ts: unsupported Linux system call ${name ?? 'unknown'} (${what}) at pc 0x${(cpu.pc - 4).toString(16)}; returning -ENOSYS\n`);
    }
  }
  if (hooks.onSyscall) {
    const count = def ? def.args : 6;
    hooks.onSyscall({ nr, name: syscallName(nr) ?? `syscall_${nr}`, args: Array.from({ length: count }, (_, i) => a.raw(i)), result, note: p.note });
  }
  if (p.end === undefined) cpu.setX(0, BigInt(result));
}
