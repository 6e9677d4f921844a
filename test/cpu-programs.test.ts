import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLinuxUser } from '../src/machine/linux-user.js';
import { haveQemu } from './helpers/cpu-fuzz.js';
import { oracle } from './helpers/oracles.js';

/**
 * The C test programs of test/cpu/programs, compiled with gcc and clang: their output on the
 * CPU model must equal QEMU's. The committed ELFs run everywhere; with the cross compilers and
 * qemu-aarch64 installed (CI), they are also rebuilt from source and compared live.
 */

const DIR = join(import.meta.dirname, 'cpu', 'programs');
const BUILD = join(DIR, 'build');

function run(elf: string, tier: 'js' | 'wasm' = 'js'): string {
  let out = '';
  const dec = new TextDecoder();
  const r = runLinuxUser(new Uint8Array(readFileSync(elf)), { argv: [elf], stdout: (b) => (out += dec.decode(b)), stderr: () => undefined, tier });
  if (r.outcome.kind === 'exit' && r.outcome.code !== 0) out += `exit status ${r.outcome.code}\n`;
  if (r.outcome.kind === 'fault') out += `fault: ${r.outcome.message}\n`;
  return out;
}

function programs(root: string): string[] {
  return readdirSync(root)
    .flatMap((v) =>
      readdirSync(join(root, v))
        .filter((f) => f.endsWith('.elf'))
        .map((f) => join(v, f)),
    )
    .sort();
}

const crossTools = [
  oracle('gcc-aarch64-linux-gnu', spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0, 'CPU programs rebuilt'),
  oracle('clang', spawnSync('clang', ['--version']).status === 0, 'CPU programs rebuilt'),
  oracle('qemu-aarch64', haveQemu(), 'CPU programs rebuilt'),
].every(Boolean);

describe('C test programs: output identical to QEMU', () => {
  for (const p of programs(BUILD)) {
    it(`${p} (committed ELF)`, () => {
      const expected = readFileSync(join(BUILD, p.replace(/\.elf$/, '.out')), 'utf8');
      expect(run(join(BUILD, p))).toBe(expected);
    });
    it(`${p} (committed ELF, WebAssembly tier)`, () => {
      const expected = readFileSync(join(BUILD, p.replace(/\.elf$/, '.out')), 'utf8');
      expect(run(join(BUILD, p), 'wasm')).toBe(expected);
    });
  }

  it.skipIf(!crossTools)(
    'rebuilt from source with gcc and clang, against live QEMU (needs the cross tools)',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'sel4ts-cpu-progs-'));
      const r = spawnSync('bash', [join(import.meta.dirname, '..', 'scripts', 'build-cpu-tests.sh'), out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const built = programs(out);
      expect(built.length).toBe(programs(BUILD).length);
      for (const p of built) {
        const elf = join(out, p);
        expect(existsSync(elf.replace(/\.elf$/, '.out'))).toBe(true);
        expect(run(elf), p).toBe(readFileSync(elf.replace(/\.elf$/, '.out'), 'utf8'));
      }
    },
    300_000,
  ); // compiles every program twice and runs each on QEMU: minutes on a loaded machine
});
