import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { buildSystem } from '../src/compiler/build.js';
import { SLOT } from '../src/compiler/spec/build-spec.js';
import { renderText, PLAIN } from '../src/diagnostics/render.js';
import { policyLibraries } from '../src/cli/policy-option.js';
import { offendingPaths } from '../src/policy/evaluate.js';
import { subjectFromDescription, subjectFromSpec } from '../src/policy/subject.js';
import { ANY_PD_PROGRAMS, checked, runPolicy, systemXml } from './helpers/policy.js';
import { oracle } from './helpers/oracles.js';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';

/** The verdicts of every rule kind, the paths they report, and the policy file's own errors. */

const codes = (r: ReturnType<typeof runPolicy>) => r.diagnostics.map((d) => d.code);
const at = (r: ReturnType<typeof runPolicy>) => r.diagnostics.map((d) => `${d.code}@${d.file!.locate(d.span!.start).line}:${d.file!.locate(d.span!.start).column}`);
const pd = (name: string, prio: number, inner = '') => `<protection_domain name="${name}" priority="${prio}"><program_image />${inner}</protection_domain>`;
/** A one-way notification: `from` may notify `to`, not back. */
const oneWay = (from: string, to: string, id: number) => `<channel><end pd="${from}" id="${id}" /><end pd="${to}" id="${id}" notify="false" /></channel>`;

// a → b → c → d → e (one way), a shortcut a → x → y → z → w → e that is longer, and f alone.
const CHAIN = systemXml(
  [
    ...['a', 'b', 'c', 'd', 'e', 'f', 'x', 'y', 'z', 'w'].map((n, i) => pd(n, 100 + i)),
    oneWay('a', 'b', 1),
    oneWay('b', 'c', 2),
    oneWay('c', 'd', 3),
    oneWay('d', 'e', 4),
    oneWay('a', 'x', 5),
    oneWay('x', 'y', 6),
    oneWay('y', 'z', 7),
    oneWay('z', 'w', 8),
    oneWay('w', 'e', 9),
  ].join('\n'),
);
const chain = subjectFromDescription(checked(CHAIN));

