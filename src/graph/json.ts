import type { SystemGraph } from './model.js';

/** The version of the JSON form (schemas/graph.schema.json); raised on any incompatible change. */
const GRAPH_JSON_VERSION = 1;

/** The graph as JSON, with 2-space indentation and a final newline. */
export function toJson(graph: SystemGraph): string {
  return `${JSON.stringify({ version: GRAPH_JSON_VERSION, ...graph }, null, 2)}\n`;
}
