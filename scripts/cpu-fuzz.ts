// Differential fuzz of the CPU model against qemu-aarch64:
//   npx tsx scripts/cpu-fuzz.ts [--seed N] [--blocks N] [--length N]
// Prints the seed, and for a divergence the first diverging instruction, disassembled.
import { buildProgram, hashBlock, locateDivergence, randomBlock, rng, runOurs, runQemu, OUT_BYTES } from '../test/helpers/cpu-fuzz.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seed = opt('seed', Date.now() % 1_000_000);
const count = opt('blocks', 1000);
const length = opt('length', 64);
const perProgram = 50;
const r = rng(seed);
console.log(`cpu fuzz: seed ${seed}, ${count} blocks of ${length} instructions`);
let failures = 0;
for (let done = 0; done < count; done += perProgram) {
  const blocks = Array.from({ length: Math.min(perProgram, count - done) }, () => randomBlock(r, length));
  const elf = buildProgram(blocks);
  const theirs = runQemu(elf);
  const ours = runOurs(elf);
  for (let i = 0; i < blocks.length; i++) {
    const a = ours.output.subarray(i * OUT_BYTES, (i + 1) * OUT_BYTES);
    const b = theirs.subarray(i * OUT_BYTES, (i + 1) * OUT_BYTES);
    if (ours.error === undefined && hashBlock(ours.output, i) === hashBlock(theirs, i) && a.length === b.length) continue;
    failures++;
    console.log(`\nblock ${done + i} (seed ${seed}) diverges:`);
    console.log(locateDivergence(blocks[i]!));
    if (failures >= 5) process.exit(1);
    if (ours.error) break;
  }
}
console.log(failures ? `${failures} diverging blocks` : `no divergence in ${count * length} instructions`);
process.exit(failures ? 1 : 0);
