// CRC-32 throughput for `npm run bench -- crc`: bench/crc's one PD fills 64 KiB and runs a
// table-driven CRC-32 over it crc_rounds times (pure user code: no system call until it prints).
// On sel4ts as whole `sel4ts run --stats` processes under each CPU tier (`--tier js`, the
// default; `--tier wasm`; `--tier interp`, which is `--no-jit`), and on real seL4 in QEMU (the
// same crc.c against Microkit 2.0.1, bench-real-sel4.ts), at a small and a large round count
// each, interleaved: every repeat runs each variant small then large, QEMU last, so a change in
// the machine's load falls on all of them alike. Rates are marginal, (N_large − N_small) over
// the difference of the fastest CPU seconds (user + system, from /usr/bin/time) of each size, so
// Node's start-up, the build, the boot and the compilation of the hot code cancel; the ratio to
// real seL4 is per CPU second. The WebAssembly tier's compile figures and every tier's peak
// RSS come from the large runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPd, fastest, makeImage, patchWord, QEMU_REPEATS, qemuMarginal, qemuRun, qemuVersion, realSel4Missing, round } from './bench-real-sel4.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'sel4ts');
const CRC = join(ROOT, 'bench', 'crc');
const BUFFER_BYTES = 65536;
const TIME = '/usr/bin/time';

type Size = 'small' | 'large';
type Tier = 'js' | 'wasm' | 'interp';

/**
 * Rounds of each variant: about a second of CPU or more between small and large on this
 * machine. Every small run does the same 10 rounds, and js and wasm the same large ones, so
 * their counts and CRCs can be compared.
 */
const ROUNDS: Record<Tier | 'qemu', Record<Size, number>> = {
  js: { small: 10, large: 1200 },
  wasm: { small: 10, large: 1200 },
  interp: { small: 10, large: 110 },
  qemu: { small: 10, large: 4000 },
};
const TIERS: Tier[] = ['js', 'wasm', 'interp'];

/** The PD's result line after `n` rounds, and the CRC it names. */
const RESULT = /crc: (\d+) rounds of 65536 bytes, crc32 (0x[0-9a-f]{8})\n/;

interface Sel4tsRun {
  cpuSeconds: number;
  peakRssMiB: number;
  /** What the crc PD retired (its `--stats` row). */
  instructions: number;
  crc: string;
  /** `--tier wasm`'s line: regions, KiB of guest code, ms to emit and compile. */
  wasm?: { regions: number; guestKiB: number; compileMs: number };
}

