import { describe, expect, it } from 'vitest';
import { Access } from '../src/machine/cpu/address-space.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { Machine } from '../src/machine/machine.js';
import { TableBuilder } from '../src/machine/mmu/table-builder.js';

// Translation, permission and fault-syndrome cases from the ARM ARM (DDI 0487, D8 and
// D17.2.37–40), checked through the CPU so ESR and FAR are the ones an exception would carry.

const CODE_VA = 0x1000;
const CODE_PA = 0x4000_0000;
const LDR_X1_X0 = 0xf9400001;
const STR_X1_X0 = 0xf9000001;
const LDR_W1_X0 = 0xb9400001;
const STR_W1_X0 = 0xb9000001;
const BR_X0 = 0xd61f0000;
const SVC0 = 0xd4000001;

const EC_DATA_ABORT = 0x24;
const EC_INSTRUCTION_ABORT = 0x20;
const IL = 1 << 25;
const WNR = 1 << 6;

function setup(program: number[]) {
  const m = new Machine({ jit: 'off' });
  const t = new TableBuilder(m.memory);
  t.map(CODE_VA, CODE_PA, 4096, { write: false });
  program.forEach((w, i) => m.memory.write32(CODE_PA + 4 * i, w));
  m.mmu.root = t.root;
  m.cpu.pc = CODE_VA;
  return { m, t };
}

/** Run `insn` with x0 = va; return the stop with its syndrome. */
function access(insn: number, va: number, prepare: (t: TableBuilder, m: Machine) => void) {
  const { m, t } = setup([insn, SVC0]);
  prepare(t, m);
  m.cpu.setX(0, BigInt(va));
  m.cpu.setX(1, 0x1122334455667788n);
  const stop = m.cpu.run(10);
  return { stop, esr: m.cpu.esr >>> 0, far: (BigInt(m.cpu.farHi >>> 0) << 32n) | BigInt(m.cpu.farLo >>> 0), pc: m.cpu.pc, x1: m.cpu.getX(1), m };
}

/**
 * The instruction syndrome (ISS[24:14]) of the probe instructions, by the ARM ARM's fields:
 * ISV, SAS (log2 of the size), SRT (x1), SF (a 64-bit register). A stage-2 translation,
 * access-flag or permission fault carries it; alignment faults and external aborts do not.
 */
const ISV = 1 << 24;
const ISS: Record<number, number> = {
  [LDR_X1_X0]: ISV | (3 << 22) | (1 << 16) | (1 << 15),
  [STR_X1_X0]: ISV | (3 << 22) | (1 << 16) | (1 << 15),
  [LDR_W1_X0]: ISV | (2 << 22) | (1 << 16),
  [STR_W1_X0]: ISV | (2 << 22) | (1 << 16),
};
const dataAbort = (fsc: number, write = false, insn = write ? STR_X1_X0 : LDR_X1_X0) => ((EC_DATA_ABORT << 26) | IL | (fsc < 0x10 ? ISS[insn]! : 0) | (write ? WNR : 0) | fsc) >>> 0;

