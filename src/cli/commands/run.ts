import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { monitorCommand } from '../../gdb/monitor.js';
import { Sel4Target } from '../../gdb/sel4-target.js';
import { Reg } from '../../kernel/faults.js';
import type { TcbObject } from '../../kernel/objects.js';
import type { Booted } from '../../loader/boot.js';
import type { MachineOptions, RunEnd } from '../../machine/machine.js';
import { streamInput } from '../../machine/devices/stream-input.js';
import { UsageError, type Io } from '../io.js';
import { ConsoleWatch } from '../run/console.js';
import { expectDiff, readExpected } from '../run/expect.js';
import { faultLine, faultRecord, type FaultRecord } from '../run/faults.js';
import { gdbinitText } from '../run/gdbinit.js';
import { parseGdbAddress, startGdbServer, type GdbServer } from '../run/gdb-server.js';
import { faultAnnotation, outcomeAnnotation } from '../run/github.js';
import { InputAfter } from '../run/input-after.js';
import { loadSystem } from '../run/load-system.js';
import { decideOutcome, EXIT_CODES, type Outcome } from '../run/outcome.js';
import { InstructionCounter, pdStats, printStats, type PdStats } from '../run/pd-stats.js';
import { runSummary, writeSummary, type SummaryInput } from '../run/summary-json.js';
import { openTracing, traceSyscalls, type TraceOptions } from '../run/trace.js';
import { traceTime } from '../run/trace-format.js';
import { printVirtioStats, virtioSetup, type VirtioCliOptions } from '../run/virtio-options.js';
import { wasmTierStatsLine } from '../wasm-tier-stats.js';
import type { BuildCommandOptions } from './build.js';

export interface RunCommandOptions extends BuildCommandOptions, TraceOptions, VirtioCliOptions {
  maxTime?: string;
  until?: string;
  input?: string;
  inputAfter?: string;
  stats?: boolean;
  /** False with --no-jit: the interpreter alone. */
  jit?: boolean;
  /** --tier: the CPU tier for hot code. */
  tier?: 'interp' | 'js' | 'wasm';
  /** False with --no-fastpath: every system call takes the kernel's slow path. */
  fastpath?: boolean;
  /** Faults no PD handles do not fail the run (the behaviour before exit statuses for faults). */
  allowFaults?: boolean;
  /** A file the console output must equal. */
  expect?: string;
  summaryJson?: string;
  /** --gdb [HOST:]PORT: serve the GDB remote protocol there. */
  gdb?: string;
  /** --gdb-continue: do not wait for GDB before running. */
  gdbContinue?: boolean;
  /** --gdbinit FILE: write GDB commands that connect (GDB loads each PD's ELF, named by the stub). */
  gdbinit?: string;
}

const CPU_HZ = 1_000_000_000;
// A busy system runs at about 100 M instructions per host second: 1 s of virtual time is ~10 s.
const DEFAULT_MAX_TIME = '1s';

