import { EM_AARCH64, PF_R, PF_W, PF_X, PT_LOAD, readElf64, symbolize, type ElfFile } from '../util/elf64.js';
import { Cpu } from './cpu/cpu.js';
import { disassemble } from './cpu/decoder.js';
import { describeEsr } from './cpu/esr.js';
import { Stop } from './cpu/fault.js';
import { SP } from './cpu/slots.js';
import { GenericTimer } from './devices/generic-timer.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from './memory/flat-space.js';

/**
 * Run a static AArch64 Linux executable on the CPU alone, the way `qemu-aarch64` does: ELF
 * segments mapped, a Linux initial stack, and the few system calls such programs make.
 */

const STACK_TOP = 0x7fff_fff0_0000;
const STACK_SIZE = 8 * 1024 * 1024;

const SYS_WRITE = 64;
const SYS_EXIT = 93;
const SYS_EXIT_GROUP = 94;
const ENOSYS = 38;
const EFAULT = 14;
const EBADF = 9;

export interface ExecOptions {
  /** argv, argv[0] included. */
  argv: string[];
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** Stop after this many instructions (a guard against runaway programs). */
  maxInstructions?: number;
  /** Called for each system call, for --trace. */
  onSyscall?: (nr: number, result: number) => void;
  /** `off`: the interpreter alone; `eager`: compile every block at once (tests); default: hot blocks. */
  jit?: 'off' | 'eager' | 'hot';
  /** Run in slices of this many instructions (tests: cuts at arbitrary counts, as interrupts make). */
  slice?: () => number;
}

export type ExecOutcome =
  | { kind: 'exit'; code: number }
  | { kind: 'fault'; signal: number; message: string }
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

/** Build the Linux initial stack (argc, argv, envp, auxv) and return the initial SP. */
function buildStack(space: FlatSpace, argv: string[], elf: ElfFile): number {
  space.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PERM_R | PERM_W);
  const enc = new TextEncoder();
  let p = STACK_TOP;
  const argPtrs: number[] = [];
  for (const a of [...argv].reverse()) {
    const bytes = enc.encode(`${a}\0`);
    p -= bytes.length;
    space.write(p, bytes);
    argPtrs.unshift(p);
  }
  p -= 16;
  const random = p;
  space.write(random, new Uint8Array(16).map((_, i) => (i * 37 + 11) & 0xff));
  p -= p % 16;
  const phdr = elf.segments.length > 0 ? Number(elf.entry) : 0;
  const auxv = [
    [6, 4096], // AT_PAGESZ
    [9, Number(elf.entry)], // AT_ENTRY
    [25, random], // AT_RANDOM
    [0, 0], // AT_NULL
  ];
  void phdr;
  const words: number[] = [argv.length, ...argPtrs, 0, 0, ...auxv.flat()];
  if (words.length % 2) words.push(0);
  p -= words.length * 8;
  const data = new DataView(new ArrayBuffer(words.length * 8));
  words.forEach((w, i) => data.setBigUint64(i * 8, BigInt(w), true));
  space.write(p, new Uint8Array(data.buffer));
  return p;
}

export function runLinuxUser(bytes: Uint8Array, options: ExecOptions): ExecResult {
  const parsed = readElf64(bytes);
  if (!parsed.ok) return { outcome: { kind: 'bad-elf', message: parsed.error }, instructions: 0, cpu: undefined };
  const elf = parsed.elf;
  if (elf.machine !== EM_AARCH64) return { outcome: { kind: 'bad-elf', message: `it is for machine ${elf.machine}, not AArch64 (183)` }, instructions: 0, cpu: undefined };
  if (!elf.segments.some((s) => s.type === PT_LOAD)) return { outcome: { kind: 'bad-elf', message: 'it has no loadable segment' }, instructions: 0, cpu: undefined };
  const space = new FlatSpace();
  loadElf(space, elf);
  let cpu: Cpu | undefined;
  const timer = new GenericTimer(() => cpu?.icount ?? 0);
  cpu = new Cpu(space, timer);
  if (options.jit === 'off') cpu.blocksEnabled = false;
  if (options.jit === 'eager') cpu.hotThreshold = 1;
  cpu.setXNumber(SP, buildStack(space, options.argv, elf));
  cpu.pc = Number(elf.entry);
  const limit = options.maxInstructions ?? Infinity;
  for (;;) {
    const budget = Math.min(options.slice?.() ?? 50_000_000, limit - cpu.icount);
    if (budget <= 0) return { outcome: { kind: 'limit' }, instructions: cpu.icount, cpu };
    const stop = cpu.run(budget);
    if (stop === Stop.Budget || stop === Stop.TimeSync) continue;
    if (stop === Stop.Svc) {
      const exit = syscall(cpu, space, options);
      if (exit !== undefined) return { outcome: { kind: 'exit', code: exit }, instructions: cpu.icount, cpu };
      continue;
    }
    if (stop === Stop.Wait) continue;
    return { outcome: fault(cpu, stop, elf), instructions: cpu.icount, cpu };
  }
}

/** Handle one Linux system call; returns the exit status when the program ends. */
function syscall(cpu: Cpu, space: FlatSpace, options: ExecOptions): number | undefined {
  const R = cpu.R;
  const nr = R[16]!;
  const arg = (i: number): number => (R[2 * i + 1]! >>> 0) * 4294967296 + (R[2 * i]! >>> 0);
  let result: number;
  switch (nr) {
    case SYS_EXIT:
    case SYS_EXIT_GROUP:
      options.onSyscall?.(nr, 0);
      return R[0]! & 0xff;
    case SYS_WRITE: {
      const fd = R[0]!;
      const data = space.read(arg(1), arg(2));
      if (!data) result = -EFAULT;
      else if (fd === 1) {
        options.stdout(data);
        result = data.length;
      } else if (fd === 2) {
        options.stderr(data);
        result = data.length;
      } else result = -EBADF;
      break;
    }
    default:
      result = -ENOSYS;
  }
  options.onSyscall?.(nr, result);
  cpu.setX(0, BigInt(result));
  return undefined;
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
