import { resolveFrom } from '../util/posix-path.js';
import { EM_AARCH64, PF_R, PF_W, PF_X, PT_LOAD, readElf64, symbolize, type ElfFile } from '../util/elf64.js';
import { Cpu } from './cpu/cpu.js';
import { disassemble } from './cpu/decoder.js';
import { describeEsr } from './cpu/esr.js';
import { Stop } from './cpu/fault.js';
import { SP } from './cpu/slots.js';
import { GenericTimer } from './devices/generic-timer.js';
import { DeterministicRandom } from './linux/deterministic-random.js';
import { FdTable, type HostFileSystem } from './linux/files.js';
import { buildInitialStack } from './linux/initial-stack.js';
import { GID, UID, type LinuxProcess } from './linux/process.js';
import { ProcessMemory } from './linux/process-memory.js';
import { doSyscall, type SyscallEvent } from './linux/syscalls.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from './memory/flat-space.js';

/**
 * Run a static AArch64 Linux executable on the CPU alone, the way `qemu-aarch64` does: ELF
 * segments mapped, a Linux initial stack and auxiliary vector, and the system calls of a
 * one-thread static glibc or musl program (see linux/syscalls.ts).
 */

const STACK_TOP = 0x7fff_fff0_0000;
const STACK_SIZE = 8 * 1024 * 1024;
/** mmap regions are allocated downwards from here: below the stack and its 128 MiB gap, as Linux's mmap_base. */
const MMAP_BASE = STACK_TOP - 128 * 1024 * 1024;

export interface ExecOptions {
  /** argv, argv[0] included. */
  argv: string[];
  /** The environment, as NAME=VALUE strings (none by default, for reproducible runs). */
  envp?: string[];
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** Up to `max` bytes of standard input, empty at its end (default: no input). */
  stdin?: (max: number) => Uint8Array;
  /** The host files the program may read (default: none). */
  files?: HostFileSystem;
  /** The program's absolute path, as /proc/self/exe reads (default: argv[0] taken from /). */
  exePath?: string;
  /** Messages about the run itself (an unsupported system call), for stderr. */
  warn?: (message: string) => void;
  /** Stop after this many instructions (a guard against runaway programs). */
  maxInstructions?: number;
  /** Called after each system call, for --trace-syscalls. */
  onSyscall?: (event: SyscallEvent) => void;
  /** `off`: the interpreter alone; `eager`: compile every block at once (tests); default: hot blocks. */
  jit?: 'off' | 'eager' | 'hot';
  /** Which tier runs hot code (`--tier`): `interp` is `jit: 'off'`; default `wasm`. */
  tier?: 'interp' | 'js' | 'wasm';
  /** Run in slices of this many instructions (tests: cuts at arbitrary counts, as interrupts make). */
  slice?: () => number;
}

export type ExecOutcome =
  | { kind: 'exit'; code: number }
  | { kind: 'fault'; signal: number; message: string }
  | { kind: 'killed'; signal: number; message: string }
  | { kind: 'deadlock'; message: string }
  | { kind: 'limit' }
  | { kind: 'bad-elf'; message: string };

export interface ExecResult {
  outcome: ExecOutcome;
  instructions: number;
  cpu: Cpu | undefined;
}

function loadElf(space: FlatSpace, elf: ElfFile): void {
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || seg.memSize === 0n) continue;
    const va = Number(seg.vaddr);
    const perms = (seg.flags & PF_R ? PERM_R : 0) | (seg.flags & PF_W ? PERM_W : 0) | (seg.flags & PF_X ? PERM_X : 0);
    space.map(va, Number(seg.memSize), perms);
    space.write(va, elf.bytes.subarray(seg.offset, seg.offset + seg.fileSize));
  }
}

/** Where the program headers are in memory (AT_PHDR): in the loaded segment that holds them, as Linux finds them. */
function programHeaders(elf: ElfFile): { phdr: number; phent: number; phnum: number } {
  const d = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const phoff = Number(d.getBigUint64(0x20, true));
  const phent = d.getUint16(0x36, true);
  const phnum = d.getUint16(0x38, true);
  const load = elf.segments.find((s) => s.type === PT_LOAD && phoff >= s.offset && phoff + phent * phnum <= s.offset + s.fileSize);
  return { phdr: load ? Number(load.vaddr) + (phoff - load.offset) : 0, phent, phnum };
}

