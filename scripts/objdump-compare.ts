// Compares our decoder and disassembler with objdump over AArch64 ELF files:
//   npx tsx scripts/objdump-compare.ts build/*/prog ...
// Prints the mnemonics we cannot decode and the lines whose text differs.
import { execFileSync } from 'node:child_process';
import { disassemble, matchInstruction } from '../src/machine/cpu/decoder.js';

const files = process.argv.slice(2);
const missing = new Map<string, number>();
const diffs = new Map<string, string>();
let total = 0;
let same = 0;
for (const f of files) {
  const out = execFileSync('aarch64-linux-gnu-objdump', ['-d', '--no-show-raw-insn', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const raw = execFileSync('aarch64-linux-gnu-objdump', ['-d', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const words = new Map<number, number>();
  for (const line of raw.split('\n')) {
    const m = /^\s+([0-9a-f]+):\s+([0-9a-f]{8})\s/.exec(line);
    if (m) words.set(parseInt(m[1]!, 16), parseInt(m[2]!, 16));
  }
  for (const line of out.split('\n')) {
    const m = /^\s+([0-9a-f]+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const pc = parseInt(m[1]!, 16);
    const word = words.get(pc);
    if (word === undefined) continue;
    const theirs = m[2]!
      .replace(/\s*\/\/.*$/, '')
      .replace(/\s*<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    const mnemonic = theirs.split(' ')[0]!;
    total++;
    if (!matchInstruction(word)) {
      missing.set(mnemonic, (missing.get(mnemonic) ?? 0) + 1);
      continue;
    }
    const ours = disassemble(word, pc).replace(/\s+/g, ' ').trim();
    if (ours === theirs) same++;
    else if (!diffs.has(`${mnemonic}`)) diffs.set(mnemonic, `${word.toString(16).padStart(8, '0')}: objdump '${theirs}' ours '${ours}'`);
  }
}
console.log(`${total} instructions, ${same} disassembled identically`);
console.log(
  `undecoded mnemonics: ${[...missing.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}(${v})`)
    .join(' ')}`,
);
for (const d of diffs.values()) console.log(`diff ${d}`);
