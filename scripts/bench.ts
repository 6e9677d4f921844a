// `npm run bench`: measures sel4ts and writes bench/results.json (sections cpu, machineModel,
// kernel, compiler, policy, blk, net, crc; `npm run bench -- cpu crc` measures only those).
// Every figure is the median (or, where said, the fastest) of several runs on this machine.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { findBoard } from '../src/abi/boards.js';
import { buildErrors, buildSystem } from '../src/compiler/build.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { bootImage } from '../src/loader/boot.js';
import type { SystemDescription } from '../src/parser/model.js';
import { kernelModelSection } from './bench-kernel.js';
import { blkSection } from './bench-blk.js';
import { crcSection } from './bench-crc.js';
import { netSection } from './bench-net.js';
import { machineModelSection } from './bench-machine.js';
import { generatePolicy } from './generate-policy.js';
import { generateSystem } from './generate-system.js';
import { policyLibraries } from '../src/cli/policy-option.js';
import { SourceFile } from '../src/diagnostics/source-file.js';
import { checkPolicies } from '../src/policy/check-policies.js';
import { subjectFromDescription, subjectFromSpec } from '../src/policy/subject.js';
import { installNodeHost } from '../src/cli/node-host.js';

installNodeHost();

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
function wholeProcess(path: string, runs = 10, args: string[] = ['check', path, '--format', 'json']): { ms: number; peakRssMiB: number | null } {
  const times: number[] = [];
  const rss: number[] = [];
  const haveTime = existsSync('/usr/bin/time');
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = haveTime ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`sel4ts check ${path} exited ${r.status}: ${r.stderr}`);
    if (haveTime) rss.push(Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  return { ms: median(times), peakRssMiB: rss.length ? round(median(rss), 1) : null };
}

function machine(): Record<string, unknown> {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version };
}

/**
 * Programs for a corpus system, whose own programs are not here: one PD program that defines
 * every setvar symbol the system patches, built against sdk/ with clang (when installed) and
 * copied under each program name. Undefined when it cannot be built.
 */