/** "10s", "250ms", "5us", "100ns" or plain seconds → nanoseconds (= cycles at 1 GHz). */
function parseTime(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|ms|us|ns)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--max-time '${text}' is not a time (e.g. 10s, 250ms, 5us)`);
  const scale = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[(m[2] ?? 's') as 's' | 'ms' | 'us' | 'ns'];
  return Math.round(Number(m[1]) * scale);
}

/**
 * `sel4ts run`: build (or read) an image, boot it on the machine and kernel models, show the
 * console, and give a verdict as the exit status (run/outcome.ts).
 */
export async function runCommand(file: string, opts: RunCommandOptions, io: Io): Promise<number> {
  const maxTime = opts.maxTime ?? DEFAULT_MAX_TIME;
  const maxCycles = parseTime(maxTime);
  const live = opts.input === '-';
  if (live && !io.stdin) throw new UsageError('--input - needs a standard input');
  // --input names a file (relative to the working directory) or is the text itself.
  const inputFile = opts.input === undefined || live ? undefined : resolve(io.cwd, opts.input);
  const given = opts.input === undefined ? undefined : live ? streamInput(io.stdin!) : inputFile !== undefined && existsSync(inputFile) ? new Uint8Array(readFileSync(inputFile)) : opts.input;
  if (opts.inputAfter !== undefined && given === undefined) throw new UsageError('--input-after needs --input');
  const gate = given === undefined || opts.inputAfter === undefined ? undefined : new InputAfter(given, opts.inputAfter);
  const input = gate ?? given;
  const expected = opts.expect === undefined ? undefined : readExpected(opts.expect, io.cwd);
  const github = opts.format === 'github';
  const summarise = (s: Omit<SummaryInput, 'file'>) => {
    if (opts.summaryJson !== undefined) writeSummary(opts.summaryJson, runSummary({ file, ...s }));
  };
  const tracing = openTracing(opts, io);
  const gdbAddress = opts.gdb === undefined ? undefined : parseGdbAddress(opts.gdb);
  if (opts.gdb !== undefined && !gdbAddress) throw new UsageError(`--gdb '${opts.gdb}' is not [HOST:]PORT (e.g. 1234 or 127.0.0.1:1234)`);
  if (opts.gdb === undefined && (opts.gdbContinue || opts.gdbinit !== undefined)) throw new UsageError(`${opts.gdbContinue ? '--gdb-continue' : '--gdbinit'} needs --gdb [HOST:]PORT`);

  let booted: Booted | undefined;
  const consoleWatch = new ConsoleWatch(io, opts.until, expected !== undefined, () => booted?.machine.halt(`'${opts.until}' appeared`));
  // Disk images and console files are opened (or refused) before anything runs.
  const virtio = virtioSetup(opts, io, (bytes) => {
    for (const b of bytes) consoleWatch.byte(b);
  });
  // Network sockets too: a busy port or a peer that refuses is an error before the run.
  try {
    await virtio.openSockets();
  } catch (e) {
    virtio.finish();
    throw e;
  }
  const machineOptions: MachineOptions = {
    virtio: virtio.options,
    cpuHz: CPU_HZ,
    // commander's --no-jit sets jit to false.
    jit: opts.jit === false ? 'off' : 'hot',
    ...(opts.tier !== undefined ? { tier: opts.tier } : {}),
    input,
    console: (byte) => {
      consoleWatch.byte(byte);
      gate?.byte(byte);
    },
  };
  const loaded = loadSystem(file, opts, io, machineOptions);
  if (!loaded.ok) {
    virtio.finish();
    if (loaded.exitCode === EXIT_CODES['bad-input']) {
      summarise({ board: undefined, config: undefined, outcome: { status: 'bad-input', exitCode: loaded.exitCode, message: loaded.message }, cycles: 0, instructions: 0, consoleBytes: 0, pds: [], faults: [] });
    }
    return loaded.exitCode;
  }
  booted = loaded.booted;

  const { machine, kernel, image } = booted;
  const spec = image.spec;
  const k = kernel.state;
  k.fastpath = opts.fastpath !== false;
  machine.directSystemCalls = k.fastpath;
  const counter = new InstructionCounter(() => machine.cpu.icount);
  const faults: FaultRecord[] = [];

  // --trace, and the fault lines on stderr.
  const pdName = (t: TcbObject | undefined) => (t ? t.name || '?' : 'idle');
  const traceSched = tracing.has('sched');
  k.trace.switchTo = (t) => {
    counter.switchTo(t);
    if (traceSched) tracing.write(`${traceTime(machine.cycles)} switch to ${pdName(t)}\n`);
  };
  k.trace.fault = (t, description, handled) => {
    const r = faultRecord(spec, t, k.reg(t, Reg.FaultIP), description, handled, machine.cycles);
    faults.push(r);
    // The monitor reports the faults of top-level PDs; this adds the function at the pc.
    const line = faultLine(r, t, spec);
    const traced = `sel4ts: ${traceTime(machine.cycles)} ${line}\n`;
    const report = !r.handled;
    if (github && report) io.stderr(`${faultAnnotation(r, line, loaded.places.get(r.pd), opts.allowFaults === true)}\n`);
    else if (report) io.stderr(traced);
    // A trace file gets every fault; stderr gets a traced one once.
    if (tracing.has('faults') && (tracing.toFile || !report)) tracing.write(traced);
  };
  traceSyscalls(k, spec, () => machine.cycles, tracing);

  // Ctrl-C stops the machine at the next slice (runAsync yields to the event loop to let the
  // signal in); the statistics and the summary still come out.
  // Stop reading: an open standard input would keep the process alive (and a run waiting for it, running).
  const closeInput = () => live && (io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  let interrupted = false;
  const stopListening = io.onInterrupt?.(() => {
    interrupted = true;
    machine.halt('interrupted (SIGINT)');
    // A run held for GDB goes on to see the halt.
    target?.detach();
    closeInput();
  });
  // --gdb: the remote stub (the run waits for GDB before its first instruction unless --gdb-continue).
  let gdb: GdbServer | undefined;
  let target: Sel4Target | undefined;
  if (gdbAddress) {
    const saved = { ...k.trace };
    const t = new Sel4Target(
      machine,
      k,
      (command) =>
        monitorCommand(
          {
            machine,
            k,
            spec,
            traceSyscalls: (on) => {
              k.trace.syscall = saved.syscall;
              k.trace.syscallDone = saved.syscallDone;
              if (on) traceSyscalls(k, spec, () => machine.cycles, { has: (kind) => kind === 'syscalls', toFile: false, write: (line) => io.stderr(line), close: () => {} });
            },
          },
          command,
        ),
      new Map([...loaded.programs].map(([pd, elf]) => [pd, resolve(io.cwd, elf)])),
    );
    const started = await startGdbServer(t, gdbAddress.host, gdbAddress.port, (line) => io.stderr(`sel4ts: ${line}\n`));
    if (!started.ok) {
      io.stderr(`sel4ts: ${started.message}\n`);
      stopListening?.();
      tracing.close();
      return EXIT_CODES['bad-input'];
    }
    gdb = started.server;
    target = t;
    if (!opts.gdbContinue) {
      machine.debug = t;
      machine.requestDebugStop();
    }
    if (opts.gdbinit !== undefined) writeFileSync(opts.gdbinit, gdbinitText(gdb.address, t.threads(), loaded.programs));
    io.stderr(`sel4ts: GDB remote stub on ${gdb.address} (${opts.gdbContinue ? 'running' : 'halted before the first instruction'}): gdb-multiarch -ex 'target extended-remote ${gdb.address}'\n`);
  }
  let end: RunEnd;
  try {
    end = await machine.runAsync(kernel, maxCycles);
  } finally {
    stopListening?.();
    closeInput();
    tracing.close();
    virtio.finish();
  }
  counter.charge();
  const pds: PdStats[] = pdStats(spec, k.debugTcbs, counter);
  if (opts.stats) {
    printStats(io, pds, machine.cycles);
    printVirtioStats(io, machine.virtio);
    if (opts.tier === 'wasm' && opts.jit !== false) io.stderr(wasmTierStatsLine());
  }

  const diff = expected === undefined ? '' : expectDiff(expected, consoleWatch.output, opts.expect!);
  if (diff) io.stderr(diff);
  const outcome = decideOutcome({
    end,
    interrupted,
    until: opts.until,
    untilSeen: consoleWatch.untilSeen,
    maxTime,
    faults,
    allowFaults: opts.allowFaults === true,
    expectMismatch: diff ? opts.expect : undefined,
  });
  await gdb?.close(outcome.exitCode);
  reportOutcome(io, outcome, github, end.reason === 'halt' && !consoleWatch.untilSeen);
  summarise({ board: spec.board, config: spec.config, outcome, cycles: machine.cycles, instructions: machine.cpu.icount, consoleBytes: consoleWatch.count, pds, faults });
  return outcome.exitCode;
}

/** A failure says why (faults were annotated one by one); a success is silent unless the system halted itself. */
function reportOutcome(io: Io, o: Outcome, github: boolean, halted: boolean): void {
  if (o.status === 'ok' && !halted) return;
  io.stderr(github && o.status !== 'ok' && o.status !== 'fault' ? `${outcomeAnnotation(o)}\n` : `sel4ts: ${o.message}\n`);
}
