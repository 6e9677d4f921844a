import { type DrawCluster, type DrawEdge, type DrawNode, type Drawing, isCluster } from './drawing.js';
import type { EdgeKind } from './model.js';

/**
 * Mermaid flowchart (for Markdown that renders it: GitHub, GitLab, many wikis). The same
 * drawing as DOT: PDs rounded, regions cylinders, IRQs flags, a PD with children a subgraph.
 * Mermaid has no tooltips without scripts, so the errors and the grants of each edge follow as
 * `%%` comments; invalid nodes and edges are red and dashed, marked edges red and thick.
 */

const RED = '#d62728';
const EDGE_COLOUR: Record<EdgeKind, string> = { notify: '#1f77b4', ppc: '#2ca02c', memory: '#7f7f7f', irq: '#ff7f0e', fault: '#9467bd', tcb: '#8c564b', sc: '#8c564b', vspace: '#8c564b' };

/** Mermaid label text: quotes and markup characters as entities, lines joined with <br/>. */
function text(lines: string[]): string {
  return `"${lines.map((l) => l.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;
}

export function toMermaid(d: Drawing): string {
  // Mermaid ids are plain words: number the nodes in drawing order.
  const ids = new Map<string, string>();
  const idOf = (id: string): string => {
    let m = ids.get(id);
    if (m === undefined) {
      m = `n${ids.size}`;
      ids.set(id, m);
    }
    return m;
  };
  const invalid: string[] = [];
  const comments: string[] = [];
  const node = (n: DrawNode, indent: string): string => {
    const id = idOf(n.id);
    if (n.invalid) {
      invalid.push(id);
      for (const t of n.tooltip.slice(1)) comments.push(`%% ${n.label[0]}: ${t}`);
    }
    const label = text(n.label);
    const shape = n.kind === 'region' ? `[(${label})]` : n.kind === 'irq' ? `>${label}]` : n.kind === 'pd' ? `(${label})` : `[${label}]`;
    return `${indent}${id}${shape}`;
  };
  const cluster = (c: DrawCluster, indent: string): string[] => [
    `${indent}subgraph ${c.id.replace(/\W/g, '_')}_${idOf(c.node.id)} [${text([`${c.node.label[0]} and its children`])}]`,
    node(c.node, `${indent}  `),
    ...c.children.flatMap((x) => (isCluster(x) ? cluster(x, `${indent}  `) : [node(x, `${indent}  `)])),
    `${indent}end`,
  ];
  const lines = ['---', `title: ${text([d.title])}`, '---', 'flowchart LR'];
  for (const p of d.problems) lines.push(`  %% error: ${p}`);
  for (const x of d.items) lines.push(...(isCluster(x) ? cluster(x, '  ') : [node(x, '  ')]));
  const styles: string[] = [];
  d.edges.forEach((e, i) => {
    lines.push(`  ${edge(e, idOf)}`);
    for (const t of e.tooltip) comments.push(`%% edge ${i}: ${t}`);
    const colour = e.marked || e.invalid ? RED : EDGE_COLOUR[e.kind];
    const width = e.marked ? 3 : e.kind === 'ppc' ? 2 : 1;
    styles.push(`  linkStyle ${i} stroke:${colour},stroke-width:${width}px${e.invalid ? ',stroke-dasharray:5 5' : e.kind === 'fault' ? ',stroke-dasharray:2 2' : ''}`);
  });
  lines.push(...styles);
  lines.push('  classDef pd fill:#e8f0fe,stroke:#4a6fa5', '  classDef region fill:#fff7d6,stroke:#b39b3c', '  classDef irq fill:#ffe8cc,stroke:#c8741a');
  lines.push(`  classDef invalid stroke:${RED},stroke-width:2px,stroke-dasharray:5 5`);
  for (const kind of ['pd', 'region', 'irq'] as const) {
    const of = [...ids].filter(([id]) => id.startsWith(kind === 'pd' ? 'pd:' : kind === 'region' ? 'mr:' : 'irq:')).map(([, m]) => m);
    if (of.length > 0) lines.push(`  class ${of.join(',')} ${kind}`);
  }
  if (invalid.length > 0) lines.push(`  class ${invalid.join(',')} invalid`);
  lines.push(...comments.map((c) => `  ${c}`), '');
  return lines.join('\n');
}

function edge(e: DrawEdge, idOf: (id: string) => string): string {
  // Mermaid draws no lone tail arrowhead: a back edge is a forward edge the other way.
  const [from, to] = e.dir === 'back' ? [e.to, e.from] : [e.from, e.to];
  const ends = [e.tailLabel, e.headLabel];
  if (e.dir === 'back') ends.reverse();
  // ("1 ↔ 4": each end's channel ids, as DOT puts them at the ends.)
  const parts = e.kind === 'notify' ? ends.filter((x) => x !== '').join(e.dir === 'both' ? ' ↔ ' : ' → ') : [e.label, ...ends].filter((x) => x !== '').join(' ');
  const arrow = e.dir === 'both' ? '<-->' : e.dir === 'none' ? '---' : '-->';
  return `${idOf(from)} ${arrow}${parts === '' ? '' : `|${text([parts])}|`} ${idOf(to)}`;
}
