// `npm run bench`: measures sel4ts and writes bench/results.json (sections cpu, kernel,
// compiler). Every figure is the median of several runs on this machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { findBoard } from '../src/abi/boards.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { generateSystem } from './generate-system.js';

const ROOT = join(import.meta.dirname, '..');
const SHARED = join(ROOT, '..', 'shared');
const BIN = join(ROOT, 'bin', 'sel4ts');
const CONFIG = findBoard('qemu_virt_aarch64')!.config;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Median in-process time of checking `text`, after warm-up. */
function inProcess(name: string, text: string, runs = 30): number {
  for (let i = 0; i < 5; i++) checkSystemSource(name, text, { config: CONFIG });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    checkSystemSource(name, text, { config: CONFIG });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median wall time and peak RSS of `sel4ts check` as a whole process. */
function wholeProcess(path: string, runs = 10): { ms: number; peakRssMiB: number | null } {
  const times: number[] = [];
  const rss: number[] = [];
  const haveTime = existsSync('/usr/bin/time');
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = haveTime
      ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'check', path, '--format', 'json'], { encoding: 'utf8' })
      : spawnSync(process.execPath, [BIN, 'check', path, '--format', 'json'], { encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`sel4ts check ${path} exited ${r.status}: ${r.stderr}`);
    if (haveTime) rss.push(Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  return { ms: median(times), peakRssMiB: rss.length ? round(median(rss), 1) : null };
}

function machine(): Record<string, unknown> {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version };
}

function compilerSection(): Record<string, unknown> {
  if (!existsSync(join(ROOT, 'dist', 'sel4ts.mjs'))) throw new Error('run npm run build first (the whole-process figures use dist/)');
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-'));
  const cases: { name: string; path: string; text: string }[] = [];
  for (const pds of [1, 8, 32, 63]) {
    const text = generateSystem(pds);
    const path = join(dir, `generated-${pds}.system`);
    writeFileSync(path, text);
    cases.push({ name: `generated, ${pds} PD${pds > 1 ? 's' : ''} at the channel limit`, path, text });
  }
  const corpus = join(SHARED, 'corpus');
  if (existsSync(corpus)) {
    const largest = 'jordanhubbard__agentos__kernel_agentos-root-task_agentos.system';
    cases.push({ name: 'largest corpus file', path: join(corpus, largest), text: readFileSync(join(corpus, largest), 'utf8') });
  }
  const rows = cases.map((c) => {
    const result = checkSystemSource(c.path, c.text, { config: CONFIG });
    const whole = wholeProcess(c.path);
    return {
      case: c.name,
      bytes: c.text.length,
      valid: result.ok,
      checkInProcessMs: round(inProcess(c.path, c.text)),
      checkWholeProcessMs: round(whole.ms, 1),
      peakRssMiB: whole.peakRssMiB,
    };
  });
  let corpusTotal: Record<string, unknown> | null = null;
  if (existsSync(corpus)) {
    const files = readFileSync(join(corpus, 'INDEX.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[0]!);
    const perFile = files.map((f) => inProcess(f, readFileSync(join(corpus, f), 'utf8'), 5));
    corpusTotal = { files: files.length, medianInProcessMs: round(median(perFile), 3), maxInProcessMs: round(Math.max(...perFile)) };
  }
  return {
    check: rows,
    corpus: corpusTotal,
    build: 'not measured yet: sel4ts build does not exist yet',
    node: { startupMs: round(median(Array.from({ length: 10 }, () => { const t0 = performance.now(); spawnSync(process.execPath, ['-e', '0']); return performance.now() - t0; })), 1) },
  };
}

const results = {
  machine: machine(),
  cpu: { status: 'not implemented yet: the CPU model does not exist yet' },
  kernel: { status: 'not implemented yet: the kernel model does not exist yet' },
  compiler: compilerSection(),
};

mkdirSync(join(ROOT, 'bench'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');

const c = results.compiler as { check: Record<string, unknown>[]; corpus: Record<string, unknown> | null; node: { startupMs: number } };
console.log(`machine: ${JSON.stringify(results.machine)}`);
console.log(`node startup (node -e 0): ${c.node.startupMs} ms\n`);
console.log('| case | bytes | check in-process (ms) | whole process (ms) | peak RSS (MiB) |');
console.log('|---|---|---|---|---|');
for (const r of c.check) console.log(`| ${r.case} | ${r.bytes} | ${r.checkInProcessMs} | ${r.checkWholeProcessMs} | ${r.peakRssMiB ?? '-'} |`);
if (c.corpus) console.log(`\ncorpus: ${c.corpus.files} files, median ${c.corpus.medianInProcessMs} ms, max ${c.corpus.maxInProcessMs} ms in-process`);
console.log('\ncpu, kernel: not implemented yet. Wrote bench/results.json');
