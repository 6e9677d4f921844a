import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { patchWord } from '../scripts/bench-real-sel4.js';
import { oracle } from './helpers/oracles.js';

/**
 * bench/crc, the CRC benchmark's system (`npm run bench -- crc`): its PD prints the CRC-32 of its
 * 64 KiB buffer repeated crc_rounds times, the same under every CPU tier, and the committed ELF
 * is what its Makefile builds.
 */

const CRC = join(import.meta.dirname, '..', 'bench', 'crc');
const GCC = oracle('gcc-aarch64-linux-gnu', spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0, 'rebuilding bench/crc/crc.elf');
const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-crc-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** CRC-32 as zlib's crc32(crc, bytes): reflected, polynomial 0xEDB88320, bit by bit (no table, unlike the PD). */
function crc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** The PD's buffer: the top byte of each step of x ← 1664525·x + 1013904223 (mod 2³²) from x = 1. */
function buffer(): Uint8Array {
  const out = new Uint8Array(65536);
  let x = 1;
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function expected(rounds: number): string {
  const b = buffer();
  let c = 0;
  for (let r = 0; r < rounds; r++) c = crc32(c, b);
  // (--until stops the run as soon as 'crc: done' is out, before its newline.)
  return `crc: ${rounds} rounds of 65536 bytes, crc32 0x${c.toString(16).padStart(8, '0')}\ncrc: done`;
}

/** `sel4ts run --stats` of bench/crc with its PD set to `rounds`. */
async function run(rounds: number, ...extra: string[]): Promise<{ code: number; stdout: string; stderr: string; instructions: number }> {
  const dir = join(tmp, `rounds-${rounds}`);
  spawnSync('mkdir', ['-p', dir]);
  copyFileSync(join(CRC, 'crc.system'), join(dir, 'crc.system'));
  copyFileSync(join(CRC, 'crc.elf'), join(dir, 'crc.elf'));
  patchWord(join(dir, 'crc.elf'), 'crc_rounds', BigInt(rounds));
  let stdout = '';
  let stderr = '';
  const code = await main(['run', join(dir, 'crc.system'), '--search-path', dir, '--until', 'crc: done', '--stats', ...extra], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: tmp });
  return { code, stdout, stderr, instructions: Number(/^crc +(\d+)/m.exec(stderr)?.[1]) };
}

describe('bench/crc', () => {
  it("the test's CRC-32 is the standard one (check value of '123456789')", () => {
    expect(crc32(0, new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('prints the CRC-32 of its buffer repeated crc_rounds times, the same under every tier with the same instructions retired', async () => {
    const js = await run(3, '--tier', 'js');
    expect(js.code, js.stderr).toBe(0);
    expect(js.stdout).toBe(`MON|INFO: Microkit Monitor started!\n${expected(3)}`);
    // 7 instructions a byte (gcc -O2), three times 64 KiB, and the table, the fill and the printing.
    expect(js.instructions).toBeGreaterThan(3 * 7 * 65536);
    expect(js.instructions).toBeLessThan(3 * 7 * 65536 + 500_000);
    for (const tier of [['--tier', 'wasm'], ['--tier', 'interp'], ['--no-jit']]) {
      const r = await run(3, ...tier);
      expect(r.code, tier.join(' ')).toBe(0);
      expect(r.stdout, tier.join(' ')).toBe(js.stdout);
      expect(r.instructions, tier.join(' ')).toBe(js.instructions);
      if (tier[1] === 'wasm') expect(r.stderr).toMatch(/sel4ts: WebAssembly tier: [1-9]\d* regions, [0-9.]+ KiB of guest code, [0-9.]+ ms to emit and compile/);
    }
  });

  it('crc_rounds, patched in the ELF file, is what the PD runs', async () => {
    const one = await run(1);
    expect(one.stdout).toBe(`MON|INFO: Microkit Monitor started!\n${expected(1)}`);
  });

  it.skipIf(!GCC)('the committed crc.elf is what its Makefile builds from crc.c', () => {
    const elf = join(tmp, 'crc.elf');
    const make = spawnSync('make', ['-s', '-C', CRC, `CRC_ELF=${elf}`, `MICROKIT_BUILD_DIR=${join(tmp, 'sdk')}`, `MICROKIT_OBJ_DIR=${join(tmp, 'obj')}`], { encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);
    expect(readFileSync(elf).equals(readFileSync(join(CRC, 'crc.elf'))), 'make -C bench/crc').toBe(true);
  });
});
