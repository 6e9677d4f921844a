// The IPC benchmarks of `npm run bench` that measure what users meet: Microkit programs built
// against the real libmicrokit (bench/ipc/, see its README) doing a PPC ping-pong and a
// notification ping-pong, as whole `sel4ts run` processes, in-process, and (when
// SEL4TS_REAL_SEL4_SDK names the output folder of ../shared/real-sel4/build-sdk.sh) on real
// seL4 in qemu-system-aarch64. Whole-process rates are marginal, (N_large − N_small) /
// (t_large − t_small), so that Node's start-up, the build and the boot cancel out.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../src/cli/main.js';
import { readElf64 } from '../src/util/elf64.js';

const ROOT = join(import.meta.dirname, '..');
export const IPC_DIR = join(ROOT, 'bench', 'ipc');
const BIN = join(ROOT, 'bin', 'sel4ts');
/** The symbol whose value is the number of rounds (bench/ipc/common/bench-ipc.h). */
const ROUNDS_SYMBOL = 'bench_rounds';
const REPEATS = 3;

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
  const read = readElf64(bytes);
  if (!read.ok) throw new Error(`not an ELF file: ${read.error}`);
  const symbol = read.elf.symbols.find((s) => s.name === ROUNDS_SYMBOL && s.section !== 0);
  if (symbol?.size !== 8n) throw new Error(`no 8-byte symbol ${ROUNDS_SYMBOL}`);
  const segment = read.elf.segments.find((g) => symbol.value >= g.vaddr && symbol.value + 8n <= g.vaddr + BigInt(g.fileSize));
  if (!segment) throw new Error(`${ROUNDS_SYMBOL} is not in the file bytes of a loaded segment`);
  const copy = new Uint8Array(bytes);
  new DataView(copy.buffer).setBigUint64(segment.offset + Number(symbol.value - segment.vaddr), BigInt(n), true);
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

/** Wall time of a command that must print `expect`. */
function timed(what: string, cmd: string, args: string[], expect: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 || !r.stdout.includes(expect)) throw new Error(`${what} exited ${r.status} without '${expect.trim()}':\n${r.stdout.slice(-2000)}${r.stderr}`);
  return seconds;
}

/** Rounds per second between two round counts, from the median wall time of each. */
function marginal(rounds: [number, number], run: (n: number) => number): { roundsPerSecond: number; seconds: [number, number] } {
  const small = median(Array.from({ length: REPEATS }, () => run(rounds[0])));
  const large = median(Array.from({ length: REPEATS }, () => run(rounds[1])));
  return { roundsPerSecond: (rounds[1] - rounds[0]) / (large - small), seconds: [small, large] };
}

function sel4tsWholeProcess(bench: IpcBench, n: number): number {
  const dir = programsFor(bench, join(IPC_DIR, bench.name), n);
  return timed(`sel4ts run ${bench.name} (${n} rounds)`, process.execPath, [BIN, 'run', systemOf(bench), '--search-path', dir, '--until', bench.end, '--max-time', '1000s'], bench.result(n));
}

/** Seconds from the start line to the end line of `sel4ts run` in this process (its `main`). */
async function sel4tsInProcess(bench: IpcBench, n: number): Promise<number> {
  const dir = programsFor(bench, join(IPC_DIR, bench.name), n);
  let text = '';
  let started = -1;
  let ended = -1;
  const code = await main(['run', systemOf(bench), '--search-path', dir, '--until', bench.end, '--max-time', '1000s'], {
    stdout: (t) => {
      text += t;
      if (started < 0 && text.includes(bench.start)) started = performance.now();
      if (ended < 0 && text.includes(bench.end)) ended = performance.now();
    },
    stderr: (t) => void (text += t),
    colour: false,
    cwd: dir,
  });
  if (code !== 0 || started < 0 || ended < 0 || !text.includes(bench.result(n))) throw new Error(`${bench.name} (${n} rounds) did not finish in-process (exit ${code}):\n${text.slice(-2000)}`);
  return (ended - started) / 1000;
}