export function runLinuxUser(bytes: Uint8Array, options: ExecOptions): ExecResult {
  const parsed = readElf64(bytes);
  if (!parsed.ok) return { outcome: { kind: 'bad-elf', message: parsed.error }, instructions: 0, cpu: undefined };
  const elf = parsed.elf;
  if (elf.machine !== EM_AARCH64) return { outcome: { kind: 'bad-elf', message: `it is for machine ${elf.machine}, not AArch64 (183)` }, instructions: 0, cpu: undefined };
  const loads = elf.segments.filter((s) => s.type === PT_LOAD && s.memSize > 0n);
  if (loads.length === 0) return { outcome: { kind: 'bad-elf', message: 'it has no loadable segment' }, instructions: 0, cpu: undefined };
  if (elf.segments.some((s) => s.type === 3 /* PT_INTERP */)) {
    return { outcome: { kind: 'bad-elf', message: 'it is dynamically linked (it has an interpreter); only static programs run' }, instructions: 0, cpu: undefined };
  }
  if (elf.type === 3 /* ET_DYN */) {
    return { outcome: { kind: 'bad-elf', message: 'it is position-independent (ET_DYN, static-pie); only ET_EXEC programs run (link with -static -no-pie)' }, instructions: 0, cpu: undefined };
  }
  const space = new FlatSpace();
  loadElf(space, elf);
  const random = new DeterministicRandom();
  let process: LinuxProcess | undefined;
  const timer = new GenericTimer(() => (process ? process.cpu.icount + process.sleptNs : 0));
  const cpu = new Cpu(space, timer);
  if (options.jit === 'off' || options.tier === 'interp') cpu.blocksEnabled = false;
  if (options.tier === 'wasm' || options.tier === 'js') cpu.tier = options.tier;
  if (options.jit === 'eager') cpu.hotThreshold = 1;
  const memory = new ProcessMemory(
    space,
    loads.map((s) => [Number(s.vaddr), Number(s.vaddr + s.memSize), (s.flags & PF_R ? PERM_R : 0) | (s.flags & PF_W ? PERM_W : 0) | (s.flags & PF_X ? PERM_X : 0)]),
    MMAP_BASE,
    () => cpu.flushTlb(),
  );
  space.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PERM_R | PERM_W);
  memory.reserve(STACK_TOP - STACK_SIZE, STACK_TOP, PERM_R | PERM_W);
  const sp = buildInitialStack(space, STACK_TOP, {
    argv: options.argv,
    envp: options.envp ?? [],
    execfn: options.argv[0] ?? '',
    ...programHeaders(elf),
    entry: Number(elf.entry),
    uid: UID,
    gid: GID,
    random: random.bytes(16),
  });
  process = {
    cpu,
    space,
    memory,
    files: new FdTable(),
    host: options.files,
    random,
    // glibc insists that /proc/self/exe is absolute (it asserts so in _dl_get_origin).
    exePath: options.exePath ?? resolveFrom('/', options.argv[0] ?? ''),
    stdout: options.stdout,
    stderr: options.stderr,
    stdin: options.stdin ?? (() => new Uint8Array(0)),
    sleptNs: 0,
    sigactions: new Map(),
    sigmask: 0n,
    altStack: undefined,
    rlimits: new Map(),
    clearChildTid: 0,
    note: undefined,
    end: undefined,
  };
  cpu.setXNumber(SP, sp);
  cpu.pc = Number(elf.entry);
  const hooks = { warn: options.warn ?? (() => undefined), ...(options.onSyscall ? { onSyscall: options.onSyscall } : {}) };
  const warned = new Set<number>();
  const limit = options.maxInstructions ?? Infinity;
  for (;;) {
    const budget = Math.min(options.slice?.() ?? 50_000_000, limit - cpu.icount);
    if (budget <= 0) return { outcome: { kind: 'limit' }, instructions: cpu.icount, cpu };
    const stop = cpu.run(budget);
    if (stop === Stop.Budget || stop === Stop.TimeSync) continue;
    if (stop === Stop.Svc) {
      doSyscall(process, hooks, warned);
      const end = process.end;
      if (end !== undefined) return { outcome: end, instructions: cpu.icount, cpu };
      continue;
    }
    if (stop === Stop.Wait) continue;
    return { outcome: fault(cpu, stop, elf), instructions: cpu.icount, cpu };
  }
}

function fault(cpu: Cpu, stop: Stop, elf: ElfFile): ExecOutcome {
  const pc = cpu.pc;
  const where = symbolize(elf.symbols, BigInt(pc));
  const at = `0x${pc.toString(16)}${where ? ` <${where}>` : ''}`;
  let insn = '';
  try {
    const word = new DataView(elf.bytes.buffer, elf.bytes.byteOffset).getUint32(fileOffsetOf(elf, pc) ?? -1, true);
    insn = `: ${disassemble(word, pc)}`;
  } catch {
    insn = '';
  }
  const far = `0x${((BigInt(cpu.farHi >>> 0) << 32n) | BigInt(cpu.farLo >>> 0)).toString(16)}`;
  const esr = describeEsr(cpu.esr);
  switch (stop) {
    case Stop.DataAbort:
      return { kind: 'fault', signal: 11, message: `data abort at ${at}${insn}: address ${far}, ${esr}` };
    case Stop.InstructionAbort:
      return { kind: 'fault', signal: 11, message: `instruction abort at ${at}: address ${far}, ${esr}` };
    case Stop.PcAlignment:
      return { kind: 'fault', signal: 7, message: `PC alignment fault: branch to ${far}` };
    case Stop.SpAlignment:
      return { kind: 'fault', signal: 7, message: `SP alignment fault at ${at}${insn}` };
    case Stop.Brk:
      return { kind: 'fault', signal: 5, message: `breakpoint at ${at}${insn}` };
    default:
      return { kind: 'fault', signal: 4, message: `undefined instruction at ${at}${insn}` };
  }
}

function fileOffsetOf(elf: ElfFile, va: number): number | undefined {
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD) continue;
    const start = Number(s.vaddr);
    if (va >= start && va + 4 <= start + s.fileSize) return s.offset + (va - start);
  }
  return undefined;
}
