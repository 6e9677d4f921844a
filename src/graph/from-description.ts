import { grantsFromDescription } from '../compiler/authority.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { position } from '../diagnostics/render.js';
import { attr, type Element } from '../parser/element.js';
import type { Entity, ProtectionDomain, SystemDescription } from '../parser/model.js';
import { sortEdges } from './edge-order.js';
import type { GraphEdge, GraphPd, GraphRegion, SystemGraph } from './model.js';

/**
 * The graph of a checked description, drawn by the rules `build` cross-checks against the
 * capabilities (`grantsFromDescription`), plus what the Spec builder derives from nesting: a
 * child's faults go to its parent, and the parent holds the child's TCB cap. A description with
 * errors gives what could be read; each error is attached to the innermost drawn element whose
 * source holds it (a PD, region, channel, map, irq or cap), which is then drawn as invalid.
 */

/** What a diagnostic can be attached to. */
type Holder = { problems: string[] } | GraphEdge[];

const CAP_KINDS = { Tcb: 'tcb', Sc: 'sc', VSpace: 'vspace' } as const;

export function graphFromDescription(file: string, system: SystemDescription | undefined, diagnostics: Diagnostic[]): SystemGraph {
  const graph: SystemGraph = { file, source: 'description', pds: [], regions: [], irqs: [], edges: [], problems: [] };
  const holders: { element: Element; holder: Holder }[] = [];
  if (system) {
    const pds = new Map<string, GraphPd>();
    const visit = (pd: ProtectionDomain, siblings: GraphPd[]): void => {
      if (pd.name === undefined) return;
      let node = pds.get(pd.name);
      // A second PD of the same name (an error) is drawn as the first, its problems with it.
      if (!node) {
        node = {
          name: pd.name,
          ...(pd.invalid.has('priority') ? {} : { priority: pd.priority }),
          passive: pd.passive,
          ...(pd.invalid.has('budget') ? {} : { budgetUs: Number(pd.budget) }),
          ...(pd.invalid.has('period') ? {} : { periodUs: Number(pd.period) }),
          ...(pd.parent !== undefined && pd.id !== undefined ? { childId: Number(pd.id) } : {}),
          problems: [],
          children: [],
        };
        pds.set(pd.name, node);
        siblings.push(node);
      }
      holders.push({ element: pd.element, holder: node });
      for (const child of pd.children) visit(child, node.children);
    };
    for (const pd of system.protectionDomains) visit(pd, graph.pds);

    const regions = new Map<string, GraphRegion>();
    for (const mr of system.memoryRegions) {
      if (mr.name === undefined) continue;
      let node = regions.get(mr.name);
      if (!node) {
        node = { name: mr.name, ...(mr.size !== undefined && !mr.invalid.has('size') ? { size: Number(mr.size) } : {}), problems: [] };
        regions.set(mr.name, node);
        graph.regions.push(node);
      }
      holders.push({ element: mr.element, holder: node });
    }

    // Edges, each remembered with the element that declares it (for its problems).
    const declared = new Map<Entity, GraphEdge[]>();
    const add = (edge: Omit<GraphEdge, 'problems'>, by: Entity): void => {
      const e: GraphEdge = { ...edge, problems: [] };
      graph.edges.push(e);
      const entity = original.get(by) ?? by;
      declared.set(entity, [...(declared.get(entity) ?? []), e]);
    };
    // A channel end that names an undeclared PD keeps that name here, so that its edges are
    // drawn (to a placeholder) with the error on them.
    const channels = system.channels.map((ch) => (ch.ends.some((e) => e.pd === undefined) ? { ...ch, ends: ch.ends.map((e) => (e.pd === undefined ? { ...e, pd: attr(e.element, 'pd')?.value } : e)) } : ch));
    const original = new Map<Entity, Entity>(channels.map((ch, i) => [ch, system.channels[i]!]));
    const grants = grantsFromDescription({ ...system, channels });
    for (const n of grants.notifies) add({ kind: 'notify', from: n.from, to: n.to, id: n.bit }, n.declaredBy!);
    for (const c of grants.calls) add({ kind: 'ppc', from: c.from, to: c.to, id: c.channel }, c.declaredBy!);
    for (const s of grants.shares) add({ kind: 'memory', from: s.pd, to: s.region, rights: s.rights }, s.declaredBy!);
    for (const i of grants.irqs) add({ kind: 'irq', from: `irq ${i.irq}`, to: i.pd, id: i.channel }, i.declaredBy!);
    for (const pd of system.allProtectionDomains) {
      if (pd.name === undefined) continue;
      const parent = pd.parent?.name;
      if (parent !== undefined) {
        const id = pd.id === undefined ? {} : { id: Number(pd.id) };
        add({ kind: 'fault', from: pd.name, to: parent, ...id }, pd);
        add({ kind: 'tcb', from: parent, to: pd.name, ...id }, pd);
      }
      for (const cap of pd.caps) if (cap.pd !== undefined) add({ kind: CAP_KINDS[cap.type], from: pd.name, to: cap.pd, ...(cap.slot === undefined ? {} : { slot: Number(cap.slot) }) }, cap);
    }
    // (A child's errors go to its node, not to its fault and TCB edges.)
    for (const ch of system.channels) holders.push({ element: ch.element, holder: declared.get(ch) ?? [] });
    for (const pd of system.allProtectionDomains) {
      for (const m of pd.maps) holders.push({ element: m.element, holder: declared.get(m) ?? [] });
      for (const irq of pd.irqs) holders.push({ element: irq.element, holder: declared.get(irq) ?? [] });
      for (const cap of pd.caps) holders.push({ element: cap.element, holder: declared.get(cap) ?? [] });
    }

    for (const e of graph.edges) {
      if (e.kind === 'irq') continue;
      if (e.kind !== 'memory' && !pds.has(e.from)) undeclaredPd(e.from, pds, graph);
      if (!pds.has(e.to)) {
        if (e.kind === 'memory') undeclaredRegion(e.to, regions, graph);
        else undeclaredPd(e.to, pds, graph);
      }
    }
    graph.irqs = [...new Set(grants.irqs.map((i) => i.irq))].sort((a, b) => a - b);
  }

  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    const text = problemText(d);
    const holder = d.span ? innermost(holders, d.span.start, d.span.end) : undefined;
    if (holder === undefined || (Array.isArray(holder) && holder.length === 0)) graph.problems.push(text);
    else if (Array.isArray(holder)) for (const e of holder) e.problems.push(text);
    else holder.problems.push(text);
  }
  graph.edges = sortEdges(graph.edges);
  // (sortEdges merges the same grant declared twice, e.g. two maps of a region with the same rights.)
  return graph;
}

