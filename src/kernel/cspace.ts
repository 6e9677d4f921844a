import { NULL_CAP, type Cap, type CapOf } from './cap.js';
import { CapType } from './cap-types.js';
import { LookupFailureType, syscallError, type LookupFault, type SyscallError } from './errors.js';
import { seL4_SlotBits } from './object-types.js';
import { KernelObject } from './kernel-object.js';

/**
 * CNodes, their slots, and CSpace addressing: seL4's `resolveAddressBits` and the two kinds
 * of lookup built on it (spec: sel4-abi.md §4.1).
 */

/** A CNode cap: the CNode and the guard this cap resolves through. */
export type CNodeCap = CapOf<CapType.CNode>;

export class Slot {
  cap: Cap = NULL_CAP;
  /**
   * The capability derivation tree, as seL4's mapping database: a doubly linked list in
   * depth-first order, where a slot's descendants follow it (see mdb.ts).
   */
  mdbPrev: Slot | undefined = undefined;
  mdbNext: Slot | undefined = undefined;
  mdbRevocable = false;
  mdbFirstBadged = false;

  constructor(
    /** The CNode holding this slot, and its index there. */
    readonly cnode: CNode,
    readonly index: number,
  ) {}
}

/** A CNode: 2^radix slots of 2^seL4_SlotBits bytes each. */
export class CNode extends KernelObject {
  readonly slots: Slot[];

  constructor(
    /** log2 of the number of slots. */
    readonly radix: number,
    paddr = 0,
  ) {
    super(paddr, radix + seL4_SlotBits);
    this.slots = Array.from({ length: 2 ** radix }, (_, i) => new Slot(this, i));
  }
}

export type ResolveResult = { ok: true; slot: Slot; bitsRemaining: number } | { ok: false; fault: LookupFault };

const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/**
 * Resolve the top `nBits` of `cptr` starting at `nodeCap` (seL4's resolveAddressBits). Stops
 * at the first slot that does not hold a CNode cap, with the bits not yet used.
 */
export function resolveAddressBits(nodeCap: Cap, cptr: bigint, nBits: number): ResolveResult {
  if (nodeCap.type !== CapType.CNode) return { ok: false, fault: { type: LookupFailureType.InvalidRoot } };
  if (cptr < SAFE) {
    const fast = resolveSmall(nodeCap, Number(cptr), nBits);
    if (fast) return fast;
  }
  return resolveAddressBitsExact(nodeCap, cptr, nBits);
}

/** resolveAddressBits in BigInt arithmetic: any cptr, any guard. */
export function resolveAddressBitsExact(nodeCap: CNodeCap, cptr: bigint, nBits: number): ResolveResult {
  let cap: CNodeCap = nodeCap;
  let n = nBits;
  for (;;) {
    const radix = cap.cnode.radix;
    const guardSize = cap.guardSize;
    const levelBits = radix + guardSize;
    const guard = guardSize > n ? -1n : (cptr >> BigInt(n - guardSize)) & mask(guardSize);
    if (guardSize > n || guard !== cap.guard) {
      return { ok: false, fault: { type: LookupFailureType.GuardMismatch, bitsLeft: n, guardFound: cap.guard, bitsFound: guardSize } };
    }
    if (levelBits > n) return { ok: false, fault: { type: LookupFailureType.DepthMismatch, bitsLeft: n, bitsFound: levelBits } };
    const offset = Number((cptr >> BigInt(n - levelBits)) & mask(radix));
    const slot = cap.cnode.slots[offset]!;
    if (n === levelBits) return { ok: true, slot, bitsRemaining: 0 };
    n -= levelBits;
    const next = slot.cap;
    if (next.type !== CapType.CNode) return { ok: true, slot, bitsRemaining: n };
    cap = next;
  }
}

const SAFE = 1n << 53n;
const POW2 = Array.from({ length: 65 }, (_, i) => 2 ** i);

/**
 * resolveAddressBits in Number arithmetic, for a cptr below 2^53 through zero guards (every
 * real CSpace): the same walk without BigInt. Undefined when a guard is too large or
 * the walk fails, so the caller takes the exact path and reports the fault.
 */
