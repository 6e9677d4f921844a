import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardKernelConfig, findBoard } from '../src/abi/boards.js';
import { buildSystem } from '../src/compiler/build.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { flowsFromDescription, flowsFromSpec } from '../src/policy/flows.js';
import { ANY_PD_PROGRAMS, flowLines, subjects, systemXml } from './helpers/policy.js';
import { oracle } from './helpers/oracles.js';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';

/**
 * The flow model of docs/policies.md, one test per row. Every row is checked on both
 * derivations: from the description (check) and from the Spec's caps and mappings (build).
 */
function flows(body: string): string[] {
  const s = subjects(systemXml(body));
  const fromDescription = flowLines(s.description.flows);
  expect(flowLines(s.spec.flows), 'the Spec gives the same flows as the description').toEqual(fromDescription);
  return fromDescription;
}

const PDS = (...names: string[]) => names.map((n, i) => `<protection_domain name="${n}" priority="${100 + i}"><program_image /></protection_domain>`).join('\n');

describe('the flow model (docs/policies.md)', () => {
  it('notify: a channel end notifies the other end unless notify="false"', () => {
    expect(flows(`${PDS('a', 'b')}<channel><end pd="a" id="1" /><end pd="b" id="2" notify="false" /></channel>`)).toEqual(['a → b notify (channel 1: notify)']);
    expect(flows(`${PDS('a', 'b')}<channel><end pd="a" id="1" /><end pd="b" id="2" /></channel>`)).toEqual(['a → b notify (channel 1: notify)', 'b → a notify (channel 2: notify)']);
  });

  it('ppc: pp on either end carries data both ways (the call and its reply)', () => {
    expect(flows(`${PDS('client', 'server')}<channel><end pd="client" id="3" pp="true" notify="false" /><end pd="server" id="7" notify="false" /></channel>`)).toEqual([
      'client → server ppc (channel 3: pp call)',
      'server → client ppc (channel 7: pp reply)',
    ]);
  });

  it('memory: a region writable in X and readable (r or x) in Y flows from X to Y only', () => {
    const regions = '<memory_region name="buf" size="0x1000" /><memory_region name="code" size="0x1000" />';
    const pd = (name: string, prio: number, maps: string) => `<protection_domain name="${name}" priority="${prio}"><program_image />${maps}</protection_domain>`;
    expect(
      flows(
        `${regions}${pd('w', 100, '<map mr="buf" vaddr="0x4000000" perms="rw" /><map mr="code" vaddr="0x4001000" perms="rw" />')}${pd('r', 101, '<map mr="buf" vaddr="0x4000000" perms="r" />')}${pd('x', 102, '<map mr="code" vaddr="0x4000000" perms="rx" />')}${pd('ro', 103, '<map mr="buf" vaddr="0x4000000" perms="r" />')}`,
      ),
    ).toEqual(["w → r memory (region 'buf', rw → r)", "w → ro memory (region 'buf', rw → r)", "w → x memory (region 'code', rw → rx)"]);
  });

  it('memory: a region mapped twice in one PD counts with the union of its rights', () => {
    const body = `<memory_region name="buf" size="0x1000" />
      <protection_domain name="a" priority="100"><program_image /><map mr="buf" vaddr="0x4000000" perms="r" /><map mr="buf" vaddr="0x5000000" perms="rw" /></protection_domain>
      <protection_domain name="b" priority="101"><program_image /><map mr="buf" vaddr="0x4000000" perms="r" /></protection_domain>`;
    expect(flows(body)).toEqual(["a → b memory (region 'buf', rw → r)"]);
  });

  it("children: fault messages and the parent's TCB cap carry data both ways", () => {
    const body = `<protection_domain name="parent" priority="200"><program_image /><protection_domain name="child" id="4" priority="100"><program_image /></protection_domain></protection_domain>`;
    expect(flows(body)).toEqual(['child → parent fault (fault endpoint of child 4)', 'child → parent tcb (TCB cap of child 4)', 'parent → child fault (fault endpoint of child 4)', 'parent → child tcb (TCB cap of child 4)']);
  });

  it('<cspace>: a cap_tcb, cap_sc or cap_vspace of another PD flows both ways; one of its own does not', () => {
    const body = `<protection_domain name="a" priority="100"><program_image /><cspace><cap_tcb pd="b" slot="1" /><cap_sc pd="c" slot="2" /><cap_vspace pd="d" slot="3" /><cap_sc pd="a" slot="4" /></cspace></protection_domain>${PDS('b', 'c', 'd')}`;
    expect(flows(body)).toEqual([
      "a → b tcb (cap_tcb of 'b' in 'a' <cspace> slot 1)",
      "a → c sc (cap_sc of 'c' in 'a' <cspace> slot 2)",
      "a → d vspace (cap_vspace of 'd' in 'a' <cspace> slot 3)",
      "b → a tcb (cap_tcb of 'b' in 'a' <cspace> slot 1)",
      "c → a sc (cap_sc of 'c' in 'a' <cspace> slot 2)",
      "d → a vspace (cap_vspace of 'd' in 'a' <cspace> slot 3)",
    ]);
  });

  it('the monitor is not a path: PDs whose faults and passive scheduling it handles share nothing', () => {
    expect(flows(`<protection_domain name="a" priority="100" passive="true"><program_image /></protection_domain>${PDS('b')}<protection_domain name="c" priority="50"><program_image /><irq irq="33" id="0" /></protection_domain>`)).toEqual([]);
  });
});

