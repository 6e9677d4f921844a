import { describe, expect, it } from 'vitest';
import type { Cap, CapOf } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode, type Slot } from '../src/kernel/cspace.js';
import { seL4_Error } from '../src/kernel/errors.js';
import type { Decoded } from '../src/kernel/invocations/types.js';
import { decodeUntypedInvocation } from '../src/kernel/invocations/untyped.js';
import { decodeASIDControlInvocation, decodeASIDPoolInvocation, decodeFrameInvocation, decodePageTableInvocation, type VSpaceEnv } from '../src/kernel/invocations/vspace.js';
import { invocationLabels } from '../src/kernel/labels.js';
import { cteInsert, emptySlot } from '../src/kernel/mdb.js';
import { MICROKIT_DEBUG, ObjectType } from '../src/kernel/object-types.js';
import { UntypedObject } from '../src/kernel/objects.js';
import { AsidTable, pageDescriptor } from '../src/kernel/vspace.js';
import { Access } from '../src/machine/cpu/address-space.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { Machine } from '../src/machine/machine.js';

const L = invocationLabels(MICROKIT_DEBUG);

function run(d: Decoded): bigint[] {
  if (!d.ok) throw new Error(`refused with error ${d.error.error} ${d.error.words}`);
  return d.invoke();
}
function errorOf(d: Decoded) {
  if (d.ok) throw new Error('accepted');
  return d.error;
}

/**
 * A machine and a CSpace: slot 0 a 1 MiB untyped, slot 1 a 4 KiB untyped, slot 31 the root.
 * Objects are retyped into slots 2.. : 2 VSpace, 3–4 page tables, 5–6 frames, 7 a 2 MiB frame.
 */
function setup() {
  const machine = new Machine({ jit: 'off' });
  const env: VSpaceEnv = { config: MICROKIT_DEBUG, labels: L, memory: machine.memory, asids: new AsidTable(), tlb: machine };
  const cnode = new CNode(5, 0x4ff0_0000);
  const rootCap: Cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 0 };
  const s = cnode.slots;
  s[31]!.cap = rootCap;
  s[0]!.cap = { type: CapType.Untyped, obj: new UntypedObject(0x4000_0000, 22, false), freeIndex: 0 };
  s[1]!.cap = { type: CapType.Untyped, obj: new UntypedObject(0x4800_0000, 12, false), freeIndex: 0 };
  for (const i of [0, 1]) s[i]!.mdbRevocable = true;
  const extra = (...slots: number[]) => slots.map((i) => ({ cap: s[i]!.cap, slot: s[i]! }));
  const inv = (label: string, args: (number | bigint)[], ...extraSlots: number[]) => ({ label: L.of(label), args: args.map(BigInt), extraCaps: extra(...extraSlots) });
  const retype = (type: number, dest: number, count = 1) => run(decodeUntypedInvocation(env, inv('UntypedRetype', [type, 0, 0, 0, dest, count], 31), s[0]!));
  retype(ObjectType.VSpace, 2);
  retype(ObjectType.PageTable, 3, 2);
  retype(ObjectType.SmallPage, 5, 2);
  retype(ObjectType.LargePage, 7);
  return { machine, env, s, inv, cnode };
}

/** Make pool in slot 8, assign it to the VSpace in slot 2. */
function withAsid() {
  const t = setup();
  const { env, s, inv } = t;
  run(decodeASIDControlInvocation(env, inv('ARMASIDControlMakePool', [8, 5], 1, 31)));
  run(decodeASIDPoolInvocation(env, inv('ARMASIDPoolAssign', [], 2), s[8]!));
  return t;
}

