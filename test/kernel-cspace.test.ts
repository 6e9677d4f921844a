import { describe, expect, it } from 'vitest';
import { CapType, capRightsFromWord, capRightsToWord, cnodeCapData } from '../src/kernel/cap-types.js';
import type { Cap } from '../src/kernel/cap.js';
import { CNode, lookupSlot, lookupSlotForCNodeOp, resolveAddressBits, resolveAddressBitsExact, type CNodeCap } from '../src/kernel/cspace.js';
import { rng } from './helpers/rng.js';
import { LookupFailureType, seL4_Error } from '../src/kernel/errors.js';
import { MICROKIT_DEBUG, MICROKIT_RELEASE, ObjectType, objectSizeBits, objectTypeCount, schedContextRefills, seL4_MaxExtraRefills } from '../src/kernel/object-types.js';

const cnodeCap = (cnode: CNode, guard = 0n, guardSize = 0): CNodeCap => ({ type: CapType.CNode, cnode, guard, guardSize });
const otherCap: Cap = { type: CapType.IrqControl }; // any cap that is not a CNode

/** A protection domain's CSpace as Microkit builds it: root radix 6, slot 0 → radix 9 with guard size 49. */
function microkitCSpace() {
  const root = new CNode(6);
  const pd = new CNode(9);
  root.slots[0]!.cap = cnodeCap(pd, 0n, 64 - 9 - 6);
  root.slots[3]!.cap = otherCap;
  pd.slots[5]!.cap = otherCap;
  return { rootCap: cnodeCap(root), root, pd };
}

describe('CSpace addressing (resolveAddressBits)', () => {
  it('resolves a Microkit cptr below 512 to the PD CNode and cptr s << 58 to a root slot', () => {
    const { rootCap, root, pd } = microkitCSpace();
    const a = lookupSlot(rootCap, 5n);
    expect(a.ok && a.slot).toBe(pd.slots[5]);
    const b = lookupSlot(rootCap, 3n << 58n);
    expect(b.ok && b.slot).toBe(root.slots[3]);
    // Stopping at a non-CNode slot leaves bits unused: success, as in a system call.
    const r = resolveAddressBits(rootCap, 3n << 58n, 64);
    expect(r.ok && r.bitsRemaining).toBe(58);
  });

  it('reports a guard mismatch with the bits left, the expected guard and the guard size', () => {
    const { rootCap } = microkitCSpace();
    const r = lookupSlot(rootCap, (1n << 20n) | 5n);
    expect(r).toEqual({ ok: false, fault: { type: LookupFailureType.GuardMismatch, bitsLeft: 58, guardFound: 0n, bitsFound: 49 } });
  });

  it('reports a depth mismatch when a level needs more bits than are left', () => {
    const monitor = cnodeCap(new CNode(9));
    const r = resolveAddressBits(monitor, 0n, 8);
    expect(r).toEqual({ ok: false, fault: { type: LookupFailureType.DepthMismatch, bitsLeft: 8, bitsFound: 9 } });
  });

  it('fails with InvalidRoot when the root is not a CNode cap', () => {
    expect(resolveAddressBits({ type: CapType.Null }, 0n, 64)).toEqual({ ok: false, fault: { type: LookupFailureType.InvalidRoot } });
  });
});

describe('the Number fast path of resolveAddressBits', () => {
  it('agrees with the BigInt walk on random two-level CSpaces and cptrs', () => {
    const random = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const radix = 1 + Math.floor(random() * 8);
      const leafRadix = 1 + Math.floor(random() * 9);
      const guardSize = Math.floor(random() * (40 - radix));
      const guard = random() < 0.7 ? 0n : BigInt(Math.floor(random() * 2 ** Math.min(guardSize, 30)));
      const root: CNodeCap = { type: CapType.CNode, cnode: new CNode(radix), guard, guardSize };
      const leaf = new CNode(leafRadix);
      const leafGuard = Math.floor(random() * 20);
      for (const slot of root.cnode.slots) if (random() < 0.5) slot.cap = { type: CapType.CNode, cnode: leaf, guard: 0n, guardSize: leafGuard };
      for (let i = 0; i < 20; i++) {
        const bits = [8, 20, 40, 52, 53, 60, 64][Math.floor(random() * 7)]!;
        const cptr = BigInt(Math.floor(random() * 2 ** Math.min(bits, 52))) * (bits > 52 ? 2048n : 1n);
        const n = [64, 64, 32, radix + guardSize, 12][Math.floor(random() * 5)]!;
        expect(resolveAddressBits(root, cptr, n)).toEqual(resolveAddressBitsExact(root, cptr, n));
      }
    }
  });
});