describe('flow rules: no_flow, flow_only_via, isolate', () => {
  it('no_flow holds where no path exists (flows are one way)', () => {
    const r = runPolicy(chain, 'no_flow:\n  - { from: e, to: a }\n  - { from: f, to: a }\n  - { from: a, to: f }\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.verdicts[0]!.rules).toBe(3);
  });

  it('no_flow fails on a transitive path of 4 hops, the shortest one, each hop located in the system file', () => {
    const r = runPolicy(chain, 'no_flow:\n  - { from: a, to: e }\n');
    expect(at(r)).toEqual(['policy_no_flow_violated@2:5']);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe(
      "information flows from 'a' to 'e', which no_flow forbids: a → b (channel 1: notify, system.system:13) → c (channel 2: notify, system.system:14) → d (channel 3: notify, system.system:15) → e (channel 4: notify, system.system:16)",
    );
    expect(d.notes.map((n) => `${n.message} @${n.file!.name}:${n.file!.locate(n.span!.start).line}`)).toEqual([
      'a → b: channel 1: notify @system.system:13',
      'b → c: channel 2: notify @system.system:14',
      'c → d: channel 3: notify @system.system:15',
      'd → e: channel 4: notify @system.system:16',
    ]);
    expect(offendingPaths(r.verdicts[0]!)).toEqual([
      {
        code: 'policy_no_flow_violated',
        hops: [
          { from: 'a', to: 'b', kind: 'notify' },
          { from: 'b', to: 'c', kind: 'notify' },
          { from: 'c', to: 'd', kind: 'notify' },
          { from: 'd', to: 'e', kind: 'notify' },
        ],
      },
    ]);
  });

  it('flow_only_via holds when every path passes a via PD, and fails with a path that avoids them all', () => {
    expect(runPolicy(chain, 'flow_only_via:\n  - { from: a, to: e, via: [c, z] }\n').diagnostics).toEqual([]);
    const r = runPolicy(chain, 'flow_only_via:\n  - { from: a, to: e, via: [c] }\n');
    expect(codes(r)).toEqual(['policy_flow_only_via_violated']);
    expect(r.diagnostics[0]!.message).toMatch(/^information flows from 'a' to 'e' without passing through 'c': a → x .* → y .* → z .* → w .* → e /);
  });

  it('isolate holds between groups with no path, and fails each way that one exists', () => {
    expect(runPolicy(chain, 'isolate:\n  - [a, b]\n  - [f]\n').diagnostics).toEqual([]);
    const r = runPolicy(chain, 'isolate:\n  - [a, f]\n  - [e]\n  - [c]\n');
    // From group 1 to group 3 (c, 2 hops) and to group 2 (e, 4 hops), from group 3 to group 2; nothing flows out of e or back to a.
    expect(at(r)).toEqual(['policy_isolate_violated@2:5', 'policy_isolate_violated@2:5', 'policy_isolate_violated@4:5']);
    expect(r.diagnostics.map((d) => d.message.split(':')[0])).toEqual([
      "information flows from 'a' (group 1) to 'c' (group 3), which isolate forbids",
      "information flows from 'a' (group 1) to 'e' (group 2), which isolate forbids",
      "information flows from 'c' (group 3) to 'e' (group 2), which isolate forbids",
    ]);
  });

  it('cycles: paths through a cycle are found, and the search ends', () => {
    const s = subjectFromDescription(checked(systemXml([pd('p', 100), pd('q', 101), pd('r', 102), pd('s', 103), oneWay('p', 'q', 1), oneWay('q', 'r', 2), oneWay('r', 'p', 3)].join('\n'))));
    const r = runPolicy(s, 'no_flow:\n  - { from: r, to: q }\n  - { from: p, to: s }\n');
    expect(codes(r)).toEqual(['policy_no_flow_violated']);
    expect(r.diagnostics[0]!.message).toMatch(/r → p \(channel 3: notify.*\) → q \(channel 1: notify/);
  });

  it("children: a child reaches its sibling through the parent's fault endpoint and TCB caps", () => {
    const s = subjectFromDescription(checked(systemXml(pd('parent', 200, `${pd('kid1', 100).replace('priority', 'id="1" priority')}${pd('kid2', 101).replace('priority', 'id="2" priority')}`) + pd('other', 50))));
    expect(runPolicy(s, 'isolate:\n  - [parent, kid1, kid2]\n  - [other]\n').diagnostics).toEqual([]);
    const r = runPolicy(s, 'no_flow:\n  - { from: kid1, to: kid2 }\n');
    expect(r.diagnostics[0]!.message).toBe("information flows from 'kid1' to 'kid2', which no_flow forbids: kid1 → parent (fault endpoint of child 1, system.system:3) → kid2 (fault endpoint of child 2, system.system:3)");
    expect(offendingPaths(r.verdicts[0]!)[0]!.hops.map((h) => h.kind)).toEqual(['fault', 'fault']);
  });

  it('<cspace> caps: a cap_vspace of another PD is a flow both ways', () => {
    const s = subjectFromDescription(checked(systemXml(pd('holder', 100, '<cspace><cap_vspace pd="target" slot="5" /></cspace>') + pd('target', 101))));
    const r = runPolicy(s, 'no_flow:\n  - { from: target, to: holder }\n  - { from: holder, to: target }\n');
    expect(r.diagnostics.map((d) => d.message.split(': ').slice(1).join(': '))).toEqual([
      "target → holder (cap_vspace of 'target' in 'holder' <cspace> slot 5, system.system:3)",
      "holder → target (cap_vspace of 'target' in 'holder' <cspace> slot 5, system.system:3)",
    ]);
    expect(offendingPaths(r.verdicts[0]!).map((p) => p.hops)).toEqual([[{ from: 'target', to: 'holder', kind: 'vspace' }], [{ from: 'holder', to: 'target', kind: 'vspace' }]]);
  });
});

const MAPS = systemXml(
  [
    '<memory_region name="keys" size="0x1000" />',
    '<memory_region name="spare" size="0x1000" />',
    pd('crypto', 150, '<map mr="keys" vaddr="0x4000000" perms="r" />\n<map mr="keys" vaddr="0x5000000" perms="rw" />'),
    pd('net', 100, '<map mr="keys" vaddr="0x4000000" perms="r" /><irq irq="33" id="1" />'),
    pd('timer', 200, '<map mr="spare" vaddr="0x4000000" perms="r" /><irq irq="40" id="1" />'),
  ].join('\n'),
);
const maps = subjectFromDescription(checked(MAPS));

describe('regions, irqs and limits', () => {
  it('regions holds when only the listed PDs map the region, within their rights', () => {
    expect(runPolicy(maps, 'regions:\n  keys: { crypto: rw, net: r }\n  spare: { timer: r }\n').diagnostics).toEqual([]);
  });

  it('regions fails for a PD not listed, and for one whose maps (a region mapped twice: their union) exceed its rights', () => {
    const r = runPolicy(maps, 'regions:\n  keys:\n    crypto: r\n');
    expect(at(r)).toEqual(['policy_region_violated@3:5', 'policy_region_violated@2:3']);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["'crypto' maps region 'keys' rw, beyond the r the policy allows", "'net' maps region 'keys' (r), and only 'crypto' may"]);
    // Both of crypto's maps are shown, in the system file.
    expect(r.diagnostics[0]!.notes.map((n) => `${n.message} @${n.file!.locate(n.span!.start).line}`)).toEqual(["'crypto' maps 'keys' r @5", "'crypto' maps 'keys' rw @6"]);
    expect(offendingPaths(r.verdicts[0]!)[1]).toEqual({ code: 'policy_region_violated', hops: [{ from: 'net', to: 'keys', kind: 'map' }] });
  });

  it('irqs holds for the PD that receives the IRQ, and fails for another', () => {
    expect(runPolicy(maps, 'irqs:\n  33: net\n  40: timer\n').diagnostics).toEqual([]);
    const r = runPolicy(maps, 'irqs:\n  33: crypto\n');
    expect(at(r)).toEqual(['policy_irq_violated@2:3']);
    expect(r.diagnostics[0]!.message).toBe("IRQ 33 is delivered to 'net', and only 'crypto' may receive it");
    expect(r.diagnostics[0]!.notes[0]!.file!.locate(r.diagnostics[0]!.notes[0]!.span!.start).line).toBe(7);
  });

  it('limits hold within them, and fail per setting, for "*" and for one PD', () => {
    expect(runPolicy(maps, 'limits:\n  "*": { max_priority: 200, max_budget: 1000, passive: false }\n').diagnostics).toEqual([]);
    const r = runPolicy(maps, 'limits:\n  "*": { max_priority: 150 }\n  net: { max_budget: 999, passive: true }\n');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "'timer' has priority 200, above the max_priority 150 of limits '*'",
      "'net' has a budget of 1000 us, above the max_budget 999 of limits 'net'",
      "'net' is not passive, and limits 'net' says passive: true",
    ]);
    expect(at(r)).toEqual(['policy_limit_violated@2:10', 'policy_limit_violated@3:10', 'policy_limit_violated@3:27']);
  });
});

