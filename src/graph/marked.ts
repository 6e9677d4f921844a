import { sortEdges } from './edge-order.js';
import { allPds, type EdgeKind, type SystemGraph } from './model.js';

/** An edge to draw highlighted (a policy's offending path, say). */
export interface MarkedEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

/**
 * The graph with `marked` edges highlighted. A mark matches the edges of its kind from `from`
 * to `to`; besides, a memory mark between two PDs marks both PDs' mappings of every region they
 * share, and an irq mark may name the IRQ as "33" or "irq 33". A mark that matches no grant of
 * the system is drawn as an edge of its own, with a problem saying so, so that no mark is lost.
 */
export function applyMarks(graph: SystemGraph, marked: MarkedEdge[]): SystemGraph {
  if (marked.length === 0) return graph;
  const edges = graph.edges.map((e) => ({ ...e }));
  const pdNames = new Set(allPds(graph.pds).map((pd) => pd.name));
  for (const m of marked) {
    const from = m.kind === 'irq' && /^\d+$/.test(m.from) ? `irq ${m.from}` : m.from;
    let hits = edges.filter((e) => e.kind === m.kind && e.from === from && e.to === m.to);
    if (hits.length === 0 && m.kind === 'memory' && pdNames.has(m.to)) {
      const mapped = (pd: string) => new Set(edges.filter((e) => e.kind === 'memory' && e.from === pd).map((e) => e.to));
      const a = mapped(from);
      const shared = [...mapped(m.to)].filter((r) => a.has(r));
      hits = edges.filter((e) => e.kind === 'memory' && (e.from === from || e.from === m.to) && shared.includes(e.to));
    }
    for (const e of hits) e.marked = true;
    if (hits.length === 0) edges.push({ kind: m.kind, from, to: m.to, problems: [`marked, but the system grants no ${m.kind} edge from '${from}' to '${m.to}'`], marked: true });
  }
  return { ...graph, edges: sortEdges(edges) };
}
