import { describe, expect, it } from 'vitest';
import type { Cap, CapOf } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode } from '../src/kernel/cspace.js';
import { seL4_Error } from '../src/kernel/errors.js';
import { kernelDeletion } from '../src/kernel/delete.js';
import { decodeCNodeInvocation, type CNodeEnv } from '../src/kernel/invocations/cnode.js';
import { KernelState } from '../src/kernel/state.js';
import { invocationLabels } from '../src/kernel/labels.js';
import { descendants, insertNewCap } from '../src/kernel/mdb.js';
import { MICROKIT_DEBUG } from '../src/kernel/object-types.js';
import { EndpointObject, FrameObject, NotificationObject, PageTableObject, UntypedObject } from '../src/kernel/objects.js';

const L = invocationLabels(MICROKIT_DEBUG);
const env: CNodeEnv = { config: MICROKIT_DEBUG, labels: L, memory: { zero: () => {} }, deletion: kernelDeletion(new KernelState(MICROKIT_DEBUG)) };
const epCap = (badge = 0n): Cap => ({ type: CapType.Endpoint, obj: new EndpointObject(0x4000_0000, 4), badge, canSend: true, canReceive: true, canGrant: true, canGrantReply: true });

/** Slots: 0 untyped (parent of 1–3), 1 endpoint, 2 notification, 3 frame (mapped), 4 page table, 5 IRQControl, 6 untyped with a child, 8.. empty. */
function setup() {
  const cnode = new CNode(5, 0x4100_0000);
  const rootCap: Cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 0 };
  const s = cnode.slots;
  s[0]!.cap = { type: CapType.Untyped, obj: new UntypedObject(0x4000_0000, 16, false), freeIndex: 0x2000 };
  s[0]!.mdbRevocable = true;
  insertNewCap(s[0]!, s[1]!, epCap());
  insertNewCap(s[0]!, s[2]!, { type: CapType.Notification, obj: new NotificationObject(0x4000_0040, 6), badge: 0n, canSend: true, canReceive: true });
  insertNewCap(s[0]!, s[3]!, { type: CapType.Frame, obj: new FrameObject(0x4000_1000, 12, false), rights: 'read-write', mapping: { asid: 1, vaddr: 0x20_0000 } });
  s[4]!.cap = { type: CapType.PageTable, obj: new PageTableObject(0x4200_0000, 12), mapping: undefined };
  s[5]!.cap = { type: CapType.IrqControl };
  s[6]!.cap = { type: CapType.Untyped, obj: new UntypedObject(0x4300_0000, 12, false), freeIndex: 0 };
  s[6]!.mdbRevocable = true;
  insertNewCap(s[6]!, s[7]!, { type: CapType.Frame, obj: new FrameObject(0x4300_0000, 12, false), rights: 'read-write', mapping: undefined });
  s[31]!.cap = rootCap; // the invoked cap, and the roots passed as extra caps
  const invoke = (label: string, args: (number | bigint)[], extra: Cap[] = [rootCap]) => decodeCNodeInvocation(env, { label: L.of(label), args: args.map(BigInt), extraCaps: extra.map((cap) => ({ cap, slot: s[31]! })) }, s[31]!);
  return { cnode, s, rootCap, invoke };
}

const run = (d: ReturnType<ReturnType<typeof setup>['invoke']>) => {
  if (!d.ok) throw new Error(`refused with error ${d.error.error}`);
  d.invoke();
};
const errorOf = (d: ReturnType<ReturnType<typeof setup>['invoke']>) => {
  if (d.ok) throw new Error('accepted');
  return d.error;
};

