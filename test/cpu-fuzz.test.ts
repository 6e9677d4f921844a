import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashBlock, haveQemu, layoutProgram, locateDivergence, randomBlock, rng, runOurs, runQemuCounted, type Block } from './helpers/cpu-fuzz.js';
import { oracle } from './helpers/oracles.js';

/**
 * Differential testing against qemu-aarch64. The committed blocks (QEMU's results stored as
 * hashes, with the instructions QEMU retired in each) run everywhere; with qemu-aarch64
 * installed, fresh blocks run too, from SEL4TS_FUZZ_SEED (CI gives a new one each run). Every
 * block is a loop (helpers/cpu-fuzz-gen.ts) run 20–40 times, so compiled code runs its loops.
 */

interface Golden {
  seed: number;
  length: number;
  blocks: { words: string; stateSeed: number; qemu: string; insns: number }[];
}

const golden = JSON.parse(readFileSync(join(import.meta.dirname, 'cpu', 'fuzz-golden.json'), 'utf8')) as Golden;
const QEMU = oracle('qemu-aarch64', haveQemu(), 'live CPU fuzz');
const SEED = Number(process.env.SEL4TS_FUZZ_SEED ?? 7);
const LIVE_BLOCKS = Number(process.env.SEL4TS_CPU_FUZZ_BLOCKS ?? 200);

function toBlock(g: Golden['blocks'][number]): Block {
  const words: number[] = [];
  for (let i = 0; i < g.words.length; i += 8) words.push(parseInt(g.words.slice(i, i + 8), 16));
  return { words, stateSeed: g.stateSeed };
}

function explain(chunk: Block[], index: number, mode: Mode): string {
  const words = chunk[index]!.words.map((w) => w.toString(16).padStart(8, '0')).join(' ');
  return QEMU ? locateDivergence(chunk, index, mode.jit, mode.tier) : `(install qemu-user to locate the instruction) words: ${words}`;
}

// The interpreter; compiled code, compiled once hot (the loop's first iterations interpreted)
// and from the first instruction; and compiled code cut into runs of 1–40 instructions at
// random, as timer interrupts cut it (every cut is a budget stop inside compiled code).
interface Mode {
  jit: 'off' | 'hot' | 'eager';
  label: string;
  slices?: boolean;
  tier?: 'js' | 'wasm';
}
const MODES: Mode[] = [
  { jit: 'off', label: 'interpreter' },
  { jit: 'hot', label: 'compiled when hot' },
  { jit: 'eager', label: 'compiled code' },
  { jit: 'eager', label: 'compiled code cut at random counts', slices: true },
  { jit: 'hot', label: 'WebAssembly when hot', tier: 'wasm' },
  { jit: 'eager', label: 'WebAssembly', tier: 'wasm' },
  { jit: 'eager', label: 'WebAssembly cut at random counts', slices: true, tier: 'wasm' },
];

describe('the CPU agrees with QEMU instruction by instruction', () => {
  for (const mode of MODES) {
    it(`on ${golden.blocks.length} recorded loops of ${golden.length} random instructions (${mode.label})`, () => {
      const blocks = golden.blocks.map(toBlock);
      const r = rng(SEED);
      const slice = mode.slices ? (): number => 1 + Math.floor(r() * 40) : undefined;
      for (let i = 0; i < blocks.length; i += 50) {
        const chunk = blocks.slice(i, i + 50);
        const program = layoutProgram(chunk);
        const ours = runOurs(program.elf, mode.jit, slice, mode.tier);
        expect(ours.error, ours.error).toBeUndefined();
        chunk.forEach((_, k) => {
          if (hashBlock(ours.output, k) !== golden.blocks[i + k]!.qemu) {
            expect.fail(`recorded block ${i + k} differs from QEMU's result (${mode.label}):\n${explain(chunk, k, mode)}`);
          }
        });
        const retired = program.fixed + golden.blocks.slice(i, i + 50).reduce((n, g) => n + g.insns, 0);
        expect(ours.instructions, `instructions retired by recorded blocks ${i}–${i + chunk.length - 1} (${mode.label})`).toBe(retired);
      }
    });
  }

  it.skipIf(!QEMU)(
    `on ${LIVE_BLOCKS} fresh loops against live qemu-aarch64, in every tier (seed ${SEED}; needs qemu-user)`,
    () => {
      const r = rng(SEED);
      const blocks = Array.from({ length: LIVE_BLOCKS }, () => randomBlock(r, 64));
      for (let i = 0; i < blocks.length; i += 50) {
        const chunk = blocks.slice(i, i + 50);
        const program = layoutProgram(chunk);
        const theirs = runQemuCounted(program);
        const retired = program.fixed + theirs.counts.reduce((n, c) => n + c, 0);
        for (const mode of MODES.filter((m) => !m.slices)) {
          const ours = runOurs(program.elf, mode.jit, undefined, mode.tier);
          chunk.forEach((_, k) => {
            if (ours.error || hashBlock(ours.output, k) !== hashBlock(theirs.output, k)) {
              expect.fail(`seed ${SEED}, block ${i + k} diverges (${mode.label}):\n${ours.error ?? locateDivergence(chunk, k, mode.jit, mode.tier)}`);
            }
          });
          expect(ours.instructions, `instructions retired by blocks ${i}–${i + chunk.length - 1} (seed ${SEED}, ${mode.label})`).toBe(retired);
        }
      }
      // About 20 ms a block on a quiet machine (QEMU logging every instruction, our three tiers);
      // CI runs 1000.
    },
    60_000 + LIVE_BLOCKS * 200,
  );
});
