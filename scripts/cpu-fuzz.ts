// Differential fuzz of the CPU model against qemu-aarch64:
//   npx tsx scripts/cpu-fuzz.ts [--seed N] [--blocks N] [--length N]
// Each program runs interpreted, compiled when hot, and compiled eagerly; all three must give
// QEMU's state and retire as many instructions as QEMU. Prints the seed, and for a
// divergence the first diverging instruction, disassembled.
import { hashBlock, layoutProgram, locateDivergence, randomBlock, rng, runOurs, runQemuCounted } from '../test/helpers/cpu-fuzz.js';

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
  const program = layoutProgram(blocks);
  const qemu = runQemuCounted(program);
  const theirs = qemu.output;
  const retired = program.fixed + qemu.counts.reduce((n, c) => n + c, 0);
  const runs = (['off', 'hot', 'eager'] as const).map((jit) => ({ jit, ...runOurs(program.elf, jit) }));
  if (runs.some((x) => x.instructions !== retired)) {
    failures++;
    console.log(`\nblocks ${done}–${done + blocks.length - 1} (seed ${seed}): retired counts differ: qemu ${retired}, ${runs.map((x) => `${x.jit} ${x.instructions}`).join(', ')}`);
  }
  for (let i = 0; i < blocks.length; i++) {
    const bad = runs.filter((x) => x.error !== undefined || hashBlock(x.output, i) !== hashBlock(theirs, i));
    if (bad.length === 0) continue;
    failures++;
    console.log(`\nblock ${done + i} (seed ${seed}) diverges (${bad.map((x) => x.jit).join(', ')}):`);
    console.log(bad[0]!.error ?? locateDivergence(blocks, i, bad[0]!.jit));
    if (failures >= 5) process.exit(1);
  }
}
console.log(failures ? `${failures} diverging blocks` : `no divergence in ${count} blocks of ${length} instructions`);
process.exit(failures ? 1 : 0);
