import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { xml } from '@codemirror/lang-xml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic as EditorDiagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import { boardKernelConfig, DEFAULT_BOARD, findBoard } from '../src/abi/boards.js';
import { checkSystemSource } from '../src/compiler/check.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { PLAIN, renderText, summaryLine } from '../src/diagnostics/render.js';
import { renderSystemGraph } from '../src/graph/index.js';
import { provideHostFiles } from '../src/util/host-files.js';
import type { ExampleEntry } from './examples-manifest.js';
import { memoryFiles } from './memory-files.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';
import { decodeSystem, encodeSystem } from './share.js';

/**
 * The playground page: an editor checked as you type (the same diagnostics as `sel4ts check`),
 * the system's graph, the bundled examples, and Run in a Web Worker (worker.ts).
 */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let fileName = 'hello.system';
let example: ExampleEntry | undefined;
/** The current example's files, by name. */
let exampleFiles = new Map<string, Uint8Array>();
/** Files picked from disk: they win over an example's files of the same name. */
const userFiles = new Map<string, Uint8Array>();
const monitors = new Map<string, Uint8Array>();

const allFiles = () => new Map([...exampleFiles, ...userFiles]);
const config = () => $<HTMLSelectElement>('config').value as 'debug' | 'release';

// --- checking and drawing, as the text changes ---

function editorDiagnostics(ds: readonly Diagnostic[], length: number): EditorDiagnostic[] {
  return ds
    .filter((d) => d.file !== undefined && d.span !== undefined)
    .map((d) => {
      const from = Math.min(d.span!.start, length);
      return {
        from,
        to: Math.max(from, Math.min(d.span!.end, length)),
        severity: d.severity,
        source: d.code,
        message: `${d.message}${d.hint !== undefined ? `\nhint: ${d.hint}` : ''}`,
      };
    });
}

let generation = 0;
let firstDiagnostics = true;

async function refresh(): Promise<void> {
  const mine = ++generation;
  const text = view.state.doc.toString();
  provideHostFiles(memoryFiles(allFiles()));
  const kernelConfig = boardKernelConfig(findBoard(DEFAULT_BOARD)!, config())!;
  const check = checkSystemSource(fileName, text, { config: kernelConfig, configSource: { kind: 'board', board: DEFAULT_BOARD, config: config() }, searchPaths: [] });
  view.dispatch(setDiagnostics(view.state, editorDiagnostics(check.diagnostics, text.length)));
  const list = $('diagnostics');
  list.replaceChildren(
    ...check.diagnostics.map((d) => {
      const li = document.createElement('li');
      li.className = d.severity;
      li.dataset.code = d.code;
      const pre = document.createElement('pre');
      pre.textContent = renderText(d, PLAIN);
      li.append(pre);
      // A click puts the cursor on the problem.
      if (d.span && d.file) {
        const at = Math.min(d.span.start, view.state.doc.length);
        li.addEventListener('click', () => {
          view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
          view.focus();
        });
      }
      return li;
    }),
  );
  const verdict = $('verdict');
  verdict.className = `verdict ${check.ok ? 'ok' : 'invalid'}`;
  verdict.textContent = `${fileName}: ${check.ok ? 'ok' : 'invalid'} (${summaryLine(check.diagnostics)})`;
  if (firstDiagnostics) {
    firstDiagnostics = false;
    // performance.now() counts from the navigation: this is page load to first diagnostics.
    document.body.dataset.firstDiagnosticsMs = String(Math.round(performance.now()));
  }
  try {
    const graph = await renderSystemGraph(text, fileName, 'svg');
    if (mine === generation) $('graph').innerHTML = graph.text;
  } catch (e) {
    if (mine === generation) $('graph').textContent = `the graph could not be drawn: ${(e as Error).message}`;
  }
  if (mine === generation) document.body.dataset.checked = String(mine);
}

let pendingRefresh: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(): void {
  clearTimeout(pendingRefresh);
  pendingRefresh = setTimeout(() => void refresh(), 150);
}

const view = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: '',
    extensions: [lineNumbers(), history(), keymap.of([...defaultKeymap, ...historyKeymap]), xml(), syntaxHighlighting(defaultHighlightStyle), lintGutter(), EditorView.updateListener.of((u) => u.docChanged && scheduleRefresh())],
  }),
});