function corpusPrograms(system: SystemDescription): string | undefined {
  if (spawnSync('clang', ['--version']).status !== 0 || spawnSync('ld.lld', ['--version']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-corpus-'));
  const symbols = new Set<string>();
  for (const pd of system.allProtectionDomains) for (const name of pd.setvarSymbols.keys()) symbols.add(name);
  const source = join(dir, 'pd.c');
  writeFileSync(source, `#include <microkit.h>\n${[...symbols].map((n) => `seL4_Word ${n};`).join('\n')}\nvoid init(void) {}\nvoid notified(microkit_channel ch) { (void)ch; }\n`);
  const elf = join(dir, 'pd.elf');
  const made = spawnSync('make', ['-s', '-C', join(ROOT, 'sdk'), 'pd', `PD_ELF=${elf}`, `PD_SRCS=${source}`], { encoding: 'utf8' });
  if (made.status !== 0) return undefined;
  for (const pd of system.allProtectionDomains) if (pd.programImage?.path) cpSync(elf, join(dir, pd.programImage.path));
  return dir;
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
  // Every generated PD runs the same program (bench/programs/generated-pd.elf).
  for (let pd = 0; pd < 63; pd++) cpSync(join(ROOT, 'bench', 'programs', 'generated-pd.elf'), join(dir, `pd${pd}.elf`));
  const rows = cases.map((c) => {
    const result = checkSystemSource(c.path, c.text, { config: CONFIG });
    const whole = wholeProcess(c.path);
    const programs = c.path.startsWith(dir) ? dir : result.ok && result.system ? corpusPrograms(result.system) : undefined;
    let build: Record<string, unknown> = { buildInProcessMs: null, buildWholeProcessMs: null, buildPeakRssMiB: null, bootMs: null };
    if (programs) {
      const times: number[] = [];
      const boots: number[] = [];
      let image: Uint8Array | undefined;
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        const r = buildSystem(c.path, c.text, { searchPaths: [programs] });
        times.push(performance.now() - t0);
        if (!r.ok) throw new Error(`building ${c.name} failed: ${buildErrors(r).join('; ')}`);
        image = r.image;
        const t1 = performance.now();
        if (!bootImage(image).ok) throw new Error(`booting ${c.name} failed`);
        boots.push(performance.now() - t1);
      }
      const out = join(dir, 'out.img');
      const wb = wholeProcess(c.path, 5, ['build', c.path, '--search-path', programs, '-o', out, '-r', join(dir, 'out.txt')]);
      build = { buildInProcessMs: round(median(times)), buildWholeProcessMs: round(wb.ms, 1), buildPeakRssMiB: wb.peakRssMiB, bootMs: round(median(boots)), imageBytes: image!.length };
    }
    return {
      case: c.name,
      bytes: c.text.length,
      valid: result.ok,
      checkInProcessMs: round(inProcess(c.path, c.text)),
      checkWholeProcessMs: round(whole.ms, 1),
      peakRssMiB: whole.peakRssMiB,
      ...build,
    };
  });
  let corpusTotal: Record<string, unknown> | null = null;
  if (existsSync(corpus)) {
    const files = readFileSync(join(corpus, 'INDEX.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!);
    const perFile = files.map((f) => inProcess(f, readFileSync(join(corpus, f), 'utf8'), 5));
    corpusTotal = { files: files.length, medianInProcessMs: round(median(perFile), 3), maxInProcessMs: round(Math.max(...perFile)) };
  }
  return {
    check: rows,
    corpus: corpusTotal,
    node: {
      startupMs: round(
        median(
          Array.from({ length: 10 }, () => {
            const t0 = performance.now();
            spawnSync(process.execPath, ['-e', '0']);
            return performance.now() - t0;
          }),
        ),
        1,
      ),
    },
  };
}

/** Build ../shared/bench in a temporary directory; undefined when that is not possible. */
function buildBench(): { dir: string; variants: string[] } | { missing: string } {
  const src = join(SHARED, 'bench');
  if (!existsSync(src)) return { missing: '../shared/bench is not here' };
  if (spawnSync('aarch64-linux-gnu-gcc', ['--version']).status !== 0) return { missing: 'gcc-aarch64-linux-gnu is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-cpu-'));
  cpSync(src, dir, { recursive: true });
  spawnSync('make', ['-C', dir, '-j2', 'all'], { stdio: 'ignore' });
  const variants = ['a64-gcc-O2', 'a64-gcc-O0', 'a64-gcc-O3'];
  if (spawnSync('clang', ['--version']).status === 0 && spawnSync('make', ['-C', dir, '-j2', 'clang'], { stdio: 'ignore' }).status === 0) variants.push('a64-clang-O2');
  return { dir, variants };
}

function timeRun(cmd: string, args: string[]): { seconds: number; stdout: string; stderr: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** GNU time, for the peak memory of a run. */
const TIME = existsSync('/usr/bin/time');
const INTEGER = ['sieve', 'interp', 'crc32', 'sha256', 'memops', 'qsort', 'hashtab'];

function cpuSection(): Record<string, unknown> {
  const built = buildBench();
  if ('missing' in built) return { status: `not measured: ${built.missing}` };
  const qemu = spawnSync('qemu-aarch64', ['--version']).status === 0;
  const refs = readFileSync(join(SHARED, 'bench', 'reference-outputs.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'));
  const rows: Record<string, unknown>[] = [];
  for (const variant of built.variants) {
    for (const bench of ['sieve', 'interp', 'crc32', 'sha256', 'memops', 'qsort', 'matmul', 'hashtab', 'nbody']) {
      const mine = refs.filter((r) => r[0] === (variant === 'a64-clang-O2' ? 'a64-clang-O2' : 'a64-gcc-O2') && r[1] === bench);
      // gcc -O2 runs the full workload (the reference argument), the other variants the small one.
      const ref = variant === 'a64-gcc-O2' ? mine[mine.length - 1] : mine[0];
      if (!ref) continue;
      const arg = ref[2]!;
      const elf = join(built.dir, 'build', variant, bench);
      const reps = variant === 'a64-gcc-O2' ? 3 : 1;
      // The default tier (WebAssembly, named so that --stats prints its compile figures; peak
      // memory from GNU time), the JavaScript tier and QEMU, interleaved run by run.
      const ours: ReturnType<typeof timeRun>[] = [];
      const js: ReturnType<typeof timeRun>[] = [];
      const theirs: ReturnType<typeof timeRun>[] = [];
      for (let k = 0; k < reps; k++) {
        ours.push(timeRun(TIME ? '/usr/bin/time' : process.execPath, [...(TIME ? ['-f', 'peak-rss-kib %M', process.execPath] : []), BIN, 'machine', 'exec', '--stats', '--tier', 'wasm', elf, arg]));
        js.push(timeRun(process.execPath, [BIN, 'machine', 'exec', '--stats', '--tier', 'js', elf, arg]));
        if (qemu) theirs.push(timeRun('qemu-aarch64', [elf, arg]));
      }
      const stats = /instructions: (\d+), time: ([0-9.]+) s/.exec(ours[0]!.stderr);
      const instructions = stats ? Number(stats[1]) : null;
      const inner = median(ours.map((o) => Number(/time: ([0-9.]+) s/.exec(o.stderr)?.[1] ?? NaN)));
      const seconds = median(ours.map((o) => o.seconds));
      const qemuSeconds = theirs.length ? median(theirs.map((o) => o.seconds)) : null;
      const refMatches = variant === 'a64-gcc-O2' || variant === 'a64-clang-O2' ? { output: ours[0]!.stdout.replace(/\n/g, '|') === ref[4], instructions: instructions === Number(ref[3]) } : null;
      const compile = /WebAssembly tier: (\d+) regions, ([0-9.]+) KiB of guest code, ([0-9.]+) ms to emit and compile/.exec(ours[0]!.stderr);
      const rss = /peak-rss-kib (\d+)/.exec(ours[0]!.stderr);
      const jsSeconds = median(js.map((o) => o.seconds));
      const jsInner = median(js.map((o) => Number(/time: ([0-9.]+) s/.exec(o.stderr)?.[1] ?? NaN)));
      const jsCount = Number(/instructions: (\d+)/.exec(js[0]!.stderr)?.[1] ?? NaN);
      rows.push({
        variant,
        bench,
        arg,
        instructions,
        seconds: round(seconds, 3),
        mips: instructions ? round(instructions / inner / 1e6, 1) : null,
        qemuSeconds: qemuSeconds === null ? null : round(qemuSeconds, 3),
        qemuMips: qemuSeconds && instructions ? round(instructions / qemuSeconds / 1e6, 1) : null,
        timeRatio: qemuSeconds ? round(seconds / qemuSeconds, 2) : null,
        outputsAgree: theirs.length ? ours[0]!.stdout === theirs[0]!.stdout : null,
        matchesReference: refMatches,
        regions: compile ? Number(compile[1]) : null,
        guestKiB: compile ? Number(compile[2]) : null,
        compileMsPerKiB: compile ? round(Number(compile[3]) / Number(compile[2]), 2) : null,
        peakRssMiB: rss ? round(Number(rss[1]) / 1024, 1) : null,
        js: {
          seconds: round(jsSeconds, 3),
          mips: round(jsCount / jsInner / 1e6, 1),
          timeRatio: qemuSeconds ? round(jsSeconds / qemuSeconds, 2) : null,
          sameOutputAndCount: js[0]!.stdout === ours[0]!.stdout && jsCount === instructions,
        },
      });
      process.stderr.write(`  cpu ${variant} ${bench}: ${rows[rows.length - 1]!.mips} MIPS\n`);
    }
  }
  const o2 = rows.filter((r) => r.variant === 'a64-gcc-O2');
  const geo = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  const intRows = o2.filter((r) => INTEGER.includes(r.bench as string));
  return {
    qemu: qemu ? spawnSync('qemu-aarch64', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : 'qemu-aarch64 is not installed: no QEMU figures',
    programs: rows,
    summary: {
      integerGeomeanMips: round(geo(intRows.map((r) => r.mips as number)), 1),
      integerGeomeanQemuMips: qemu ? round(geo(intRows.map((r) => r.qemuMips as number)), 1) : null,
      integerGeomeanSpeedVsQemu: qemu ? round(geo(intRows.map((r) => 1 / (r.timeRatio as number))), 3) : null,
      integerGeomeanSpeedVsQemuJs: qemu ? round(geo(intRows.map((r) => 1 / (r.js as { timeRatio: number }).timeRatio)), 3) : null,
      totalSecondsGccO2Js: round(
        o2.reduce((a, r) => a + (r.js as { seconds: number }).seconds, 0),
        2,
      ),
      totalSecondsGccO2: round(
        o2.reduce((a, r) => a + (r.seconds as number), 0),
        2,
      ),
      totalQemuSecondsGccO2: qemu
        ? round(
            o2.reduce((a, r) => a + (r.qemuSeconds as number), 0),
            2,
          )
        : null,
    },
  };
}

/**
 * `check --policy` and `build --policy` in-process on the generated 63-PD system at the channel
 * limit with a 100-rule policy: deriving the flows (from the description, or from the Spec),
 * reading the policy and checking every rule (each a breadth-first search). Target: ≤ 50 ms.
 */
function policySection(): Record<string, unknown> {
  const pds = 63;
  const text = generateSystem(pds);
  const checked = checkSystemSource('generated.system', text, { config: CONFIG });
  if (!checked.ok || !checked.system) throw new Error('the generated system does not check');
  const system = checked.system;
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-policy-'));
  for (let pd = 0; pd < pds; pd++) cpSync(join(ROOT, 'bench', 'programs', 'generated-pd.elf'), join(dir, `pd${pd}.elf`));
  const built = buildSystem('generated.system', text, { searchPaths: [dir] });
  if (!built.ok) throw new Error(`building the generated system failed: ${buildErrors(built).join('; ')}`);
  const policy = new SourceFile('policy.yaml', generatePolicy(pds, 100));
  const libs = policyLibraries();
  const measure = (derive: () => Parameters<typeof checkPolicies>[1]) => {
    let result: ReturnType<typeof checkPolicies> | undefined;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      result = checkPolicies([policy], derive(), libs);
      const c = process.cpuUsage(c0);
      times.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    // The first runs warm the JIT up. CPU time says what the work costs when the machine is shared.
    return { ms: round(median(times.slice(5))), cpuMs: round(median(cpu.slice(5))), result: result! };
  };
  const fromDescription = measure(() => subjectFromDescription(system));
  const fromSpec = measure(() => subjectFromSpec(built.spec, system));
  const verdict = fromDescription.result.verdicts[0]!;
  return {
    case: `generated, ${pds} PDs at the channel limit, ${verdict.rules} rules`,
    flows: verdict.flows,
    violations: verdict.violations.length,
    checkPolicyMs: fromDescription.ms,
    checkPolicyCpuMs: fromDescription.cpuMs,
    buildPolicyMs: fromSpec.ms,
    buildPolicyCpuMs: fromSpec.cpuMs,
    targetMs: 50,
  };
}

// `npm run bench -- kernel` (any of the section names) measures only those sections and keeps
// the others from the existing bench/results.json.
const SECTIONS: Record<string, () => Record<string, unknown> | Promise<Record<string, unknown>>> = {
  cpu: cpuSection,
  machineModel: machineModelSection,
  kernel: kernelModelSection,
  compiler: compilerSection,
  policy: policySection,
  blk: blkSection,
  net: netSection,
  crc: crcSection,
};
const wanted = process.argv.slice(2);
for (const w of wanted) if (!(w in SECTIONS)) throw new Error(`no bench section '${w}' (sections: ${Object.keys(SECTIONS).join(', ')})`);
const RESULTS = join(ROOT, 'bench', 'results.json');
const previous: Record<string, unknown> = wanted.length && existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
const results: Record<string, unknown> = { machine: machine() };
for (const [name, measure] of Object.entries(SECTIONS)) results[name] = !wanted.length || wanted.includes(name) ? await measure() : previous[name];

mkdirSync(join(ROOT, 'bench'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log(`machine: ${JSON.stringify(results.machine)}`);
const c = results.compiler as { check: Record<string, unknown>[]; corpus: Record<string, unknown> | null; node: { startupMs: number } } | undefined;
if (c) {
  console.log(`node startup (node -e 0): ${c.node.startupMs} ms\n`);
  console.log('| case | bytes | check in-process (ms) | check whole process (ms) | peak RSS (MiB) | build in-process (ms) | build whole process (ms) | build peak RSS (MiB) | boot (ms) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of c.check)
    console.log(`| ${r.case} | ${r.bytes} | ${r.checkInProcessMs} | ${r.checkWholeProcessMs} | ${r.peakRssMiB ?? '-'} | ${r.buildInProcessMs ?? '-'} | ${r.buildWholeProcessMs ?? '-'} | ${r.buildPeakRssMiB ?? '-'} | ${r.bootMs ?? '-'} |`);
  if (c.corpus) console.log(`\ncorpus: ${c.corpus.files} files, median ${c.corpus.medianInProcessMs} ms, max ${c.corpus.maxInProcessMs} ms in-process`);
}
const cpu = (results.cpu ?? { status: 'not in bench/results.json' }) as { programs?: Record<string, unknown>[]; summary?: Record<string, unknown>; status?: string; qemu?: string };
if (cpu.programs) {
  console.log(`\nCPU (${cpu.qemu})`);
  console.log('| variant | program | arg | instructions | sel4ts MIPS | QEMU MIPS | time ÷ QEMU | --tier js time ÷ QEMU | output = QEMU | compile ms/KiB | peak RSS (MiB) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of cpu.programs) {
    const j = r.js as Record<string, unknown> | undefined;
    console.log(`| ${r.variant} | ${r.bench} | ${r.arg} | ${r.instructions} | ${r.mips} | ${r.qemuMips ?? '-'} | ${r.timeRatio ?? '-'} | ${j?.timeRatio ?? '-'} | ${r.outputsAgree ?? '-'} | ${r.compileMsPerKiB ?? '-'} | ${r.peakRssMiB ?? '-'} |`);
  }
  console.log(JSON.stringify(cpu.summary));
} else console.log(`\ncpu: ${cpu.status}`);
console.log(`\nmachine model: ${JSON.stringify(results.machineModel)}`);
console.log(`\nkernel model: ${JSON.stringify(results.kernel)}`);
console.log(`\npolicy: ${JSON.stringify(results.policy)}`);
console.log(`\nblock read (virtio-blk through examples/blk's driver): ${JSON.stringify(results.blk)}`);
console.log(`\nnetwork echo (virtio-net through examples/net's driver and client): ${JSON.stringify(results.net)}`);
const dev = (r: unknown, rate: string, qemuRate: string): string[] => {
  const x = (r ?? {}) as Record<string, unknown>;
  const q = (x.realSel4InQemu ?? {}) as Record<string, unknown>;
  return [String(x[rate] ?? '-'), q.status ? String(q.status) : `${q[`${qemuRate}PerCpuSecond`] ?? '-'} (${q[`${qemuRate}PerWallSecond`] ?? '-'})`, String(x.sel4tsOverQemu ?? '-')];
};
console.log('\n| device stack | sel4ts, per CPU second | real seL4 in QEMU, per CPU second (wall) | sel4ts / QEMU |\n|---|---|---|---|');
console.log(`| block reads, MB/s | ${dev(results.blk, 'marginalReadMBps', 'readMBps').join(' | ')} |`);
console.log(`| UDP echo, frames/s | ${dev(results.net, 'framesPerCpuSecond', 'frames').join(' | ')} |`);
const crc = (results.crc ?? { status: 'not in bench/results.json' }) as { tiers?: Record<string, Record<string, unknown>>; realSel4InQemu?: Record<string, unknown>; status?: string };
if (crc.tiers) {
  const q = crc.realSel4InQemu ?? {};
  console.log('\nCRC-32 over 64 KiB (bench/crc), marginal, per CPU second\n| variant | rounds/s | MB/s | guest MIPS | ÷ real seL4 | compile ms/KiB | peak RSS (MiB) |\n|---|---|---|---|---|---|---|');
  for (const [tier, r] of Object.entries(crc.tiers))
    console.log(`| sel4ts --tier ${tier} | ${r.roundsPerCpuSecond} | ${r.crcMBPerCpuSecond} | ${r.guestMipsPerCpuSecond} | ${r.sel4tsOverQemu ?? '-'} | ${r.wasmCompileMsPerKiB ?? '-'} | ${r.peakRssMiB} |`);
  console.log(q.status ? `| real seL4 in QEMU | ${q.status} |` : `| real seL4 in QEMU | ${q.roundsPerCpuSecond ?? '-'} (wall ${q.roundsPerWallSecond}) | ${q.crcMBPerCpuSecond ?? '-'} | | 1 | | |`);
} else console.log(`\ncrc: ${crc.status}`);
console.log('\nWrote bench/results.json');
