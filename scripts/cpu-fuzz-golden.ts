// Regenerate test/cpu/fuzz-golden.json: random instruction blocks with QEMU's resulting state
// (as hashes), so `npm test` checks the CPU against QEMU even where qemu-aarch64 is absent.
import { writeFileSync } from 'node:fs';
import { buildProgram, hashBlock, randomBlock, rng, runQemu } from '../test/helpers/cpu-fuzz.js';

const SEED = 424242;
const BLOCKS = 400;
const LENGTH = 48;
const r = rng(SEED);
const blocks = Array.from({ length: BLOCKS }, () => randomBlock(r, LENGTH));
const out: { words: string; stateSeed: number; qemu: string }[] = [];
for (let i = 0; i < BLOCKS; i += 50) {
  const chunk = blocks.slice(i, i + 50);
  const theirs = runQemu(buildProgram(chunk));
  chunk.forEach((b, k) => out.push({ words: b.words.map((w) => w.toString(16).padStart(8, '0')).join(''), stateSeed: b.stateSeed, qemu: hashBlock(theirs, k) }));
}
writeFileSync(new URL('../test/cpu/fuzz-golden.json', import.meta.url), `${JSON.stringify({ seed: SEED, length: LENGTH, blocks: out }, null, 0)}\n`);
console.log(`wrote ${out.length} blocks`);