function resolveSmall(nodeCap: CNodeCap, cptr: number, nBits: number): ResolveResult | undefined {
  let cap = nodeCap;
  let n = nBits;
  for (;;) {
    const guardSize = cap.guardSize;
    const radix = cap.cnode.radix;
    const levelBits = radix + guardSize;
    // Guards are zero in practice; anything else takes the exact path.
    if (guardSize > n || levelBits > n || cap.guard !== 0n) return undefined;
    if (Math.floor(cptr / POW2[n - guardSize]!) % POW2[guardSize]! !== 0) return undefined;
    const offset = Math.floor(cptr / POW2[n - levelBits]!) % POW2[radix]!;
    const slot = cap.cnode.slots[offset]!;
    if (n === levelBits) return { ok: true, slot, bitsRemaining: 0 };
    n -= levelBits;
    const next = slot.cap;
    if (next.type !== CapType.CNode) return { ok: true, slot, bitsRemaining: n };
    cap = next;
  }
}

/**
 * The cap `lookupSlot` finds for a cptr below 2^53 (−1 or NaN: not) through zero guards, without allocating
 * (seL4's lookup_fp, for the fast paths): undefined whenever the walk is anything but
 * ordinary, and the caller then takes the slow path, which looks up exactly and reports faults.
 */
export function lookupCapFast(cspaceRoot: Cap, c: number): Cap | undefined {
  if (cspaceRoot.type !== CapType.CNode || !(c >= 0)) return undefined;
  let cap: CNodeCap = cspaceRoot;
  let n = 64;
  // The n bits still to resolve (c mod 2^n): compares and exact divisions by powers of two,
  // no floating-point remainder (a library call).
  let v = c;
  for (;;) {
    const guardSize = cap.guardSize;
    const radix = cap.cnode.radix;
    const levelBits = radix + guardSize;
    if (guardSize > n || levelBits > n || cap.guard !== 0n) return undefined;
    // A zero guard: the top guardSize of the n bits are clear; the index is the radix bits below.
    if (v >= POW2[n - guardSize]!) return undefined;
    const unit = POW2[n - levelBits]!;
    const index = Math.floor(v / unit);
    const next = cap.cnode.slots[index]!.cap;
    v -= index * unit;
    n -= levelBits;
    if (n === 0 || next.type !== CapType.CNode) return next;
    cap = next;
  }
}

/** The 64 bits of a cptr in a system call, from the thread's CSpace root (lookupSlot). */
export function lookupSlot(cspaceRoot: Cap, cptr: bigint): { ok: true; slot: Slot } | { ok: false; fault: LookupFault } {
  const r = resolveAddressBits(cspaceRoot, cptr, 64);
  return r.ok ? { ok: true, slot: r.slot } : r;
}

/**
 * A slot named by (index, depth) under a CNode cap, as CNode operations, Untyped_Retype and
 * IRQControl take them (lookupSlotForCNodeOp): depth must be 1..64 and be used up exactly.
 * `isSource` is reported in the FailedLookup error (MR0).
 */
export function lookupSlotForCNodeOp(isSource: boolean, root: Cap, index: bigint, depthWord: bigint | number): { ok: true; slot: Slot } | { ok: false; error: SyscallError } {
  if (root.type !== CapType.CNode) return { ok: false, error: syscallError.failedLookup(isSource, { type: LookupFailureType.InvalidRoot }) };
  // The depth is a message word: anything outside 1..64 is a RangeError, however large.
  if (BigInt(depthWord) < 1n || BigInt(depthWord) > 64n) return { ok: false, error: syscallError.rangeError(1, 64) };
  const depth = Number(depthWord);
  const r = resolveAddressBits(root, index & mask(depth), depth);
  if (!r.ok) return { ok: false, error: syscallError.failedLookup(isSource, r.fault) };
  if (r.bitsRemaining !== 0) {
    return { ok: false, error: syscallError.failedLookup(isSource, { type: LookupFailureType.DepthMismatch, bitsLeft: r.bitsRemaining, bitsFound: 0 }) };
  }
  return { ok: true, slot: r.slot };
}

/**
 * lookupTargetSlot and ensureEmptySlot together: the empty slot an operation that creates a
 * cap (IRQControl, ASIDControl) writes to.
 */
export function lookupEmptyTargetSlot(root: Cap, index: bigint, depthWord: bigint): { ok: true; slot: Slot } | { ok: false; error: SyscallError } {
  const r = lookupSlotForCNodeOp(false, root, index, depthWord);
  if (r.ok && r.slot.cap.type !== CapType.Null) return { ok: false, error: syscallError.deleteFirst() };
  return r;
}
