/**
 * A system as a graph of authority: who may notify, call, map, handle the faults of, or hold
 * caps to whom. Built from a checked description (`from-description.ts`) or from a built Spec's
 * capabilities (`from-spec.ts`); drawn by the renderers (dot, mermaid, svg) or written as it is
 * (json, schemas/graph.schema.json). Every list is in a deterministic order.
 */

/** What an edge stands for; `marked` edges (GraphOptions) name the same kinds. */
export const EDGE_KINDS = ['notify', 'ppc', 'memory', 'fault', 'irq', 'tcb', 'sc', 'vspace'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export interface GraphPd {
  name: string;
  /** Absent when the description's value is invalid (or the PD is not declared). */
  priority?: number;
  passive: boolean;
  /** Microseconds; absent when invalid. */
  budgetUs?: number;
  periodUs?: number;
  /** The child id under its parent (children only). */
  childId?: number;
  /** The errors found in this PD's own element (not in its maps, irqs or children). */
  problems: string[];
  /** Named by a channel, map or cap but not declared: drawn as a placeholder. */
  undeclared?: true;
  children: GraphPd[];
}

export interface GraphRegion {
  name: string;
  /** Bytes; absent when the size is missing or invalid. */
  size?: number;
  problems: string[];
  undeclared?: true;
}

/**
 * One grant. `from`/`to` are PD names, except: a memory edge goes from a PD to the region it
 * maps; an irq edge goes from `irq <number>` to the PD it signals.
 */
export interface GraphEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  /**
   * notify: the receiver's channel id (the badge bit); ppc: the callee's channel id; irq: the
   * PD's channel id; fault, and tcb from a parent to its child: the child's id.
   */
  id?: number;
  /** tcb, sc, vspace from a <cspace> cap: the slot of the holder's CSpace it is in. */
  slot?: number;
  /** memory: the mapping's rights ("r", "rw", "rx", …). */
  rights?: string;
  /** The errors of the element that declares it: the edge is drawn as invalid. */
  problems: string[];
  /** Drawn highlighted (GraphOptions.marked). */
  marked?: true;
}

export interface SystemGraph {
  /** The description's file name. */
  file: string;
  /** Where the edges come from: the description's rules, or the capabilities of the build. */
  source: 'description' | 'capabilities';
  /** Root PDs in document order, children nested. */
  pds: GraphPd[];
  regions: GraphRegion[];
  /** IRQ numbers that signal a PD, ascending. */
  irqs: number[];
  edges: GraphEdge[];
  /** Errors that belong to no drawn element (the whole system, a domain schedule…). */
  problems: string[];
}

/** Every PD of a graph, depth-first pre-order. */
export function allPds(pds: GraphPd[]): GraphPd[] {
  return pds.flatMap((pd) => [pd, ...allPds(pd.children)]);
}
