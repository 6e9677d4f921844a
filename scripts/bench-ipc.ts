// The IPC benchmarks of `npm run bench` that measure what users meet: Microkit programs built
// against the real libmicrokit (bench/ipc/, see its README) doing a PPC ping-pong and a
// notification ping-pong, as whole `sel4ts run` processes and from the start line to the end
// line within them, and (when SEL4TS_REAL_SEL4_SDK names the output folder of
// ../shared/real-sel4/build-sdk.sh) on real seL4 in qemu-system-aarch64. Whole-process rates
// are marginal, (N_large − N_small) / (t_large − t_small), so that Node's start-up, the build
// and the boot cancel out.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readElf64 } from '../src/util/elf64.js';

const ROOT = join(import.meta.dirname, '..');
export const IPC_DIR = join(ROOT, 'bench', 'ipc');
const BIN = join(ROOT, 'bin', 'sel4ts');
/** The symbol whose value is the number of rounds (bench/ipc/common/bench-ipc.h). */
const ROUNDS_SYMBOL = 'bench_rounds';
const REPEATS = 5;

export interface IpcBench {
  /** The folder under bench/ipc/, and its system is `<name>.system`. */
  name: 'ppc' | 'notify';
  /** The program that reads bench_rounds and prints the lines below. */
  counter: string;
  /** The line the counting PD prints before its first round. */
  start: string;
  /** The line that ends the run. */
  end: string;
  /** What it prints just before the end line after `n` rounds. */
  result: (n: number) => string;
  /** Rounds for the small and the large runs, on sel4ts and on real seL4 in QEMU. */
  rounds: { sel4ts: [number, number]; qemu: [number, number] };
}

export const IPC_BENCHES: IpcBench[] = [
  {
    name: 'ppc',
    counter: 'client.elf',
    start: 'client: start\n',
    end: '== ppc bench end ==',
    result: (n) => `client: ${n} calls, sum ${(BigInt(n) * BigInt(n + 1)) / 2n} (right)\n`,
    rounds: { sel4ts: [100_000, 500_000], qemu: [10_000, 80_000] },
  },
  {
    name: 'notify',
    counter: 'ping.elf',
    start: 'ping: start\n',
    end: '== notify bench end ==',
    result: (n) => `ping: ${n} round trips\n`,
    rounds: { sel4ts: [100_000, 500_000], qemu: [5_000, 40_000] },
  },
];

/**
 * A copy of an ELF file with `bench_rounds` set to `n`: the 8 bytes at the symbol, in the
 * file, found through the PT_LOAD segment that holds it. Throws when the file has no such symbol.
 */
export function withRounds(bytes: Uint8Array, n: number): Uint8Array {
  return withWord(bytes, ROUNDS_SYMBOL, BigInt(n));
}

/** A copy of an ELF file's bytes with its initialised 8-byte variable `symbol` set to `value` (a bench's size knob). */
export function withWord(bytes: Uint8Array, name: string, value: bigint): Uint8Array {
  const read = readElf64(bytes);
  if (!read.ok) throw new Error(`not an ELF file: ${read.error}`);
  const symbol = read.elf.symbols.find((s) => s.name === name && s.section !== 0);
  if (symbol?.size !== 8n) throw new Error(`no 8-byte symbol ${name}`);
  const segment = read.elf.segments.find((g) => symbol.value >= g.vaddr && symbol.value + 8n <= g.vaddr + BigInt(g.fileSize));
  if (!segment) throw new Error(`${name} is not in the file bytes of a loaded segment`);
  const copy = new Uint8Array(bytes);
  new DataView(copy.buffer).setBigUint64(segment.offset + Number(symbol.value - segment.vaddr), value, true);
  return copy;
}

/** A temporary folder holding the programs of `from` with the counting program set to `n` rounds. */
export function programsFor(bench: IpcBench, from: string, n: number): string {
  const dir = mkdtempSync(join(tmpdir(), `sel4ts-bench-${bench.name}-`));
  for (const f of readdirSync(from).filter((f) => f.endsWith('.elf'))) cpSync(join(from, f), join(dir, f));
  writeFileSync(join(dir, bench.counter), withRounds(readFileSync(join(from, bench.counter)), n));
  return dir;
}

