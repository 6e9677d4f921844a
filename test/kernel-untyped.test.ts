import { describe, expect, it } from 'vitest';
import type { Cap, CapOf } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode } from '../src/kernel/cspace.js';
import { seL4_Error } from '../src/kernel/errors.js';
import type { Invocation, KernelEnv } from '../src/kernel/invocations/types.js';
import { decodeUntypedInvocation } from '../src/kernel/invocations/untyped.js';
import { invocationLabels } from '../src/kernel/labels.js';
import { descendants, emptySlot } from '../src/kernel/mdb.js';
import { MICROKIT_DEBUG, ObjectType } from '../src/kernel/object-types.js';
import { UntypedObject } from '../src/kernel/objects.js';

const RETYPE = invocationLabels(MICROKIT_DEBUG).of('UntypedRetype');

function setup(opts: { sizeBits?: number; device?: boolean; radix?: number } = {}) {
  const zeroed: [number, number][] = [];
  const env: KernelEnv = { config: MICROKIT_DEBUG, labels: invocationLabels(MICROKIT_DEBUG), memory: { zero: (pa, length) => void zeroed.push([pa, length]) } };
  const cspace = new CNode(opts.radix ?? 4, 0x4100_0000);
  const rootCap: Cap = { type: CapType.CNode, cnode: cspace, guard: 0n, guardSize: 0 };
  const ut = cspace.slots[0]!;
  ut.cap = { type: CapType.Untyped, obj: new UntypedObject(0x4000_0000, opts.sizeBits ?? 16, opts.device ?? false), freeIndex: 0 };
  ut.mdbRevocable = true;
  const root = cspace.slots[1]!;
  root.cap = rootCap;
  const retype = (args: (number | bigint)[], label = RETYPE, extra = true) => {
    const inv: Invocation = { label, args: args.map(BigInt), extraCaps: extra ? [{ cap: rootCap, slot: root }] : [] };
    return decodeUntypedInvocation(env, inv, ut);
  };
  return { env, cspace, ut, retype, zeroed };
}

/** The error of a decode that must fail. */
function errorOf(d: ReturnType<ReturnType<typeof setup>['retype']>) {
  if (d.ok) throw new Error('the invocation was accepted');
  return d.error;
}

