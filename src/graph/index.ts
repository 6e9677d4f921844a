import { boardKernelConfig, findBoard } from '../abi/boards.js';
import type { KernelConfig } from '../abi/kernel-config.js';
import { checkSystemSource } from '../compiler/check.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FileLookup } from '../parser/sdf/context.js';
import { toDot } from './dot.js';
import { drawingOf } from './drawing.js';
import { graphFromDescription } from './from-description.js';
import { toJson } from './json.js';
import { applyMarks, type MarkedEdge } from './marked.js';
import { toMermaid } from './mermaid.js';
import type { SystemGraph } from './model.js';
import { dotToSvg } from './svg.js';

/**
 * `sel4ts graph` without files: a system description's text in, its authority graph out, in
 * Node or in a browser (nothing here touches Node's modules).
 */

export const GRAPH_FORMATS = ['dot', 'mermaid', 'svg', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphOptions {
  /** Edges to draw highlighted (red, bold), e.g. the offending paths a policy check found. */
  marked?: MarkedEdge[];
  /** The kernel configuration the description is checked under (default: qemu_virt_aarch64, debug). */
  config?: KernelConfig;
  /** How files the description names (prefill) are found; without it, none is read. */
  lookupFile?: FileLookup;
}

/** The kernel configuration `sel4ts check` uses by default. */
function defaultConfig(): KernelConfig {
  return boardKernelConfig(findBoard('qemu_virt_aarch64')!, 'debug')!;
}

/** The check's diagnostics and the graph drawn from the description (what is valid of it). */
function describeSystemGraph(source: string, fileName: string, options: GraphOptions = {}): { graph: SystemGraph; diagnostics: Diagnostic[] } {
  const lookupFile: FileLookup = options.lookupFile ?? ((path) => ({ found: false, tried: [path] }));
  const check = checkSystemSource(fileName, source, { config: options.config ?? defaultConfig(), lookupFile });
  return { graph: graphFromDescription(fileName, check.system, check.diagnostics), diagnostics: check.diagnostics };
}

/** A graph in one format, with `marked` edges highlighted. */
export async function renderGraph(graph: SystemGraph, format: GraphFormat, marked: MarkedEdge[] = []): Promise<string> {
  const g = applyMarks(graph, marked);
  switch (format) {
    case 'json':
      return toJson(g);
    case 'dot':
      return toDot(drawingOf(g));
    case 'mermaid':
      return toMermaid(drawingOf(g));
    case 'svg': {
      const drawing = drawingOf(g);
      return dotToSvg(toDot(drawing), drawing.layout);
    }
  }
}

/**
 * The graph of a description's text in `format`, and the check's diagnostics. A description
 * with errors draws what is valid and marks what is not; one that cannot be read at all (not
 * XML) draws an empty system titled with its errors.
 */
export async function renderSystemGraph(source: string, fileName: string, format: GraphFormat, options?: GraphOptions): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const { graph, diagnostics } = describeSystemGraph(source, fileName, options);
  return { text: await renderGraph(graph, format, options?.marked), diagnostics };
}
