import { describe, expect, it } from 'vitest';
import type { Cap } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode, lookupCapFast, lookupEmptyTargetSlot, lookupSlot, lookupSlotForCNodeOp, resolveAddressBits, type Slot } from '../src/kernel/cspace.js';
import { LookupFailureType, seL4_Error } from '../src/kernel/errors.js';
import { rng } from './helpers/rng.js';

/**
 * resolveAddressBits against a reference written here from seL4's resolveAddressBits
 * (src/kernel/cspace.c): on random CSpace trees with random radixes, guards (zero and not) and
 * depths, for random cptrs small and large. The kernel model has a Number fast path for the
 * common case and a BigInt path for the rest; both must give seL4's answer (mutation testing
 * showed the fast path's conditions were otherwise untested).
 */

type Outcome = { slot: Slot; bitsRemaining: number } | { fault: string };

function reference(root: Cap, cptr: bigint, nBits: number): Outcome {
  if (root.type !== CapType.CNode) return { fault: 'invalid root' };
  let cap = root;
  let n = BigInt(nBits);
  for (;;) {
    const radix = BigInt(cap.cnode.radix);
    const guardBits = BigInt(cap.guardSize);
    const levelBits = radix + guardBits;
    const capGuard = cap.guard;
    // seL4: guard = (capptr >> ((n_bits - guardBits) & (wordBits - 1))) & MASK(guardBits)
    const guard = guardBits > n ? -1n : (cptr >> (n - guardBits)) & ((1n << guardBits) - 1n);
    if (guardBits > n || guard !== capGuard) return { fault: `guard mismatch ${n} ${capGuard} ${guardBits}` };
    if (levelBits > n) return { fault: `depth mismatch ${n} ${levelBits}` };
    const offset = Number((cptr >> (n - levelBits)) & ((1n << radix) - 1n));
    const slot = cap.cnode.slots[offset]!;
    if (n === levelBits) return { slot, bitsRemaining: 0 };
    n -= levelBits;
    const next = slot.cap;
    if (next.type !== CapType.CNode) return { slot, bitsRemaining: Number(n) };
    cap = next;
  }
}

function describe_(r: ReturnType<typeof resolveAddressBits>): Outcome {
  if (r.ok) return { slot: r.slot, bitsRemaining: r.bitsRemaining };
  const f = r.fault;
  switch (f.type) {
    case LookupFailureType.InvalidRoot:
      return { fault: 'invalid root' };
    case LookupFailureType.GuardMismatch:
      return { fault: `guard mismatch ${f.bitsLeft} ${f.guardFound} ${f.bitsFound}` };
    case LookupFailureType.DepthMismatch:
      return { fault: `depth mismatch ${f.bitsLeft} ${f.bitsFound}` };
    default:
      return { fault: `unexpected ${f.type}` };
  }
}

/** A random tree: a root CNode and CNode caps to 1–2 more levels in random slots. */
function randomCSpace(random: () => number): Cap {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const node = (): CNode => new CNode(1 + Math.floor(random() * 5));
  const capTo = (cnode: CNode): Cap => {
    const guardSize = pick([0, 0, 0, 1, 3, 8, 20]);
    const guard = guardSize === 0 || random() < 0.5 ? 0n : BigInt(Math.floor(random() * 2 ** Math.min(guardSize, 30)));
    return { type: CapType.CNode, cnode, guard, guardSize };
  };
  const root = node();
  for (const level of [root, ...Array.from({ length: 2 }, () => undefined)]) {
    const parent = level ?? root;
    for (let k = 0; k < 2; k++) {
      const child = node();
      parent.slots[Math.floor(random() * parent.slots.length)]!.cap = capTo(child);
      // Something that is not a CNode in some slots of the child.
      child.slots[0]!.cap = { type: CapType.Endpoint, obj: undefined as never, badge: 0n, canSend: true, canReceive: true, canGrant: false, canGrantReply: false };
    }
  }
  return capTo(root);
}

