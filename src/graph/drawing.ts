import { allPds, type EdgeKind, type GraphEdge, type GraphPd, type SystemGraph } from './model.js';

/**
 * What the text renderers (dot, mermaid) draw: nodes, PD clusters and edges, with parallel
 * grants bundled into one edge so that large systems stay legible. Valid, unmarked grants of
 * one kind between the same two nodes become one edge (notifications both ways between two PDs
 * are one two-headed edge); invalid and marked grants are drawn one by one, so their problems
 * and highlight stay on the grant they belong to. In a large system (more than LARGE PDs) a region that only one PD maps is listed in
 * that PD's node instead of being a node of its own, and edges carry no ids or kind names
 * (their tooltips do).
 */

const LARGE = 12;
/** A bundle with more ids than this at one end shows their count. */
const IDS_SHOWN = 3;

export type NodeKind = 'pd' | 'region' | 'irq' | 'unknown';

export interface DrawNode {
  /** Stable, unique: `pd:NAME`, `mr:NAME`, `irq:N` (or `?:NAME` for an edge end nothing declares). */
  id: string;
  kind: NodeKind;
  /** Lines of the label; the first is the name. */
  label: string[];
  tooltip: string[];
  invalid: boolean;
  passive: boolean;
}

/** A PD with children: the PD and its children's clusters and nodes, drawn in one box. */
export interface DrawCluster {
  id: string;
  node: DrawNode;
  children: (DrawNode | DrawCluster)[];
}

export interface DrawEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  /** Which ends get arrowheads. */
  dir: 'forward' | 'back' | 'both' | 'none';
  label: string;
  /** Ids at the tail and head end (notifications: each PD's channel ids). */
  tailLabel: string;
  headLabel: string;
  tooltip: string[];
  invalid: boolean;
  marked: boolean;
}

export interface Drawing {
  title: string;
  /**
   * The Graphviz layout: dot (ranked, left to right), except for a large system without
   * children: sfdp (force-directed) keeps such a hub-and-spoke system near square where dot
   * stretches it into one long rank. (sfdp draws no clusters, and fdp, which does, flings the
   * regions far apart, so systems with children keep dot.)
   */
  layout: 'dot' | 'sfdp';
  /** Roots: plain nodes and clusters, PDs first (document order), then regions, then IRQs. */
  items: (DrawNode | DrawCluster)[];
  edges: DrawEdge[];
  /** Errors not attached to anything drawn. */
  problems: string[];
}

export const isCluster = (x: DrawNode | DrawCluster): x is DrawCluster => 'children' in x;

const pdId = (name: string) => `pd:${name}`;
const mrId = (name: string) => `mr:${name}`;
const irqId = (from: string) => `irq:${from.slice('irq '.length)}`;