function undeclaredPd(name: string, pds: Map<string, GraphPd>, graph: SystemGraph): void {
  if (pds.has(name)) return;
  const node: GraphPd = { name, passive: false, problems: [`no protection domain '${name}' is declared`], undeclared: true, children: [] };
  pds.set(name, node);
  graph.pds.push(node);
}

function undeclaredRegion(name: string, regions: Map<string, GraphRegion>, graph: SystemGraph): void {
  if (regions.has(name)) return;
  const node: GraphRegion = { name, problems: [`no memory region '${name}' is declared`], undeclared: true };
  regions.set(name, node);
  graph.regions.push(node);
}

/** The holder of the smallest element that contains the span. */
function innermost(holders: { element: Element; holder: Holder }[], start: number, end: number): Holder | undefined {
  let best: { element: Element; holder: Holder } | undefined;
  for (const h of holders) {
    const s = h.element.span;
    if (s.start <= start && end <= s.end && (!best || s.end - s.start < best.element.span.end - best.element.span.start)) best = h;
  }
  return best?.holder;
}

/** "4:48: priority must be between 0 and 254 [pd_priority_out_of_range]". */
function problemText(d: Diagnostic): string {
  const where = d.file && d.span ? `${position(d.file, d.span).line}:${position(d.file, d.span).column}: ` : '';
  return `${where}${d.message} [${d.code}]`;
}