describe('ASIDControl and ASIDPool', () => {
  it('makes a pool from a 4 KiB untyped and assigns the lowest ASID but 0', () => {
    const { s, env } = withAsid();
    const pool = s[8]!.cap as CapOf<CapType.AsidPool>;
    expect(pool.asidBase).toBe(0);
    const vs = s[2]!.cap as CapOf<CapType.VSpace>;
    expect(vs.asid).toBe(1);
    expect(env.asids.find(1)).toBe(vs.obj);
    expect((s[1]!.cap as CapOf<CapType.Untyped>).freeIndex).toBe(4096);
  });

  it('counts each change of the ASID table (what the valid-VSpace memo is keyed on)', () => {
    const { env, s, inv } = setup();
    const g0 = env.asids.generation;
    run(decodeASIDControlInvocation(env, inv('ARMASIDControlMakePool', [8, 5], 1, 31)));
    const g1 = env.asids.generation;
    expect(g1).toBeGreaterThan(g0);
    run(decodeASIDPoolInvocation(env, inv('ARMASIDPoolAssign', [], 2), s[8]!));
    expect(env.asids.generation).toBeGreaterThan(g1);
  });

  it('checks MakePool and Assign in seL4 order', () => {
    const { env, s, inv } = setup();
    expect(errorOf(decodeASIDControlInvocation(env, inv('ARMASIDControlMakePool', [8], 1, 31))).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(decodeASIDControlInvocation(env, inv('ARMASIDControlMakePool', [8, 5], 0, 31)))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(errorOf(decodeASIDControlInvocation(env, inv('ARMASIDControlMakePool', [2, 5], 1, 31))).error).toBe(seL4_Error.DeleteFirst);
    run(decodeASIDControlInvocation(env, inv('ARMASIDControlMakePool', [8, 5], 1, 31)));
    // Assign: the cap must be an unassigned VSpace.
    expect(errorOf(decodeASIDPoolInvocation(env, inv('ARMASIDPoolAssign', [], 3), s[8]!))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(errorOf(decodeASIDPoolInvocation(env, inv('ARMASIDPoolAssign', []), s[8]!)).error).toBe(seL4_Error.TruncatedMessage);
    run(decodeASIDPoolInvocation(env, inv('ARMASIDPoolAssign', [], 2), s[8]!));
    expect(errorOf(decodeASIDPoolInvocation(env, inv('ARMASIDPoolAssign', [], 2), s[8]!))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
  });
});

describe('mapping through the real machine', () => {
  /** Load a word at `va` through the CPU in the VSpace: returns the stop and x1. */
  function load(t: ReturnType<typeof setup>, va: number, store = false) {
    const { machine, s } = t;
    const vs = s[2]!.cap as CapOf<CapType.VSpace>;
    machine.setAddressSpace(vs.obj.paddr, vs.asid!);
    const code = 0x4ff8_0000;
    machine.memory.write32(code, store ? 0xb9000001 : 0xb9400001); // str/ldr w1, [x0]
    machine.memory.write32(code + 4, 0xd4000001);
    // Run the two instructions through a temporary executable mapping at 0x7f_0000_0000.
    const cpu = machine.cpu;
    cpu.pc = 0x7f_0000_0000;
    cpu.setX(0, BigInt(va));
    cpu.setX(1, 0xabcdn);
    return { stop: cpu.run(10), x1: cpu.getX(1), esr: cpu.esr >>> 0 };
  }

  function mapCode(t: ReturnType<typeof setup>) {
    // A page table chain and a frame for the probe code, mapped with plain descriptors.
    const { machine, s } = t;
    const vs = (s[2]!.cap as CapOf<CapType.VSpace>).obj;
    const l2 = 0x4ff9_0000;
    const l3 = 0x4ffa_0000;
    machine.memory.zero(l2, 8192);
    machine.memory.write64(vs.paddr + (0x7f_0000_0000 / 2 ** 30) * 8, BigInt(l2) | 3n);
    machine.memory.write64(l2, BigInt(l3) | 3n);
    machine.memory.write64(l3, pageDescriptor(0x4ff8_0000, 12, 'read-only', 3n));
  }

  it('maps page tables where the walk first finds an empty slot, then pages, and the CPU sees them', () => {
    const t = withAsid();
    const { env, s, inv, machine } = t;
    mapCode(t);
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0x40_0000, 3], 2), s[3]!));
    expect((s[3]!.cap as CapOf<CapType.PageTable>).mapping).toEqual({ asid: 1, vaddr: 0 }); // level 1: covers the first GiB
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0x40_0000, 3], 2), s[4]!));
    expect((s[4]!.cap as CapOf<CapType.PageTable>).mapping).toEqual({ asid: 1, vaddr: 0x40_0000 }); // level 2: 2 MiB
    expect(errorOf(decodePageTableInvocation(env, inv('ARMPageTableMap', [0x40_0000, 3], 2), s[4]!))).toEqual({ error: seL4_Error.InvalidCapability, words: [0n] });

    const frame = s[5]!.cap as CapOf<CapType.Frame>;
    machine.memory.write32(frame.obj.paddr + 0x10, 0x1234_5678);
    run(decodeFrameInvocation(env, inv('ARMPageMap', [0x40_1000, 0xf, 3], 2), s[5]!));
    expect(load(t, 0x40_1010)).toMatchObject({ stop: Stop.Svc, x1: 0x1234_5678n });
    expect(run(decodeFrameInvocation(env, inv('ARMPageGetAddress', []), s[5]!))).toEqual([BigInt(frame.obj.paddr)]);

    // Read-only: the store faults with a level-3 permission fault.
    run(decodeFrameInvocation(env, inv('ARMPageMap', [0x40_2000, 0b0010, 3], 2), s[6]!));
    const ro = load(t, 0x40_2000, true);
    expect(ro.stop).toBe(Stop.DataAbort);
    expect(ro.esr & 0x3f).toBe(0x0f);

    // Remapping at the same address changes rights; the TLB is invalidated, so it takes effect.
    run(decodeFrameInvocation(env, inv('ARMPageMap', [0x40_2000, 0xf, 3], 2), s[6]!));
    expect(load(t, 0x40_2000, true).stop).toBe(Stop.Svc);

    // Unmap: the next access faults (translation, level 3).
    run(decodeFrameInvocation(env, inv('ARMPageUnmap', []), s[5]!));
    expect((s[5]!.cap as CapOf<CapType.Frame>).mapping).toBeUndefined();
    const gone = load(t, 0x40_1010);
    expect(gone.stop).toBe(Stop.DataAbort);
    expect(gone.esr & 0x3f).toBe(0x07);
  });

  it('maps an uncached frame as Device-nGnRnE and a cached one as Normal write-back, as the MMU reads them', () => {
    const t = withAsid();
    const { env, s, inv, machine } = t;
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0x40_0000, 3], 2), s[3]!));
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0x40_0000, 3], 2), s[4]!));
    run(decodeFrameInvocation(env, inv('ARMPageMap', [0x40_1000, 0xf, 0], 2), s[5]!)); // seL4_ARM_Default_VMAttributes without PageCacheable
    run(decodeFrameInvocation(env, inv('ARMPageMap', [0x40_2000, 0xf, 1], 2), s[6]!)); // seL4_ARM_PageCacheable
    // MemAttr[3:0] of a stage-2 descriptor (ARM DDI 0487 D8): seL4's makeUserPagePTE writes
    // S2_DEVICE_nGnRnE (0b0000) or S2_NORMAL (0b1111, inner and outer write-back).
    const vs = s[2]!.cap as CapOf<CapType.VSpace>;
    machine.setAddressSpace(vs.obj.paddr, vs.asid!);
    machine.mmu.walk(0x40_1000, 0, Access.Read);
    expect(machine.mmu.lastMemAttr).toBe(0b0000);
    machine.mmu.walk(0x40_2000, 0, Access.Read);
    expect(machine.mmu.lastMemAttr).toBe(0b1111);
  });

  it('refuses bad Page_Map calls in seL4 order', () => {
    const t = withAsid();
    const { env, s, inv } = t;
    const map = (slot: number, args: (number | bigint)[], ...extra: number[]) => decodeFrameInvocation(env, inv('ARMPageMap', args, ...extra), s[slot]!);
    expect(errorOf(map(5, [0x40_1000, 0xf], 2)).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(map(5, [0x40_1000, 0xf, 3], 3))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(errorOf(map(5, [0x40_1008, 0xf, 3], 2)).error).toBe(seL4_Error.AlignmentError);
    expect(errorOf(map(5, [0x100_0000_0000n, 0xf, 3], 2))).toEqual({ error: seL4_Error.InvalidArgument, words: [0n] });
    // No page table yet: the walk stops at level 1 with 30 bits left.
    expect(errorOf(map(5, [0x40_1000, 0xf, 3], 2))).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 2n, 30n] });
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0, 3], 2), s[3]!));
    expect(errorOf(map(5, [0x40_1000, 0xf, 3], 2))).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 2n, 21n] });
    // A 2 MiB frame fits at level 2 now.
    run(map(7, [0x60_0000, 0xf, 3], 2));
    // Mapped: a different address is refused.
    expect(errorOf(map(7, [0x80_0000, 0xf, 3], 2))).toEqual({ error: seL4_Error.InvalidArgument, words: [0n] });
    // A table where the 2 MiB block is: DeleteFirst.
    expect(errorOf(decodePageTableInvocation(env, inv('ARMPageTableMap', [0x60_0000, 3], 2), s[4]!)).error).toBe(seL4_Error.DeleteFirst);
  });

  it('checks the arguments of the page cache operations, which then do nothing', () => {
    const t = withAsid();
    const { env, s, inv } = t;
    const op = (label: string, args: number[]) => decodeFrameInvocation(env, inv(label, args), s[5]!);
    expect(errorOf(op('ARMPageClean_Data', [0, 8])).error).toBe(seL4_Error.IllegalOperation); // not mapped
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0, 3], 2), s[3]!));
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0, 3], 2), s[4]!));
    run(decodeFrameInvocation(env, inv('ARMPageMap', [0x1000, 0xf, 3], 2), s[5]!));
    expect(errorOf(op('ARMPageClean_Data', [0])).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(op('ARMPageInvalidate_Data', [8, 8]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
    expect(errorOf(op('ARMPageCleanInvalidate_Data', [0, 4097]))).toEqual({ error: seL4_Error.InvalidArgument, words: [0n] });
    for (const label of ['ARMPageClean_Data', 'ARMPageInvalidate_Data', 'ARMPageCleanInvalidate_Data', 'ARMPageUnify_Instruction']) expect(run(op(label, [0, 4096]))).toEqual([]);
  });

  /**
   * A 2 MiB frame (slot 7, under the page table of slot 3) or a 1 GiB frame (slot 10, straight
   * in the VSpace), mapped read-write, with a word at +0x5008 and TLB entries filled for three
   * of its 4 KiB pages (read at +0x10 and +0x5008, written at +0x7000).
   */
  function mappedBlock(size: '2 MiB' | '1 GiB') {
    const t = withAsid();
    const { env, s, inv, machine } = t;
    mapCode(t);
    let slot = 7;
    let va = 0x20_0000;
    if (size === '1 GiB') {
      s[9]!.cap = { type: CapType.Untyped, obj: new UntypedObject(0x8000_0000, 30, false), freeIndex: 0 };
      s[9]!.mdbRevocable = true;
      run(decodeUntypedInvocation(env, inv('UntypedRetype', [ObjectType.HugePage, 0, 0, 0, 10, 1], 31), s[9]!));
      slot = 10;
      va = 0x4000_0000;
    } else {
      run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0, 3], 2), s[3]!));
    }
    const frame = (s[slot]!.cap as CapOf<CapType.Frame>).obj;
    machine.memory.write32(frame.paddr + 0x5008, 0x5eed_b10c);
    const map = (at: number, rights: number) => run(decodeFrameInvocation(env, inv('ARMPageMap', [at, rights, 3], 2), s[slot]!));
    const unmap = () => run(decodeFrameInvocation(env, inv('ARMPageUnmap', []), s[slot]!));
    map(va, 0xf);
    expect(load(t, va + 0x10).stop).toBe(Stop.Svc);
    expect(load(t, va + 0x5008)).toMatchObject({ stop: Stop.Svc, x1: 0x5eed_b10cn });
    expect(load(t, va + 0x7000, true).stop).toBe(Stop.Svc);
    // Translation and permission faults are reported at the level of the block descriptor.
    const level = size === '1 GiB' ? 1 : 2;
    return { t, va, map, unmap, level };
  }

  for (const size of ['2 MiB', '1 GiB'] as const) {
    it(`forgets every page of an unmapped ${size} frame, not only its first`, () => {
      const { t, va, unmap, level } = mappedBlock(size);
      unmap();
      for (const at of [va + 0x5008, va + 0x10]) expect(load(t, at)).toMatchObject({ stop: Stop.DataAbort, esr: expect.any(Number) });
      expect(load(t, va + 0x5008).esr & 0x3f).toBe(0x04 | level);
      expect(load(t, va + 0x7000, true).esr & 0x3f).toBe(0x04 | level);
    });

    it(`enforces read-only on every page of a ${size} frame remapped read-only`, () => {
      const { t, va, map, level } = mappedBlock(size);
      map(va, 0b0010);
      const store = load(t, va + 0x7000, true);
      expect(store.stop).toBe(Stop.DataAbort);
      expect(store.esr & 0x3f).toBe(0x0c | level);
      expect(load(t, va + 0x5008)).toMatchObject({ stop: Stop.Svc, x1: 0x5eed_b10cn });
    });

    it(`follows a ${size} frame remapped elsewhere`, () => {
      const { t, va, map, unmap, level } = mappedBlock(size);
      unmap();
      const elsewhere = size === '1 GiB' ? 0x8000_0000 : 0x60_0000;
      map(elsewhere, 0xf);
      expect(load(t, va + 0x5008).esr & 0x3f).toBe(0x04 | level);
      expect(load(t, elsewhere + 0x5008)).toMatchObject({ stop: Stop.Svc, x1: 0x5eed_b10cn });
      expect(load(t, va + 0x7000, true).stop).toBe(Stop.DataAbort);
    });
  }

  it('unmaps a page table only through its last cap, and zeroes it', () => {
    const t = withAsid();
    const { env, s, inv, machine } = t;
    run(decodePageTableInvocation(env, inv('ARMPageTableMap', [0, 3], 2), s[3]!));
    const pt = (s[3]!.cap as CapOf<CapType.PageTable>).obj.paddr;
    machine.memory.write64(pt + 8, 0x1234n);
    const copy: Slot = t.cnode.slots[9]!;
    cteInsert(s[3]!.cap, s[3]!, copy);
    expect(errorOf(decodePageTableInvocation(env, inv('ARMPageTableUnmap', []), s[3]!)).error).toBe(seL4_Error.RevokeFirst);
    emptySlot(copy);
    run(decodePageTableInvocation(env, inv('ARMPageTableUnmap', []), s[3]!));
    expect(machine.memory.read64(pt + 8)).toBe(0n);
    const vs = (s[2]!.cap as CapOf<CapType.VSpace>).obj;
    expect(machine.memory.read64(vs.paddr)).toBe(0n);
  });
});