describe('stage-2 translation', () => {
  it('maps a 4 KiB page and reads through it', () => {
    const r = access(LDR_X1_X0, 0x20_0008, (t, m) => {
      t.map(0x20_0000, 0x4010_0000, 4096);
      m.memory.write64(0x4010_0008, 0xdeadbeefcafef00dn);
    });
    expect(r.stop).toBe(Stop.Svc);
    expect(r.x1).toBe(0xdeadbeefcafef00dn);
  });

  it('maps 2 MiB and 1 GiB blocks with the offset inside the block', () => {
    const r2 = access(LDR_X1_X0, 0x60_0000 + 0x12_3458, (t, m) => {
      t.map(0x60_0000 - 0x20_0000, 0x4020_0000, 2 ** 21); // the block at 0x400000
      t.map(0x60_0000, 0x4060_0000, 2 ** 21);
      m.memory.write64(0x4060_0000 + 0x12_3458, 77n);
    });
    expect(r2.x1).toBe(77n);
    const r1 = access(LDR_X1_X0, 0x80_0000_0000 - 2 ** 30 + 0x3ff_fff8, (t, m) => {
      t.map(0x80_0000_0000 - 2 ** 30, 0x4000_0000, 2 ** 30);
      m.memory.write64(0x4000_0000 + 0x3ff_fff8, 99n);
    });
    expect(r1.x1).toBe(99n);
  });

  it('reports a translation fault at the level where the walk stopped', () => {
    const l1 = access(LDR_X1_X0, 0x40_0000_0010, () => {});
    expect(l1.stop).toBe(Stop.DataAbort);
    expect(l1.esr).toBe(dataAbort(0x05));
    expect(l1.far).toBe(0x40_0000_0010n);
    expect(l1.pc).toBe(CODE_VA);

    const l2 = access(LDR_X1_X0, 0x4000_0000, (t) => void t.entry(0x4000_0000, 2));
    expect(l2.esr).toBe(dataAbort(0x06));
    const l3 = access(STR_X1_X0, 0x20_1000, (t) => t.map(0x20_0000, 0x4010_0000, 4096));
    expect(l3.esr).toBe(dataAbort(0x07, true));
    expect(l3.far).toBe(0x20_1000n);
  });

  it('treats a block descriptor at level 3 as a translation fault', () => {
    const r = access(LDR_X1_X0, 0x20_0000, (t, m) => {
      const e = t.map(0x20_0000, 0x4010_0000, 4096);
      m.memory.write64(e, m.memory.read64(e) & ~2n);
    });
    expect(r.esr).toBe(dataAbort(0x07));
  });

  it('faults on an input address beyond 40 bits at level 0', () => {
    const r = access(LDR_X1_X0, 2 ** 40 + 8, () => {});
    expect(r.esr).toBe(dataAbort(0x04));
    expect(r.far).toBe(2n ** 40n + 8n);
  });

  it('raises an address-size fault for an output address beyond 40 bits', () => {
    const r = access(LDR_X1_X0, 0x20_0000, (t) => t.map(0x20_0000, 2 ** 40, 4096));
    expect(r.esr).toBe(dataAbort(0x03));
    const table = access(LDR_X1_X0, 0x8000_0000, (t, m) => {
      const e = t.entry(0x8000_0000, 1);
      m.memory.write64(e, (1n << 41n) | 3n); // a level-2 table beyond the PA range
    });
    expect(table.esr).toBe(dataAbort(0x01));
  });

  it('raises an access-flag fault when AF is clear', () => {
    const r = access(LDR_X1_X0, 0x20_0000, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { af: false }));
    expect(r.esr).toBe(dataAbort(0x0b));
    const b = access(LDR_X1_X0, 0x20_0000, (t) => t.map(0x20_0000, 0x4020_0000, 2 ** 21, { af: false }));
    expect(b.esr).toBe(dataAbort(0x0a));
  });

  it('checks the access flag before the permissions (a store to a read-only page with AF clear)', () => {
    // ARM DDI 0487 D8.x, fault prioritisation: an Access flag fault is generated before a
    // Permission fault for the same descriptor.
    const page = access(STR_X1_X0, 0x20_0000, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { af: false, write: false }));
    expect(page.esr).toBe(dataAbort(0x0b, true));
    const none = access(LDR_X1_X0, 0x20_0000, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { af: false, read: false, write: false }));
    expect(none.esr).toBe(dataAbort(0x0b));
    const block = access(STR_X1_X0, 0x40_0000, (t) => t.map(0x40_0000, 0x4020_0000, 2 ** 21, { af: false, write: false }));
    expect(block.esr).toBe(dataAbort(0x0a, true));
  });

  it('enforces read-only, no-access and execute-never permissions', () => {
    const ro = access(STR_W1_X0, 0x20_0004, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { write: false }));
    expect(ro.esr).toBe(dataAbort(0x0f, true, STR_W1_X0));
    expect(ro.far).toBe(0x20_0004n);
    const roRead = access(LDR_W1_X0, 0x20_0004, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { write: false }));
    expect(roRead.stop).toBe(Stop.Svc);
    const none = access(LDR_W1_X0, 0x20_0000, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { read: false, write: false }));
    expect(none.esr).toBe(dataAbort(0x0f, false, LDR_W1_X0));
    const gigRo = access(STR_W1_X0, 0x4000_0000, (t) => t.map(0x4000_0000, 0x4000_0000, 2 ** 30, { write: false }));
    expect(gigRo.esr).toBe(dataAbort(0x0d, true, STR_W1_X0));
    const blockRo = access(STR_W1_X0, 0x40_0000, (t) => t.map(0x40_0000, 0x4020_0000, 2 ** 21, { write: false }));
    expect(blockRo.esr).toBe(dataAbort(0x0e, true, STR_W1_X0));

    const xn = access(BR_X0, 0x20_0000, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { exec: false }));
    expect(xn.stop).toBe(Stop.InstructionAbort);
    expect(xn.esr).toBe(((EC_INSTRUCTION_ABORT << 26) | IL | 0x0f) >>> 0);
    expect(xn.far).toBe(0x20_0000n);
    expect(xn.pc).toBe(0x20_0000);
  });

  it('decides EL0 execution by XN[1] (bit 54) alone, as with or without FEAT_XNX', () => {
    // XN[1:0] = 0b01 is "not executable at EL1" under FEAT_XNX: EL0 may still execute.
    const pxn = access(BR_X0, 0x20_0000, (t, m) => {
      const e = t.map(0x20_0000, 0x4010_0000, 4096);
      m.memory.write64(e, m.memory.read64(e) | (1n << 53n));
      m.memory.write32(0x4010_0000, SVC0);
    });
    expect(pxn.stop).toBe(Stop.Svc);
    const uxn = access(BR_X0, 0x20_0000, (t, m) => {
      const e = t.map(0x20_0000, 0x4010_0000, 4096, { exec: false });
      m.memory.write64(e, m.memory.read64(e) | (1n << 53n));
    });
    expect(uxn.stop).toBe(Stop.InstructionAbort);
  });

  it('does not write anything when either half of a page-crossing store faults', () => {
    const r = access(STR_X1_X0, 0x20_0ffc, (t) => t.map(0x20_0000, 0x4010_0000, 4096));
    expect(r.esr).toBe(dataAbort(0x07, true));
    expect(r.far).toBe(0x20_1000n);
    expect(r.m.memory.read32(0x4010_0ffc)).toBe(0);
  });

  it('allows unaligned access to normal memory but not to device memory', () => {
    const normal = access(LDR_X1_X0, 0x20_0003, (t, m) => {
      t.map(0x20_0000, 0x4010_0000, 4096);
      m.memory.write64(0x4010_0003, 0x0102030405060708n);
    });
    expect(normal.x1).toBe(0x0102030405060708n);
    const device = access(LDR_W1_X0, 0x20_0002, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { device: true }));
    expect(device.esr).toBe(dataAbort(0x21));
    expect(device.far).toBe(0x20_0002n);
    const device64 = access(LDR_X1_X0, 0x20_0004, (t) => t.map(0x20_0000, 0x4010_0000, 4096, { device: true }));
    expect(device64.esr).toBe(dataAbort(0x21));
    const deviceOk = access(LDR_X1_X0, 0x20_0008, (t, m) => {
      t.map(0x20_0000, 0x4010_0000, 4096, { device: true });
      m.memory.write64(0x4010_0008, 0xabcdef0123456789n);
    });
    expect(deviceOk.x1).toBe(0xabcdef0123456789n);
  });

  it('reads and writes RAM mapped as Device memory like Normal memory, at every size', () => {
    // The memory type changes ordering and alignment, not the data: an aligned access of any size
    // to RAM mapped Device-nGnRnE reads and writes the same bytes as through a Normal mapping
    // (ARM DDI 0487, B2.8; QEMU's TCG ignores the type for RAM). Loads are probed through a
    // Device mapping and a Normal mapping of the same page, at a non-zero offset inside the page.
    const loads: [string, number, bigint][] = [
      ['ldrb w1, [x0]', 0x39400001, 0x88n],
      ['ldrsb x1, [x0]', 0x39800001, 0xffff_ffff_ffff_ff88n],
      ['ldrh w1, [x0]', 0x79400001, 0x9988n],
      ['ldrsh x1, [x0]', 0x79800001, 0xffff_ffff_ffff_9988n],
      ['ldr w1, [x0]', LDR_W1_X0, 0xbbaa_9988n],
      ['ldrsw x1, [x0]', 0xb9800001, 0xffff_ffff_bbaa_9988n],
      ['ldr x1, [x0]', LDR_X1_X0, 0xffee_ddcc_bbaa_9988n],
    ];
    for (const [name, insn, want] of loads) {
      for (const device of [true, false]) {
        const r = access(insn, 0x20_0010, (t, m) => {
          t.map(0x20_0000, 0x4010_0000, 4096, { device });
          m.memory.write64(0x4010_0008, 0x7766_5544_3322_1100n);
          m.memory.write64(0x4010_0010, 0xffee_ddcc_bbaa_9988n);
        });
        expect([name, device, r.stop, r.x1]).toEqual([name, device, Stop.Svc, want]);
      }
    }
    // Stores: x1 = 0x1122334455667788 over a page filled with 0x5a; only the stored bytes change.
    const stores: [string, number, bigint][] = [
      ['strb w1, [x0]', 0x39000001, 0x5a5a_5a5a_5a5a_5a88n],
      ['strh w1, [x0]', 0x79000001, 0x5a5a_5a5a_5a5a_7788n],
      ['str w1, [x0]', STR_W1_X0, 0x5a5a_5a5a_5566_7788n],
      ['str x1, [x0]', STR_X1_X0, 0x1122_3344_5566_7788n],
    ];
    for (const [name, insn, want] of stores) {
      for (const device of [true, false]) {
        const r = access(insn, 0x20_0010, (t, m) => {
          t.map(0x20_0000, 0x4010_0000, 4096, { device });
          m.memory.write(0x4010_0000, new Uint8Array(4096).fill(0x5a));
        });
        expect([name, device, r.stop]).toEqual([name, device, Stop.Svc]);
        expect([name, device, r.m.memory.read64(0x4010_0010)]).toEqual([name, device, want]);
        expect([name, device, r.m.memory.read64(0x4010_0008), r.m.memory.read64(0x4010_0018)]).toEqual([name, device, 0x5a5a_5a5a_5a5a_5a5an, 0x5a5a_5a5a_5a5a_5a5an]);
      }
    }
    // A halfword at an odd address: fine in Normal memory, an alignment fault in Device memory;
    // a byte is always aligned.
    const odd = (insn: number, device: boolean) =>
      access(insn, 0x20_0011, (t, m) => {
        t.map(0x20_0000, 0x4010_0000, 4096, { device });
        m.memory.write64(0x4010_0010, 0xffee_ddcc_bbaa_9988n);
      });
    expect(odd(0x79400001, true).esr).toBe(((EC_DATA_ABORT << 26) | IL | 0x21) >>> 0);
    expect(odd(0x79400001, false).x1).toBe(0xaa99n);
    expect(odd(0x39400001, true).x1).toBe(0x99n);
    expect(odd(0x39000001, true).m.memory.read64(0x4010_0010)).toBe(0xffee_ddcc_bbaa_8888n);
  });

  it('drops the decoded instructions of a page written through a Device mapping of it', () => {
    // Code at 0x4010_0000 (executable at VA 0x20_0000) is also mapped as Device memory at VA
    // 0x30_0000. The program calls it, rewrites its first instruction through the Device alias
    // and calls it again: the second call runs the new instruction, as in QEMU, which drops
    // translated code on any write to its physical page.
    const MOV_X3_1 = 0xd2800023;
    const MOV_X3_2 = 0xd2800043;
    const RET = 0xd65f03c0;
    const BLR_X2 = 0xd63f0040;
    const STR_W4_X5 = 0xb90000a4;
    const { m, t } = setup([BLR_X2, STR_W4_X5, BLR_X2, SVC0]);
    t.map(0x20_0000, 0x4010_0000, 4096, { write: false, exec: true });
    t.map(0x30_0000, 0x4010_0000, 4096, { device: true });
    m.memory.write32(0x4010_0000, MOV_X3_1);
    m.memory.write32(0x4010_0004, RET);
    m.cpu.setX(2, 0x20_0000n);
    m.cpu.setX(4, BigInt(MOV_X3_2));
    m.cpu.setX(5, 0x30_0000n);
    expect(m.cpu.run(20)).toBe(Stop.Svc);
    expect(m.cpu.getX(3)).toBe(2n);
    expect(m.memory.read32(0x4010_0000)).toBe(MOV_X3_2);
  });

  it("gives device mappings seL4's uncached memory type, Device-nGnRnE, and the others Normal write-back", () => {
    const { m, t } = setup([SVC0]);
    t.map(0x20_0000, 0x4010_0000, 4096, { device: true });
    t.map(0x20_1000, 0x4010_1000, 4096);
    // MemAttr[3:0] of a stage-2 descriptor (ARM DDI 0487 D8): 0b0000 Device-nGnRnE, which seL4's
    // makeUserPagePTE writes for an uncached page (S2_DEVICE_nGnRnE); 0b1111 Normal, inner and
    // outer write-back (S2_NORMAL). The kernel model and the table builder share the encoding.
    m.mmu.walk(0x20_0000, 0, Access.Read);
    expect(m.mmu.lastMemAttr).toBe(0b0000);
    m.mmu.walk(0x20_1000, 0, Access.Read);
    expect(m.mmu.lastMemAttr).toBe(0b1111);
  });

  it('raises a synchronous external abort for a table outside RAM', () => {
    const r = access(LDR_X1_X0, 0x8000_0000, (t, m) => m.memory.write64(t.entry(0x8000_0000, 1), 0x0900_0000n | 3n));
    expect(r.esr).toBe(dataAbort(0x10));
    expect(r.far).toBe(0x8000_0000n);
  });

  it('raises a synchronous external abort for a mapping to a hole in the physical map', () => {
    // 0x0b00_0000: nothing there (0x0a00_0000 holds the virtio-mmio transports).
    const r = access(LDR_W1_X0, 0x20_0010, (t) => t.map(0x20_0000, 0x0b00_0000, 4096, { device: true }));
    expect(r.esr).toBe(dataAbort(0x10));
    expect(r.far).toBe(0x20_0010n);
  });
});