describe('CNode_Copy and CNode_Mint', () => {
  it('copies with masked rights as a child of the source', () => {
    const { s, invoke } = setup();
    run(invoke('CNodeCopy', [8, 5, 1, 5, 0b0001]));
    const c = s[8]!.cap as CapOf<CapType.Endpoint>;
    expect([c.canSend, c.canReceive, c.canGrant, c.canGrantReply]).toEqual([true, false, false, false]);
    expect(descendants(s[1]!)).toContain(s[8]);
  });

  it('mints a badge once, and only onto an unbadged cap', () => {
    const { s, invoke } = setup();
    run(invoke('CNodeMint', [8, 5, 1, 5, 0xf, 42]));
    expect((s[8]!.cap as CapOf<CapType.Endpoint>).badge).toBe(42n);
    expect(s[8]!.mdbFirstBadged).toBe(true);
    expect(errorOf(invoke('CNodeMint', [9, 5, 8, 5, 0xf, 7]))).toEqual({ error: seL4_Error.IllegalOperation, words: [] });
    run(invoke('CNodeCopy', [9, 5, 8, 5, 0xf])); // Copy is how a badged cap is duplicated
    expect((s[9]!.cap as CapOf<CapType.Endpoint>).badge).toBe(42n);
    expect(descendants(s[8]!)).toEqual([s[9]]);
  });

  it('sets a CNode guard with Mint, refusing one that does not fit in 64 bits', () => {
    const { s, invoke, rootCap } = setup();
    s[10]!.cap = rootCap;
    run(invoke('CNodeMint', [8, 5, 10, 5, 0xf, (3n << 6n) | 2n]));
    const c = s[8]!.cap as CapOf<CapType.CNode>;
    expect([c.guard, c.guardSize]).toEqual([3n, 2]);
    expect(errorOf(invoke('CNodeMint', [9, 5, 10, 5, 0xf, 60])).error).toBe(seL4_Error.IllegalOperation);
  });

  it('masks frame rights down to read-only or kernel-only and copies frames unmapped', () => {
    const { s, invoke } = setup();
    run(invoke('CNodeCopy', [8, 5, 3, 5, 0b0010]));
    run(invoke('CNodeCopy', [9, 5, 3, 5, 0b0001]));
    run(invoke('CNodeCopy', [10, 5, 3, 5, 0b0011]));
    const rights = [8, 9, 10].map((i) => (s[i]!.cap as CapOf<CapType.Frame>).rights);
    expect(rights).toEqual(['read-only', 'kernel-only', 'read-write']);
    expect((s[10]!.cap as CapOf<CapType.Frame>).mapping).toBeUndefined();
  });

  it('refuses caps that do not derive', () => {
    const { invoke } = setup();
    expect(errorOf(invoke('CNodeCopy', [8, 5, 6, 5, 0xf])).error).toBe(seL4_Error.RevokeFirst);
    expect(errorOf(invoke('CNodeCopy', [8, 5, 5, 5, 0xf])).error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(invoke('CNodeCopy', [8, 5, 4, 5, 0xf])).error).toBe(seL4_Error.IllegalOperation);
  });

  it('checks in seL4 order: label, length, destination, extra cap, emptiness, source', () => {
    const { invoke, s } = setup();
    expect(errorOf(invoke('CNodeCopy', [8])).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(invoke('CNodeCopy', [8, 0, 1, 5, 0xf]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 64n] });
    expect(errorOf(invoke('CNodeCopy', [8, 6, 1, 5, 0xf]))).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 3n, 1n, 0n] });
    expect(errorOf(invoke('CNodeCopy', [8, 5, 1, 5, 0xf], [])).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(invoke('CNodeCopy', [1, 5, 2, 5, 0xf])).error).toBe(seL4_Error.DeleteFirst);
    expect(errorOf(invoke('CNodeCopy', [8, 5, 20, 5, 0xf]))).toEqual({ error: seL4_Error.FailedLookup, words: [1n, 2n, 5n] });
    expect(errorOf(invoke('CNodeCopy', [8, 5, 1, 5])).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(invoke('CNodeMint', [8, 5, 1, 5, 0xf])).error).toBe(seL4_Error.TruncatedMessage);
    expect(s[8]!.cap.type).toBe(CapType.Null);
  });
});

