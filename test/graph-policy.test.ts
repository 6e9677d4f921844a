import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SystemGraph } from '../src/graph/model.js';
import { runCli } from './helpers/cli.js';

const ROOT = join(import.meta.dirname, '..');
const example = (name: string) => join(ROOT, 'examples', name, `${name}.system`);

const cli = runCli;

function policy(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sel4ts-graph-policy-')), 'policy.yaml');
  writeFileSync(file, yaml);
  return file;
}

const markedEdges = (json: string) => (JSON.parse(json) as SystemGraph).edges.filter((e) => e.marked).map((e) => ({ kind: e.kind, from: e.from, to: e.to, problems: e.problems }));

describe('sel4ts graph --policy: the offending paths marked', () => {
  it('bad-pd: the two hops of the no_flow path are marked, nothing else, and the violation is reported with exit 1', async () => {
    const r = await cli(['graph', example('bad-pd'), '--format', 'json', '--policy', join(ROOT, 'examples/policies/bad-pd-fails.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error[policy_no_flow_violated]');
    expect(markedEdges(r.out)).toEqual([
      { kind: 'notify', from: 'heartbeat', to: 'writer', problems: [] },
      { kind: 'notify', from: 'misuser', to: 'heartbeat', problems: [] },
    ]);
  });

  it('a policy that holds marks nothing and exits 0', async () => {
    const r = await cli(['graph', example('bad-pd'), '--format', 'json', '--policy', join(ROOT, 'examples/policies/bad-pd-holds.yaml')]);
    expect(r.code).toBe(0);
    expect(markedEdges(r.out)).toEqual([]);
  });

  it('a flow against the drawn direction (a reply along a PPC, a parent reaching its child) marks the drawn edge', async () => {
    const ppc = await cli(['graph', example('ppc'), '--format', 'json', '--policy', policy('no_flow:\n  - { from: server, to: client }\n')]);
    expect(ppc.code).toBe(1);
    expect(markedEdges(ppc.out)).toEqual([{ kind: 'ppc', from: 'client', to: 'server', problems: [] }]);
    const hierarchy = await cli(['graph', example('hierarchy'), '--format', 'json', '--policy', policy('no_flow:\n  - { from: parent, to: child }\n')]);
    expect(hierarchy.code).toBe(1);
    const marks = markedEdges(hierarchy.out);
    expect(marks.length).toBe(1);
    expect(marks[0]!.problems).toEqual([]);
  });

  it('the marks are drawn in dot (red, bold)', async () => {
    const r = await cli(['graph', example('bad-pd'), '--policy', join(ROOT, 'examples/policies/bad-pd-fails.yaml')]);
    const marked = r.out.split('\n').filter((l) => l.includes('penwidth=3'));
    expect(marked.map((l) => l.trim().split(' [')[0])).toEqual(['"pd:heartbeat" -> "pd:writer"', '"pd:misuser" -> "pd:heartbeat"']);
  });
});