function setText(text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

// --- examples and files ---

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

let manifest: ExampleEntry[] = [];

/** Open an example: its description (unless `text` replaces it, from a shared link) and its files. */
async function openExample(name: string, text?: string): Promise<void> {
  const entry = manifest.find((e) => e.name === name);
  if (!entry) throw new Error(`there is no example '${name}' (there are ${manifest.map((e) => e.name).join(', ')})`);
  example = entry;
  fileName = entry.system;
  const files = await Promise.all(entry.files.map(async (f) => [f, await fetchBytes(`examples/${name}/${f}`)] as const));
  exampleFiles = new Map(files);
  $('file-name').textContent = fileName;
  $<HTMLTextAreaElement>('input').value = entry.input;
  for (const b of $('examples').querySelectorAll('button')) b.classList.toggle('current', b.dataset.example === name);
  showFiles();
  setText(text ?? new TextDecoder().decode(await fetchBytes(`examples/${name}/${entry.system}`)));
  await refresh();
}

function showFiles(): void {
  const names = [...allFiles().keys()].sort();
  $('files').textContent = names.length > 0 ? `files: ${names.map((n) => (userFiles.has(n) ? `${n} (yours)` : n)).join(', ')}` : '';
}

$<HTMLInputElement>('programs').addEventListener('change', async (e) => {
  for (const f of (e.target as HTMLInputElement).files ?? []) userFiles.set(f.name, new Uint8Array(await f.arrayBuffer()));
  showFiles();
  scheduleRefresh();
});
$('config').addEventListener('change', scheduleRefresh);

// --- running ---

let worker: Worker | undefined;

function setStatus(status: string, text: string): void {
  const s = $('status');
  s.dataset.status = status;
  s.textContent = text;
}

function showStats(m: Extract<WorkerMessage, { type: 'done' }>): void {
  const head = '<tr><th>protection domain</th><th>instructions</th><th>time (ms)</th><th>syscalls</th><th>IPCs</th><th>signals</th><th>faults</th></tr>';
  const cell = (s: string | number) => `<td>${String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</td>`;
  const rows = m.pds.map((p) => `<tr>${[p.name, p.instructions, (p.timeNs / 1e6).toFixed(3), p.syscalls, p.ipcs, p.signals, p.faults].map(cell).join('')}</tr>`);
  $('stats').innerHTML = `${head}${rows.join('')}<tr>${cell('total virtual time')}${cell('')}${cell((m.cycles / 1e6).toFixed(3))}</tr>`;
}

function finishRun(): void {
  worker?.terminate();
  worker = undefined;
  $<HTMLButtonElement>('run').disabled = false;
  $<HTMLButtonElement>('stop').disabled = true;
  $<HTMLButtonElement>('send').disabled = true;
}

async function run(): Promise<void> {
  if (worker) return;
  const cfg = config();
  const monitorName = `sdk/prebuilt/${cfg}/monitor.elf`;
  if (!monitors.has(monitorName)) monitors.set(monitorName, await fetchBytes(monitorName));
  const files: Record<string, Uint8Array> = Object.fromEntries([...allFiles(), [monitorName, monitors.get(monitorName)!]]);
  const request: WorkerRequest = {
    type: 'run',
    fileName,
    source: view.state.doc.toString(),
    files,
    config: cfg,
    maxTime: $<HTMLInputElement>('max-time').value,
    input: $<HTMLTextAreaElement>('input').value,
    live: $<HTMLInputElement>('live').checked,
    until: example?.until,
    allowFaults: example?.allowFaults ?? false,
    drives: example?.drives,
    forceLegacy: example?.forceLegacy,
  };
  $('console').textContent = '';
  $('faults').replaceChildren();
  $('stats').replaceChildren();
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  $<HTMLButtonElement>('send').disabled = !request.live;
  setStatus('running', 'building and running…');
  worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
    const m = e.data;
    const out = $('console');
    switch (m.type) {
      case 'console':
        out.textContent += m.text;
        out.scrollTop = out.scrollHeight;
        break;
      case 'fault': {
        const li = document.createElement('li');
        li.textContent = m.line;
        li.dataset.pd = m.record.pd;
        li.dataset.handled = String(m.record.handled);
        $('faults').append(li);
        break;
      }
      case 'build-failed':
        out.textContent = m.diagnostics.join('\n\n');
        setStatus('build-failed', 'the system did not build');
        finishRun();
        break;
      case 'error':
        setStatus('error', m.message);
        finishRun();
        break;
      case 'done':
        showStats(m);
        document.body.dataset.runHostMs = String(Math.round(m.hostMs));
        document.body.dataset.runMs = String(Math.round(m.runMs));
        setStatus(m.status, `${m.status}: ${m.message}`);
        finishRun();
        break;
    }
  };
  worker.onerror = (e) => {
    setStatus('error', `the run worker failed: ${e.message}`);
    finishRun();
  };
  worker.postMessage(request);
}

$('run').addEventListener('click', () => void run());
// A live run: the input box's text goes to the UART now.
$('send').addEventListener('click', () => {
  const box = $<HTMLTextAreaElement>('input');
  worker?.postMessage({ type: 'send', text: box.value } satisfies WorkerRequest);
  box.value = '';
});
$('stop').addEventListener('click', () => {
  worker?.postMessage({ type: 'stop' } satisfies WorkerRequest);
  // A run that does not answer within two seconds is ended outright.
  const w = worker;
  setTimeout(() => {
    if (w && w === worker) {
      setStatus('stopped', 'stopped');
      finishRun();
    }
  }, 2000);
});

$('share').addEventListener('click', async () => {
  const fragment = `system=${await encodeSystem(view.state.doc.toString())}`;
  const url = new URL(location.href);
  url.search = example ? `?example=${example.name}` : '';
  url.hash = fragment;
  window.history.replaceState(null, '', url);
  const link = $<HTMLInputElement>('share-link');
  link.hidden = false;
  link.value = url.href;
  link.select();
  await navigator.clipboard?.writeText(url.href).catch(() => {});
});

// --- start: ?example=NAME[&run], #system=… ---

async function start(): Promise<void> {
  manifest = (await (await fetch('examples/index.json')).json()) as ExampleEntry[];
  const nav = $('examples');
  for (const e of manifest) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = e.name;
    b.dataset.example = e.name;
    b.addEventListener('click', () => void openExample(e.name));
    nav.append(b);
  }
  const params = new URLSearchParams(location.search);
  const shared = /^#system=(.+)$/.exec(location.hash)?.[1];
  const text = shared === undefined ? undefined : await decodeSystem(shared);
  if (shared !== undefined && text === undefined) setStatus('error', 'the #system= part of the link is damaged; showing the example instead');
  await openExample(params.get('example') ?? 'hello', text);
  if (params.has('run')) await run();
}

start().catch((e: unknown) => setStatus('error', `the playground could not start: ${(e as Error).message}`));