/** A folder with the system and its PD set to `n` rounds (the ELF word crc_rounds). */
function folder(parent: string, name: string, n: number, elf = join(CRC, 'crc.elf')): string {
  const dir = join(parent, `${name}-${n}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(CRC, 'crc.system'), join(dir, 'crc.system'));
  copyFileSync(elf, join(dir, 'crc.elf'));
  patchWord(join(dir, 'crc.elf'), 'crc_rounds', BigInt(n));
  return dir;
}

function sel4tsRun(dir: string, tier: Tier, n: number): Sel4tsRun {
  const args = [BIN, 'run', join(dir, 'crc.system'), '--search-path', dir, '--until', 'crc: done', '--max-time', '1000s', '--stats', '--tier', tier];
  const r = spawnSync(TIME, ['-f', 'bench-time %U %S %M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const result = RESULT.exec(r.stdout);
  const time = /bench-time ([0-9.]+) ([0-9.]+) (\d+)/.exec(r.stderr);
  const row = /^crc +(\d+)/m.exec(r.stderr);
  if (r.status !== 0 || !result || Number(result[1]) !== n || !time || !row) throw new Error(`sel4ts run --tier ${tier} of bench/crc (${n} rounds) failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const wasm = /WebAssembly tier: (\d+) regions, ([0-9.]+) KiB of guest code, ([0-9.]+) ms to emit and compile/.exec(r.stderr);
  return {
    cpuSeconds: Number(time[1]) + Number(time[2]),
    peakRssMiB: Number(time[3]) / 1024,
    instructions: Number(row[1]),
    crc: result[2]!,
    ...(wasm && { wasm: { regions: Number(wasm[1]), guestKiB: Number(wasm[2]), compileMs: Number(wasm[3]) } }),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Rounds per CPU second between the sizes, and in MB of CRC a second. */
function rate(tier: Tier | 'qemu', cpu: Record<Size, number>): { roundsPerCpuSecond: number; crcMBPerCpuSecond: number } {
  const perSecond = (ROUNDS[tier].large - ROUNDS[tier].small) / (cpu.large - cpu.small);
  return { roundsPerCpuSecond: round(perSecond, 1), crcMBPerCpuSecond: round((perSecond * BUFFER_BYTES) / 1e6, 1) };
}

export async function crcSection(): Promise<Record<string, unknown>> {
  if (!existsSync(join(ROOT, 'dist', 'sel4ts.mjs'))) throw new Error('run npm run build first (the bench runs bin/sel4ts, which loads dist/)');
  if (!existsSync(TIME)) return { status: `not measured: ${TIME} (GNU time) is not installed: it gives the CPU seconds and peak memory of a run` };
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-crc-'));
  try {
    const dirs = Object.fromEntries(TIERS.map((t) => [t, { small: folder(dir, t, ROUNDS[t].small), large: folder(dir, t, ROUNDS[t].large) }])) as Record<Tier, Record<Size, string>>;
    const runs = Object.fromEntries(TIERS.map((t) => [t, { small: [] as Sel4tsRun[], large: [] as Sel4tsRun[] }])) as Record<Tier, Record<Size, Sel4tsRun[]>>;
    const sel4tsRuns = (size: Size): void => {
      for (const t of TIERS) runs[t][size].push(sel4tsRun(dirs[t][size], t, ROUNDS[t][size]));
    };
    // Real seL4: crc.c against Microkit 2.0.1, its images made once; QEMU's small/large loop
    // (qemuMarginal) drives the sel4ts runs too, so that all are interleaved.
    const missing = realSel4Missing();
    let qemu: Record<string, unknown> = { status: missing };
    if (missing) {
      for (let i = 0; i < QEMU_REPEATS; i++) for (const size of ['small', 'large'] as const) sel4tsRuns(size);
    } else {
      const built = join(dir, 'real-sel4');
      mkdirSync(built);
      buildPd(join(built, 'crc.elf'), [join(CRC, 'crc.c')]);
      const images = {} as Record<Size, string>;
      for (const size of ['small', 'large'] as const) {
        const d = folder(built, 'qemu', ROUNDS.qemu[size], join(built, 'crc.elf'));
        images[size] = join(d, 'loader.img');
        makeImage(join(d, 'crc.system'), [d], images[size]);
      }
      const qemuCrcs: string[] = [];
      const m = await qemuMarginal(
        async (size) => {
          sel4tsRuns(size);
          const r = await qemuRun(images[size], 'crc: done', join(dir, `qemu-${size}.console`), []);
          if (size === 'small') qemuCrcs.push(RESULT.exec(r.console)?.[2] ?? '');
          return r;
        },
        (r, size) => RESULT.exec(r.console)?.[1] === String(ROUNDS.qemu[size]),
        'the CRC PD did not print its result',
      );
      // QEMU's CRC must be the one sel4ts gives for the same round count.
      if (!qemuCrcs.every((c) => c === runs.js.small[0]!.crc)) throw new Error(`real seL4 and sel4ts disagree on the CRC of ${ROUNDS.qemu.small} rounds: ${qemuCrcs.join(', ')} against ${runs.js.small[0]!.crc}`);
      const perCpu = m.cpu === undefined ? undefined : (ROUNDS.qemu.large - ROUNDS.qemu.small) / m.cpu;
      qemu = {
        qemu: qemuVersion(),
        rounds: ROUNDS.qemu,
        wallSeconds: m.wallSeconds,
        roundsPerWallSecond: round((ROUNDS.qemu.large - ROUNDS.qemu.small) / m.wall, 1),
        roundsPerCpuSecond: perCpu === undefined ? undefined : round(perCpu, 1),
        crcMBPerCpuSecond: perCpu === undefined ? undefined : round((perCpu * BUFFER_BYTES) / 1e6, 1),
        sameCrcAsSel4ts: true,
      };
    }
    // Every tier retires the same instructions and prints the same CRC for the same rounds.
    const same = (size: Size, tiers: Tier[]): boolean => tiers.every((t) => runs[t][size].every((r) => r.instructions === runs.js[size][0]!.instructions && r.crc === runs.js[size][0]!.crc));
    if (!same('small', TIERS) || !same('large', ['js', 'wasm'])) throw new Error('the tiers disagree on the instructions the CRC PD retires or on its CRC');
    // Per CPU second on both sides (the bench machine is shared), wall time for QEMU when /usr/bin/time could not say.
    const qemuRate = (qemu.roundsPerCpuSecond ?? qemu.roundsPerWallSecond) as number | undefined;
    const tiers = Object.fromEntries(
      TIERS.map((t) => {
        const { small, large } = runs[t];
        const cpu = { small: fastest(small.map((r) => r.cpuSeconds)), large: fastest(large.map((r) => r.cpuSeconds)) };
        const r = rate(t, cpu);
        const perRound = (large[0]!.instructions - small[0]!.instructions) / (ROUNDS[t].large - ROUNDS[t].small);
        const w = large[0]!.wasm && { ...large[0]!.wasm, compileMs: median(large.map((x) => x.wasm!.compileMs)) };
        return [
          t,
          {
            rounds: ROUNDS[t],
            cpuSeconds: { small: round(cpu.small), large: round(cpu.large) },
            ...r,
            guestMipsPerCpuSecond: round((r.roundsPerCpuSecond * perRound) / 1e6, 1),
            peakRssMiB: round(median(large.map((x) => x.peakRssMiB)), 1),
            ...(w && { wasmRegions: w.regions, wasmGuestKiB: w.guestKiB, wasmCompileMs: w.compileMs, wasmCompileMsPerKiB: round(w.compileMs / w.guestKiB, 1) }),
            sel4tsOverQemu: qemuRate === undefined ? undefined : round(r.roundsPerCpuSecond / qemuRate, 2),
          },
        ];
      }),
    );
    const instructionsPerRound = (runs.js.large[0]!.instructions - runs.js.small[0]!.instructions) / (ROUNDS.js.large - ROUNDS.js.small);
    return {
      bufferBytes: BUFFER_BYTES,
      instructionsPerRound: round(instructionsPerRound, 1),
      tiers,
      sameCountAndCrcAcrossTiers: true,
      realSel4InQemu: qemu,
      repeats: QEMU_REPEATS,
      note: 'marginal rates, (N_large − N_small) / (t_large − t_small) of the fastest CPU seconds (user + system) of each size, of whole `sel4ts run --stats --tier T` processes and of whole qemu-run.sh runs (QEMU and the script); interleaved; gcc 12 -O2 on both sides (7 instructions a byte); the ratio is per CPU second',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
