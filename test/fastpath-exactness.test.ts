import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { IPC_BENCHES, IPC_DIR } from '../scripts/bench-ipc.js';
import { main } from '../src/cli/main.js';
import { Sel4Kernel } from '../src/kernel/kernel.js';
import { bashWords } from './helpers/bash-words.js';

/**
 * Fast-path exactness: every example, every conformance scenario and both IPC benchmark systems
 * run with the kernel's fast paths on and with `--no-fastpath`, and must give the same console
 * output, exit status and stderr, the same `--trace` of system calls, putchar, faults and
 * scheduler switches (each line stamped with virtual time), and the same run summary (retired
 * instructions per PD and in all, virtual time). The kernel scenarios get the same comparison in
 * fastpath-exactness-scenarios.test.ts.
 */

const EXAMPLES = fileURLToPath(new URL('../examples', import.meta.url));
const CONFORMANCE = fileURLToPath(new URL('./conformance/scenarios', import.meta.url));

interface Case {
  name: string;
  dir: string;
  args: string[];
}

const dirs = (root: string) =>
  readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
const systemIn = (dir: string) => join(dir, readdirSync(dir).find((f) => f.endsWith('.system'))!);

const cases: Case[] = [
  ...dirs(EXAMPLES)
    .filter((n) => existsSync(join(EXAMPLES, n, 'run-args.txt')))
    .map((n) => ({ name: `example ${n}`, dir: join(EXAMPLES, n), args: bashWords(readFileSync(join(EXAMPLES, n, 'run-args.txt'), 'utf8')) })),
  ...dirs(CONFORMANCE).map((n) => ({ name: `conformance ${n}`, dir: join(CONFORMANCE, n), args: ['--search-path', join(CONFORMANCE, n), '--until', '== conformance end ==', '--max-time', '10s', '--allow-faults'] })),
  ...IPC_BENCHES.map((b) => ({ name: `IPC bench ${b.name}`, dir: join(IPC_DIR, b.name), args: ['--search-path', join(IPC_DIR, b.name), '--until', b.end, '--max-time', '10s'] })),
];

// The kernel of the run in progress, to read how often its fast paths were taken.
const seen: { kernel?: Sel4Kernel } = {};
const start = Sel4Kernel.prototype.start;
Sel4Kernel.prototype.start = function (this: Sel4Kernel, port) {
  seen.kernel = this;
  start.call(this, port);
};
afterAll(() => {
  Sel4Kernel.prototype.start = start;
});

interface Observed {
  code: number;
  stdout: string;
  stderr: string;
  trace: string;
  summary: string;
  fastpathHits: number;
}

/** Through a function: TypeScript cannot see `start` set `seen.kernel` during `main`. */
const hitsOf = (k: Sel4Kernel | undefined): number => k?.state.fastpathHits ?? -1;

async function observe(c: Case, fastpath: boolean): Promise<Observed> {
  const out = mkdtempSync(join(tmpdir(), 'sel4ts-fastpath-'));
  try {
    const trace = join(out, 'trace.txt');
    const summary = join(out, 'summary.json');
    const tracing = ['syscalls', 'putchar', 'faults', 'sched'].flatMap((w) => ['--trace', w]);
    let stdout = '';
    let stderr = '';
    seen.kernel = undefined;
    const argv = ['run', systemIn(c.dir), ...c.args, ...tracing, '--trace-file', trace, '--summary-json', summary, ...(fastpath ? [] : ['--no-fastpath'])];
    const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: c.dir });
    return { code, stdout, stderr, trace: readFileSync(trace, 'utf8'), summary: readFileSync(summary, 'utf8'), fastpathHits: hitsOf(seen.kernel) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('kernel fast paths on and off', () => {
  it('has every example, conformance scenario and IPC bench', () => {
    expect(cases.filter((c) => c.name.startsWith('example')).length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.name.startsWith('conformance')).length).toBeGreaterThanOrEqual(30);
  });

  let otherHits = 0;
  for (const c of cases) {
    it(`${c.name}: same console, trace, instructions and time`, async () => {
      const fast = await observe(c, true);
      const slow = await observe(c, false);
      expect(slow.fastpathHits).toBe(0);
      if (!c.name.startsWith('IPC bench')) otherHits += fast.fastpathHits;
      expect(fast.trace.length).toBeGreaterThan(0);
      expect({ ...fast, fastpathHits: 0 }).toEqual({ ...slow, fastpathHits: 0 });
      if (c.name.startsWith('IPC bench')) expect(fast.fastpathHits).toBeGreaterThanOrEqual(2000);
    });
  }

  it('took fast paths in the examples and scenarios too', () => expect(otherHits).toBeGreaterThanOrEqual(200));
});
