import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine/machine.js';
import { TableBuilder } from '../src/machine/mmu/table-builder.js';

/**
 * The descriptors the table builder writes, bit by bit, against the VMSAv8-64 stage-2 format
 * (ARM DDI 0487, D8.3): bits[1:0] 0b11 table or page, 0b01 block; MemAttr[5:2] 0b1111 Normal
 * write-back, 0b0000 Device-nGnRnE; S2AP[7:6] (6 read, 7 write); AF[10]; XN[54]. With a 40-bit
 * input address and a 4 KiB granule the walk starts at level 1 with two concatenated tables,
 * 1024 entries (D8.2.7); each later level indexes 512.
 */

const TABLE = 0b11n;
const PAGE = 0b11n;
const BLOCK = 0b01n;
const NORMAL = 0b1111n << 2n;
const READ = 1n << 6n;
const WRITE = 1n << 7n;
const AF = 1n << 10n;
const XN = 1n << 54n;

function builder(base = 0x4800_0000) {
  const memory = new Machine({ jit: 'off' }).memory;
  // Whatever was there before: the builder's tables must start empty.
  for (let pa = base; pa < base + 0x8000; pa += 8) memory.write64(pa, 0xffff_ffff_ffff_ffffn);
  return { memory, t: new TableBuilder(memory, base) };
}

describe('TableBuilder (stage-2 tables in RAM)', () => {
  it('puts the 8 KiB root at its base and zeroes it and every table it takes', () => {
    const { memory, t } = builder(0x4900_0000);
    expect(t.root).toBe(0x4900_0000);
    expect(memory.read64(0x4900_0000)).toBe(0n);
    expect(memory.read64(0x4900_0000 + 8184)).toBe(0n);
    expect(memory.read64(0x4900_0000 + 8192)).toBe(0xffff_ffff_ffff_ffffn);
    expect(t.alloc(4096)).toBe(0x4900_2000);
    expect(t.alloc(16)).toBe(0x4900_3000);
    expect([memory.read64(0x4900_2000), memory.read64(0x4900_2ff8), memory.read64(0x4900_3008)]).toEqual([0n, 0n, 0n]);
    expect(memory.read64(0x4900_3010)).toBe(0xffff_ffff_ffff_ffffn);
    expect(t.alloc(8)).toBe(0x4900_3010);
  });

  it('walks the top of the 40-bit space: root entry 1023, then 511 and 511', () => {
    const { memory, t } = builder();
    const entry = t.map(0xff_ffff_f000, 0x4123_4000, 4096);
    // Level 1 at the root, a level-2 table after it, a level-3 table after that.
    expect(memory.read64(0x4800_0000 + 1023 * 8)).toBe(0x4800_2000n | TABLE);
    expect(memory.read64(0x4800_2000 + 511 * 8)).toBe(0x4800_3000n | TABLE);
    expect(entry).toBe(0x4800_3000 + 511 * 8);
    expect(memory.read64(entry)).toBe(0x4123_4000n | PAGE | READ | WRITE | AF | NORMAL);
    // Nothing else was written.
    expect(memory.read64(0x4800_0000 + 511 * 8)).toBe(0n);
    expect(memory.read64(0x4800_2000)).toBe(0n);
  });

  it('indexes each level by its own bits of the address and reuses the tables it made', () => {
    const { memory, t } = builder();
    const va = 0x40_8060_3000; // level 1: 258, level 2: 3, level 3: 3
    const a = t.map(va, 0x4000_0000, 4096);
    expect(memory.read64(0x4800_0000 + 258 * 8)).toBe(0x4800_2000n | TABLE);
    expect(memory.read64(0x4800_2000 + 3 * 8)).toBe(0x4800_3000n | TABLE);
    expect(a).toBe(0x4800_3000 + 3 * 8);
    // The next page of the same 2 MiB: same tables, next entry; no new table.
    expect(t.map(va + 0x1000, 0x4000_1000, 4096)).toBe(a + 8);
    // Another 2 MiB of the same GiB: a new level-3 table only.
    expect(t.map(va + 0x20_0000, 0x4000_2000, 4096)).toBe(0x4800_4000 + 3 * 8);
    expect(memory.read64(0x4800_2000 + 4 * 8)).toBe(0x4800_4000n | TABLE);
    expect(t.alloc(8)).toBe(0x4800_5000);
  });

  it('writes blocks for 2 MiB (level 2) and 1 GiB (level 1)', () => {
    const { memory, t } = builder();
    const two = t.map(0x60_0000, 0x4060_0000, 2 ** 21);
    expect(two).toBe(0x4800_2000 + 3 * 8);
    expect(memory.read64(two)).toBe(0x4060_0000n | BLOCK | READ | WRITE | AF | NORMAL);
    const one = t.map(0x80_0000_0000 - 2 ** 30, 0x4000_0000, 2 ** 30);
    expect(one).toBe(0x4800_0000 + 511 * 8);
    expect(memory.read64(one)).toBe(0x4000_0000n | BLOCK | READ | WRITE | AF | NORMAL);
  });

  it('takes read, write, execute, the access flag and device memory from the permissions', () => {
    const { memory, t } = builder();
    const desc = (perms: Parameters<TableBuilder['map']>[3], va: number) => memory.read64(t.map(va, 0x4000_0000, 4096, perms)) & ~0xffff_ffff_f000n;
    expect(desc({}, 0x1000)).toBe(PAGE | READ | WRITE | AF | NORMAL);
    expect(desc({ read: false }, 0x2000)).toBe(PAGE | WRITE | AF | NORMAL);
    expect(desc({ write: false }, 0x3000)).toBe(PAGE | READ | AF | NORMAL);
    expect(desc({ exec: false }, 0x4000)).toBe(PAGE | READ | WRITE | AF | NORMAL | XN);
    expect(desc({ exec: true, read: true, write: true, af: true, device: false }, 0x5000)).toBe(PAGE | READ | WRITE | AF | NORMAL);
    expect(desc({ af: false }, 0x6000)).toBe(PAGE | READ | WRITE | NORMAL);
    expect(desc({ device: true }, 0x7000)).toBe(PAGE | READ | WRITE | AF);
  });
});
