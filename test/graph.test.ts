import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { generateSystem } from '../scripts/generate-system.js';
import { buildSystem } from '../src/compiler/build.js';
import { graphFromDescription } from '../src/graph/from-description.js';
import { graphFromSpec } from '../src/graph/from-spec.js';
import { type GraphFormat, renderGraph, renderSystemGraph } from '../src/graph/index.js';
import type { SystemGraph } from '../src/graph/model.js';
import { expectGolden } from './helpers/golden.js';
import { oracle } from './helpers/oracles.js';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';
import { runCli } from './helpers/cli.js';

const ROOT = join(import.meta.dirname, '..');
const exampleText = (name: string) => readFileSync(join(ROOT, 'examples', name, `${name}.system`), 'utf8');
const ERRORS = join(ROOT, 'test', 'fixtures', 'graph', 'errors.system');
const validateJson = new Ajv2020.default({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'graph.schema.json'), 'utf8')) as object);

const cli = runCli;

const EXAMPLES = ['ping-pong', 'hierarchy', 'ring-buffer', 'ppc', 'passive-server', 'uart'];

describe('sel4ts graph: the examples', () => {
  for (const name of EXAMPLES) {
    for (const format of ['dot', 'mermaid', 'json'] as const) {
      it(`${name} in ${format}`, async () => {
        const r = await renderSystemGraph(exampleText(name), `${name}.system`, format);
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expectGolden(r.text, `golden/graph/${name}.${format === 'mermaid' ? 'mmd' : format}`, import.meta.filename);
        if (format === 'json') expect(validateJson(JSON.parse(r.text)), JSON.stringify(validateJson.errors)).toBe(true);
      });
    }
  }

  for (const name of ['ping-pong', 'hierarchy']) {
    it(`${name} in svg (Graphviz in WebAssembly), the same bytes on every run`, async () => {
      const a = await renderSystemGraph(exampleText(name), `${name}.system`, 'svg');
      expectGolden(a.text, `golden/graph/${name}.svg`, import.meta.filename);
      expect((await renderSystemGraph(exampleText(name), `${name}.system`, 'svg')).text).toBe(a.text);
    });
  }

  it('draws what each example shows: PDs with their attributes, children inside the parent, every kind of edge', async () => {
    const dot = (await renderSystemGraph(exampleText('hierarchy'), 'hierarchy.system', 'dot')).text;
    // The child is inside its parent's cluster; its faults go to the parent, which holds its TCB.
    expect(dot).toMatch(/subgraph "cluster_pd:parent" \{[^}]*"pd:parent" \[[^}]*"pd:child" \[[^}]*\n {2}\}/);
    expect(dot).toContain('"pd:child" -> "pd:parent" [color="#9467bd"');
    expect(dot).toContain('"pd:parent" -> "pd:child" [color="#8c564b"');
    const ppc = JSON.parse((await renderSystemGraph(exampleText('ppc'), 'ppc.system', 'json')).text) as SystemGraph;
    expect(ppc.edges.filter((e) => e.kind === 'ppc').map((e) => `${e.from}->${e.to}`)).toEqual(['client->server']);
    const passive = JSON.parse((await renderSystemGraph(exampleText('passive-server'), 'passive-server.system', 'json')).text) as SystemGraph;
    expect(passive.pds.find((pd) => pd.name === 'server')?.passive).toBe(true);
    const uart = JSON.parse((await renderSystemGraph(exampleText('uart'), 'uart.system', 'json')).text) as SystemGraph;
    expect(uart.irqs).toEqual([33]);
    expect(uart.edges.some((e) => e.kind === 'irq' && e.from === 'irq 33')).toBe(true);
    const ring = JSON.parse((await renderSystemGraph(exampleText('ring-buffer'), 'ring-buffer.system', 'json')).text) as SystemGraph;
    expect(ring.edges.filter((e) => e.kind === 'memory').map((e) => `${e.from} ${e.rights} ${e.to}`)).toEqual(['consumer rw ring', 'producer rw ring']);
  });

  // Every example with programs: the capabilities of the build grant exactly what the
  // description's rules say (the build checks this for the authority table; here for the graph,
  // whose fault and cap edges the table does not have).
  for (const name of ['ping-pong', 'hierarchy', 'ring-buffer', 'ppc', 'passive-server', 'uart', 'timer', 'bad-pd', 'setvar']) {
    it(`${name}: drawn from the capabilities, the same edges as from the description`, () => {
      const dir = join(ROOT, 'examples', name);
      const built = buildSystem(`${name}.system`, exampleText(name), { searchPaths: [dir] });
      if (!built.ok) throw new Error(JSON.stringify(built.diagnostics.map((d) => d.message)));
      const fromDescription = graphFromDescription(`${name}.system`, built.check.system, built.check.diagnostics);
      const fromSpec = graphFromSpec(built.spec, fromDescription);
      expect(fromSpec.source).toBe('capabilities');
      expect(fromSpec.edges).toEqual(fromDescription.edges);
      expect(fromSpec.edges.length).toBeGreaterThan(0);
    });
  }
});