describe('ASID-tagged TLB', () => {
  it('keeps each address space apart and honours invalidation', () => {
    const { m } = setup([LDR_X1_X0, SVC0]);
    const a = new TableBuilder(m.memory, 0x4900_0000);
    const b = new TableBuilder(m.memory, 0x4a00_0000);
    for (const t of [a, b]) t.map(CODE_VA, CODE_PA, 4096, { write: false });
    a.map(0x20_0000, 0x4010_0000, 4096);
    b.map(0x20_0000, 0x4011_0000, 4096);
    m.memory.write64(0x4010_0000, 1n);
    m.memory.write64(0x4011_0000, 2n);
    m.memory.write64(0x4012_0000, 3n);
    const load = (root: number, asid: number): bigint => {
      m.setAddressSpace(root, asid);
      m.cpu.pc = CODE_VA;
      m.cpu.setX(0, 0x20_0000n);
      expect(m.cpu.run(10)).toBe(Stop.Svc);
      return m.cpu.getX(1);
    };
    expect(load(a.root, 1)).toBe(1n);
    expect(load(b.root, 2)).toBe(2n);
    expect(load(a.root, 1)).toBe(1n);

    // A changed descriptor is not seen until the TLB entry is invalidated, as on hardware.
    a.map(0x20_0000, 0x4012_0000, 4096);
    expect(load(a.root, 1)).toBe(1n);
    m.invalidateTlb(2); // another ASID: no effect on ASID 1
    expect(load(a.root, 1)).toBe(1n);
    m.invalidateTlb(1, 0x20_0000);
    expect(load(a.root, 1)).toBe(3n);
    expect(load(b.root, 2)).toBe(2n);

    // Unmapping takes effect after invalidating every ASID.
    m.memory.write64(b.entry(0x20_0000, 3), 0n);
    expect(load(b.root, 2)).toBe(2n);
    m.invalidateTlb();
    m.setAddressSpace(b.root, 2);
    m.cpu.pc = CODE_VA;
    expect(m.cpu.run(10)).toBe(Stop.DataAbort);
    expect(m.cpu.esr >>> 0).toBe(dataAbort(0x07));
  });

  it('faults every access when no address space is installed', () => {
    const { m } = setup([SVC0]);
    m.setAddressSpace(-1, 0);
    expect(m.cpu.run(1)).toBe(Stop.InstructionAbort);
  });

  it('drops decoded code when a loader rewrites a page between runs', () => {
    const { m } = setup([0xd2800021 /* movz x1, #1 */, SVC0]);
    expect(m.cpu.run(10)).toBe(Stop.Svc);
    expect(m.cpu.getX(1)).toBe(1n);
    m.memory.write32(CODE_PA, 0xd2800041); // movz x1, #2
    m.cpu.pc = CODE_VA;
    expect(m.cpu.run(10)).toBe(Stop.Svc);
    expect(m.cpu.getX(1)).toBe(2n);
  });
});