export function drawingOf(graph: SystemGraph): Drawing {
  const pds = allPds(graph.pds);
  const large = pds.length > LARGE;
  const inline = large ? privateRegions(graph) : new Map<string, GraphEdge>();
  const privateOf = new Map<string, GraphEdge[]>();
  for (const e of inline.values()) privateOf.set(e.from, [...(privateOf.get(e.from) ?? []), e]);

  const known = new Set<string>();
  const pdNode = (pd: GraphPd): DrawNode => {
    known.add(pdId(pd.name));
    const label = [pd.name];
    const tooltip: string[] = [];
    if (pd.undeclared) {
      label.push('(not declared)');
    } else {
      const timing = `${pd.budgetUs ?? '?'}/${pd.periodUs ?? '?'} µs`;
      label.push(`prio ${pd.priority ?? '?'}${pd.passive ? ' · passive' : ''}`, pd.childId !== undefined ? `id ${pd.childId} · ${timing}` : timing);
      tooltip.push(`protection domain ${pd.name}: priority ${pd.priority ?? '?'}, budget ${pd.budgetUs ?? '?'} µs, period ${pd.periodUs ?? '?'} µs${pd.passive ? ', passive' : ''}${pd.childId !== undefined ? `, child id ${pd.childId}` : ''}`);
    }
    const own = privateOf.get(pd.name) ?? [];
    if (own.length > 0) {
      label.push(own.length === 1 ? `+ ${own[0]!.to} (${own[0]!.rights})` : `+ ${own.length} private regions`);
      for (const e of own) tooltip.push(`maps ${e.to} (${e.rights}), which no other PD maps`);
    }
    tooltip.push(...pd.problems);
    return { id: pdId(pd.name), kind: 'pd', label, tooltip, invalid: pd.problems.length > 0, passive: pd.passive };
  };
  const pdItem = (pd: GraphPd): DrawNode | DrawCluster => {
    const node = pdNode(pd);
    if (pd.children.length === 0) return node;
    return { id: `cluster_${node.id}`, node, children: pd.children.map(pdItem) };
  };
  const items: (DrawNode | DrawCluster)[] = graph.pds.map(pdItem);
  for (const mr of graph.regions) {
    if (inline.has(mr.name)) continue;
    known.add(mrId(mr.name));
    const size = mr.size === undefined ? [] : [sizeText(mr.size)];
    items.push({
      id: mrId(mr.name),
      kind: 'region',
      label: [mr.name, ...(mr.undeclared ? ['(not declared)'] : size)],
      tooltip: [`memory region ${mr.name}${mr.size === undefined ? '' : `, 0x${mr.size.toString(16)} bytes`}`, ...mr.problems],
      invalid: mr.problems.length > 0,
      passive: false,
    });
  }
  for (const irq of graph.irqs) {
    known.add(`irq:${irq}`);
    items.push({ id: `irq:${irq}`, kind: 'irq', label: [`IRQ ${irq}`], tooltip: [`interrupt ${irq}`], invalid: false, passive: false });
  }

  const endId = (e: GraphEdge, end: 'from' | 'to'): string => {
    const name = e[end];
    const id = e.kind === 'irq' && end === 'from' ? irqId(name) : e.kind === 'memory' && end === 'to' ? mrId(name) : pdId(name);
    if (known.has(id)) return id;
    // A marked edge may name what the graph does not have: draw it as a bare node.
    const unknown = `?:${name}`;
    if (!known.has(unknown)) {
      known.add(unknown);
      items.push({ id: unknown, kind: 'unknown', label: [name], tooltip: [`'${name}' is not part of this system`], invalid: true, passive: false });
    }
    return unknown;
  };

  const edges: DrawEdge[] = [];
  const bundles = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) {
    if (e.kind === 'memory' && inline.get(e.to) === e) continue;
    if (e.problems.length > 0 || e.marked) {
      edges.push(single(e, endId(e, 'from'), endId(e, 'to')));
      continue;
    }
    const [a, b] = [endId(e, 'from'), endId(e, 'to')];
    // Notifications and mappings bundle both ways between a pair; the rest by direction.
    const key = e.kind === 'notify' || e.kind === 'memory' ? `${e.kind}\0${[a, b].sort().join('\0')}` : `${e.kind}\0${a}\0${b}`;
    bundles.set(key, [...(bundles.get(key) ?? []), e]);
  }
  for (const group of bundles.values()) edges.push(bundle(group, endId(group[0]!, 'from'), endId(group[0]!, 'to')));
  // In a large system, ids and kind names at every edge are noise: colours tell the kinds, the
  // tooltips the ids.
  if (large) for (const e of edges) if (e.kind !== 'memory') Object.assign(e, { label: '', tailLabel: '', headLabel: '' });
  const source = graph.source === 'description' ? 'drawn from the description' : 'drawn from the capabilities of the build';
  const layout = large && pds.every((pd) => pd.children.length === 0) ? 'sfdp' : 'dot';
  return { title: `${graph.file} (${source})`, layout, items, edges, problems: graph.problems };
}

