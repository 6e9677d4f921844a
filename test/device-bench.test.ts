import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { patchWord, realSel4Missing } from '../scripts/bench-real-sel4.js';
import { readElf64 } from '../src/util/elf64.js';

/** The helpers of the device benches (scripts/bench-blk.ts, scripts/bench-net.ts). */

const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-device-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function word(path: string, symbol: string): bigint {
  const bytes = new Uint8Array(readFileSync(path));
  const r = readElf64(bytes);
  if (!r.ok) throw new Error(r.error);
  const sym = r.elf.symbols.find((s) => s.name === symbol)!;
  const seg = r.elf.segments.find((s) => sym.value >= s.vaddr && sym.value < s.vaddr + BigInt(s.fileSize))!;
  return new DataView(bytes.buffer).getBigUint64(seg.offset + Number(sym.value - seg.vaddr), true);
}

describe('device benches', () => {
  it("patchWord sets the block bench client's bench_bytes in the file, and nothing else", () => {
    const elf = join(tmp, 'bench_client.elf');
    const original = join(import.meta.dirname, '..', 'bench', 'blk', 'bench_client.elf');
    copyFileSync(original, elf);
    expect(word(elf, 'bench_bytes')).toBe(32n << 20n);
    patchWord(elf, 'bench_bytes', 512n << 20n);
    expect(word(elf, 'bench_bytes')).toBe(512n << 20n);
    const [a, b] = [readFileSync(original), readFileSync(elf)];
    expect([...a].filter((x, i) => x !== b[i]).length).toBe(1); // 0x02 → 0x20 in one byte
  });

  it('patchWord refuses a symbol the file does not have', () => {
    const elf = join(tmp, 'client.elf');
    copyFileSync(join(import.meta.dirname, '..', 'examples', 'net', 'client.elf'), elf);
    expect(() => patchWord(elf, 'bench_bytes', 1n)).toThrow(/no 8-byte symbol bench_bytes/);
  });

  it('says why real seL4 is not measured without SEL4TS_REAL_SEL4_SDK', () => {
    const saved = process.env.SEL4TS_REAL_SEL4_SDK;
    try {
      delete process.env.SEL4TS_REAL_SEL4_SDK;
      expect(realSel4Missing()).toMatch(/^not measured: set SEL4TS_REAL_SEL4_SDK/);
    } finally {
      if (saved !== undefined) process.env.SEL4TS_REAL_SEL4_SDK = saved;
    }
  });
});
