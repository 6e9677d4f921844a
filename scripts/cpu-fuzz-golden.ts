// Regenerate test/cpu/fuzz-golden.json: random instruction blocks with QEMU's resulting state
// (as hashes) and how many instructions QEMU retired in each, so `npm test` checks the CPU
// against QEMU even where qemu-aarch64 is absent. Everything recorded comes from QEMU.
import { writeFileSync } from 'node:fs';
import { hashBlock, layoutProgram, randomBlock, rng, runQemuCounted } from '../test/helpers/cpu-fuzz.js';

const SEED = 424242;
const BLOCKS = 400;
const LENGTH = 48;
const r = rng(SEED);
const blocks = Array.from({ length: BLOCKS }, () => randomBlock(r, LENGTH));
const out: { words: string; stateSeed: number; qemu: string; insns: number }[] = [];
for (let i = 0; i < BLOCKS; i += 50) {
  const chunk = blocks.slice(i, i + 50);
  const theirs = runQemuCounted(layoutProgram(chunk));
  chunk.forEach((b, k) => out.push({ words: b.words.map((w) => w.toString(16).padStart(8, '0')).join(''), stateSeed: b.stateSeed, qemu: hashBlock(theirs.output, k), insns: theirs.counts[k]! }));
}
writeFileSync(new URL('../test/cpu/fuzz-golden.json', import.meta.url), `${JSON.stringify({ seed: SEED, length: LENGTH, blocks: out }, null, 0)}\n`);
console.log(`wrote ${out.length} blocks`);
