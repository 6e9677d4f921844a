import { alignedBlocks, defaultUntypedRanges } from '../../kernel/kernel.js';
import { rootCNodeBitsFor } from './root-cnode.js';
import { specObjectSizeBits } from '../spec/object-kinds.js';
import type { Spec } from '../spec/types.js';

/**
 * Where every object of a Spec will be in physical memory. The plan is what the initialiser
 * replays: the untypeds the kernel hands out at boot (the same ranges, split the same way),
 * "filler" untypeds retyped to step over memory up to an object with a fixed address, and for
 * each object the untyped it is retyped from. Untyped_Retype places objects at the untyped's
 * watermark rounded up to the object's size, so retyping in plan order lands every object at
 * its planned address.
 */

export interface UntypedPlan {
  paddr: number;
  sizeBits: number;
  device: boolean;
  /** For a filler: the untyped (index in `untypeds`) it is retyped from. */
  parent?: number;
}

export interface AllocationPlan {
  /** The kernel's boot untypeds first (in boot order), then fillers in creation order. */
  untypeds: UntypedPlan[];
  bootUntypeds: number;
  /**
   * Creation steps in order: a filler (index into `untypeds`) or an object (index into the
   * Spec's objects) from an untyped.
   */
  steps: ({ filler: number } | { object: number; untyped: number; paddr: number })[];
  /** Physical address of each object (−1 for IRQs, which are not memory). */
  paddr: number[];
}

/** On failure, `object` is the index of the object that found no place. */
export type AllocationResult = { ok: true; plan: AllocationPlan } | { ok: false; error: string; object: number };

const human = (bytes: number) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(bytes % 2 ** 20 ? 1 : 0)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KiB` : `${bytes} bytes`);

export function allocate(spec: Spec): AllocationResult {
  const ranges = defaultUntypedRanges(rootCNodeBitsFor(spec));
  const untypeds: UntypedPlan[] = [];
  for (const r of ranges.ram) for (const b of alignedBlocks(r.base, r.size)) untypeds.push({ paddr: b.paddr, sizeBits: b.sizeBits, device: false });
  for (const r of ranges.device) for (const b of alignedBlocks(r.base, r.size)) untypeds.push({ paddr: b.paddr, sizeBits: b.sizeBits, device: true });
  const bootUntypeds = untypeds.length;
  const watermark = untypeds.map((u) => u.paddr);
  const steps: AllocationPlan['steps'] = [];
  const paddr = spec.objects.map(() => -1);
  const end = (i: number) => untypeds[i]!.paddr + 2 ** untypeds[i]!.sizeBits;

  for (let o = 0; o < spec.objects.length; o++) {
    const obj = spec.objects[o]!;
    if (obj.kind === 'irq') continue;
    const bits = specObjectSizeBits(obj, spec.kernel);
    const size = 2 ** bits;
    const fixed = obj.kind === 'frame' ? obj.paddr : undefined;
    if (fixed !== undefined) {
      const u = untypeds.findIndex((t, i) => t.paddr <= fixed && fixed + size <= end(i) && t.parent === undefined);
      if (u < 0) return { ok: false, error: `'${obj.name}' must be at 0x${fixed.toString(16)}, which is not memory the kernel hands out (RAM from 0x${ranges.ram[0]!.base.toString(16)}, or device memory outside the GIC)`, object: o };
      if (watermark[u]! > fixed) return { ok: false, error: `'${obj.name}' at 0x${fixed.toString(16)} overlaps memory already given to another object`, object: o };
      // Step over the memory below the object with fillers, which stay usable.
      for (const b of alignedBlocks(watermark[u]!, fixed - watermark[u]!)) {
        untypeds.push({ paddr: b.paddr, sizeBits: b.sizeBits, device: untypeds[u]!.device, parent: u });
        watermark.push(b.paddr);
        steps.push({ filler: untypeds.length - 1 });
      }
      watermark[u] = fixed + size;
      steps.push({ object: o, untyped: u, paddr: fixed });
      paddr[o] = fixed;
      continue;
    }
    // Greedy, first fit by address among RAM untypeds (device memory holds no kernel objects).
    let best = -1;
    let bestAt = 0;
    for (let i = 0; i < untypeds.length; i++) {
      const t = untypeds[i]!;
      if (t.device || t.sizeBits < bits) continue;
      const at = Math.ceil(watermark[i]! / size) * size;
      if (at + size <= end(i) && (best < 0 || t.paddr < untypeds[best]!.paddr)) {
        best = i;
        bestAt = at;
      }
    }
    if (best < 0) {
      let largest = 0;
      for (let i = 0; i < untypeds.length; i++) if (!untypeds[i]!.device) largest = Math.max(largest, end(i) - watermark[i]!);
      return { ok: false, error: `not enough memory for '${obj.name}' (${human(size)}): the largest free block of RAM left is ${human(largest)}, ${human(size - largest)} short`, object: o };
    }
    watermark[best] = bestAt + size;
    steps.push({ object: o, untyped: best, paddr: bestAt });
    paddr[o] = bestAt;
  }
  return { ok: true, plan: { untypeds, bootUntypeds, steps, paddr } };
}