describe('the policy file', () => {
  it('names the system does not have are errors, with "did you mean"', () => {
    const r = runPolicy(maps, 'no_flow:\n  - { from: netx, to: crypto }\nregions:\n  key: { crypto: r }\nirqs:\n  34: timer\nlimits:\n  tmer: { max_priority: 1 }\n');
    expect(at(r)).toEqual(['policy_pd_unknown@2:13', 'policy_region_unknown@4:3', 'policy_irq_unknown@6:3', 'policy_pd_unknown@8:3']);
    expect(r.diagnostics.map((d) => d.hint)).toEqual(["did you mean 'net'?", "did you mean 'keys'?", 'did you mean 33?', "did you mean 'timer'?"]);
    expect(r.verdicts).toEqual([]);
  });

  it('schema violations are located, with "did you mean" for a misspelt key', () => {
    const r = runPolicy(maps, 'no_flows:\n  - { from: net, to: crypto }\nregions:\n  keys: { crypto: rwz }\nirqs:\n  uart: net\n');
    expect(at(r)).toEqual(['policy_schema_violation@1:1', 'policy_schema_violation@4:19', 'policy_schema_violation@6:3']);
    expect(r.diagnostics[0]!.hint).toBe("did you mean 'no_flow'?");
    expect(r.diagnostics.map((d) => d.message)).toEqual(["unknown key 'no_flows' in the top level", "'regions.keys.crypto' must be rights as a map's perms give them (r, rw, rx, rwx…)", "'uart' in 'irqs' is not an IRQ number"]);
  });

  it('JSON policies work the same, and their syntax errors are located', () => {
    expect(runPolicy(maps, '{ "irqs": { "33": "net" }, "no_flow": [{ "from": "timer", "to": "net" }] }', 'p.json').diagnostics).toEqual([]);
    const bad = runPolicy(maps, '{ "irqs": { "33": "net" }\n  "no_flow": [] }', 'p.json');
    expect(at(bad)).toEqual(['policy_syntax@2:3']);
    expect(at(runPolicy(maps, 'no_flow: [ { from: a\n', 'p.yaml'))[0]).toMatch(/^policy_syntax@/);
  });

  it('an empty policy holds, with no rules', () => {
    const r = runPolicy(maps, '# nothing yet\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.verdicts[0]!.rules).toBe(0);
  });
});

describe('build checks the policy on the Spec, not the description', () => {
  it('a flow only the Spec grants (a builder bug) is a violation, with its hop marked as not in the description', () => {
    const text = systemXml(pd('a', 100) + pd('b', 101));
    const built = buildSystem('system.system', text, { searchPaths: [ANY_PD_PROGRAMS] });
    if (!built.ok) throw new Error('does not build');
    const system = built.check.system!;
    expect(runPolicy(subjectFromSpec(built.spec, system), 'no_flow:\n  - { from: a, to: b }\n').diagnostics).toEqual([]);
    // Give a a notification cap to b's notification, as a faulty builder might.
    const objects = built.spec.objects;
    const cnodeA = objects.findIndex((o) => o.name === 'cnode_a');
    const ntfnB = objects.findIndex((o) => o.name === 'ntfn_b');
    const cnode = objects[cnodeA]!;
    if (cnode.kind !== 'cnode') throw new Error('no cnode');
    cnode.slots.push({ slot: SLOT.notification + 9, cap: { object: ntfnB, rights: { read: true, write: true, grant: false, grantReply: false }, badge: '0x1' } });
    expect(runPolicy(subjectFromDescription(system), 'no_flow:\n  - { from: a, to: b }\n').diagnostics).toEqual([]);
    const r = runPolicy(subjectFromSpec(built.spec, system), 'no_flow:\n  - { from: a, to: b }\n');
    expect(r.diagnostics.map((d) => d.message)).toEqual(["information flows from 'a' to 'b', which no_flow forbids: a → b (channel 9: notify, not in the description)"]);
    expect(renderText(r.diagnostics[0]!, PLAIN)).toContain('= note: a → b: channel 9: notify (not in the description)');
  });
});

async function sel4ts(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), colour: false, cwd: process.cwd() };
  return { code: await main(argv, io), out, err };
}

