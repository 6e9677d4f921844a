import type { PolicyHop } from '../policy/evaluate.js';
import type { MarkedEdge } from './marked.js';
import type { SystemGraph } from './model.js';

/**
 * The hops of a policy's offending paths as marks on the graph. A flow runs both ways along a
 * PPC (the call and its reply), a fault edge (the fault message up, the parent's TCB cap down) and
 * a `<cspace>` cap (TCB, SC, VSpace), while the graph draws each grant once, from its holder: a
 * hop against the drawn direction marks the edge it flows back along. A region mapped by a PD is
 * the graph's memory edge from that PD.
 */
export function marksFromPolicyHops(graph: SystemGraph, hops: PolicyHop[]): MarkedEdge[] {
  const drawn = new Set(graph.edges.map((e) => `${e.kind}\u0000${e.from}\u0000${e.to}`));
  const has = (kind: string, from: string, to: string) => drawn.has(`${kind}\u0000${from}\u0000${to}`);
  const marks: MarkedEdge[] = [];
  for (const hop of hops) {
    if (hop.kind === 'map') marks.push({ kind: 'memory', from: hop.from, to: hop.to });
    else if (hop.kind === 'irq' || hop.kind === 'notify' || hop.kind === 'memory') marks.push({ kind: hop.kind, from: hop.from, to: hop.to });
    else if (hop.kind === 'fault' && !has('fault', hop.from, hop.to) && has('fault', hop.to, hop.from)) marks.push({ kind: 'fault', from: hop.to, to: hop.from });
    else if (!has(hop.kind, hop.from, hop.to) && has(hop.kind, hop.to, hop.from)) marks.push({ kind: hop.kind, from: hop.to, to: hop.from });
    else marks.push({ kind: hop.kind, from: hop.from, to: hop.to });
  }
  return marks;
}