describe('resolveAddressBits', () => {
  it('agrees with seL4’s algorithm on random CSpaces, guards, depths and cptrs', () => {
    const random = rng(2026);
    let hits = 0;
    let faults = 0;
    for (let tree = 0; tree < 60; tree++) {
      const root = randomCSpace(random);
      for (let q = 0; q < 150; q++) {
        const nBits = q % 5 === 0 ? 64 : 1 + Math.floor(random() * 64);
        // Small cptrs (the Number fast path), cptrs near 2^53 and large ones (the BigInt path).
        const kind = q % 3;
        const cptr = kind === 0 ? BigInt(Math.floor(random() * 2 ** 12)) : kind === 1 ? (1n << 53n) - BigInt(Math.floor(random() * 4)) : BigInt.asUintN(64, BigInt(Math.floor(random() * 2 ** 32)) << BigInt(Math.floor(random() * 33)));
        const shifted = cptr & ((1n << BigInt(nBits)) - 1n);
        const expected = reference(root, shifted, nBits);
        const actual = describe_(resolveAddressBits(root, shifted, nBits));
        expect(actual, `cptr 0x${shifted.toString(16)}, ${nBits} bits`).toEqual(expected);
        if ('slot' in expected) hits++;
        else faults++;
      }
    }
    // Both kinds of outcome were exercised, many times.
    expect(hits).toBeGreaterThan(500);
    expect(faults).toBeGreaterThan(500);
  });

  it('a guard as long as the bits left matches, one bit longer is a guard mismatch', () => {
    const cnode = new CNode(2);
    const leaf = cnode.slots[1]!;
    const cap: Cap = { type: CapType.CNode, cnode, guard: 5n, guardSize: 3 };
    // 5 bits: the 3-bit guard 0b101, then slot 1 (0b01).
    expect(describe_(resolveAddressBits(cap, 0b10101n, 5))).toEqual({ slot: leaf, bitsRemaining: 0 });
    // 3 bits: exactly the guard, no room for the radix: a depth mismatch.
    expect(describe_(resolveAddressBits(cap, 0b101n, 3))).toEqual({ fault: 'depth mismatch 3 5' });
    // 2 bits: the guard does not fit.
    expect(describe_(resolveAddressBits(cap, 0b10n, 2))).toEqual({ fault: 'guard mismatch 2 5 3' });
  });
});

describe('lookupCapFast (the fast paths’ lookup_fp)', () => {
  it('finds what lookupSlot finds, or nothing (then the slow path looks up), never something else', () => {
    const random = rng(19);
    let found = 0;
    for (let tree = 0; tree < 60; tree++) {
      // Random trees, and a Microkit-like CSpace: one CNode whose guard makes it resolve all 64 bits.
      const microkit = new CNode(1 + Math.floor(random() * 10));
      for (const slot of microkit.slots) slot.cap = { type: CapType.Notification, obj: undefined as never, badge: BigInt(slot.index), canSend: true, canReceive: false };
      const roots: Cap[] = [randomCSpace(random), { type: CapType.CNode, cnode: microkit, guard: 0n, guardSize: 64 - microkit.radix }];
      for (const root of roots) {
        for (let q = 0; q < 100; q++) {
          const cptr = q % 2 === 0 ? Math.floor(random() * 2 ** 12) : Math.floor(random() * 2 ** 53);
          const fast = lookupCapFast(root, cptr);
          const slow = lookupSlot(root, BigInt(cptr));
          if (fast === undefined) continue;
          expect(slow.ok && slow.slot.cap, `cptr ${cptr}`).toBe(fast);
          found++;
        }
        if (root.type === CapType.CNode && root.cnode === microkit) {
          for (const slot of microkit.slots) expect(lookupCapFast(root, slot.index)).toBe(slot.cap);
        }
      }
    }
    expect(found).toBeGreaterThan(1000);
    // Not a number below 2^53 (−1 or NaN): no answer.
    const root: Cap = { type: CapType.CNode, cnode: new CNode(2), guard: 0n, guardSize: 62 };
    expect(lookupCapFast(root, -1)).toBeUndefined();
    expect(lookupCapFast(root, Number.NaN)).toBeUndefined();
  });
});

describe('lookupSlotForCNodeOp', () => {
  const cnode = new CNode(1);
  const root: Cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 0 };

  it('takes depths 1 to 64 and refuses 0 and 65 with a RangeError(1, 64)', () => {
    expect(lookupSlotForCNodeOp(true, root, 1n, 1)).toEqual({ ok: true, slot: cnode.slots[1] });
    for (const depth of [0, 65, 2n ** 64n - 1n]) expect(lookupSlotForCNodeOp(true, root, 1n, depth)).toEqual({ ok: false, error: { error: seL4_Error.RangeError, words: [1n, 64n] } });
  });

  it('says whether the failed lookup was the source (MR0)', () => {
    const source = lookupSlotForCNodeOp(true, root, 0n, 2);
    const target = lookupEmptyTargetSlot(root, 0n, 2n);
    expect(source.ok || source.error.words[0]).toBe(1n);
    expect(target.ok || target.error.words[0]).toBe(0n);
  });
});