describe('sel4ts check/build --policy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-policy-'));
  const system = join(dir, 'maps.system');
  writeFileSync(system, MAPS.replaceAll('corpus-pd.elf', 'pd.elf'));
  writeFileSync(join(dir, 'pd.elf'), readFileSync(join(ANY_PD_PROGRAMS, 'corpus-pd.elf')));
  const holds = join(dir, 'holds.yaml');
  writeFileSync(holds, 'isolate:\n  - [timer]\n  - [crypto, net]\nirqs:\n  33: net\n');
  const fails = join(dir, 'fails.json');
  writeFileSync(fails, '{ "no_flow": [{ "from": "crypto", "to": "net" }] }\n');

  it('check exits 0 and says what was proved when every policy holds', async () => {
    const r = await sel4ts('check', system, '--policy', holds, '--policy', holds);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`${system}: ok (0 errors, 0 warnings)\n${holds}: 2 rules hold over 3 PDs, 1 flow\n${holds}: 2 rules hold over 3 PDs, 1 flow\n`);
  });

  it('check exits 1 on a violation, in every format', async () => {
    const text = await sel4ts('check', system, '--policy', holds, '--policy', fails);
    expect(text.code).toBe(1);
    expect(text.err).toContain(`${fails}:1:15: error[policy_no_flow_violated]: information flows from 'crypto' to 'net', which no_flow forbids: crypto → net (region 'keys', rw → r, ${system}:6)`);
    expect(text.err).toContain(`${system}: policy violated (1 error, 0 warnings)\n${holds}: 2 rules hold`);
    const json = await sel4ts('check', system, '--policy', fails, '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).diagnostics[0]).toMatchObject({ code: 'policy_no_flow_violated', file: fails, line: 1, column: 15, notes: [{ message: "crypto → net: region 'keys', rw → r", file: system, line: 6, column: 1 }] });
    const github = await sel4ts('check', system, '--policy', fails, '--format', 'github');
    expect(github.out).toMatch(new RegExp(`^::error file=${fails.replaceAll('/', '\\/')},line=1,col=15,endLine=1,endColumn=48,title=policy_no_flow_violated::information flows from 'crypto' to 'net'`));
  });

  it('a policy file that cannot be read is a usage error', async () => {
    const r = await sel4ts('check', system, '--policy', join(dir, 'none.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot read the policy '${join(dir, 'none.yaml')}': no such file`);
  });

  it('build checks the Spec: a holding policy goes into the report, a violated one stops the build', async () => {
    const img = join(dir, 'loader.img');
    const ok = await sel4ts('build', system, '--policy', holds, '-o', img, '-r', join(dir, 'report.txt'), '--report-json', join(dir, 'report.json'));
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, 'report.txt'), 'utf8')).toContain('## Policy\n\nholds.yaml: 2 rules hold over 3 PDs, 1 flow\n');
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).policy).toEqual([{ file: 'holds.yaml', rules: 2, pds: 3, flows: 1, summary: '2 rules hold over 3 PDs, 1 flow' }]);
    const bad = await sel4ts('build', system, '--policy', fails, '-o', join(dir, 'bad.img'), '-r', join(dir, 'bad.txt'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('error[policy_no_flow_violated]');
    expect(bad.err).toContain(`${system}: policy violated (1 error, 0 warnings)`);
  });
});

