import { describe, expect, it } from 'vitest';
import type { Cap } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode, lookupCapFast } from '../src/kernel/cspace.js';
import { kernelDeletion } from '../src/kernel/delete.js';
import { lookupFast } from '../src/kernel/fastpath.js';
import { MICROKIT_DEBUG } from '../src/kernel/object-types.js';
import { AsidPoolObject, TcbObject, TcbSlot, VSpaceObject } from '../src/kernel/objects.js';
import { KernelState } from '../src/kernel/state.js';
import type { KernelPort } from '../src/machine/kernel-interface.js';

/**
 * The memos of the kernel entry path: the CNode a thread's cap lookups end in (straight to the
 * slot) and its VSpace cap found valid (kept until the ASID table changes). Each must give
 * the answer the full check gives, also after the cap or the ASID table changed.
 */

describe('the fast paths’ CSpace memo', () => {
  const cnode = new CNode(4, 0x1000);
  const ntfn: Cap = { type: CapType.Notification, obj: undefined as never, badge: 0n, canSend: true, canReceive: true };
  cnode.slots[3]!.cap = ntfn;
  const t = new TcbObject(0x2000, 11);
  const cptrs = [0, 3, 15, 16, 17, 2 ** 40, -1, Number.NaN];

  it('finds the slot of a one-level root with a zero guard as lookupCapFast does, for every cptr', () => {
    const root: Cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 60 };
    t.ctes.slots[TcbSlot.CTable]!.cap = root;
    for (const c of [...cptrs, ...cptrs]) expect(lookupFast(t, c)).toBe(lookupCapFast(root, c));
    expect(t.cspaceMemo.root).toBe(root);
    expect(lookupFast(t, 3)).toBe(ntfn);
  });

  it('finds a slot two levels down (a Microkit PD) as lookupCapFast does, and follows a replaced second level', () => {
    const top = new CNode(1, 0x3000);
    const root: Cap = { type: CapType.CNode, cnode: top, guard: 0n, guardSize: 64 - 1 - 4 };
    top.slots[0]!.cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 0 };
    t.ctes.slots[TcbSlot.CTable]!.cap = root;
    for (const c of [...cptrs, 31, 32, ...cptrs, 31]) expect(lookupFast(t, c)).toBe(lookupCapFast(root, c));
    expect(t.cspaceMemo.cnode).toBe(cnode);
    expect(lookupFast(t, 3)).toBe(ntfn);
    // Another CNode in the first level's slot: the memo no longer holds.
    const other = new CNode(4, 0x4000);
    top.slots[0]!.cap = { type: CapType.CNode, cnode: other, guard: 0n, guardSize: 0 };
    expect(lookupFast(t, 3)).toBe(other.slots[3]!.cap);
    expect(lookupFast(t, 3)).not.toBe(ntfn);
    // A second level of more bits than are left: lookupCapFast refuses it, and so does the memo.
    top.slots[0]!.cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 1 };
    expect(lookupCapFast(root, 3)).toBeUndefined();
    expect(lookupFast(t, 3)).toBeUndefined();
  });

  it('follows a replaced root cap: a non-zero guard is not remembered', () => {
    const guarded: Cap = { type: CapType.CNode, cnode, guard: 1n, guardSize: 60 };
    t.ctes.slots[TcbSlot.CTable]!.cap = guarded;
    expect(lookupFast(t, 3)).toBeUndefined();
    expect(lookupCapFast(guarded, 3)).toBeUndefined();
    expect(t.cspaceMemo.root).not.toBe(guarded);
  });
});

describe('the valid-VSpace memo', () => {
  function setup() {
    const spaces: [number, number][] = [];
    const k = new KernelState(MICROKIT_DEBUG);
    k.port = { setAddressSpace: (root: number, asid: number) => void spaces.push([root, asid]), invalidateTlb: () => {} } as unknown as KernelPort;
    const pool = new AsidPoolObject(0x10_0000, 12);
    const vs = new VSpaceObject(0x20_0000, 12);
    k.asids.setPool(0, pool);
    k.asids.setEntry(pool, 1, vs);
    const t = new TcbObject(0x30_0000, 11);
    t.ctes.slots[TcbSlot.VTable]!.cap = { type: CapType.VSpace, obj: vs, asid: 1 };
    return { k, t, pool, vs, spaces };
  }

  it('keeps a valid VSpace until the ASID table changes, then checks again', () => {
    const { k, t, pool, spaces } = setup();
    k.setVMRoot(t);
    k.setVMRoot(t);
    expect(spaces).toEqual([
      [0x20_0000, 1],
      [0x20_0000, 1],
    ]);
    k.asids.setEntry(pool, 1, undefined);
    expect(k.hasValidVSpace(t)).toBe(false);
    k.setVMRoot(t);
    expect(spaces.at(-1)).toEqual([-1, 0]);
  });

  it('checks a replaced VSpace cap afresh', () => {
    const { k, t, vs } = setup();
    expect(k.hasValidVSpace(t)).toBe(true);
    t.ctes.slots[TcbSlot.VTable]!.cap = { type: CapType.VSpace, obj: vs, asid: 2 };
    expect(k.hasValidVSpace(t)).toBe(false);
    t.ctes.slots[TcbSlot.VTable]!.cap = { type: CapType.VSpace, obj: vs, asid: undefined };
    expect(k.hasValidVSpace(t)).toBe(false);
  });

  it('forgets a VSpace whose last cap, or whose ASID pool, is deleted', () => {
    for (const which of ['vspace', 'pool'] as const) {
      const { k, t, pool, vs } = setup();
      expect(k.hasValidVSpace(t)).toBe(true);
      const slot = new CNode(2, 0x5000).slots[0]!;
      slot.cap = which === 'vspace' ? { type: CapType.VSpace, obj: vs, asid: 1 } : { type: CapType.AsidPool, obj: pool, asidBase: 0 };
      kernelDeletion(k).deleteCap(slot);
      expect([which, k.asids.find(1)]).toEqual([which, undefined]);
      expect([which, k.hasValidVSpace(t)]).toEqual([which, false]);
    }
  });
});
