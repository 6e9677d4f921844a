import { EDGE_KINDS, type GraphEdge } from './model.js';

const key = (e: GraphEdge): [number, string, string, number, number, string] => [EDGE_KINDS.indexOf(e.kind), e.from, e.to, e.id ?? -1, e.slot ?? -1, e.rights ?? ''];

function compare(a: GraphEdge, b: GraphEdge): number {
  const x = key(a);
  const y = key(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}

/**
 * Edges in one fixed order (kind, from, to, id, slot, rights), whatever order they were found in, each
 * grant once: the same grant declared twice (two maps of a region with the same rights) is one
 * edge with the problems of both.
 */
export function sortEdges(edges: GraphEdge[]): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const e of [...edges].sort(compare)) {
    const last = out[out.length - 1];
    if (last && compare(last, e) === 0) {
      for (const p of e.problems) if (!last.problems.includes(p)) last.problems.push(p);
      if (e.marked) last.marked = true;
    } else {
      out.push({ ...e, problems: [...e.problems] });
    }
  }
  return out;
}
