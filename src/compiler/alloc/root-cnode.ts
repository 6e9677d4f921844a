import type { Spec } from '../spec/types.js';

/**
 * log2 of the root CNode the initialiser needs: the fixed slots and boot untypeds (1024 is
 * plenty), two slots per object (itself and a minted copy), one per mapping (the frame copy
 * each Page_Map needs), and the filler untypeds that step over memory below fixed-address
 * frames: at most 80 per gap between runs of such frames (two naturally aligned blocks per
 * address bit).
 */
export function rootCNodeBitsFor(spec: Spec): number {
  const mappings = spec.objects.reduce((n, o) => n + (o.kind === 'vspace' ? o.mappings.length : 0), 0);
  const fixed = spec.objects.flatMap((o) => (o.kind === 'frame' && o.paddr !== undefined ? [{ at: o.paddr, end: o.paddr + 2 ** o.sizeBits }] : [])).sort((a, b) => a.at - b.at);
  const gaps = fixed.filter((f, i) => i === 0 || f.at !== fixed[i - 1]!.end).length;
  const slots = 1024 + spec.objects.length * 2 + mappings + 80 * gaps;
  return Math.max(12, Math.ceil(Math.log2(slots)));
}