describe('Untyped_Retype decoding: every error, in seL4 order', () => {
  it('refuses another label and short messages', () => {
    const { retype } = setup();
    expect(errorOf(retype([2, 0, 0, 0, 4, 1], RETYPE + 1)).error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(retype([2, 0, 0, 0, 4])).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(retype([2, 0, 0, 0, 4, 1], RETYPE, false)).error).toBe(seL4_Error.TruncatedMessage);
  });

  it('checks the type, then the size, then per-type minimum sizes', () => {
    const { retype } = setup();
    expect(errorOf(retype([13, 0, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.InvalidArgument, words: [0n] });
    expect(errorOf(retype([ObjectType.Untyped, 48, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 47n] });
    expect(errorOf(retype([ObjectType.Endpoint, 64, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 47n] });
    expect(errorOf(retype([ObjectType.CapTable, 43, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 47n] });
    expect(errorOf(retype([ObjectType.CapTable, 0, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
    expect(errorOf(retype([ObjectType.Untyped, 3, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
    expect(errorOf(retype([ObjectType.SchedContext, 6, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
  });

  it('looks the destination CNode up and checks offset, count and emptiness', () => {
    const { retype, cspace } = setup();
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 65, 4, 1]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 64n] });
    // Depth 4 names slot 0 of the root CNode: the untyped, not a CNode.
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 4, 4, 1]))).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 2n, 4n] });
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 0, 16, 1]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 15n] });
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 0, 4, 0]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 256n] });
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 0, 4, 257]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 256n] });
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 0, 4, 13]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 12n] });
    cspace.slots[6]!.cap = { type: CapType.IrqControl };
    expect(errorOf(retype([ObjectType.Endpoint, 0, 0, 0, 4, 3]))).toEqual({ error: seL4_Error.DeleteFirst, words: [] });
  });

  it('reports the free bytes when the untyped is too small, before the device check', () => {
    const { retype } = setup({ sizeBits: 12 });
    expect(errorOf(retype([ObjectType.SmallPage, 0, 0, 0, 4, 2]))).toEqual({ error: seL4_Error.NotEnoughMemory, words: [4096n] });
    const dev = setup({ sizeBits: 12, device: true });
    expect(errorOf(dev.retype([ObjectType.TCB, 0, 0, 0, 4, 2]))).toEqual({ error: seL4_Error.NotEnoughMemory, words: [4096n] });
    expect(errorOf(dev.retype([ObjectType.Endpoint, 0, 0, 0, 4, 1]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
  });

  it('changes nothing while decoding', () => {
    const { retype, ut, cspace } = setup();
    const d = retype([ObjectType.Endpoint, 0, 0, 0, 4, 2]);
    expect(d.ok).toBe(true);
    expect(cspace.slots[4]!.cap.type).toBe(CapType.Null);
    expect((ut.cap as CapOf<CapType.Untyped>).freeIndex).toBe(0);
  });
});

describe('Untyped_Retype: creating objects', () => {
  const run = (d: ReturnType<ReturnType<typeof setup>['retype']>) => {
    if (!d.ok) throw new Error(`refused: ${JSON.stringify(d.error, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    return d.invoke();
  };

  it('lays objects out aligned from the watermark, zeroes them and makes them children', () => {
    const { retype, ut, cspace, zeroed } = setup();
    run(retype([ObjectType.Endpoint, 0, 0, 0, 4, 1])); // 16 bytes at the base
    run(retype([ObjectType.SmallPage, 0, 0, 0, 5, 2])); // 4 KiB aligned: 0x1000, 0x2000
    const caps = [4, 5, 6].map((i) => cspace.slots[i]!.cap);
    expect(caps.map((c) => c.type)).toEqual([CapType.Endpoint, CapType.Frame, CapType.Frame]);
    expect(caps.map((c) => ('obj' in c ? c.obj.paddr : 0))).toEqual([0x4000_0000, 0x4000_1000, 0x4000_2000]);
    expect((ut.cap as CapOf<CapType.Untyped>).freeIndex).toBe(0x3000);
    expect(zeroed).toEqual([
      [0x4000_0000, 16],
      [0x4000_1000, 4096],
      [0x4000_2000, 4096],
    ]);
    expect(descendants(ut)).toHaveLength(3);
    const frame = caps[1] as CapOf<CapType.Frame>;
    expect([frame.rights, frame.mapping, frame.obj.sizeBits]).toEqual(['read-write', undefined, 12]);
    const ep = caps[0] as CapOf<CapType.Endpoint>;
    expect([ep.badge, ep.canSend, ep.canReceive, ep.canGrant, ep.canGrantReply]).toEqual([0n, true, true, true, true]);
  });

  it('starts again from the base once every child is gone', () => {
    const { retype, ut, cspace } = setup();
    run(retype([ObjectType.Notification, 0, 0, 0, 4, 2]));
    expect((ut.cap as CapOf<CapType.Untyped>).freeIndex).toBe(128);
    for (const s of descendants(ut)) emptySlot(s);
    run(retype([ObjectType.TCB, 0, 0, 0, 4, 1]));
    const tcb = cspace.slots[4]!.cap as CapOf<CapType.Thread>;
    expect(tcb.obj.paddr).toBe(0x4000_0000);
    expect(tcb.obj.sizeBits).toBe(12); // TCB with the hardware debug API
  });

  it('creates CNodes, scheduling contexts and untypeds of the asked size, into a CNode found by depth', () => {
    const { retype, cspace, ut } = setup();
    const inner = new CNode(2, 0x4200_0000);
    cspace.slots[3]!.cap = { type: CapType.CNode, cnode: inner, guard: 0n, guardSize: 0 };
    run(retype([ObjectType.CapTable, 3, 3, 4, 0, 1]));
    run(retype([ObjectType.SchedContext, 8, 3, 4, 1, 1]));
    run(retype([ObjectType.Untyped, 12, 3, 4, 2, 2]));
    const [cn, sc, u1, u2] = inner.slots.map((s) => s.cap);
    expect(cn!.type === CapType.CNode && [cn.cnode.radix, cn.cnode.paddr]).toEqual([3, 0x4000_0000]);
    expect(sc!.type === CapType.SchedContext && [sc.obj.sizeBits, sc.obj.paddr]).toEqual([8, 0x4000_0100]);
    expect(u1!.type === CapType.Untyped && [u1.obj.paddr, u1.obj.sizeBits, u1.freeIndex]).toEqual([0x4000_1000, 12, 0]);
    expect(u2!.type === CapType.Untyped && u2.obj.paddr).toBe(0x4000_2000);
    // Everything made from the untyped, the CNode included, descends from it.
    expect(descendants(ut).map((s) => s.cap)).toEqual(expect.arrayContaining([cn, sc, u1, u2]));
    expect(descendants(ut)).toHaveLength(4);
  });

  it('does not zero device memory and makes device frames', () => {
    const { retype, cspace, zeroed } = setup({ device: true });
    run(retype([ObjectType.SmallPage, 0, 0, 0, 4, 1]));
    expect(zeroed).toEqual([]);
    const f = cspace.slots[4]!.cap;
    expect(f.type === CapType.Frame && f.obj.isDevice).toBe(true);
  });
});
