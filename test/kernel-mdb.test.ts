import { describe, expect, it } from 'vitest';
import type { Cap } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode, type Slot } from '../src/kernel/cspace.js';
import { cteInsert, cteMove, cteSwap, descendants, emptySlot, hasChildren, insertNewCap, isFinalCapability } from '../src/kernel/mdb.js';
import { EndpointObject, NotificationObject, UntypedObject } from '../src/kernel/objects.js';

const untyped = new UntypedObject(0x4000_0000, 16, false);
const ep = new EndpointObject(0x4000_0000, 4);
const ep2 = new EndpointObject(0x4000_0010, 4);
const epCap = (badge = 0n, obj = ep): Cap => ({ type: CapType.Endpoint, obj, badge, canSend: true, canReceive: true, canGrant: true, canGrantReply: true });

/** The slots in tree order, from the first. */
function order(first: Slot): Slot[] {
  const out: Slot[] = [];
  for (let s: Slot | undefined = first; s; s = s.mdbNext) out.push(s);
  return out;
}

function setup() {
  const c = new CNode(4);
  const [U, E, E2, B1, B1c, B2, X] = c.slots;
  U!.cap = { type: CapType.Untyped, obj: untyped, freeIndex: 0 };
  U!.mdbRevocable = true;
  insertNewCap(U!, E!, epCap()); // Retype
  cteInsert(epCap(), E!, E2!); // Copy
  cteInsert(epCap(5n), E!, B1!); // Mint badge 5
  cteInsert(epCap(5n), B1!, B1c!); // Copy of the badged cap
  cteInsert(epCap(6n), E!, B2!); // Mint badge 6
  return { U: U!, E: E!, E2: E2!, B1: B1!, B1c: B1c!, B2: B2!, X: X! };
}

describe('capability derivation tree', () => {
  it('places derived caps right after their source, depth first', () => {
    const { U, E, E2, B1, B1c, B2 } = setup();
    expect(order(U)).toEqual([U, E, B2, B1, B1c, E2]);
  });

  it('makes everything derived from an object descend from the untyped and the original cap', () => {
    const { U, E, E2, B1, B1c, B2 } = setup();
    expect(descendants(U)).toEqual([E, B2, B1, B1c, E2]);
    expect(descendants(E)).toEqual([B2, B1, B1c, E2]);
    expect(hasChildren(U)).toBe(true);
  });

  it('scopes revocation of a badged cap to the caps with its badge', () => {
    const { B1, B1c, B2, E2 } = setup();
    expect(descendants(B1)).toEqual([B1c]);
    expect(descendants(B2)).toEqual([]); // B1 has another badge
    expect(descendants(E2)).toEqual([]); // an unbadged copy is not revocable
    expect(descendants(B1c)).toEqual([]);
  });

  it('keeps a badge scope when its first cap is deleted', () => {
    const { E, B1, B1c, E2, B2 } = setup();
    emptySlot(B1);
    expect(B1.cap.type).toBe(CapType.Null);
    expect(B1c.mdbFirstBadged).toBe(true);
    // Revoking the original still reaches the remaining badge-5 copy.
    expect(descendants(E)).toEqual([B2, B1c, E2]);
    expect(descendants(B2)).toEqual([]);
  });

  it('knows the last cap to an object', () => {
    const { U, E, E2, B1, B1c, B2 } = setup();
    expect(isFinalCapability(E)).toBe(false);
    for (const s of [B2, B1, B1c, E2]) emptySlot(s);
    expect(isFinalCapability(E)).toBe(true);
    // The untyped is not the same object as what was retyped from it.
    expect(isFinalCapability(U)).toBe(true);
    const other = new CNode(1).slots[0]!;
    insertNewCap(U, other, epCap(0n, ep2));
    expect(isFinalCapability(E)).toBe(true);
  });

  it('moves a cap with its place in the tree', () => {
    const { U, E, E2, B1, B1c, B2, X } = setup();
    cteMove(B1.cap, B1, X);
    expect(order(U)).toEqual([U, E, B2, X, B1c, E2]);
    expect(descendants(X)).toEqual([B1c]);
    expect(B1.cap.type).toBe(CapType.Null);
    expect(B1.mdbNext).toBeUndefined();
  });

  it('swaps two caps, neighbours or not', () => {
    const { U, E, E2, B1, B1c, B2 } = setup();
    const [b1, b1c] = [B1.cap, B1c.cap];
    cteSwap(b1, B1, b1c, B1c); // neighbours
    expect(order(U)).toEqual([U, E, B2, B1c, B1, E2]);
    expect(B1c.cap).toBe(b1);
    expect(B1.cap).toBe(b1c);
    expect(descendants(B1c)).toEqual([B1]);
    const [e2, b2] = [E2.cap, B2.cap];
    cteSwap(e2, E2, b2, B2); // apart
    expect(order(U)).toEqual([U, E, E2, B1c, B1, B2]);
    for (const s of order(U).slice(1)) expect(s.mdbPrev!.mdbNext).toBe(s);
  });

  it('separates caps to different objects and types', () => {
    const n = new CNode(2);
    const U = n.slots[0]!;
    U.cap = { type: CapType.Untyped, obj: untyped, freeIndex: 0 };
    U.mdbRevocable = true;
    insertNewCap(U, n.slots[1]!, { type: CapType.Notification, obj: new NotificationObject(0x4000_0040, 6), badge: 0n, canSend: true, canReceive: true });
    insertNewCap(U, n.slots[2]!, epCap(0n, ep2));
    expect(isFinalCapability(n.slots[1]!)).toBe(true);
    expect(isFinalCapability(n.slots[2]!)).toBe(true);
    expect(descendants(n.slots[2]!)).toEqual([]);
    // An object outside the untyped's memory is not its descendant.
    const outside = new CNode(1).slots[0]!;
    cteInsert(epCap(0n, new EndpointObject(0x5000_0000, 4)), n.slots[2]!, outside);
    expect(descendants(U)).not.toContain(outside);
  });
});
