#!/usr/bin/env node
// `npm run playground`: builds the web playground into a static folder (dist/playground/ unless
// an argument names another) that any web server can host: the page and its run worker bundled
// for browsers, the bundled examples (descriptions, committed ELFs, data, run arguments) and the
// sdk's prebuilt monitors. `sel4ts playground` serves it.
//
// The bundles must not reference Node's modules (the clean core): esbuild's browser platform
// refuses to resolve them, and the outputs are searched for a `node:` specifier as well.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
// The order first (the ones a reader meets first in the Microkit tutorial), then the rest.
const ORDER = ['hello', 'ping-pong', 'ppc', 'passive-server', 'ring-buffer', 'timer', 'hierarchy', 'uart', 'bad-pd'];
const SOURCE_FILES = /\.(c|h|S|s|ld|md)$|^Makefile$|^expected-output\.txt$|^run-args\.txt$/;

/** The words of a run-args.txt line, as bash splits them: '…', "…" and $'…' (with \n, \t, \\, \') quoting. */
export function bashWords(line) {
  const words = [];
  const re = /\$'((?:\\.|[^'\\])*)'|'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    if (m[1] !== undefined) words.push(m[1].replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c));
    else words.push(m[2] ?? m[3]?.replace(/\\(.)/g, '$1') ?? m[4]);
  }
  return words;
}

function exampleEntry(name, dir) {
  // Regular files only: a Makefile's build/ folder (left by `make`) is not part of the example.
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
  const system = files.find((f) => f.endsWith('.system'));
  if (!system) return undefined;
  const args = existsSync(join(dir, 'run-args.txt')) ? bashWords(readFileSync(join(dir, 'run-args.txt'), 'utf8').trim()) : [];
  const value = (option) => {
    const i = args.indexOf(option);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const entry = { name, system, files: files.filter((f) => f !== system && !SOURCE_FILES.test(f)), input: value('--input') ?? '', allowFaults: args.includes('--allow-faults') };
  // Disks (--drive file=…[,readonly=on]): the page runs them as snapshot=on, writing no file.
  const drives = args
    .flatMap((a, i) => (a === '--drive' ? [args[i + 1] ?? ''] : []))
    .map((spec) => {
      const kv = new Map(spec.split(',').map((p) => [p.split('=')[0], p.split('=')[1] ?? '']));
      return { file: kv.get('file') ?? '', readOnly: kv.get('readonly') === 'on' };
    });
  if (drives.length > 0) entry.drives = drives;
  if (args.includes('virtio-mmio.force-legacy=false')) entry.forceLegacy = false;
  const until = value('--until');
  if (until !== undefined) entry.until = until;
  return entry;
}

/** Build the playground into `outdir`; returns the files written with their sizes (raw and gzip). */
export async function buildPlayground(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { main: join(ROOT, 'playground/main.ts'), worker: join(ROOT, 'playground/worker.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    // Code both use (the parser, the compiler) goes into shared chunks, and a module imported
    // dynamically (the graph's Graphviz) into its own, loaded when first needed.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'es2022',
    minify: true,
    outdir,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const nodeInputs = Object.keys(result.metafile.inputs).filter((i) => i.startsWith('node:'));
  if (nodeInputs.length > 0) throw new Error(`the playground bundle imports Node's modules: ${nodeInputs.join(', ')}`);
  for (const f of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'playground', f), join(outdir, f));

  const examplesDir = join(ROOT, 'examples');
  const names = readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
  const manifest = [];
  for (const name of names) {
    const entry = exampleEntry(name, join(examplesDir, name));
    if (!entry) continue;
    mkdirSync(join(outdir, 'examples', name), { recursive: true });
    for (const f of [entry.system, ...entry.files, 'expected-output.txt']) if (existsSync(join(examplesDir, name, f))) copyFileSync(join(examplesDir, name, f), join(outdir, 'examples', name, f));
    manifest.push(entry);
  }
  writeFileSync(join(outdir, 'examples', 'index.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const config of ['debug', 'release']) {
    mkdirSync(join(outdir, 'sdk/prebuilt', config), { recursive: true });
    copyFileSync(join(ROOT, 'sdk/prebuilt', config, 'monitor.elf'), join(outdir, 'sdk/prebuilt', config, 'monitor.elf'));
  }

  const sizes = {};
  const scripts = Object.keys(result.metafile.outputs)
    .filter((o) => o.endsWith('.js'))
    .map((o) => relative(outdir, resolve(o)))
    .sort();
  for (const f of scripts) {
    const text = readFileSync(join(outdir, f));
    const found = /["'`]node:[a-z_/]+["'`]/.exec(text.toString('utf8'));
    if (found) throw new Error(`${f} references the Node module ${found[0]}`);
    sizes[f] = { bytes: text.length, gzip: gzipSync(text, { level: 9 }).length };
  }
  return { sizes, examples: manifest.map((e) => e.name) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outdir = resolve(process.argv[2] ?? join(ROOT, 'dist/playground'));
  const { sizes, examples } = await buildPlayground(outdir);
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const parts = Object.entries(sizes).map(([f, s]) => `${f} ${kb(s.bytes)} (gzip ${kb(s.gzip)})`);
  const total = Object.values(sizes).reduce((sum, s) => sum + s.gzip, 0);
  parts.push(`all scripts gzip ${kb(total)}`);
  console.log(`playground: ${outdir}: ${parts.join(', ')}; ${examples.length} examples`);
}
