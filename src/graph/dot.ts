import { type DrawCluster, type DrawEdge, type DrawNode, type Drawing, isCluster } from './drawing.js';
import type { EdgeKind } from './model.js';

/**
 * Graphviz DOT: PDs are rounded boxes (dashed when passive), memory regions cylinders, IRQs
 * small tags; a PD with children is a box around them. Edges: notifications blue, PPCs bold
 * green to the callee, mappings grey with arrowheads by rights (w toward the region, r away),
 * IRQs orange, faults purple dotted child → parent, caps brown. Invalid things are red and
 * dashed with the errors as tooltip; marked edges red and bold.
 */

const FONT = 'Helvetica';
const RED = '#d62728';

/** Each kind's colours and the rest of its style; an invalid or marked edge is red instead, and dashed or bold. */
const EDGE_STYLE: Record<EdgeKind, { color: string; fontcolor: string; style?: string; rest?: string }> = {
  notify: { color: '#1f77b4', fontcolor: '#1f77b4' },
  ppc: { color: '#2ca02c', fontcolor: '#2ca02c', rest: 'penwidth=2' },
  memory: { color: '#7f7f7f', fontcolor: '#555555', rest: 'arrowsize=0.6' },
  irq: { color: '#ff7f0e', fontcolor: '#ff7f0e' },
  fault: { color: '#9467bd', fontcolor: '#9467bd', style: 'dotted', rest: 'arrowhead=empty' },
  tcb: { color: '#8c564b', fontcolor: '#8c564b', rest: 'arrowhead=odiamond' },
  sc: { color: '#8c564b', fontcolor: '#8c564b', rest: 'arrowhead=odiamond' },
  vspace: { color: '#8c564b', fontcolor: '#8c564b', rest: 'arrowhead=odiamond' },
};

/** A DOT string: quoted, with quotes and backslashes escaped and newlines as DOT's \n. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function nodeLine(n: DrawNode): string {
  const attrs = [`label=${q(n.label.join('\n'))}`, `tooltip=${q(n.tooltip.join('\n'))}`];
  switch (n.kind) {
    case 'pd':
      attrs.push('shape=box', `style=${q(`rounded,filled${n.passive ? ',dashed' : ''}`)}`, 'fillcolor="#e8f0fe"');
      break;
    case 'region':
      attrs.push('shape=cylinder', 'style=filled', 'fillcolor="#fff7d6"', 'fontsize=10');
      break;
    case 'irq':
      attrs.push('shape=cds', 'style=filled', 'fillcolor="#ffe8cc"', 'fontsize=10');
      break;
    case 'unknown':
      attrs.push('shape=box', 'style=dashed');
      break;
  }
  if (n.invalid) attrs.push(`color=${q(RED)}`, 'penwidth=2', ...(n.kind === 'pd' ? [`style=${q('rounded,filled,dashed')}`] : n.kind === 'region' ? ['style="filled,dashed"'] : []));
  return `${q(n.id)} [${attrs.join(', ')}];`;
}

function clusterLines(c: DrawCluster, indent: string): string[] {
  const inner = `${indent}  `;
  return [
    `${indent}subgraph ${q(c.id)} {`,
    `${inner}label=""; style="rounded"; color="#9aa5b8"; tooltip=${q(`${c.node.label[0]} and its children`)};`,
    `${inner}${nodeLine(c.node)}`,
    ...c.children.flatMap((x) => (isCluster(x) ? clusterLines(x, inner) : [`${inner}${nodeLine(x)}`])),
    `${indent}}`,
  ];
}

function edgeLine(e: DrawEdge): string {
  // Each attribute once: red replaces the kind's colours, dashed (invalid) or bold (marked) its style.
  const kind = EDGE_STYLE[e.kind];
  const red = e.invalid || e.marked;
  const style = e.invalid ? 'dashed' : e.marked ? 'bold' : kind.style;
  const attrs = [`color=${q(red ? RED : kind.color)}`, `fontcolor=${q(red ? RED : kind.fontcolor)}`];
  if (e.marked) attrs.push('penwidth=3');
  else if (kind.rest?.startsWith('penwidth')) attrs.push(kind.rest);
  if (style !== undefined) attrs.push(`style=${style}`);
  if (kind.rest !== undefined && !kind.rest.startsWith('penwidth')) attrs.push(kind.rest);
  attrs.push(`dir=${e.dir}`, `tooltip=${q(e.tooltip.join('\n'))}`);
  if (e.label !== '') attrs.push(`label=${q(e.label)}`);
  if (e.tailLabel !== '') attrs.push(`taillabel=${q(e.tailLabel)}`);
  if (e.headLabel !== '') attrs.push(`headlabel=${q(e.headLabel)}`);
  return `${q(e.from)} -> ${q(e.to)} [${attrs.join(', ')}];`;
}

export function toDot(d: Drawing): string {
  const title = [d.title, ...d.problems.map((p) => `error: ${p}`)].join('\n');
  const lines = [
    'digraph system {',
    `  graph [label=${q(title)}, labelloc=t, fontname=${q(FONT)}, ${d.layout === 'dot' ? 'rankdir=LR, newrank=true, nodesep=0.3, ranksep=0.6' : `layout=${d.layout}, overlap=prism, splines=true`}, tooltip=${q(d.title)}${d.problems.length > 0 ? `, fontcolor=${q(RED)}` : ''}];`,
    `  node [fontname=${q(FONT)}, fontsize=11];`,
    `  edge [fontname=${q(FONT)}, fontsize=9, labelfontsize=8];`,
    ...d.items.flatMap((x) => (isCluster(x) ? clusterLines(x, '  ') : [`  ${nodeLine(x)}`])),
    ...d.edges.map((e) => `  ${edgeLine(e)}`),
    '}',
    '',
  ];
  return lines.join('\n');
}
