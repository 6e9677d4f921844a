// PLACEHOLDER until wt-graph is merged
import { boardKernelConfig, DEFAULT_BOARD, findBoard } from '../abi/boards.js';
import { checkSystemSource } from '../compiler/check.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export interface GraphOptions {
  searchPaths?: string[];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The protection domains as boxes, one a row (the real graph comes from wt-graph). */
export async function renderSystemGraph(source: string, fileName: string, format: 'dot' | 'mermaid' | 'svg' | 'json', options?: GraphOptions): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const config = boardKernelConfig(findBoard(DEFAULT_BOARD)!, 'debug')!;
  const check = checkSystemSource(fileName, source, { config, searchPaths: options?.searchPaths ?? [] });
  const names = (check.system?.allProtectionDomains ?? []).map((pd) => pd.name ?? '?');
  if (format === 'json') return { text: JSON.stringify({ pds: names }), diagnostics: check.diagnostics };
  if (format === 'dot') return { text: `digraph system {\n${names.map((n) => `  "${n}";\n`).join('')}}\n`, diagnostics: check.diagnostics };
  if (format === 'mermaid') return { text: `graph LR\n${names.map((n, i) => `  pd${i}["${n}"]\n`).join('')}`, diagnostics: check.diagnostics };
  const rows = names.map((n, i) => `<g class="node"><rect x="10" y="${10 + i * 40}" width="180" height="30" fill="#eef" stroke="#334"/><text x="100" y="${30 + i * 40}" text-anchor="middle">${escapeXml(n)}</text></g>`);
  const height = 20 + names.length * 40;
  return { text: `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="${height}" viewBox="0 0 200 ${height}">${rows.join('')}</svg>`, diagnostics: check.diagnostics };
}
