import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, hashBlock, haveQemu, locateDivergence, OUT_BYTES, randomBlock, rng, runOurs, runQemu, type Block } from './helpers/cpu-fuzz.js';
import { oracle } from './helpers/oracles.js';

/**
 * Differential testing against qemu-aarch64. The committed blocks (QEMU's results stored as
 * hashes) run everywhere; with qemu-aarch64 installed, fresh blocks run too, from
 * SEL4TS_FUZZ_SEED (CI gives a new one each run).
 */

interface Golden {
  seed: number;
  length: number;
  blocks: { words: string; stateSeed: number; qemu: string }[];
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

function explain(block: Block): string {
  const words = block.words.map((w) => w.toString(16).padStart(8, '0')).join(' ');
  return QEMU ? locateDivergence(block) : `(install qemu-user to locate the instruction) words: ${words}`;
}

describe('the CPU agrees with QEMU instruction by instruction', () => {
  // The interpreter; compiled code; and compiled code cut into runs of 1–40 instructions at
  // random, as timer interrupts cut it (every cut is a budget stop inside compiled code).
  const modes = [
    { jit: 'off', label: 'interpreter' },
    { jit: 'eager', label: 'compiled code' },
    { jit: 'eager', label: 'compiled code cut at random counts', slices: true },
  ] as const;
  for (const mode of modes) {
    it(`on ${golden.blocks.length} recorded blocks of ${golden.length} random instructions (${mode.label})`, () => {
      const blocks = golden.blocks.map(toBlock);
      const r = rng(SEED);
      const slice = 'slices' in mode ? (): number => 1 + Math.floor(r() * 40) : undefined;
      for (let i = 0; i < blocks.length; i += 50) {
        const chunk = blocks.slice(i, i + 50);
        const ours = runOurs(buildProgram(chunk), mode.jit, slice);
        expect(ours.error, ours.error).toBeUndefined();
        chunk.forEach((b, k) => {
          const want = golden.blocks[i + k]!.qemu;
          if (hashBlock(ours.output, k) !== want) {
            expect.fail(`recorded block ${i + k} differs from QEMU's result (${mode.label}):\n${explain(b)}`);
          }
        });
      }
    });
  }

  it.skipIf(!QEMU)(`on ${LIVE_BLOCKS} fresh blocks against live qemu-aarch64 (seed ${SEED}; needs qemu-user)`, () => {
    const r = rng(SEED);
    const blocks = Array.from({ length: LIVE_BLOCKS }, () => randomBlock(r, 64));
    for (let i = 0; i < blocks.length; i += 50) {
      const chunk = blocks.slice(i, i + 50);
      const elf = buildProgram(chunk);
      const theirs = runQemu(elf);
      const ours = runOurs(elf);
      chunk.forEach((b, k) => {
        const a = ours.output.subarray(k * OUT_BYTES, (k + 1) * OUT_BYTES);
        if (ours.error || hashBlock(a, 0) !== hashBlock(theirs, k)) {
          expect.fail(`seed ${SEED}, block ${i + k} diverges:\n${locateDivergence(b)}`);
        }
      });
    }
  });
});