const systemOf = (bench: IpcBench): string => join(IPC_DIR, bench.name, `${bench.name}.system`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A run's wall time; with /usr/bin/time, its CPU time (user + system, children included); and
 * the time from the start line to the end line as they arrived on its standard output.
 */
interface Timing {
  wall: number;
  cpu: number | null;
  startToEnd: number;
}

const HAVE_TIME = existsSync('/usr/bin/time');

/** Time a command that must print `bench`'s start line, then `expect` and the end line. */
function timed(what: string, bench: IpcBench, cmd: string, args: string[], expect: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = HAVE_TIME ? spawn('/usr/bin/time', ['-f', '%U %S', cmd, ...args]) : spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    let started = -1;
    let ended = -1;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (t: string) => {
      stdout += t;
      if (started < 0 && stdout.includes(bench.start)) started = performance.now();
      if (ended < 0 && stdout.includes(bench.end)) ended = performance.now();
    });
    child.stderr.on('data', (t: string) => void (stderr += t));
    child.on('error', reject);
    child.on('close', (status) => {
      const wall = (performance.now() - t0) / 1000;
      if (status !== 0 || started < 0 || ended < 0 || !stdout.includes(expect)) {
        reject(new Error(`${what} exited ${status} without '${expect.trim()}':\n${stdout.slice(-2000)}${stderr}`));
        return;
      }
      const cpu = HAVE_TIME ? stderr.trim().split('\n').pop()!.split(' ').map(Number) : undefined;
      resolve({ wall, cpu: cpu ? cpu[0]! + cpu[1]! : null, startToEnd: (ended - started) / 1000 });
    });
  });
}

interface Marginal {
  /** From wall times: what a user waits. */
  roundsPerSecond: number;
  /** From CPU times: steadier than wall time on a shared machine. */
  roundsPerCpuSecond: number | null;
  /** N_large over the time from the start line to the end line of the large runs. */
  roundsPerSecondInRun: number;
  seconds: [number, number];
  cpuSeconds: [number, number] | null;
}

/**
 * Rounds per second between two round counts, from the median times of each, for each of
 * `runs`: interleaved (each repeat runs every variant, small then large), so that a change in
 * the machine's load during the measurement falls on all of them alike.
 */
async function marginals(rounds: [number, number], runs: ((n: number) => Promise<Timing>)[]): Promise<Marginal[]> {
  const times = runs.map(() => ({ small: [] as Timing[], large: [] as Timing[] }));
  for (let i = 0; i < REPEATS; i++) {
    for (const [v, run] of runs.entries()) {
      times[v]!.small.push(await run(rounds[0]));
      times[v]!.large.push(await run(rounds[1]));
    }
  }
  return times.map(({ small, large }) => marginalOf(rounds, small, large));
}

function marginalOf(rounds: [number, number], small: Timing[], large: Timing[]): Marginal {
  const rate = (pick: (t: Timing) => number): number => (rounds[1] - rounds[0]) / (median(large.map(pick)) - median(small.map(pick)));
  const cpu = small[0]!.cpu !== null;
  const three = (x: number): number => Number(x.toFixed(3));
  return {
    roundsPerSecond: rate((t) => t.wall),
    roundsPerCpuSecond: cpu ? rate((t) => t.cpu!) : null,
    roundsPerSecondInRun: rounds[1] / median(large.map((t) => t.startToEnd)),
    seconds: [three(median(small.map((t) => t.wall))), three(median(large.map((t) => t.wall)))],
    cpuSeconds: cpu ? [three(median(small.map((t) => t.cpu!))), three(median(large.map((t) => t.cpu!)))] : null,
  };
}

