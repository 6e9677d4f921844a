import { capBadge, NULL_CAP, sameObjectAs, sameRegionAs, type Cap } from './cap.js';
import { CapType } from './cap-types.js';
import type { Slot } from './cspace.js';

/**
 * The capability derivation tree (seL4's mapping database, MDB): every non-null cap sits in
 * one doubly linked list in depth-first order, so the descendants of a slot are the slots
 * that follow it for as long as it is their MDB parent. Two flags per slot decide parenthood:
 * `mdbRevocable` (revoking this cap reaches its copies) and `mdbFirstBadged` (this cap starts
 * a new badge, so revoking an ancestor with the same badge stops before it).
 */

/** seL4's isMDBParentOf: whether `b`, somewhere after `a` in the list, descends from `a`. */
function isMDBParentOf(a: Slot, b: Slot): boolean {
  if (!a.mdbRevocable) return false;
  if (!sameRegionAs(a.cap, b.cap)) return false;
  if (a.cap.type === CapType.Endpoint || a.cap.type === CapType.Notification) {
    const badge = capBadge(a.cap);
    if (badge === 0n) return true;
    return badge === capBadge(b.cap) && !b.mdbFirstBadged;
  }
  return true;
}

/**
 * seL4's isCapRevocable, for a cap derived from `src` by Copy, Mint or a transfer: a new
 * badge starts a new revocation scope; an IRQ handler is revocable from IRQControl.
 */
function isCapRevocable(derived: Cap, src: Cap): boolean {
  switch (derived.type) {
    case CapType.Endpoint:
    case CapType.Notification:
      return capBadge(derived) !== capBadge(src);
    case CapType.IrqHandler:
      return src.type === CapType.IrqControl;
    case CapType.Untyped:
      return true;
    default:
      return false;
  }
}

function linkAfter(parent: Slot, slot: Slot): void {
  const next = parent.mdbNext;
  slot.mdbPrev = parent;
  slot.mdbNext = next;
  if (next) next.mdbPrev = slot;
  parent.mdbNext = slot;
}

/** Put `cap`, derived from the cap in `src`, into the empty slot `dest` as its child (cteInsert). */
export function cteInsert(cap: Cap, src: Slot, dest: Slot): void {
  const revocable = isCapRevocable(cap, src.cap);
  dest.cap = cap;
  dest.mdbRevocable = revocable;
  dest.mdbFirstBadged = revocable;
  linkAfter(src, dest);
}

/** Put a cap to a newly created object into `dest` as a child of `parent` (insertNewCap, for Retype). */
export function insertNewCap(parent: Slot, dest: Slot, cap: Cap): void {
  dest.cap = cap;
  dest.mdbRevocable = true;
  dest.mdbFirstBadged = true;
  linkAfter(parent, dest);
}

/** Move the cap in `src` to the empty slot `dest` as `cap`, keeping its place in the tree (cteMove). */
export function cteMove(cap: Cap, src: Slot, dest: Slot): void {
  dest.cap = cap;
  dest.mdbPrev = src.mdbPrev;
  dest.mdbNext = src.mdbNext;
  dest.mdbRevocable = src.mdbRevocable;
  dest.mdbFirstBadged = src.mdbFirstBadged;
  if (dest.mdbPrev) dest.mdbPrev.mdbNext = dest;
  if (dest.mdbNext) dest.mdbNext.mdbPrev = dest;
  clear(src);
}

/** Exchange two slots' caps (cap1 into slot2, cap2 into slot1) with their tree places (cteSwap). */
export function cteSwap(cap1: Cap, slot1: Slot, cap2: Cap, slot2: Slot): void {
  const at1 = { prev: slot1.mdbPrev, next: slot1.mdbNext, revocable: slot1.mdbRevocable, firstBadged: slot1.mdbFirstBadged };
  const at2 = { prev: slot2.mdbPrev, next: slot2.mdbNext, revocable: slot2.mdbRevocable, firstBadged: slot2.mdbFirstBadged };
  // A neighbour that is one of the two slots is the other one after the swap.
  const swapped = (s: Slot | undefined) => (s === slot1 ? slot2 : s === slot2 ? slot1 : s);
  const place = (slot: Slot, cap: Cap, at: typeof at1) => {
    slot.cap = cap;
    slot.mdbPrev = swapped(at.prev);
    slot.mdbNext = swapped(at.next);
    slot.mdbRevocable = at.revocable;
    slot.mdbFirstBadged = at.firstBadged;
  };
  place(slot2, cap1, at1);
  place(slot1, cap2, at2);
  for (const s of [slot1, slot2]) {
    if (s.mdbPrev) s.mdbPrev.mdbNext = s;
    if (s.mdbNext) s.mdbNext.mdbPrev = s;
  }
}

/**
 * Remove the cap from `slot` and the slot from the tree (emptySlot). The next slot inherits
 * the removed one's firstBadged flag, so a badge scope does not widen when its head goes.
 */
export function emptySlot(slot: Slot): void {
  if (slot.cap.type === CapType.Null) return;
  const prev = slot.mdbPrev;
  const next = slot.mdbNext;
  if (prev) prev.mdbNext = next;
  if (next) {
    next.mdbPrev = prev;
    next.mdbFirstBadged = next.mdbFirstBadged || slot.mdbFirstBadged;
  }
  clear(slot);
}

function clear(slot: Slot): void {
  slot.cap = NULL_CAP;
  slot.mdbPrev = undefined;
  slot.mdbNext = undefined;
  slot.mdbRevocable = false;
  slot.mdbFirstBadged = false;
}

/** The slots that descend from `slot`, in list order (what Revoke deletes). */
export function descendants(slot: Slot): Slot[] {
  const out: Slot[] = [];
  for (let s = slot.mdbNext; s && isMDBParentOf(slot, s); s = s.mdbNext) out.push(s);
  return out;
}

export function hasChildren(slot: Slot): boolean {
  return slot.mdbNext !== undefined && isMDBParentOf(slot, slot.mdbNext);
}

/**
 * Whether `slot` holds the last cap to its object (isFinalCapability): caps to one object
 * are neighbours in the list, so only the two neighbours need looking at.
 */
export function isFinalCapability(slot: Slot): boolean {
  const prev = slot.mdbPrev;
  const next = slot.mdbNext;
  return !(prev && sameObjectAs(prev.cap, slot.cap)) && !(next && sameObjectAs(slot.cap, next.cap));
}
