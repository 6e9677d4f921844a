import { describe, expect, it } from 'vitest';
import { Stop } from '../src/machine/cpu/fault.js';
import { Machine } from '../src/machine/machine.js';
import { TableBuilder } from '../src/machine/mmu/table-builder.js';

// A TLB holds a 2 MiB or 1 GiB block as one entry, so TLBI VAE1 by any address inside the block
// drops all of it (ARM DDI 0487, D8.13). The soft TLB holds a block as 4 KiB entries and
// remembers which block each came from: the block must be recorded whole and aligned, or a
// flush by one end of the block leaves translations of the other end behind.

const CODE_VA = 0x1000;
const CODE_PA = 0x4000_0000;
const LDR_X1_X0 = 0xf9400001;
const SVC0 = 0xd4000001;

/** A machine whose code loads x1 from [x0]; `load(va)` runs it once and says how it ended. */
function setup() {
  const m = new Machine({ jit: 'off' });
  const t = new TableBuilder(m.memory);
  t.map(CODE_VA, CODE_PA, 4096, { write: false });
  m.memory.write32(CODE_PA, LDR_X1_X0);
  m.memory.write32(CODE_PA + 4, SVC0);
  m.mmu.root = t.root;
  const load = (va: number) => {
    m.cpu.pc = CODE_VA;
    m.cpu.setX(0, BigInt(va));
    m.cpu.setX(1, 0n);
    return { stop: m.cpu.run(10), x1: m.cpu.getX(1) };
  };
  return { m, t, load };
}

describe('TLB invalidation of a block mapping', () => {
  for (const [name, size, va, pa] of [
    ['2 MiB', 2 ** 21, 0x60_0000, 0x4060_0000],
    ['1 GiB', 2 ** 30, 0x80_0000_0000 - 2 ** 30, 0x4000_0000],
  ] as const) {
    for (const [cached, flushed] of [
      ['last', 'first'],
      ['first', 'last'],
    ] as const) {
      it(`${name}: a flush by the ${flushed} page of an unmapped block drops the ${cached} page`, () => {
        const { m, t, load } = setup();
        const entry = t.map(va, pa, size);
        // Halfway into the page: the first page of the 1 GiB block holds the code at its start.
        const first = va + 0x800;
        const last = va + size - 4096 + 0x800;
        const at = { first, last };
        m.memory.write64(pa + (at[cached] - va), 0x5151n);
        // Cache the translation of one end of the block, and one in its middle.
        expect(load(at[cached])).toEqual({ stop: Stop.Svc, x1: 0x5151n });
        expect(load(va + size / 2).stop).toBe(Stop.Svc);
        // Unmap the block and invalidate it by its other end, as the kernel invalidates once per frame.
        m.memory.write64(entry, 0n);
        m.cpu.flushTlbPage(at[flushed]);
        expect(load(at[cached]).stop).toBe(Stop.DataAbort);
        expect(load(va + size / 2).stop).toBe(Stop.DataAbort);
      });
    }
  }
});
