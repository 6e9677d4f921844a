import { grantsFromSpec } from '../compiler/authority.js';
import { SLOT } from '../compiler/spec/build-spec.js';
import type { Spec } from '../compiler/spec/types.js';
import { sortEdges } from './edge-order.js';
import type { EdgeKind, GraphEdge, SystemGraph } from './model.js';

/**
 * The graph of a built system: its nodes are the (valid) description's, its edges are read from
 * the capabilities each PD holds and the frames each maps, as the build's authority table is
 * (`grantsFromSpec`), plus the fault endpoint of each thread and the TCB, SC and VSpace caps
 * PDs hold to one another.
 */
export function graphFromSpec(spec: Spec, description: SystemGraph): SystemGraph {
  const grants = grantsFromSpec(spec);
  const edges: GraphEdge[] = [];
  for (const n of grants.notifies) edges.push({ kind: 'notify', from: n.from, to: n.to, id: n.bit, problems: [] });
  for (const c of grants.calls) edges.push({ kind: 'ppc', from: c.from, to: c.to, id: c.channel, problems: [] });
  for (const s of grants.shares) edges.push({ kind: 'memory', from: s.pd, to: s.region, rights: s.rights, problems: [] });
  for (const i of grants.irqs) edges.push({ kind: 'irq', from: `irq ${i.irq}`, to: i.pd, id: i.channel, problems: [] });
  edges.push(...threadEdges(spec));
  return { ...description, source: 'capabilities', irqs: [...new Set(grants.irqs.map((i) => i.irq))].sort((a, b) => a - b), edges: sortEdges(edges) };
}

/** Fault edges (whose endpoint a thread's faults go to) and the thread caps PDs hold. */
function threadEdges(spec: Spec): GraphEdge[] {
  const objects = spec.objects;
  // Which PD each TCB, SC, VSpace and endpoint belongs to.
  const owner = new Map<number, string>();
  const pds = spec.pds.filter((pd) => pd.name !== 'monitor');
  for (const pd of pds) {
    const tcb = objects[pd.tcb];
    if (tcb?.kind !== 'tcb') continue;
    owner.set(pd.tcb, pd.name);
    owner.set(tcb.tcb.vspace, pd.name);
    if (tcb.tcb.schedContext !== undefined) owner.set(tcb.tcb.schedContext, pd.name);
  }
  objects.forEach((o, i) => {
    const pd = o.kind === 'endpoint' && o.name.startsWith('ep_') ? pds.find((p) => `ep_${p.name}` === o.name) : undefined;
    if (pd) owner.set(i, pd.name);
  });
  const edges: GraphEdge[] = [];
  const capKind: Partial<Record<string, EdgeKind>> = { tcb: 'tcb', sched_context: 'sc', vspace: 'vspace' };
  for (const pd of pds) {
    const tcb = objects[pd.tcb];
    if (tcb?.kind !== 'tcb') continue;
    const fault = tcb.tcb.faultEndpoint;
    const handler = fault === undefined ? undefined : owner.get(fault.object);
    if (handler !== undefined) edges.push({ kind: 'fault', from: pd.name, to: handler, ...(pd.childId === undefined ? {} : { id: pd.childId }), problems: [] });
    // The root CNode's slots beyond 0 hold the <cspace> caps; the PD CNode's child slots the children's TCBs.
    const root = objects[tcb.tcb.cspace.object];
    if (root?.kind !== 'cnode') continue;
    const pdCnode = objects[root.slots.find((s) => s.slot === 0)?.cap.object ?? -1];
    const held = [
      // (A <cspace> cap is known by its slot, a child's TCB cap by the child's id.)
      ...root.slots.filter((s) => s.slot !== 0).map((s) => ({ where: { slot: s.slot }, object: s.cap.object })),
      ...(pdCnode?.kind === 'cnode' ? pdCnode.slots.filter((s) => s.slot >= SLOT.childTcb).map((s) => ({ where: { id: s.slot - SLOT.childTcb }, object: s.cap.object })) : []),
    ];
    for (const { where, object } of held) {
      const kind = capKind[objects[object]?.kind ?? ''];
      const target = owner.get(object);
      if (kind !== undefined && target !== undefined) edges.push({ kind, from: pd.name, to: target, ...where, problems: [] });
    }
  }
  return edges;
}
