import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLinuxUser } from '../src/machine/linux-user.js';
import { haveQemu } from './helpers/cpu-fuzz.js';
import { HAVE_SHARED, readTsv, SHARED_DIR } from './helpers/shared.js';
import { oracle } from './helpers/oracles.js';

/**
 * The benchmark programs of ../shared/bench, built with every compiler variant: output and
 * retired-instruction count equal QEMU's (its recorded counts for gcc -O2 and clang -O2, its live
 * output for the others). Needs ../shared and the cross compilers.
 */

const BENCH = join(SHARED_DIR, 'bench');
const CROSS = oracle('gcc-aarch64-linux-gnu', spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0, 'benchmarks');
const CLANG = [oracle('clang', spawnSync('clang', ['--version']).status === 0, 'clang benchmarks'), oracle('ld.lld', spawnSync('ld.lld', ['--version']).status === 0, 'clang benchmarks')].every(Boolean);
const BENCH_QEMU = oracle('qemu-aarch64', haveQemu(), 'benchmarks under QEMU');
const SHARED = oracle('../shared', HAVE_SHARED, 'benchmarks');

function exec(elf: string, arg: string, tier: 'js' | 'wasm' = 'js'): { out: string; count: number } {
  let out = '';
  const dec = new TextDecoder();
  const r = runLinuxUser(new Uint8Array(readFileSync(elf)), { argv: [elf, arg], stdout: (b) => (out += dec.decode(b)), stderr: () => undefined, tier });
  expect(r.outcome).toEqual({ kind: 'exit', code: 0 });
  return { out, count: r.instructions };
}

describe.skipIf(!SHARED || !CROSS)('the benchmark programs (needs ../shared and gcc-aarch64-linux-gnu)', () => {
  const dir = HAVE_SHARED && CROSS ? mkdtempSync(join(tmpdir(), 'sel4ts-bench-')) : '';
  if (dir) {
    cpSync(BENCH, dir, { recursive: true });
    spawnSync('make', ['-C', dir, '-j2', 'all'], { encoding: 'utf8' });
    if (CLANG) spawnSync('make', ['-C', dir, '-j2', 'clang'], { encoding: 'utf8' });
  }
  const refs = HAVE_SHARED
    ? readTsv(
        `variant\tbench\targ\ticount\tstdout\n${readFileSync(join(BENCH, 'reference-outputs.tsv'), 'utf8')
          .split('\n')
          .filter((l) => !l.startsWith('#'))
          .join('\n')}`,
      )
    : [];
  const small = refs.filter((r, i) => refs.findIndex((q) => q.variant === r.variant && q.bench === r.bench) === i);

  for (const ref of small) {
    it.skipIf(ref.variant === 'a64-clang-O2' && !CLANG)(`${ref.variant} ${ref.bench} ${ref.arg}: QEMU's output and instruction count${ref.variant === 'a64-clang-O2' ? ' (needs clang and ld.lld)' : ''}`, () => {
      const r = exec(join(dir, 'build', ref.variant!, ref.bench!), ref.arg!);
      expect(r.out.replace(/\n/g, '|')).toBe(ref.stdout);
      expect(r.count).toBe(Number(ref.icount));
    });
  }

  // The same through the WebAssembly tier (`--tier wasm`).
  for (const ref of small) {
    it.skipIf(ref.variant === 'a64-clang-O2' && !CLANG)(`${ref.variant} ${ref.bench} ${ref.arg}, WebAssembly tier: QEMU's output and instruction count`, () => {
      const r = exec(join(dir, 'build', ref.variant!, ref.bench!), ref.arg!, 'wasm');
      expect(r.out.replace(/\n/g, '|')).toBe(ref.stdout);
      expect(r.count).toBe(Number(ref.icount));
    });
  }

  for (const variant of ['a64-gcc-O0', 'a64-gcc-O3']) {
    it.skipIf(!BENCH_QEMU)(
      `${variant}: every program prints what it prints under QEMU (needs qemu-user)`,
      () => {
        for (const ref of small.filter((r) => r.variant === 'a64-gcc-O2')) {
          const elf = join(dir, 'build', variant, ref.bench!);
          expect(existsSync(elf), elf).toBe(true);
          const q = spawnSync('qemu-aarch64', [elf, ref.arg!], { encoding: 'utf8' });
          expect(exec(elf, ref.arg!).out, ref.bench).toBe(q.stdout);
          expect(exec(elf, ref.arg!, 'wasm').out, `${ref.bench} (WebAssembly tier)`).toBe(q.stdout);
        }
      },
      240_000,
    );
  }
});
