import { existsSync, readFileSync } from 'node:fs';
import type { Spec } from '../../compiler/spec/types.js';
import { FaultType } from '../../kernel/faults.js';
import type { TcbObject } from '../../kernel/objects.js';
import { SYSCALL_NAMES } from '../../kernel/syscalls.js';
import { bootImage, type Booted } from '../../loader/boot.js';
import { streamInput } from '../../machine/devices/stream-input.js';
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, UsageError, type Io } from '../io.js';
import { readInputFor } from '../read-input.js';
import { runBuild, type BuildCommandOptions } from './build.js';

export interface RunCommandOptions extends BuildCommandOptions {
  maxTime?: string;
  until?: string;
  input?: string;
  trace?: string[];
  stats?: boolean;
  /** False with --no-jit: the interpreter alone. */
  jit?: boolean;
}

const CPU_HZ = 1_000_000_000;
// A busy system runs at about 100 M instructions per host second: 1 s of virtual time is ~10 s.
const DEFAULT_MAX_TIME = '1s';

/** "10s", "250ms", "5us", "100ns" or plain seconds → nanoseconds (= cycles at 1 GHz). */
export function parseTime(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|ms|us|ns)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--max-time '${text}' is not a time (e.g. 10s, 250ms, 5us)`);
  const scale = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[(m[2] ?? 's') as 's' | 'ms' | 'us' | 'ns'];
  return Math.round(Number(m[1]) * scale);
}

const ms = (cycles: number) => `${(cycles / 1e6).toFixed(6)} ms`;

/** `sel4ts run`: build (or read) an image, boot it on the machine and kernel models, show the console. */
export async function runCommand(file: string, opts: RunCommandOptions, io: Io): Promise<number> {
  const traces = new Set((opts.trace ?? []).flatMap((t) => t.split(',')));
  for (const t of traces) if (!['syscalls', 'faults', 'sched'].includes(t)) throw new UsageError(`unknown --trace '${t}' (syscalls, faults or sched)`);
  const maxCycles = parseTime(opts.maxTime ?? DEFAULT_MAX_TIME);
  const live = opts.input === '-';
  if (live && !io.stdin) throw new UsageError('--input - needs a standard input');
  const input = opts.input === undefined ? undefined : live ? streamInput(io.stdin!) : existsSync(opts.input) ? new Uint8Array(readFileSync(opts.input)) : opts.input;

  let seen = '';
  let untilSeen = false;
  let booted: Booted | undefined;
  const machineOptions = {
    cpuHz: CPU_HZ,
    // commander's --no-jit sets jit to false.
    jit: opts.jit === false ? ('off' as const) : ('hot' as const),
    input,
    console: (byte: number) => {
      io.stdout(String.fromCharCode(byte));
      if (opts.until !== undefined && !untilSeen) {
        seen = (seen + String.fromCharCode(byte)).slice(-Math.max(1, opts.until.length) * 2);
        if (seen.includes(opts.until)) {
          untilSeen = true;
          booted?.machine.halt(`'${opts.until}' appeared`);
        }
      }
    },
  };
  // An image is run; a description is built, then run; anything else is refused, saying what it is.
  const given = readInputFor(file, 'run');
  if (given.content.kind === 'image') {
    const r = bootImage(given.bytes, machineOptions);
    if (!r.ok) {
      io.stderr(`sel4ts: ${file}: ${r.error}\n`);
      return EXIT_INPUT;
    }
    booted = r.booted;
  } else {
    const built = runBuild(file, opts, io, given);
    if (!built) return EXIT_INPUT;
    const fromImage = bootImage(built.image, machineOptions);
    if (!fromImage.ok) {
      io.stderr(`sel4ts: internal error: the image just built does not boot: ${fromImage.error}\n`);
      return EXIT_INTERNAL;
    }
    booted = fromImage.booted;
  }

  const { machine, kernel, image } = booted;
  const spec = image.spec;
  const k = kernel.state;
  const pdName = (t: TcbObject | undefined) => (t ? t.name || '?' : 'idle');
  // Per-PD instruction counts: each switch charges the instructions since the last one.
  const instructions = new Map<string, number>();
  let current: TcbObject | undefined;
  let since = 0;
  const charge = () => {
    const now = machine.cpu.icount;
    if (current) instructions.set(current.name, (instructions.get(current.name) ?? 0) + now - since);
    since = now;
  };
  k.trace.switchTo = (t) => {
    charge();
    current = t;
    if (traces.has('sched')) io.stderr(`[${ms(machine.cycles)}] switch to ${pdName(t)}\n`);
  };
  k.trace.fault = (t, description, handled) => {
    const pc = k.reg(t, 32);
    const symbol = symbolAt(spec, t.name, pc);
    // Faults of top-level PDs go to the monitor, which reports them; this adds the symbol.
    const topLevel = spec.pds.find((p) => p.name === t.name)?.parent === undefined;
    if (traces.has('faults') || !handled || topLevel) {
      io.stderr(`sel4ts: [${ms(machine.cycles)}] ${t.name}: ${description} at pc 0x${pc.toString(16)}${symbol ? ` (${symbol})` : ''}${debugCallHint(t, spec)}\n`);
    }
  };
  if (traces.has('syscalls')) k.trace.syscall = (t, name) => io.stderr(`[${ms(machine.cycles)}] ${pdName(t)}: syscall ${name}\n`);

  // Live input arrives by the wall clock: the run yields to the event loop to let it in.
  const end = live ? await machine.runAsync(kernel, maxCycles) : machine.run(kernel, maxCycles);
  // Stop reading: an open standard input would keep the process alive.
  if (live) (io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  charge();
  if (opts.stats) printStats(io, spec, kernel.state.debugTcbs, instructions, machine.cycles);
  switch (end.reason) {
    case 'halt':
      if (untilSeen) return EXIT_OK;
      io.stderr(`sel4ts: the system halted: ${end.message}\n`);
      return EXIT_OK;
    case 'idle-forever':
      if (opts.until !== undefined) {
        io.stderr(`sel4ts: the system is idle with nothing pending and '${opts.until}' never appeared\n`);
        return EXIT_INPUT;
      }
      return EXIT_OK;
    case 'limit':
      io.stderr(`sel4ts: the virtual time limit (${opts.maxTime ?? DEFAULT_MAX_TIME}) ran out${opts.until !== undefined ? ` before '${opts.until}' appeared` : ''}\n`);
      return EXIT_INPUT;
  }
}

/** A debug system call on a release kernel is an unknown syscall: say what probably happened. */
function debugCallHint(t: TcbObject, spec: Spec): string {
  const f = t.fault;
  if (spec.config !== 'release' || f?.type !== FaultType.UnknownSyscall) return '';
  const name = SYSCALL_NAMES[Number(BigInt.asIntN(64, f.number))];
  return name?.startsWith('Debug') ? `; seL4_${name} exists only in debug kernels: was the program built for the debug configuration?` : '';
}

function symbolAt(spec: Spec, pd: string, pc: bigint): string | undefined {
  const table = spec.symbols[pd];
  if (!table) return undefined;
  const at = Number(pc);
  const s = table.find((x) => at >= x.value && at < x.value + x.size);
  if (!s) return undefined;
  return at === s.value ? s.name : `${s.name}+0x${(at - s.value).toString(16)}`;
}

function printStats(io: Io, spec: Spec, tcbs: readonly TcbObject[], instructions: Map<string, number>, cycles: number): void {
  io.stderr(`\n${'protection domain'.padEnd(24)}${'instructions'.padStart(14)}${'time (ms)'.padStart(12)}${'syscalls'.padStart(10)}${'IPCs'.padStart(8)}${'signals'.padStart(9)}${'faults'.padStart(8)}\n`);
  for (const pd of spec.pds) {
    const t = tcbs.find((x) => x.name === pd.name);
    const n = instructions.get(pd.name) ?? 0;
    const s = t?.stats ?? { syscalls: 0, ipcs: 0, signals: 0, faults: 0 };
    io.stderr(`${pd.name.padEnd(24)}${String(n).padStart(14)}${(n / 1e6).toFixed(3).padStart(12)}${String(s.syscalls).padStart(10)}${String(s.ipcs).padStart(8)}${String(s.signals).padStart(9)}${String(s.faults).padStart(8)}\n`);
  }
  io.stderr(`${'total virtual time'.padEnd(24)}${''.padStart(14)}${(cycles / 1e6).toFixed(3).padStart(12)}\n`);
}