describe('lookups for CNode operations (lookupSlotForCNodeOp)', () => {
  it('finds a slot when depth is used up exactly', () => {
    const { rootCap, root, pd } = microkitCSpace();
    const r = lookupSlotForCNodeOp(false, rootCap, 3n, 6);
    expect(r.ok && r.slot).toBe(root.slots[3]);
    const deep = lookupSlotForCNodeOp(false, rootCap, 7n, 64);
    expect(deep.ok && deep.slot).toBe(pd.slots[7]);
    // Bits above depth are ignored.
    const high = lookupSlotForCNodeOp(false, rootCap, (1n << 40n) | 3n, 6);
    expect(high.ok && high.slot).toBe(root.slots[3]);
  });

  it('returns RangeError(1, 64) for a depth outside 1..64', () => {
    const { rootCap } = microkitCSpace();
    for (const depth of [0, 65, 1n << 40n, (1n << 64n) - 1n]) {
      const r = lookupSlotForCNodeOp(false, rootCap, 0n, depth);
      expect(!r.ok && r.error).toEqual({ error: seL4_Error.RangeError, words: [1n, 64n] });
    }
  });

  it('returns FailedLookup with the source flag and the lookup fault words', () => {
    const { rootCap } = microkitCSpace();
    // Depth 10: the root takes 6 bits, slot 0 is the PD CNode whose guard needs 49 more.
    const guard = lookupSlotForCNodeOp(true, rootCap, 5n, 10);
    expect(!guard.ok && guard.error).toEqual({ error: seL4_Error.FailedLookup, words: [1n, 4n, 4n, 0n, 49n] });
    // Depth 10 through slot 3 (an endpoint): 4 bits remain → DepthMismatch(bitsLeft 4, bitsFound 0).
    const remaining = lookupSlotForCNodeOp(false, rootCap, 3n << 4n, 10);
    expect(!remaining.ok && remaining.error).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 3n, 4n, 0n] });
    const invalid = lookupSlotForCNodeOp(false, otherCap, 0n, 6);
    expect(!invalid.ok && invalid.error).toEqual({ error: seL4_Error.FailedLookup, words: [0n, 1n] });
  });
});

describe('capability words', () => {
  it('decodes and encodes seL4_CapRights and CNode cap data', () => {
    expect(capRightsFromWord(0xfn)).toEqual({ write: true, read: true, grant: true, grantReply: true });
    expect(capRightsFromWord(0x2n)).toEqual({ write: false, read: true, grant: false, grantReply: false });
    expect(capRightsToWord(capRightsFromWord(0x5n))).toBe(0x5n);
    expect(capRightsToWord(capRightsFromWord(0xf0n))).toBe(0n); // only the low 4 bits mean anything
    expect(cnodeCapData((0x2an << 6n) | 49n)).toEqual({ guard: 0x2an, guardSize: 49 });
  });
});

describe('object sizes (Microkit configurations of qemu_virt_aarch64)', () => {
  it('gives the TCB 2 KiB in release and 4 KiB with the hardware debug API', () => {
    expect(objectSizeBits(ObjectType.TCB, 0, MICROKIT_RELEASE)).toBe(11);
    expect(objectSizeBits(ObjectType.TCB, 0, MICROKIT_DEBUG)).toBe(12);
  });

  it('sizes every object type as seL4 does', () => {
    const c = MICROKIT_DEBUG;
    expect(objectSizeBits(ObjectType.Untyped, 21, c)).toBe(21);
    expect(objectSizeBits(ObjectType.Endpoint, 0, c)).toBe(4);
    expect(objectSizeBits(ObjectType.Notification, 0, c)).toBe(6);
    expect(objectSizeBits(ObjectType.CapTable, 9, c)).toBe(14);
    expect(objectSizeBits(ObjectType.SchedContext, 8, c)).toBe(8);
    expect(objectSizeBits(ObjectType.Reply, 0, c)).toBe(5);
    expect(objectSizeBits(ObjectType.HugePage, 0, c)).toBe(30);
    expect(objectSizeBits(ObjectType.VSpace, 0, c)).toBe(13); // 1024-entry stage-2 root
    expect(objectSizeBits(ObjectType.VSpace, 0, { ...c, hypervisor: false })).toBe(12);
    expect(objectSizeBits(ObjectType.SmallPage, 0, c)).toBe(12);
    expect(objectSizeBits(ObjectType.LargePage, 0, c)).toBe(21);
    expect(objectSizeBits(ObjectType.PageTable, 0, c)).toBe(12);
    expect(objectSizeBits(ObjectType.VCPU, 0, c)).toBe(12);
    expect(objectSizeBits(ObjectType.VCPU, 0, { ...c, hypervisor: false })).toBeUndefined();
    expect(objectSizeBits(13, 0, c)).toBeUndefined();
    expect(objectTypeCount(c)).toBe(13);
  });

  it('counts scheduling-context refills as the kernel and libsel4 do', () => {
    expect(schedContextRefills(7)).toBe(2);
    expect(seL4_MaxExtraRefills(7)).toBe(0);
    expect(seL4_MaxExtraRefills(8)).toBe(8);
    expect(schedContextRefills(8) - 2).toBe(seL4_MaxExtraRefills(8));
  });
});