describe.skipIf(!oracle('../shared', HAVE_SHARED, 'policies of corpus systems'))('what real designs isolate (docs/policies.md)', () => {
  const corpus = (name: string) => {
    const file = join(SHARED_DIR, 'corpus', name);
    return subjectFromDescription(checked(readFileSync(file, 'utf8'), name));
  };
  const verdicts = (subject: ReturnType<typeof corpus>, policy: string) => {
    const r = runPolicy(subject, policy);
    return r.diagnostics.map((d) => `${d.file!.locate(d.span!.start).line}: ${d.message.replace(/, [^,()]+\.system:\d+\)/g, ')')}`);
  };

  it('sDDF echo server: the clients meet only at the virtualisers, the timer and bench; nothing isolates them', () => {
    const echo = corpus('au-ts__sddf__examples_echo_server_board_odroidc4_echo_server.system');
    const policy = `isolate:
  - [client0]
  - [client1]
flow_only_via:
  - { from: client0, to: client1, via: [serial_virt_tx, net_virt_tx, net_virt_rx, timer, bench] }
  - { from: client1, to: client0, via: [serial_virt_tx, net_virt_tx, net_virt_rx, timer, bench] }
  - { from: client0, to: client1, via: [serial_virt_tx, net_virt_tx, net_virt_rx, timer] }
  - { from: net_virt_rx, to: client1, via: [copy1] }
regions:
  net_rx_buffer_data_region: { net_virt_rx: r, copy0: r, copy1: r }
  net_rx_buffer_data_region_cli0: { copy0: rw, client0: rw }
irqs:
  40: eth
  42: timer
  225: uart
limits:
  timer: { passive: true }
`;
    expect(verdicts(echo, policy)).toEqual([
      "2: information flows from 'client0' (group 1) to 'client1' (group 2), which isolate forbids: client0 → serial_virt_tx (channel 0: notify) → client1 (channel 2: notify)",
      "3: information flows from 'client1' (group 2) to 'client0' (group 1), which isolate forbids: client1 → serial_virt_tx (channel 0: notify) → client0 (channel 1: notify)",
      "7: information flows from 'client0' to 'client1' without passing through 'serial_virt_tx' or 'net_virt_tx' or 'net_virt_rx' or 'timer': client0 → bench (channel 4: notify) → client1 (fault endpoint of child 7)",
      "8: information flows from 'net_virt_rx' to 'client1' without passing through 'copy1': net_virt_rx → bench (fault endpoint of child 2) → client1 (fault endpoint of child 7)",
    ]);
  });

  it('LionsOS firewall: the two networks meet only at the forwarders and bench, their parent', () => {
    const firewall = corpus('au-ts__lionsos__examples_firewall_firewall.system');
    const policy = `flow_only_via:
  - { from: eth0, to: eth1, via: [eth0_forwarder, eth1_forwarder, bench] }
  - { from: eth1, to: eth0, via: [eth0_forwarder, eth1_forwarder, bench] }
  - { from: eth0, to: eth1, via: [eth0_forwarder, eth1_forwarder] }
irqs:
  152: eth0
  167: eth1
`;
    expect(verdicts(firewall, policy)).toEqual(["4: information flows from 'eth0' to 'eth1' without passing through 'eth0_forwarder' or 'eth1_forwarder': eth0 → bench (fault endpoint of child 1) → eth1 (fault endpoint of child 2)"]);
  });
});

it('the policy libraries compile the published schema once', () => {
  expect(policyLibraries().validate).toBe(policyLibraries().validate);
});

describe('the bench policy (scripts/generate-policy.ts)', () => {
  it('has 100 rules, all naming what the generated 63-PD system has, and checks quickly enough to be worth timing', async () => {
    const { generateSystem } = await import('../scripts/generate-system.js');
    const { generatePolicy } = await import('../scripts/generate-policy.js');
    const s = subjectFromDescription(checked(generateSystem(63), 'generated.system'));
    const r = runPolicy(s, generatePolicy(63, 100));
    expect(r.verdicts[0]!.rules).toBe(100);
    expect(r.diagnostics.every((d) => d.code.endsWith('_violated'))).toBe(true);
    // Every PD reaches every other on that system, so every flow rule fails with a path.
    expect(r.verdicts[0]!.violations.length).toBe(94);
    expect(r.verdicts[0]!.flows).toBe(63 * 62);
  });
});