describe('sel4ts graph: marked edges (for --policy)', () => {
  const marked = [
    { from: 'ping', to: 'pong', kind: 'notify' as const },
    { from: 'pong', to: 'nowhere', kind: 'ppc' as const },
  ];
  it('highlights them in every format, and draws a mark the system does not grant as such', async () => {
    const text = exampleText('ping-pong');
    const dot = (await renderSystemGraph(text, 'ping-pong.system', 'dot', { marked })).text;
    expectGolden(dot, 'golden/graph/ping-pong-marked.dot', import.meta.filename);
    expect(dot).toMatch(/"pd:ping" -> "pd:pong" \[color="#d62728", fontcolor="#d62728", penwidth=3, style=bold, [^\n]*tooltip="ping may notify pong/);
    // Each attribute once (Graphviz would take the last of two, but a reader should not have to).
    for (const line of dot.split('\n').filter((l) => l.includes(' -> '))) expect(line.match(/\bcolor=/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
    // The reverse notification is not marked: it is drawn on its own, unhighlighted.
    expect(dot).toMatch(/"pd:pong" -> "pd:ping" \[color="#1f77b4"[^\n]*tooltip="pong may notify ping[^\n]*\];/);
    expect(dot).toMatch(/"pd:pong" -> "\?:nowhere" \[color="#d62728", fontcolor="#d62728", penwidth=3, style=dashed, /);

    const mermaid = (await renderSystemGraph(text, 'ping-pong.system', 'mermaid', { marked })).text;
    expectGolden(mermaid, 'golden/graph/ping-pong-marked.mmd', import.meta.filename);
    expect(mermaid).toContain('linkStyle 0 stroke:#d62728,stroke-width:3px');

    const json = JSON.parse((await renderSystemGraph(text, 'ping-pong.system', 'json', { marked })).text) as SystemGraph;
    expect(validateJson(json)).toBe(true);
    expect(json.edges.filter((e) => e.marked).map((e) => `${e.kind} ${e.from}->${e.to}`)).toEqual(['notify ping->pong', 'ppc pong->nowhere']);
    expect(json.edges.find((e) => e.to === 'nowhere')?.problems).toEqual(["marked, but the system grants no ppc edge from 'pong' to 'nowhere'"]);

    const svg = (await renderSystemGraph(text, 'ping-pong.system', 'svg', { marked })).text;
    expect(svg).toMatch(/<path fill="none" stroke="#d62728" stroke-width="3"/);
    expect((await renderSystemGraph(text, 'ping-pong.system', 'svg')).text).not.toContain('#d62728');
  });

  it('marks memory between two PDs on both mappings of the regions they share, and irqs by number', async () => {
    const json = JSON.parse(
      (
        await renderSystemGraph(exampleText('ring-buffer'), 'ring-buffer.system', 'json', {
          marked: [{ from: 'producer', to: 'consumer', kind: 'memory' }],
        })
      ).text,
    ) as SystemGraph;
    expect(json.edges.filter((e) => e.marked).map((e) => `${e.from}->${e.to}`)).toEqual(['consumer->ring', 'producer->ring']);
    const uart = JSON.parse((await renderSystemGraph(exampleText('uart'), 'uart.system', 'json', { marked: [{ from: '33', to: 'uart', kind: 'irq' }] })).text) as SystemGraph;
    expect(uart.edges.filter((e) => e.marked).map((e) => `${e.from}->${e.to}`)).toEqual(['irq 33->uart']);
  });
});

describe('sel4ts graph: a description with errors', () => {
  const text = readFileSync(ERRORS, 'utf8');
  it('draws what is valid and marks what is not, with the errors as tooltips', async () => {
    const dot = await renderSystemGraph(text, 'errors.system', 'dot');
    expectGolden(dot.text, 'golden/graph/errors.dot', import.meta.filename);
    expect(dot.diagnostics.map((d) => d.code)).toEqual(['mr_size_unaligned', 'pd_priority_out_of_range', 'channel_end_unknown_pd', 'map_unknown_mr', 'mr_unused']);
    const json = await renderSystemGraph(text, 'errors.system', 'json');
    expectGolden(json.text, 'golden/graph/errors.json', import.meta.filename);
    const g = JSON.parse(json.text) as SystemGraph;
    expect(validateJson(g)).toBe(true);
    const client = g.pds.find((pd) => pd.name === 'client')!;
    expect(client.priority).toBeUndefined();
    expect(client.problems).toEqual(['6:48: priority must be between 0 and 254 [pd_priority_out_of_range]']);
    expect(g.pds.find((pd) => pd.name === 'logger')?.undeclared).toBe(true);
    expect(g.regions.find((r) => r.name === 'bufer')?.undeclared).toBe(true);
    expect(g.edges.find((e) => e.to === 'bufer')?.problems).toEqual(["8:18: invalid memory region name 'bufer' on 'map' [map_unknown_mr]"]);
    // The valid part is drawn as it is: server's mapping, its IRQ, the client-server channel.
    expect(g.edges.filter((e) => e.problems.length === 0).map((e) => `${e.kind} ${e.from}->${e.to}`)).toEqual([
      'notify client->server',
      'notify server->client',
      'ppc client->server',
      'memory client->buffer',
      'memory server->buffer',
      'irq irq 33->server',
    ]);
    const svg = (await renderSystemGraph(text, 'errors.system', 'svg')).text;
    expect(svg).toContain('<title>pd:client</title>');
    expect(svg).toContain('priority must be between 0 and 254');
    expect(svg).toContain('stroke-dasharray');
  });

  it('draws nothing but the errors of text that is not XML, and gives the diagnostics check gives', async () => {
    const r = await renderSystemGraph('<system><protection_domain name="a">', 'broken.system', 'dot');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['xml_element_unclosed']);
    expect(r.text).toContain('error: 1:37: the file ends while <protection_domain> is still open [xml_element_unclosed]');
    expect(r.text).not.toContain('"pd:');
    const cli1 = await cli(['graph', ERRORS]);
    const check = await cli(['check', ERRORS]);
    expect(cli1.code).toBe(1);
    expect(cli1.err.split('\n').slice(0, -2)).toEqual(check.err.split('\n').slice(0, -2));
    expect(cli1.err).toMatch(/errors.system: drawn from the description \(4 errors, 1 warning\)\n$/);
  });
});

describe('sel4ts graph: large systems', () => {
  const corpus = join(SHARED_DIR, 'corpus', 'jordanhubbard__agentos__kernel_agentos-root-task_agentos.system');
  it.skipIf(!oracle('../shared', HAVE_SHARED, 'graph of the largest corpus system'))(
    'the corpus system with the most PDs (45) renders, the same on every run',
    async () => {
      const text = readFileSync(corpus, 'utf8');
      const started = performance.now();
      const svg = await renderSystemGraph(text, 'agentos.system', 'svg');
      expect(performance.now() - started).toBeLessThan(60_000);
      expect(svg.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(svg.text).toMatch(/<\/svg>\n$/);
      const dot = svg.text.match(/<title>pd:[^<&]*<\/title>/g) ?? [];
      expect(dot.length).toBe(45);
      for (const format of ['dot', 'json', 'mermaid'] as const) {
        expect((await renderSystemGraph(text, 'agentos.system', format)).text).toBe((await renderSystemGraph(text, 'agentos.system', format)).text);
      }
    },
    120_000,
  );

  it.skipIf(!oracle('../shared', HAVE_SHARED, 'graph of every corpus system'))(
    'every corpus system is drawn (valid or not) as JSON that follows the schema',
    async () => {
      const dir = join(SHARED_DIR, 'corpus');
      const files = readdirSync(dir).filter((f) => f.endsWith('.system'));
      expect(files.length).toBeGreaterThan(250);
      for (const f of files) {
        const r = await renderSystemGraph(readFileSync(join(dir, f), 'utf8'), f, 'json');
        expect(validateJson(JSON.parse(r.text)), `${f}: ${JSON.stringify(validateJson.errors)}`).toBe(true);
      }
    },
    120_000,
  );

  it('the generated 63-PD system at the channel limit renders in svg within a minute', async () => {
    const text = generateSystem(63);
    const started = performance.now();
    const r = await renderSystemGraph(text, 'g63.system', 'svg');
    expect(performance.now() - started).toBeLessThan(90_000);
    expect(r.diagnostics).toEqual([]);
    expect(r.text.match(/<title>pd:[^<&]*<\/title>/g)?.length).toBe(63);
    // Regions one PD maps are listed in its node; only the shared one is a node.
    expect(r.text.match(/<title>mr:[^<&]*<\/title>/g)).toEqual(['<title>mr:shared</title>']);
    const json = JSON.parse((await renderSystemGraph(text, 'g63.system', 'json')).text) as SystemGraph;
    // 63 PDs × 62 channel ids, each channel one edge each way.
    expect(json.edges.filter((e) => e.kind === 'notify').length).toBe(63 * 62);
  }, 180_000);
});

describe('sel4ts graph: the command line', () => {
  it('writes -o FILE, says where the graph comes from, and draws from the capabilities with --search-path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-graph-'));
    const out = join(dir, 'g.json');
    const system = join(ROOT, 'examples', 'hierarchy', 'hierarchy.system');
    const r = await cli(['graph', system, '--format', 'json', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${system}: drawn from the description into ${out} (0 errors, 0 warnings)\n`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as SystemGraph).source).toBe('description');
    const b = await cli(['graph', system, '--format', 'json', '--search-path', join(ROOT, 'examples', 'hierarchy')]);
    expect(b.code).toBe(0);
    expect((JSON.parse(b.out) as SystemGraph).source).toBe('capabilities');
    expect(b.err).toBe(`${system}: drawn from the capabilities of the build (0 errors, 0 warnings)\n`);
    // Without the programs, the build fails: its errors, and the graph of the description.
    const alone = join(dir, 'hierarchy.system');
    writeFileSync(alone, readFileSync(system));
    const failed = await cli(['graph', alone, '--format', 'json', '--search-path', dir]);
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.out) as SystemGraph).source).toBe('description');
    expect(failed.err).toContain('error[program_image_not_found]');
    expect(failed.err).toMatch(/hierarchy.system: drawn from the description: the build failed \(2 errors, 0 warnings\)\n$/);
  });

  it('a missing file, a bad format, and a program instead of a description get check’s messages and exit codes', async () => {
    const missing = await cli(['graph', 'no-such.system']);
    expect(missing).toEqual({ code: 2, out: '', err: "sel4ts: cannot read 'no-such.system': no such file\n" });
    expect((await cli(['check', 'no-such.system'])).code).toBe(2);
    const format = await cli(['graph', ERRORS, '--format', 'png']);
    expect(format.code).toBe(2);
    expect(format.err).toContain("argument 'png' is invalid. Allowed choices are dot, mermaid, svg, json.");
    const board = await cli(['graph', ERRORS, '--board', 'qemu_virt_aarch65']);
    expect(board).toEqual({ code: 2, out: '', err: "sel4ts: unknown board 'qemu_virt_aarch65' (did you mean 'qemu_virt_aarch64'?); 'sel4ts boards' lists them\n" });
    const elf = await cli(['graph', join(ROOT, 'examples', 'hello', 'hello.elf')]);
    expect(elf.code).toBe(1);
    expect(elf.err).toMatch(/hello.elf: this is an AArch64 program \(ELF\), not a system description/);
  });

  it('--help', async () => {
    const r = await cli(['graph', '--help']);
    expect(r.code).toBe(0);
    expectGolden(r.out, 'golden/graph/help.txt', import.meta.filename);
  });
});

describe('sel4ts graph: renderGraph of a graph built by hand', () => {
  it('draws a PD mapping a region read-only with the arrow from the region', async () => {
    const g: SystemGraph = {
      file: 'x',
      source: 'description',
      pds: [{ name: 'a', priority: 1, passive: false, budgetUs: 1, periodUs: 2, problems: [], children: [] }],
      regions: [{ name: 'm', size: 4096, problems: [] }],
      irqs: [],
      edges: [{ kind: 'memory', from: 'a', to: 'm', rights: 'r', problems: [] }],
      problems: [],
    };
    const formats: GraphFormat[] = ['dot', 'mermaid'];
    const [dot, mermaid] = await Promise.all(formats.map((f) => renderGraph(g, f)));
    expect(dot).toContain('"pd:a" -> "mr:m" [color="#7f7f7f", fontcolor="#555555", arrowsize=0.6, dir=back');
    expect(mermaid).toContain('n1 -->|"r"| n0');
  });
});

describe('sel4ts graph: runs in a browser', () => {
  it('src/graph/ imports none of Node’s modules (file access stays in src/cli/)', () => {
    const dir = join(ROOT, 'src', 'graph');
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/from '(node:|fs'|path')/);
  });
});