/** `sel4ts run` of `bin` (this checkout's by default), with `extra` arguments (e.g. --no-fastpath). */
function sel4tsRun(bench: IpcBench, n: number, extra: string[] = [], bin = BIN): Promise<Timing> {
  const dir = programsFor(bench, join(IPC_DIR, bench.name), n);
  const run = timed(`sel4ts run ${bench.name} (${n} rounds)`, bench, process.execPath, [bin, 'run', systemOf(bench), '--search-path', dir, '--until', bench.end, '--max-time', '1000s', ...extra], bench.result(n));
  return run.finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Why real seL4 cannot be measured here, or the SDK folder and ../shared/real-sel4. */
export function realSel4Setup(): { sdk: string; scripts: string } | { skipped: string } {
  const out = process.env.SEL4TS_REAL_SEL4_SDK;
  if (!out) return { skipped: 'not measured: set SEL4TS_REAL_SEL4_SDK to the output folder of ../shared/real-sel4/build-sdk.sh (the one holding sdk-2.0.1)' };
  const sdk = join(out, 'sdk-2.0.1');
  if (!existsSync(join(sdk, 'bin', 'microkit'))) return { skipped: `not measured: ${sdk} has no bin/microkit` };
  const scripts = process.env.REAL_SEL4 ?? join(ROOT, '..', 'shared', 'real-sel4');
  if (!existsSync(join(scripts, 'qemu-run.sh'))) return { skipped: `not measured: ${scripts} has no qemu-run.sh (set REAL_SEL4)` };
  if (spawnSync('qemu-system-aarch64', ['--version']).status !== 0) return { skipped: 'not measured: qemu-system-aarch64 is not installed' };
  return { sdk, scripts };
}

/** The times of booting real seL4 in QEMU until the end line, the programs built against sdk-2.0.1 in `built`. */
function realSel4Run(setup: { sdk: string; scripts: string }, built: string, bench: IpcBench, n: number): Promise<Timing> {
  const dir = programsFor(bench, join(built, bench.name), n);
  const image = join(dir, 'loader.img');
  const made = spawnSync(join(setup.scripts, 'make-image.sh'), [setup.sdk, systemOf(bench), dir, image], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make-image.sh ${bench.name}: ${made.stdout}${made.stderr}`);
  const run = timed(`real seL4 ${bench.name} (${n} rounds)`, bench, join(setup.scripts, 'qemu-run.sh'), [image, '--timeout', '120', '--until', bench.end], bench.result(n));
  return run.finally(() => rmSync(dir, { recursive: true, force: true }));
}

const whole = (x: number): number => Math.round(x);

export async function ipcSection(): Promise<Record<string, unknown>> {
  if (!existsSync(join(ROOT, 'dist', 'sel4ts.mjs'))) throw new Error('run npm run build first (the whole-process figures use dist/)');
  const setup = realSel4Setup();
  let built: string | undefined;
  if (!('skipped' in setup)) {
    built = mkdtempSync(join(tmpdir(), 'sel4ts-bench-ipc-201-'));
    const b = spawnSync(join(IPC_DIR, 'build.sh'), [setup.sdk, built], { encoding: 'utf8', env: { ...process.env, REAL_SEL4: setup.scripts } });
    if (b.status !== 0) throw new Error(`bench/ipc/build.sh against ${setup.sdk}: ${b.stderr}`);
  }
  const section: Record<string, unknown> = {};
  for (const bench of IPC_BENCHES) {
    // PPC round trips; one-way notifications, two a round of the notification ping-pong.
    const [unit, per] = bench.name === 'notify' ? ['notifications', 2] : ['roundTrips', 1];
    // This sel4ts; the same with every system call on the kernel's slow path; and
    // (SEL4TS_BENCH_BEFORE: the bin/sel4ts of another checkout, named SEL4TS_BENCH_BEFORE_LABEL)
    // an earlier sel4ts, interleaved in this run.
    const beforeBin = process.env.SEL4TS_BENCH_BEFORE;
    const variants = [(n: number) => sel4tsRun(bench, n), (n: number) => sel4tsRun(bench, n, ['--no-fastpath'])];
    if (beforeBin) variants.push((n) => sel4tsRun(bench, n, [], beforeBin));
    const [wp, slow, before] = (await marginals(bench.rounds.sel4ts, variants)) as [Marginal, Marginal, Marginal | undefined];
    const real = built && !('skipped' in setup) ? (await marginals(bench.rounds.qemu, [(n) => realSel4Run(setup, built, bench, n)]))[0] : undefined;
    const perCpu = (m: Marginal): number | null => (m.roundsPerCpuSecond === null ? null : whole(m.roundsPerCpuSecond * per));
    section[bench.name] = {
      [`${unit}PerSecondWholeProcess`]: whole(wp.roundsPerSecond * per),
      [`${unit}PerCpuSecondWholeProcess`]: perCpu(wp),
      [`${unit}PerSecondStartToEnd`]: whole(wp.roundsPerSecondInRun * per),
      noFastpath: { [`${unit}PerSecondWholeProcess`]: whole(slow.roundsPerSecond * per), [`${unit}PerCpuSecondWholeProcess`]: perCpu(slow) },
      ...(before && { before: { sel4ts: process.env.SEL4TS_BENCH_BEFORE_LABEL ?? beforeBin, [`${unit}PerSecondWholeProcess`]: whole(before.roundsPerSecond * per), [`${unit}PerCpuSecondWholeProcess`]: perCpu(before) } }),
      sel4tsRounds: bench.rounds.sel4ts,
      sel4tsWholeProcessSeconds: wp.seconds,
      sel4tsWholeProcessCpuSeconds: wp.cpuSeconds,
      realSel4Qemu: real
        ? {
            [`${unit}PerSecond`]: whole(real.roundsPerSecond * per),
            [`${unit}PerCpuSecond`]: perCpu(real),
            [`${unit}PerSecondStartToEnd`]: whole(real.roundsPerSecondInRun * per),
            rounds: bench.rounds.qemu,
            seconds: real.seconds,
            cpuSeconds: real.cpuSeconds,
          }
        : (setup as { skipped: string }).skipped,
    };
    process.stderr.write(`  ipc ${bench.name}: ${JSON.stringify(section[bench.name])}\n`);
  }
  if (built) rmSync(built, { recursive: true, force: true });
  return {
    ...section,
    repeats: REPEATS,
    note: "whole-process and QEMU rates are (N_large − N_small) / (t_large − t_small) of median wall times (PerSecond) and CPU times, user + system (PerCpuSecond; for QEMU that includes qemu-run.sh's console polling, so prefer its wall time); StartToEnd rates are N_large over the time from the start line to the end line of the large runs as they arrived on standard output (QEMU's console is polled every 50 ms); a notification round trip is two one-way notifications",
    qemu: built ? spawnSync('qemu-system-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : null,
  };
}