describe('CNode_Move, CNode_Mutate and CNode_Rotate', () => {
  it('moves a cap with its place in the derivation tree', () => {
    const { s, invoke } = setup();
    run(invoke('CNodeMove', [8, 5, 1, 5]));
    expect(s[1]!.cap.type).toBe(CapType.Null);
    expect(s[8]!.cap.type).toBe(CapType.Endpoint);
    expect(descendants(s[0]!)).toContain(s[8]);
  });

  it('mutates a CNode guard but never an endpoint badge', () => {
    const { s, invoke, rootCap } = setup();
    expect(errorOf(invoke('CNodeMutate', [8, 5, 1, 5, 9])).error).toBe(seL4_Error.IllegalOperation);
    s[10]!.cap = rootCap;
    run(invoke('CNodeMutate', [8, 5, 10, 5, (1n << 6n) | 1n]));
    expect(s[10]!.cap.type).toBe(CapType.Null);
    const c = s[8]!.cap as CapOf<CapType.CNode>;
    expect([c.guard, c.guardSize]).toEqual([1n, 1]);
  });

  it('rotates source → pivot → destination, and swaps when source is destination', () => {
    const { s, invoke, rootCap } = setup();
    const roots = [rootCap, rootCap];
    const [frame, pageTable] = [s[3]!.cap, s[4]!.cap];
    // dest 8 (empty), pivot 3, src 4: the pivot's cap goes to 8, the source's to 3.
    run(invoke('CNodeRotate', [8, 5, 0, 3, 5, 0, 4, 5], roots));
    expect([s[8]!.cap, s[3]!.cap, s[4]!.cap.type]).toEqual([frame, pageTable, CapType.Null]);
    expect(descendants(s[0]!)).toContain(s[8]); // the frame kept its place under the untyped
    // Swap: dest = src = 8, pivot 3.
    run(invoke('CNodeRotate', [8, 5, 0, 3, 5, 0, 8, 5], roots));
    expect([s[8]!.cap, s[3]!.cap]).toEqual([pageTable, frame]);
    expect(errorOf(invoke('CNodeRotate', [9, 5, 0, 8, 5, 0, 8, 5], roots)).error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(invoke('CNodeRotate', [1, 5, 0, 3, 5, 0, 8, 5], roots)).error).toBe(seL4_Error.DeleteFirst);
    expect(errorOf(invoke('CNodeRotate', [9, 5, 0, 3, 5, 0, 20, 5], roots))).toEqual({ error: seL4_Error.FailedLookup, words: [1n, 2n, 5n] });
    expect(errorOf(invoke('CNodeRotate', [9, 5, 0, 21, 5, 0, 8, 5], roots))).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 2n, 5n] });
    expect(errorOf(invoke('CNodeRotate', [9, 5, 0, 3, 5, 0, 8, 5], roots.slice(0, 1))).error).toBe(seL4_Error.TruncatedMessage);
    // Endpoint and notification caps never take data with preserve: Rotate refuses them.
    expect(errorOf(invoke('CNodeRotate', [9, 5, 0, 2, 5, 0, 8, 5], roots)).error).toBe(seL4_Error.IllegalOperation);
  });

  it('refuses labels outside the CNode range', () => {
    const { invoke } = setup();
    expect(errorOf(invoke('UntypedRetype', [8, 5])).error).toBe(seL4_Error.IllegalOperation);
  });

  it('deletes one cap, and revokes every cap derived from a slot', () => {
    const { s, invoke } = setup();
    run(invoke('CNodeCopy', [8, 5, 1, 5, 0xf]));
    run(invoke('CNodeDelete', [1, 5]));
    expect(s[1]!.cap.type).toBe(CapType.Null);
    expect(s[8]!.cap.type).toBe(CapType.Endpoint); // the copy survives its parent
    run(invoke('CNodeRevoke', [0, 5]));
    expect([2, 3, 8].map((i) => s[i]!.cap.type)).toEqual([CapType.Null, CapType.Null, CapType.Null]);
    expect(s[0]!.cap.type).toBe(CapType.Untyped);
    expect(descendants(s[0]!)).toEqual([]);
    run(invoke('CNodeDelete', [9, 5])); // an empty slot: nothing to do
    expect(errorOf(invoke('CNodeDelete', [1, 6])).error).toBe(seL4_Error.FailedLookup);
  });

  it('cancels badged sends only through an endpoint cap with every right', () => {
    const { s, invoke } = setup();
    run(invoke('CNodeMint', [8, 5, 1, 5, 0x3, 5])); // read and write only
    expect(errorOf(invoke('CNodeCancelBadgedSends', [8, 5])).error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(invoke('CNodeCancelBadgedSends', [2, 5])).error).toBe(seL4_Error.IllegalOperation);
    run(invoke('CNodeCancelBadgedSends', [1, 5]));
    expect(s[1]!.cap.type).toBe(CapType.Endpoint);
  });
});
