// The kernel model's benchmarks for `npm run bench`. What users meet, with Microkit programs
// built against the real libmicrokit: the PPC and notification ping-pongs of bench-ipc.ts. And
// two raw loops in host time, including the emulated user code, whose threads run
// test/kernel/programs/scenarios.elf, built into a system through the kernel's own invocations
// (the scenario tests' system builder): PPC round trips (seL4_Call to a higher-priority server
// that answers with seL4_ReplyRecv; 2 message registers in, 1 out), and seL4_Signal to a
// notification an equal-priority thread waits on, a loop that never switches threads (a signal
// does not preempt its sender at equal priority, so the signaller keeps running).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildErrors, buildSystem } from '../src/compiler/build.js';
import { bootImage } from '../src/loader/boot.js';
import { ObjectType } from '../src/kernel/object-types.js';
import { ROLE, TestSystem } from '../test/helpers/kernel-system.js';
import { ipcSection } from './bench-ipc.js';
import { installNodeHost } from '../src/cli/node-host.js';

installNodeHost();

const ROOT = join(import.meta.dirname, '..');
const N = 200_000;
const REPEATS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function ppc(): { perSecond: number; instructionsPerRoundTrip: number } {
  const sys = new TestSystem();
  const ep = sys.create(ObjectType.Endpoint);
  sys.thread({ role: ROLE.echoServer, priority: 120, caps: { 1: ep } });
  sys.thread({ role: ROLE.callLoop, param: N, priority: 100, caps: { 3: ep } });
  const t0 = performance.now();
  sys.run(1e12);
  const seconds = (performance.now() - t0) / 1000;
  if (!sys.output.startsWith('calls done')) throw new Error(`the PPC benchmark did not finish: ${sys.output}`);
  return { perSecond: N / seconds, instructionsPerRoundTrip: sys.machine.cpu.icount / N };
}

function notifications(): number {
  const sys = new TestSystem();
  const n = sys.create(ObjectType.Notification);
  sys.thread({ role: ROLE.waitLoop, priority: 100, caps: { 1: n } });
  sys.thread({ role: ROLE.signalLoop, param: N, priority: 100, caps: { 2: n } });
  const t0 = performance.now();
  sys.run(1e12);
  const seconds = (performance.now() - t0) / 1000;
  if (!sys.output.includes('signals done')) throw new Error(`the notification benchmark did not finish: ${sys.output}`);
  return N / seconds;
}

/** examples/hello: from reading the description to the first console byte, in-process and as a whole `sel4ts run`. */
function bootToFirstOutput(): { inProcessMs: number; wholeProcessMs: number } {
  const system = join(ROOT, 'examples', 'hello', 'hello.system');
  const inProcess: number[] = [];
  for (let i = 0; i < REPEATS + 2; i++) {
    const t0 = performance.now();
    const built = buildSystem(system, readFileSync(system, 'utf8'), { searchPaths: [dirname(system)] });
    if (!built.ok) throw new Error(buildErrors(built).join('; '));
    let first = -1;
    const booted = bootImage(built.image, { console: () => void (first < 0 && (first = performance.now())) });
    if (!booted.ok) throw new Error(booted.error);
    booted.booted.machine.run(booted.booted.kernel, 100_000_000);
    inProcess.push(first - t0);
  }
  const whole: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'sel4ts.mjs'), 'run', system, '--until', 'hello'], { encoding: 'utf8' });
    whole.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`sel4ts run hello exited ${r.status}: ${r.stderr}`);
  }
  return { inProcessMs: Math.round(median(inProcess.slice(2)) * 10) / 10, wholeProcessMs: Math.round(median(whole) * 10) / 10 };
}

export async function kernelModelSection(): Promise<Record<string, unknown>> {
  const p = Array.from({ length: REPEATS }, ppc);
  const s = Array.from({ length: REPEATS }, notifications);
  const hello = bootToFirstOutput();
  const ipc = await ipcSection();
  return {
    ppcPingPong: ipc.ppc,
    notifyPingPong: ipc.notify,
    ipcNote: ipc.note,
    qemuVersion: ipc.qemu,
    helloBootToFirstOutputInProcessMs: hello.inProcessMs,
    helloBootToFirstOutputWholeProcessMs: hello.wholeProcessMs,
    rawPpcLoopRoundTripsPerSecond: Math.round(median(p.map((r) => r.perSecond))),
    instructionsPerRawRoundTrip: Math.round(median(p.map((r) => r.instructionsPerRoundTrip)) * 10) / 10,
    signalLoopSignalsPerSecond: Math.round(median(s)),
    rounds: N,
    repeats: REPEATS,
    note: 'raw loops (scenarios.elf, no libmicrokit): medians of `rounds` rounds; the signal loop never switches threads, so it is not a notification rate users meet (notifyPingPong is)',
  };
}