const CONFIG = boardKernelConfig(findBoard('qemu_virt_aarch64')!, 'debug')!;
const EXAMPLES = join(import.meta.dirname, '..', 'examples');

describe('both derivations give the same flows', () => {
  it('on every example', () => {
    const dirs = readdirSync(EXAMPLES, { withFileTypes: true })
      .filter((d) => d.isDirectory() && readdirSync(join(EXAMPLES, d.name)).some((f) => f.endsWith('.system')))
      .map((d) => d.name);
    expect(dirs.length).toBeGreaterThanOrEqual(11);
    let withFlows = 0;
    for (const dir of dirs) {
      const file = readdirSync(join(EXAMPLES, dir)).find((f) => f.endsWith('.system'))!;
      const text = readFileSync(join(EXAMPLES, dir, file), 'utf8');
      const built = buildSystem(file, text, { searchPaths: [join(EXAMPLES, dir)] });
      if (!built.ok) throw new Error(`${dir} does not build`);
      const described = flowsFromDescription(built.check.system!);
      expect(flowLines(flowsFromSpec(built.spec)), dir).toEqual(flowLines(described));
      if (described.length > 0) withFlows++;
    }
    expect(withFlows).toBeGreaterThanOrEqual(6);
  });

  it.skipIf(!oracle('../shared', HAVE_SHARED, 'policy flows of the corpus'))('on every corpus system that builds', { timeout: 240_000 }, () => {
    const corpus = join(SHARED_DIR, 'corpus');
    let compared = 0;
    let flowsSeen = 0;
    for (const f of readdirSync(corpus)
      .filter((x) => x.endsWith('.system'))
      .sort()) {
      const text = readFileSync(join(corpus, f), 'utf8');
      const check = checkSystemSource(f, text, { config: CONFIG });
      if (!check.ok || !check.system) continue;
      const programs = new Set(check.system.allProtectionDomains.map((pd) => pd.programImage?.path));
      // Every PD runs the same program: give each program name that one file.
      let renamed = text;
      for (const p of programs) if (p !== undefined) renamed = renamed.replaceAll(`path="${p}"`, 'path="corpus-pd.elf"');
      const built = buildSystem(f, renamed, { searchPaths: [ANY_PD_PROGRAMS, corpus] });
      if (!built.ok) continue;
      const described = flowLines(flowsFromDescription(built.check.system!));
      expect(flowLines(flowsFromSpec(built.spec)), f).toEqual(described);
      compared++;
      flowsSeen += described.length;
    }
    expect(compared).toBeGreaterThanOrEqual(60);
    expect(flowsSeen).toBeGreaterThan(1000);
  });
});

describe('src/policy/ runs in a browser', () => {
  it('imports no node: module, directly or through what it imports (yaml and ajv as types only)', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import (type )?[^'"]*from '([^']+)'/gm)) {
        const [, typeOnly, spec] = m as unknown as [string, string | undefined, string];
        if (spec.startsWith('.')) {
          if (!typeOnly) visit(join(file, '..', spec.replace(/\.js$/, '.ts')));
        } else if (!typeOnly) offending.push(`${file.slice(src.length + 1)}: ${spec}`);
      }
    };
    for (const f of readdirSync(join(src, 'policy'))) visit(join(src, 'policy', f));
    expect(offending).toEqual([]);
    expect(seen.size).toBeGreaterThan(5);
  });
});