/** Regions mapped by exactly one PD, with nothing wrong or marked: region name → its one mapping. */
function privateRegions(graph: SystemGraph): Map<string, GraphEdge> {
  const maps = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) if (e.kind === 'memory') maps.set(e.to, [...(maps.get(e.to) ?? []), e]);
  const out = new Map<string, GraphEdge>();
  for (const mr of graph.regions) {
    const m = maps.get(mr.name) ?? [];
    if (m.length === 1 && m[0]!.problems.length === 0 && !m[0]!.marked && mr.problems.length === 0 && !mr.undeclared) out.set(mr.name, m[0]!);
  }
  return out;
}

function sizeText(bytes: number): string {
  for (const [unit, n] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`;
  }
  return `0x${bytes.toString(16)} bytes`;
}

/** What one grant says, for a tooltip. */
function describe(e: GraphEdge): string {
  const id = e.id === undefined ? '' : ` ${e.id}`;
  switch (e.kind) {
    case 'notify':
      return `${e.from} may notify ${e.to} (${e.to}'s channel${id})`;
    case 'ppc':
      return `${e.from} may call ${e.to} (protected procedure call, ${e.to}'s channel${id})`;
    case 'memory':
      return `${e.from} maps ${e.to} (${e.rights})`;
    case 'irq':
      return `${e.from} is delivered to ${e.to} (channel${id})`;
    case 'fault':
      return `${e.from}'s faults go to ${e.to}${e.id === undefined ? '' : ` (child id ${e.id})`}`;
    case 'tcb':
    case 'sc':
    case 'vspace':
      return `${e.from} holds ${e.to}'s ${e.kind === 'tcb' ? 'TCB' : e.kind === 'sc' ? 'scheduling context' : 'VSpace'} cap${e.slot !== undefined ? ` (slot ${e.slot})` : e.id !== undefined ? ` (child id ${e.id})` : ''}`;
  }
}

const KIND_LABEL: Record<EdgeKind, string> = { notify: '', ppc: 'PPC', memory: '', irq: '', fault: 'faults', tcb: 'TCB', sc: 'SC', vspace: 'VSpace' };

function mappingDir(rights: string): DrawEdge['dir'] {
  const r = rights.includes('r');
  const w = rights.includes('w');
  return r && w ? 'both' : w ? 'forward' : r ? 'back' : 'none';
}

const idsText = (ids: number[]): string => (ids.length > IDS_SHOWN ? `${ids.length} ids` : ids.join(','));

function single(e: GraphEdge, from: string, to: string): DrawEdge {
  const ids = e.id === undefined ? [] : [e.id];
  const edge = bundle([e], from, to);
  return { ...edge, tooltip: [describe(e), ...(e.marked ? ['(marked)'] : []), ...e.problems], invalid: e.problems.length > 0, marked: e.marked === true, headLabel: e.kind === 'memory' ? '' : idsText(ids) };
}

/** One edge for grants of one kind between `from` and `to` (both ways for notify and memory). */
function bundle(group: GraphEdge[], from: string, to: string): DrawEdge {
  const first = group[0]!;
  const forward = group.filter((e) => e.from === first.from);
  const back = group.filter((e) => e.from !== first.from);
  const ids = (es: GraphEdge[]) => es.flatMap((e) => (e.id === undefined ? [] : [e.id])).sort((a, b) => a - b);
  const base = { kind: first.kind, from, to, tooltip: group.map(describe), invalid: false, marked: false };
  switch (first.kind) {
    case 'notify':
      return { ...base, dir: back.length === 0 ? 'forward' : 'both', label: '', tailLabel: idsText(ids(back)), headLabel: idsText(ids(forward)) };
    case 'memory': {
      const rights = [...new Set(group.map((e) => e.rights ?? ''))].sort();
      const all = rights.join('');
      return { ...base, dir: mappingDir(all), label: rights.join(', '), tailLabel: '', headLabel: '' };
    }
    case 'fault':
      return { ...base, dir: 'forward', label: KIND_LABEL.fault, tailLabel: '', headLabel: '' };
    default:
      return { ...base, dir: 'forward', label: KIND_LABEL[first.kind], tailLabel: '', headLabel: idsText(ids(group)) };
  }
}
