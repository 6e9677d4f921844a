// The same programs on real seL4 in QEMU, for the device benches (`npm run bench -- blk net`):
// built against Microkit 2.0.1 with ../shared/real-sel4's scripts, booted by its qemu-run.sh,
// when SEL4TS_REAL_SEL4_SDK names the output folder of its build-sdk.sh (as for the kernel
// bench, bench-ipc.ts). A figure is the marginal rate of two runs (N_large and N_small units of
// work) in wall time of the whole QEMU run, so boot and the image's set-up cancel; QEMU's own
// CPU time (user + system, from /usr/bin/time) is given too. Otherwise the reason it is not.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realSel4Setup, withWord } from './bench-ipc.js';

const TIME = '/usr/bin/time';

function setup(): { sdk: string; scripts: string } {
  const s = realSel4Setup();
  if ('skipped' in s) throw new Error(s.skipped);
  return s;
}

/** Why real seL4 cannot be measured here, or undefined when it can. */
export function realSel4Missing(): string | undefined {
  const s = realSel4Setup();
  return 'skipped' in s ? s.skipped : undefined;
}

export function qemuVersion(): string {
  return spawnSync('qemu-system-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
}

function check(r: ReturnType<typeof spawnSync>, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed:\n${r.stdout}\n${r.stderr}`);
}

/** A PD ELF built from `sources` against Microkit 2.0.1. */
export function buildPd(out: string, sources: string[], cflags: string[] = []): void {
  check(spawnSync(join(setup().scripts, 'build-pd.sh'), [setup().sdk, out, ...sources, '--', '-Wall', '-Wno-unused-function', ...cflags], { encoding: 'utf8' }), `build-pd.sh ${out}`);
}

/** loader.img of `system`, its ELFs found in `searchDirs`. */
export function makeImage(system: string, searchDirs: string[], out: string): void {
  check(spawnSync(join(setup().scripts, 'make-image.sh'), [setup().sdk, system, searchDirs.join(':'), out], { encoding: 'utf8' }), `make-image.sh ${system}`);
}

/** Set the 64-bit initialised variable `symbol` of an ELF file to `value` (what a bench's size knob is). */
export function patchWord(path: string, symbol: string, value: bigint): void {
  writeFileSync(path, withWord(new Uint8Array(readFileSync(path)), symbol, value));
}

function exited(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((res) => child.on('close', (code) => res(code ?? -1)));
}

export interface QemuRun {
  wallSeconds: number;
  /** QEMU's user + system CPU seconds (with qemu-run.sh's own), when /usr/bin/time is there. */
  cpuSeconds: number | undefined;
  console: string;
}

/**
 * Boot `img` until `until` appears, with `qemuArgs`; `feeder` (a command started at the same
 * time, e.g. the frame feeder watching `log`) must end successfully too.
 */
export async function qemuRun(img: string, until: string, log: string, qemuArgs: string[], feeder?: string[]): Promise<QemuRun> {
  writeFileSync(log, '');
  const timeFile = `${log}.time`;
  const args = [join(setup().scripts, 'qemu-run.sh'), img, '--timeout', '300', '--until', until, '--log', log, '--', ...qemuArgs];
  const feed = feeder && spawn(feeder[0]!, feeder.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  // Listening from the start: the feeder may end before QEMU does.
  const feedEnd = feed && exited(feed);
  let feedErr = '';
  feed?.stderr?.on('data', (d) => void (feedErr += d));
  const started = performance.now();
  const withTime = existsSync(TIME);
  const qemu = spawn(withTime ? TIME : args[0]!, withTime ? ['-f', '%U %S', '-o', timeFile, ...args] : args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  qemu.stderr?.on('data', (d) => void (err += d));
  const code = await exited(qemu);
  const wallSeconds = (performance.now() - started) / 1000;
  if (feedEnd && (await feedEnd) !== 0) throw new Error(`the feeder failed: ${feedErr}`);
  if (code !== 0) throw new Error(`qemu-run.sh ${img}: '${until}' did not appear (exit ${code}): ${err}`);
  const cpu = withTime ? readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number) : undefined;
  return { wallSeconds, cpuSeconds: cpu ? cpu[0]! + cpu[1]! : undefined, console: readFileSync(log, 'utf8') };
}

/** This process's CPU seconds so far (user + system): the bench machine is shared, so wall time would measure the neighbours too. */
export function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

// The fastest of the runs: the bench machine is shared, and a neighbour only ever slows a run down.
export const fastest = (xs: number[]): number => Math.min(...xs);
export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** QEMU runs of a bench at its small and large size, five of each, interleaved. */
export const QEMU_REPEATS = 5;

export interface QemuMarginal {
  /** The fastest run of each size, in wall seconds. */
  wallSeconds: { small: number; large: number };
  /** Large minus small, fastest against fastest, in wall and (with /usr/bin/time) CPU seconds. */
  wall: number;
  cpu: number | undefined;
}

/**
 * Run `once` at both sizes QEMU_REPEATS times, interleaved; each run must satisfy `done` (its
 * console says the work was done), or `failure` is thrown.
 */
export async function qemuMarginal(once: (size: 'small' | 'large') => Promise<QemuRun>, done: (r: QemuRun, size: 'small' | 'large') => boolean, failure: string): Promise<QemuMarginal> {
  const runs = { small: [] as QemuRun[], large: [] as QemuRun[] };
  for (let i = 0; i < QEMU_REPEATS; i++) {
    for (const size of ['small', 'large'] as const) {
      const r = await once(size);
      if (!done(r, size)) throw new Error(`QEMU: ${failure}`);
      runs[size].push(r);
    }
  }
  const best = (size: 'small' | 'large', pick: (r: QemuRun) => number) => fastest(runs[size].map(pick));
  const withCpu = runs.large[0]!.cpuSeconds !== undefined;
  return {
    wallSeconds: { small: round(best('small', (r) => r.wallSeconds)), large: round(best('large', (r) => r.wallSeconds)) },
    wall: best('large', (r) => r.wallSeconds) - best('small', (r) => r.wallSeconds),
    cpu: withCpu ? best('large', (r) => r.cpuSeconds!) - best('small', (r) => r.cpuSeconds!) : undefined,
  };
}