/** Why real seL4 cannot be measured here, or the SDK folder and ../shared/real-sel4. */
function realSel4Setup(): { sdk: string; scripts: string } | { skipped: string } {
  const out = process.env.SEL4TS_REAL_SEL4_SDK;
  if (!out) return { skipped: 'not measured: set SEL4TS_REAL_SEL4_SDK to the output folder of ../shared/real-sel4/build-sdk.sh (the one holding sdk-2.0.1)' };
  const sdk = join(out, 'sdk-2.0.1');
  if (!existsSync(join(sdk, 'bin', 'microkit'))) return { skipped: `not measured: ${sdk} has no bin/microkit` };
  const scripts = process.env.REAL_SEL4 ?? join(ROOT, '..', 'shared', 'real-sel4');
  if (!existsSync(join(scripts, 'qemu-run.sh'))) return { skipped: `not measured: ${scripts} has no qemu-run.sh (set REAL_SEL4)` };
  if (spawnSync('qemu-system-aarch64', ['--version']).status !== 0) return { skipped: 'not measured: qemu-system-aarch64 is not installed' };
  return { sdk, scripts };
}

/** Wall time of booting real seL4 in QEMU until the end line, the programs built against sdk-2.0.1 in `built`. */
function realSel4Run(setup: { sdk: string; scripts: string }, built: string, bench: IpcBench, n: number): number {
  const dir = programsFor(bench, join(built, bench.name), n);
  const image = join(dir, 'loader.img');
  const made = spawnSync(join(setup.scripts, 'make-image.sh'), [setup.sdk, systemOf(bench), dir, image], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make-image.sh ${bench.name}: ${made.stdout}${made.stderr}`);
  return timed(`real seL4 ${bench.name} (${n} rounds)`, join(setup.scripts, 'qemu-run.sh'), [image, '--timeout', '120', '--until', bench.end], bench.result(n));
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
    // One-way notifications: two a round trip in the notification ping-pong.
    const per = bench.name === 'notify' ? 2 : 1;
    const wp = marginal(bench.rounds.sel4ts, (n) => sel4tsWholeProcess(bench, n));
    const inProcess: number[] = [];
    for (let i = 0; i < REPEATS; i++) inProcess.push(bench.rounds.sel4ts[1] / (await sel4tsInProcess(bench, bench.rounds.sel4ts[1])));
    const ip = median(inProcess);
    const real = built && !('skipped' in setup) ? marginal(bench.rounds.qemu, (n) => realSel4Run(setup, built, bench, n)) : undefined;
    section[bench.name] = {
      roundTripsPerSecondWholeProcess: whole(wp.roundsPerSecond),
      roundTripsPerSecondInProcess: whole(ip),
      ...(per === 2 ? { notificationsPerSecondWholeProcess: whole(wp.roundsPerSecond * 2), notificationsPerSecondInProcess: whole(ip * 2) } : {}),
      sel4tsRounds: bench.rounds.sel4ts,
      sel4tsWholeProcessSeconds: wp.seconds.map((s) => Number(s.toFixed(3))),
      realSel4Qemu: real
        ? {
            roundTripsPerSecond: whole(real.roundsPerSecond),
            ...(per === 2 ? { notificationsPerSecond: whole(real.roundsPerSecond * 2) } : {}),
            rounds: bench.rounds.qemu,
            seconds: real.seconds.map((s) => Number(s.toFixed(3))),
          }
        : (setup as { skipped: string }).skipped,
    };
    process.stderr.write(`  ipc ${bench.name}: ${JSON.stringify(section[bench.name])}\n`);
  }
  return {
    ...section,
    repeats: REPEATS,
    note: 'whole-process and QEMU rates are (N_large − N_small) / (t_large − t_small) of median wall times; in-process rates time the large run from its start line to its end line; a notification round trip is two one-way notifications',
    qemu: built ? spawnSync('qemu-system-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : null,
  };
}
