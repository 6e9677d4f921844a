import type { Viz } from '@viz-js/viz';

/**
 * SVG through Graphviz compiled to WebAssembly (@viz-js/viz): nothing to install, the same in
 * Node and in a browser, and the same bytes on every run. The module (1.2 MB, the WebAssembly
 * inlined) is loaded on the first SVG asked for, so the other formats do not pay for it.
 */

let viz: Promise<Viz> | undefined;

export async function dotToSvg(dot: string, layout: 'dot' | 'sfdp'): Promise<string> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return (await viz).renderString(dot, { format: 'svg', engine: layout });
}
