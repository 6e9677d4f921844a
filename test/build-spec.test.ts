// @ts-nocheck
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildErrors, buildSystem } from '../src/compiler/build.js';
import type { ProgramImage } from '../src/compiler/elf/program-image.js';
import { type BuildInputs, buildSpec, ObjectNameClash } from '../src/compiler/spec/build-spec.js';
import { specToCapdl } from '../src/compiler/spec/capdl.js';
import { objectTypeOf, retypeSizeArg, specObjectSizeBits } from '../src/compiler/spec/object-kinds.js';
import type { CapSpec, Spec, SpecObject } from '../src/compiler/spec/types.js';
import { ObjectType } from '../src/kernel/object-types.js';
import type { SystemDescription } from '../src/parser/model.js';
import { expectGolden } from './helpers/golden.js';
import { ANY_PD_PROGRAMS, checked, systemXml } from './helpers/policy.js';

/**
 * The Spec of a system, object by object and cap by cap, against the reference: the cap layout
 * the real Microkit 2.0.1 tool made for the same system (test/fixtures/spec/microkit-2.0.1), and
 * for what changed after 2.0.1 (the two-level CSpace, the rights, the address layout, the
 * monitor's CNode) ../shared/spec/microkit.md §1.5–1.11.
 *
 * Each test builds its Spec in `beforeEach`, not once per `describe`: mutation testing switches a
 * mutant on before each test, so a Spec built while the file loads would never see it.
 */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'spec', 'microkit-2.0.1');
const KERNEL: Spec['kernel'] = { hypervisor: true, hardwareDebugApi: true, debugBuild: true, paBits: 40 };

/** A program of the given segments (by default one page of code at 0x200000). */
function program(name: string, entry = 0x200000n, segments: ProgramImage['segments'] = [{ vaddr: 0x200000, data: new Uint8Array(0x1000), read: true, write: false, execute: true }], symbols: ProgramImage['symbols'] = []): ProgramImage {
  return { name, entry, segments, symbols, lines: undefined, linesError: undefined };
}

interface Options {
  programs?: Record<string, ProgramImage>;
  monitor?: ProgramImage;
  ram?: BuildInputs['ram'];
  edit?: (system: SystemDescription) => void;
}

/** buildSpec of `<system>body</system>`, checked as `sel4ts check` checks it. */
function specOf(body: string, o: Options = {}) {
  const system = checked(systemXml(body));
  o.edit?.(system);
  const programs = new Map(system.allProtectionDomains.map((pd) => [pd.name!, o.programs?.[pd.name!] ?? program(`${pd.name}.elf`)]));
  return buildSpec({ system, board: 'qemu_virt_aarch64', config: 'debug', kernel: KERNEL, programs, monitor: o.monitor ?? program('monitor.elf', 0x300000n), ram: o.ram ?? { base: 0x4000_0000, size: 0x8000_0000 }, usToTicks: (us) => us * 3 });
}

function view(spec: Spec) {
  const byName = new Map(spec.objects.map((o, i) => [o.name, i]));
  const obj = <K extends SpecObject['kind']>(name: string, kind: K): Extract<SpecObject, { kind: K }> => {
    const i = byName.get(name);
    if (i === undefined) throw new Error(`no object ${name}`);
    const o = spec.objects[i]!;
    if (o.kind !== kind) throw new Error(`${name} is a ${o.kind}`);
    return o as Extract<SpecObject, { kind: K }>;
  };
  const name = (i: number) => spec.objects[i]!.name;
  /** A cap as `object rights badge [guard/guardSize]`, rights as R, W, G (grant), P (grant reply). */
  const capText = (c: CapSpec) => {
    const r = `${c.rights.read ? 'R' : '-'}${c.rights.write ? 'W' : '-'}${c.rights.grant ? 'G' : '-'}${c.rights.grantReply ? 'P' : '-'}`;
    return `${name(c.object)} ${r} ${c.badge}${c.guardSize === undefined ? '' : ` guard ${c.guard}/${c.guardSize}`}`;
  };
  const slots = (cnode: string) => Object.fromEntries(obj(cnode, 'cnode').slots.map((s) => [s.slot, capText(s.cap)]));
  const names = (kind: SpecObject['kind']) => spec.objects.filter((o) => o.kind === kind).map((o) => o.name);
  return { byName, obj, name, capText, slots, names };
}

/** The CNode Mint invocations of a Microkit 2.0.1 report that put a cap into a PD's CNode. */
function reportMints(report: string): { pd: string; slot: number; object: string; badge: bigint }[] {
  const system = report.slice(report.indexOf('# System Kernel Invocations Detail'));
  const out: { pd: string; slot: number; object: string; badge: bigint }[] = [];
  const re = /CNode +- Mint +- 0x[0-9a-f]+ \(CNode: PD=(\w+)\)\n +dest_index +(\d+)\n.*\n.*\n +src_obj \(cap\) +0x[0-9a-f]+ \(([^)]*)\)\n.*\n.*\n +badge +(\d+)\n( +REPEAT)?/g;
  for (const m of system.matchAll(re)) {
    // A repeated Mint (count = number of PDs) puts the same kind of cap, the PD's own, into
    // every PD's CNode at the same slot; its badge increments are meaningless for those caps.
    out.push({ pd: m[1]!, slot: Number(m[2]), object: m[3]!, badge: m[5] ? 0n : BigInt(m[4]!) });
  }
  return out;
}

/** The sel4ts name of an object as a 2.0.1 report names it. */
function sel4tsName(reportName: string, pd: string): string {
  const [kind, rest] = reportName.split(': ');
  const owner = rest!.replace(/^PD=/, '');
  switch (kind) {
    case 'EP':
      return owner === 'Monitor Fault' ? 'ep_fault_monitor' : `ep_${owner}`;
    case 'Notification':
      return `ntfn_${owner}`;
    case 'Reply':
      return `reply_${owner}`;
    case 'VSpace':
      return `vspace_${owner}`;
    case 'TCB':
      return `tcb_${owner}`;
    case 'IRQ Handler':
      return `irq_${owner.replace('irq=', '')}_${pd}`;
    default:
      throw new Error(`unexpected object in the report: ${reportName}`);
  }
}

describe('the Spec of a system that the real Microkit 2.0.1 tool built', () => {
  const text = readFileSync(join(FIXTURES, 'mixed.system'), 'utf8').replaceAll('pd.elf', 'corpus-pd.elf');
  const report = readFileSync(join(FIXTURES, 'mixed.report.txt'), 'utf8');
  let built!: Extract<ReturnType<typeof buildSystem>, { ok: true }>;
  let v!: ReturnType<typeof view>;
  beforeEach(() => {
    const b = buildSystem('mixed.system', text, { searchPaths: [ANY_PD_PROGRAMS] });
    if (!b.ok) throw new Error(buildErrors(b).join('\n'));
    built = b;
    v = view(b.spec);
  });

  it('puts every cap the reference puts into a PD CNode at the same slot, with the same badge', () => {
    const mints = reportMints(report);
    expect(mints.length).toBe(14);
    for (const m of mints) {
      const cap = built.spec.objects[v.byName.get(`cnode_${m.pd}`)!]!;
      if (cap.kind !== 'cnode') throw new Error('not a cnode');
      const slot = cap.slots.find((s) => s.slot === m.slot);
      expect(slot && v.name(slot.cap.object), `${m.pd} slot ${m.slot}`).toBe(sel4tsName(m.object, m.pd));
      if (!m.object.startsWith('EP') && !m.object.startsWith('Notification')) continue;
      // The real tool mints its PD's own input cap into every CNode with badge 0 (repeated).
      expect(BigInt(slot!.cap.badge), `${m.pd} slot ${m.slot} badge`).toBe(m.badge);
    }
  });

  it('makes an endpoint for exactly the PDs the reference makes one for', () => {
    const reference = [...report.matchAll(/^ {4}EP: PD=(\w+)/gm)].map((m) => `ep_${m[1]}`);
    expect(reference).toEqual(['ep_server', 'ep_parent']);
    expect(v.names('endpoint').sort()).toEqual([...reference, 'ep_fault_monitor'].sort());
  });

  it('gives each scheduling context the badge, budget and period the reference configures', () => {
    const reference = [...report.matchAll(/\(SchedContext: PD=(\w+)\)\n +budget +(\d+)\n +period +(\d+)\n.*\n +badge +(\d+)/g)].map((m) => `sched_context_${m[1]} ${m[2]} ${m[3]} 0x${BigInt(m[4]!).toString(16)}`);
    expect(reference.length).toBe(4);
    const ours = v
      .names('sched_context')
      .filter((n) => n !== 'sched_context_monitor')
      .map((n) => {
        const sc = v.obj(n, 'sched_context');
        return `${n} ${sc.budgetUs} ${sc.periodUs} ${sc.badge}`;
      });
    expect(ours.sort()).toEqual(reference.sort());
  });

  it('gives each TCB the priority and fault endpoint the reference gives it', () => {
    const priorities = [...report.matchAll(/SetSchedParams +- 0x[0-9a-f]+ \(TCB: PD=(\w+)\)\n.*\n +mcp +(\d+)\n +priority +(\d+)/g)].map((m) => `tcb_${m[1]} ${m[2]} ${m[3]}`);
    expect(priorities.length).toBe(4);
    expect(priorities.map((p) => p.split(' ')[0]!).map((t) => `${t} ${v.obj(t, 'tcb').tcb.mcp} ${v.obj(t, 'tcb').tcb.priority}`)).toEqual(priorities);
    // The reference mints the fault endpoint caps into its own CNode, in PD-index order:
    // badge index + 1 on the monitor's endpoint, FAULT_BADGE | id on a parent's.
    const faultCaps = [...report.matchAll(/\(CNode: system\)\n +dest_index.*\n.*\n.*\n +src_obj \(cap\) +0x[0-9a-f]+ \(EP: (Monitor Fault|PD=\w+)\)\n.*\n.*\n +badge +(\d+)/g)].map(
      (m) => `${m[1] === 'Monitor Fault' ? 'ep_fault_monitor' : `ep_${m[1]!.slice(3)}`} 0x${BigInt(m[2]!).toString(16)}`,
    );
    const tcbFault = (pd: string) => {
      const f = v.obj(`tcb_${pd}`, 'tcb').tcb.faultEndpoint!;
      return `${v.name(f.object)} ${f.badge}`;
    };
    expect(faultCaps).toEqual(['server', 'client', 'parent', 'kid'].map(tcbFault));
    expect(faultCaps).toEqual(['ep_fault_monitor 0x1', 'ep_fault_monitor 0x2', 'ep_fault_monitor 0x3', 'ep_parent 0x4000000000000003']);
  });

  it('makes the page tables the reference makes below the stack (one level-2 table per GiB, one level-3 table per 2 MiB of small pages)', () => {
    // 2.0.1 put the IPC buffer after the program; the stack's tables are the same.
    const reference = [...report.matchAll(/^ {4}PageTable: PD=(\w+) VADDR=(0x[0-9a-f]+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    const ours = v.names('page_table').map((n) => {
      const pt = v.obj(n, 'page_table');
      return `${v.name(pt.vspace).slice('vspace_'.length)} 0x${pt.vaddr.toString(16)}`;
    });
    expect(ours.filter((t) => !t.startsWith('monitor')).sort()).toEqual(reference.sort());
  });

  it('sizes objects as the reference allocates them (the addresses of consecutive objects of a kind)', () => {
    const sizes = new Map<string, number>();
    const objects = [...report.matchAll(/^ {4}(TCB|SchedContext|Reply|EP|Notification|VSpace|PageTable|CNode|Page\(4 KiB\)|Page\(2 MiB\)).*phys_addr=([0-9a-f]+)$/gm)];
    for (let i = 1; i < objects.length; i++) {
      const [a, b] = [objects[i - 1]!, objects[i]!];
      const bits = Math.log2(Number.parseInt(b[2]!, 16) - Number.parseInt(a[2]!, 16));
      // (The smallest step: a fixed-address frame or an alignment gap makes a larger one.)
      if (a[1] === b[1] && bits < (sizes.get(a[1]!) ?? 64)) sizes.set(a[1]!, bits);
    }
    // The 2.0.1 SDK's debug kernel has CONFIG_HARDWARE_DEBUG_API off, so its TCBs are 2^11
    // bytes; 2.3's (the one sel4ts models) has it on, and they are 2^12 (its gen_config.json).
    const kernel201 = { ...built.spec.kernel, hardwareDebugApi: false };
    const ours = (name: string, kernel = kernel201) => specObjectSizeBits(built.spec.objects[v.byName.get(name)!]!, kernel);
    expect({
      TCB: ours('tcb_server'),
      SchedContext: ours('sched_context_server'),
      Reply: ours('reply_server'),
      EP: ours('ep_server'),
      Notification: ours('ntfn_server'),
      VSpace: ours('vspace_server'),
      PageTable: ours('pt_server_l3_0x200000'),
      CNode: ours('cnode_server'),
      'Page(4 KiB)': ours('frame_mr_shared_000000000'),
    }).toEqual(Object.fromEntries([...sizes].filter(([k]) => k !== 'Page(2 MiB)')));
    expect(ours('frame_mr_big_000000000')).toBe(21);
    expect(ours('irq_33_server')).toBe(0);
    expect([ours('tcb_server', built.spec.kernel), built.spec.kernel.hardwareDebugApi]).toEqual([12, true]);
  });
});

const MIXED = `
  <memory_region name="shared" size="0x2000" />
  <protection_domain name="server" priority="200" passive="true">
    <program_image />
    <irq irq="33" id="5" />
  </protection_domain>
  <protection_domain name="client" priority="100" budget="500" period="2000" fpu="false">
    <program_image />
    <map mr="shared" vaddr="0x4000000" perms="r" />
    <cspace>
      <cap_tcb slot="1" pd="server" />
      <cap_sc slot="2" pd="server" />
      <cap_vspace slot="63" pd="client" />
    </cspace>
  </protection_domain>
  <protection_domain name="parent" priority="150">
    <program_image />
    <protection_domain name="kid" priority="140" id="3">
      <program_image />
    </protection_domain>
  </protection_domain>
  <channel><end pd="server" id="1" /><end pd="client" id="2" pp="true" /></channel>
  <channel><end pd="client" id="7" /><end pd="parent" id="4" notify="false" /></channel>`;

describe('the CSpace of a PD (microkit.md §1.6, §1.8)', () => {
  let v!: ReturnType<typeof view>;
  beforeEach(() => {
    v = view(specOf(MIXED).spec);
  });

  it('fills the Microkit CNode slot by slot, with the rights and badges of the current Microkit', () => {
    expect(v.slots('cnode_server')).toEqual({
      1: 'ep_server RWG- 0x0',
      2: 'ep_fault_monitor RWG- 0x1',
      3: 'vspace_server RWGP 0x0',
      4: 'reply_server RWGP 0x0',
      5: 'ep_fault_monitor RWG- 0x1',
      11: 'ntfn_client RW-- 0x4',
      143: 'irq_33_server RWGP 0x0',
    });
    expect(v.slots('cnode_client')).toEqual({
      1: 'ntfn_client RW-- 0x0',
      2: 'ep_fault_monitor RWG- 0x2',
      3: 'vspace_client RWGP 0x0',
      4: 'reply_client RWGP 0x0',
      12: 'ntfn_server RW-- 0x2',
      17: 'ntfn_parent RW-- 0x10',
      76: 'ep_server RWG- 0x8000000000000001',
    });
    // parent's end has notify="false": client may notify parent (slot 10 + 7), not parent client.
    expect(v.slots('cnode_parent')).toEqual({
      1: 'ep_parent RWG- 0x0',
      2: 'ep_fault_monitor RWG- 0x3',
      3: 'vspace_parent RWGP 0x0',
      4: 'reply_parent RWGP 0x0',
      205: 'tcb_kid RWGP 0x0',
    });
    expect(v.slots('cnode_kid')).toEqual({
      1: 'ntfn_kid RW-- 0x0',
      2: 'ep_parent RWG- 0x4000000000000003',
      3: 'vspace_kid RWGP 0x0',
      4: 'reply_kid RWGP 0x0',
    });
    expect(v.obj('cnode_server', 'cnode').radix).toBe(9);
  });

  it('makes a 64-slot root CNode: slot 0 the Microkit CNode with guard size 49, <cspace> caps at their slots', () => {
    expect(v.obj('cnode_client_root', 'cnode').radix).toBe(6);
    expect(v.slots('cnode_client_root')).toEqual({
      0: 'cnode_client RWGP 0x0 guard 0/49',
      1: 'tcb_server RWGP 0x0',
      2: 'sched_context_server RWGP 0x0',
      63: 'vspace_client RWGP 0x0',
    });
    expect(v.slots('cnode_server_root')).toEqual({ 0: 'cnode_server RWGP 0x0 guard 0/49' });
    expect(v.capText(v.obj('tcb_client', 'tcb').tcb.cspace)).toBe('cnode_client_root RWGP 0x0 guard 0/0');
    // Only CNode caps carry a guard (the Spec's JSON has no guard key on any other cap).
    expect(Object.keys(v.obj('cnode_client_root', 'cnode').slots[1]!.cap)).toEqual(['object', 'rights', 'badge']);
  });

  it('binds the IRQ to the PD notification with badge 1 << id', () => {
    const irq = v.obj('irq_33_server', 'irq');
    expect([irq.irq, irq.trigger, v.capText(irq.notification)]).toEqual([33, 'level', 'ntfn_server RW-- 0x20']);
  });

  it('gives an endpoint to a PD with a virtual machine', () => {
    const system = `<protection_domain name="vmm" priority="100"><program_image />
      <virtual_machine name="guest"><vcpu id="0" /></virtual_machine></protection_domain>`;
    const w = view(specOf(system).spec);
    expect(w.names('endpoint').sort()).toEqual(['ep_fault_monitor', 'ep_vmm']);
    expect(w.slots('cnode_vmm')[1]).toBe('ep_vmm RWG- 0x0');
  });
});

describe('the TCBs, scheduling contexts and PDs', () => {
  let spec!: Spec;
  let v!: ReturnType<typeof view>;
  beforeEach(() => {
    spec = specOf(MIXED, { programs: { client: program('client.elf', 0x200040n) } }).spec;
    v = view(spec);
  });

  it('sets up each PD thread (microkit.md §1.5, §1.7)', () => {
    const t = v.obj('tcb_client', 'tcb').tcb;
    expect({
      ...t,
      cspace: undefined,
      faultEndpoint: v.capText(t.faultEndpoint!),
      vspace: v.name(t.vspace),
      ipcBuffer: { ...t.ipcBuffer, frame: v.name(t.ipcBuffer.frame) },
      schedContext: v.name(t.schedContext!),
      boundNotification: v.name(t.boundNotification!),
    }).toEqual({
      pd: 'client',
      cspace: undefined,
      vspace: 'vspace_client',
      ipcBuffer: { frame: 'frame_ipcbuf_client', vaddr: 0xff_ffff_f000 },
      faultEndpoint: 'ep_fault_monitor RWG- 0x2',
      schedContext: 'sched_context_client',
      boundNotification: 'ntfn_client',
      priority: 100,
      mcp: 100,
      ip: '0x200040',
      sp: '0xffffffe000',
      resume: true,
      fpu: false,
      domain: 0,
      affinity: 0,
    });
    expect(v.obj('tcb_server', 'tcb').tcb.fpu).toBe(true);
    expect(v.obj('sched_context_client', 'sched_context')).toEqual({ kind: 'sched_context', name: 'sched_context_client', sizeBits: 8, budgetUs: 500, periodUs: 2000, badge: '0x101', extraRefills: 0 });
  });

  it('sets up the monitor: its CNode, thread and scheduling context (microkit.md §1.5, §1.6)', () => {
    expect(v.obj('cnode_monitor', 'cnode').radix).toBe(9);
    expect(v.slots('cnode_monitor')).toEqual({
      1: 'ep_fault_monitor RWG- 0x0',
      2: 'reply_monitor RWGP 0x0',
      10: 'tcb_server RWGP 0x0',
      11: 'tcb_client RWGP 0x0',
      12: 'tcb_parent RWGP 0x0',
      13: 'tcb_kid RWGP 0x0',
      138: 'sched_context_server RWGP 0x0',
      202: 'ntfn_server RW-- 0x0',
    });
    const t = v.obj('tcb_monitor', 'tcb').tcb;
    expect({ ...t, cspace: v.capText(t.cspace), vspace: v.name(t.vspace), ipcBuffer: { ...t.ipcBuffer, frame: v.name(t.ipcBuffer.frame) }, schedContext: v.name(t.schedContext!) }).toEqual({
      pd: 'monitor',
      cspace: 'cnode_monitor RWGP 0x0 guard 0/55',
      vspace: 'vspace_monitor',
      ipcBuffer: { frame: 'frame_ipcbuf_monitor', vaddr: 0xff_ffff_f000 },
      faultEndpoint: undefined,
      schedContext: 'sched_context_monitor',
      boundNotification: undefined,
      priority: 255,
      mcp: 255,
      ip: '0x300000',
      sp: '0xffffffe000',
      resume: true,
      fpu: true,
      domain: 0,
      affinity: 0,
    });
    expect(v.obj('sched_context_monitor', 'sched_context')).toEqual({ kind: 'sched_context', name: 'sched_context_monitor', sizeBits: 8, budgetUs: 1000, periodUs: 1000, badge: '0x104', extraRefills: 0 });
    expect(v.names('reply').sort()).toEqual(['reply_client', 'reply_kid', 'reply_monitor', 'reply_parent', 'reply_server']);
    expect(v.names('notification').sort()).toEqual(['ntfn_client', 'ntfn_kid', 'ntfn_parent', 'ntfn_server']);
  });

  it('gives the monitor the context and notification of a passive PD at 138 and 202 + its index', () => {
    const w = view(specOf('<protection_domain name="a" priority="2"><program_image /></protection_domain><protection_domain name="b" priority="1" passive="true"><program_image /></protection_domain>').spec);
    expect(w.slots('cnode_monitor')).toEqual({
      1: 'ep_fault_monitor RWG- 0x0',
      2: 'reply_monitor RWGP 0x0',
      10: 'tcb_a RWGP 0x0',
      11: 'tcb_b RWGP 0x0',
      139: 'sched_context_b RWGP 0x0',
      203: 'ntfn_b RW-- 0x0',
    });
    expect(w.slots('cnode_b')[5]).toBe('ep_fault_monitor RWG- 0x2');
  });

  it('lists the PDs in index order, then the monitor', () => {
    expect(spec.pds.map((p) => ({ ...p, tcb: v.name(p.tcb) }))).toEqual([
      { name: 'server', index: 0, program: 'server.elf', priority: 200, budgetUs: 1000, periodUs: 1000, passive: true, parent: undefined, childId: undefined, stackBottom: 0xff_ffff_c000, tcb: 'tcb_server' },
      { name: 'client', index: 1, program: 'client.elf', priority: 100, budgetUs: 500, periodUs: 2000, passive: false, parent: undefined, childId: undefined, stackBottom: 0xff_ffff_c000, tcb: 'tcb_client' },
      { name: 'parent', index: 2, program: 'parent.elf', priority: 150, budgetUs: 1000, periodUs: 1000, passive: false, parent: undefined, childId: undefined, stackBottom: 0xff_ffff_c000, tcb: 'tcb_parent' },
      { name: 'kid', index: 3, program: 'kid.elf', priority: 140, budgetUs: 1000, periodUs: 1000, passive: false, parent: 'parent', childId: 3, stackBottom: 0xff_ffff_c000, tcb: 'tcb_kid' },
      { name: 'monitor', index: 4, program: 'monitor.elf', priority: 255, budgetUs: 1000, periodUs: 1000, passive: false, parent: undefined, childId: undefined, stackBottom: 0xff_ffff_d000, tcb: 'tcb_monitor' },
    ]);
    expect([spec.version, spec.board, spec.config, spec.kernel]).toEqual([2, 'qemu_virt_aarch64', 'debug', KERNEL]);
  });
});

describe('address spaces (microkit.md §1.5, §1.7)', () => {
  const code = Uint8Array.from({ length: 0x1200 }, (_, i) => i & 0xff);
  const data = Uint8Array.from({ length: 0x10 }, (_, i) => 0xa0 + i);
  const segments = [
    { vaddr: 0x200100, data: code, read: true, write: false, execute: true },
    { vaddr: 0x203ff8, data, read: true, write: true, execute: false },
  ];
  const body = `
    <memory_region name="dev" size="0x1000" phys_addr="0x9000000" />
    <memory_region name="big" size="0x200000" page_size="0x200000" />
    <memory_region name="ram" size="0x3000" />
    <protection_domain name="p" priority="1" stack_size="0x3000"><program_image />
      <map mr="dev" vaddr="0x5000000" perms="rw" cached="false" />
      <map mr="big" vaddr="0x40000000" perms="rx" />
      <map mr="ram" vaddr="0x4000000" perms="rw" />
    </protection_domain>`;
  const prefill = Uint8Array.from({ length: 0x1800 }, (_, i) => (i * 7) & 0xff);
  let spec!: Spec;
  let contents!: ReturnType<typeof buildSpec>['contents'];
  let v!: ReturnType<typeof view>;
  beforeEach(() => {
    ({ spec, contents } = specOf(body, { programs: { p: program('p.elf', 0x200100n, segments) }, edit: (s) => (s.memoryRegions.find((m) => m.name === 'ram')!.prefillBytes = prefill) }));
    v = view(spec);
  });
  const mappings = () => v.obj('vspace_p', 'vspace').mappings.map((m) => `0x${m.vaddr.toString(16)} ${v.name(m.frame)} ${m.read ? 'r' : '-'}${m.write ? 'w' : '-'}${m.execute ? 'x' : '-'}${m.cached ? '' : ' uncached'}`);

  it('maps ELF pages, region pages, the stack below a guard page and the IPC buffer at the top, in address order', () => {
    expect(mappings()).toEqual([
      '0x200000 frame_elf_p_000000000 r-x',
      '0x201000 frame_elf_p_000000001 r-x',
      '0x203000 frame_elf_p_000000002 rw-',
      '0x204000 frame_elf_p_000000003 rw-',
      '0x4000000 frame_mr_ram_000000000 rw-',
      '0x4001000 frame_mr_ram_000000001 rw-',
      '0x4002000 frame_mr_ram_000000002 rw-',
      '0x5000000 frame_mr_dev_000000000 rw- uncached',
      '0x40000000 frame_mr_big_000000000 r-x',
      '0xffffffb000 frame_p_stack_000000000 rw-',
      '0xffffffc000 frame_p_stack_000000001 rw-',
      '0xffffffd000 frame_p_stack_000000002 rw-',
      '0xfffffff000 frame_ipcbuf_p rw-',
    ]);
    expect(spec.pds[0]!.stackBottom).toBe(0xff_ffff_b000);
  });

  it('fills ELF frames from the segments and region frames from the prefill, page by page', () => {
    const fill = (name: string) => (contents.get(v.byName.get(name)!) ?? []).map((p) => ({ offset: p.offset, bytes: [...p.bytes] }));
    expect(fill('frame_elf_p_000000000')).toEqual([{ offset: 0x100, bytes: [...code.subarray(0, 0xf00)] }]);
    expect(fill('frame_elf_p_000000001')).toEqual([{ offset: 0, bytes: [...code.subarray(0xf00)] }]);
    expect(fill('frame_elf_p_000000002')).toEqual([{ offset: 0xff8, bytes: [...data.subarray(0, 8)] }]);
    expect(fill('frame_elf_p_000000003')).toEqual([{ offset: 0, bytes: [...data.subarray(8)] }]);
    expect(fill('frame_mr_ram_000000000')).toEqual([{ offset: 0, bytes: [...prefill.subarray(0, 0x1000)] }]);
    expect(fill('frame_mr_ram_000000001')).toEqual([{ offset: 0, bytes: [...prefill.subarray(0x1000)] }]);
    expect(fill('frame_mr_ram_000000002')).toEqual([]);
    expect(fill('frame_p_stack_000000000')).toEqual([]);
    expect([...contents.keys()].sort((a, b) => a - b)).toEqual(
      ['frame_elf_monitor_000000000', 'frame_elf_p_000000000', 'frame_elf_p_000000001', 'frame_elf_p_000000002', 'frame_elf_p_000000003', 'frame_mr_ram_000000000', 'frame_mr_ram_000000001'].map((n) => v.byName.get(n)!).sort((a, b) => a - b),
    );
  });

  it('makes a frame per page of a region: its size, its physical address, device memory outside RAM', () => {
    const frame = (n: string) => {
      const f = v.obj(n, 'frame');
      return { holds: f.holds, sizeBits: f.sizeBits, paddr: f.paddr, device: f.device, fill: f.fill };
    };
    expect(frame('frame_mr_dev_000000000')).toEqual({ holds: 'region dev', sizeBits: 12, paddr: 0x900_0000, device: true, fill: [] });
    expect(frame('frame_mr_big_000000000')).toEqual({ holds: 'region big', sizeBits: 21, paddr: undefined, device: false, fill: [] });
    expect(frame('frame_mr_ram_000000002')).toEqual({ holds: 'region ram', sizeBits: 12, paddr: undefined, device: false, fill: [] });
    expect(frame('frame_elf_p_000000000')).toEqual({ holds: 'program', sizeBits: 12, paddr: undefined, device: false, fill: [] });
    expect(frame('frame_p_stack_000000000')).toEqual({ holds: 'stack', sizeBits: 12, paddr: undefined, device: false, fill: [] });
    expect(frame('frame_ipcbuf_p')).toEqual({ holds: 'IPC buffer', sizeBits: 12, paddr: undefined, device: false, fill: [] });
    // RAM's first page is RAM, the page after its last is not.
    const edge = specOf(`<memory_region name="e" size="0x4000" phys_addr="0x4ffff000" /><protection_domain name="p" priority="1"><program_image /><map mr="e" vaddr="0x4000000" perms="r" /></protection_domain>`, {
      ram: { base: 0x5000_0000, size: 0x2000 },
    });
    const e = view(edge.spec);
    expect(
      [0, 1, 2, 3].map((n) => {
        const f = e.obj(`frame_mr_e_00000000${n}`, 'frame');
        return [f.paddr, f.device];
      }),
    ).toEqual([
      [0x4fff_f000, true],
      [0x5000_0000, false],
      [0x5000_1000, false],
      [0x5000_2000, true],
    ]);
  });

  it('makes a level-2 table per GiB and a level-3 table per 2 MiB of small pages, none for a 2 MiB page', () => {
    const tables = v
      .names('page_table')
      .filter((n) => n.startsWith('pt_p_'))
      .map((n) => {
        const t = v.obj(n, 'page_table');
        return `${n} level ${t.level} at 0x${t.vaddr.toString(16)} in ${v.name(t.vspace)}`;
      });
    expect(tables.sort()).toEqual([
      'pt_p_l2_0x0 level 2 at 0x0 in vspace_p',
      'pt_p_l2_0x40000000 level 2 at 0x40000000 in vspace_p',
      'pt_p_l2_0xffc0000000 level 2 at 0xffc0000000 in vspace_p',
      'pt_p_l3_0x200000 level 3 at 0x200000 in vspace_p',
      'pt_p_l3_0x4000000 level 3 at 0x4000000 in vspace_p',
      'pt_p_l3_0x5000000 level 3 at 0x5000000 in vspace_p',
      'pt_p_l3_0xffffe00000 level 3 at 0xffffe00000 in vspace_p',
    ]);
    expect(
      v
        .names('page_table')
        .filter((n) => n.startsWith('pt_monitor_'))
        .sort(),
    ).toEqual(['pt_monitor_l2_0x0', 'pt_monitor_l2_0xffc0000000', 'pt_monitor_l3_0x200000', 'pt_monitor_l3_0xffffe00000']);
  });

  it('orders objects as Microkit does: fixed physical address first (ascending), then by size (descending), then by name (§1.11)', () => {
    const fixed = specOf(
      `<memory_region name="hi" size="0x1000" phys_addr="0x9002000" /><memory_region name="lo" size="0x2000" phys_addr="0x8ff0000" />${body.replace('name="p"', 'name="q"').replace('<map mr="big"', '<map mr="hi" vaddr="0x6000000" perms="r" /><map mr="lo" vaddr="0x7000000" perms="r" /><map mr="big"')}`,
    );
    const objects = fixed.spec.objects;
    expect(objects.slice(0, 4).map((o) => o.name)).toEqual(['frame_mr_lo_000000000', 'frame_mr_lo_000000001', 'frame_mr_dev_000000000', 'frame_mr_hi_000000000']);
    // The rest: sizes never grow, and names grow within a size.
    const rest = objects.slice(4).map((o) => ({ name: o.name, size: specObjectSizeBits(o, KERNEL) }));
    expect(rest.map((o) => o.name)).toEqual([...rest].sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : 1)).map((o) => o.name));
    expect(rest[0]!.name).toBe('frame_mr_big_000000000');
    expect(rest.filter((o) => o.size === 14).map((o) => o.name)).toEqual(['cnode_monitor', 'cnode_q']);
  });
});

describe('symbols, source lines and domains', () => {
  it('keeps the function symbols of each program with a name and a size, by address', () => {
    const sym = (name: string, value: number, size: number, type = 2) => ({ name, value: BigInt(value), size: BigInt(size), type, bind: 1, section: 1 });
    const lines = { files: ['a.c'], rows: [] } as unknown as ProgramImage['lines'];
    const p = { ...program('p.elf'), symbols: [sym('zeta', 0x200000, 4), sym('alpha', 0x200000, 8), sym('early', 0x100, 4), sym('object', 0x300, 4, 1), sym('', 0x400, 4), sym('empty', 0x500, 0)], lines };
    const { spec } = specOf('<protection_domain name="p" priority="1"><program_image /></protection_domain>', { programs: { p }, monitor: { ...program('monitor.elf'), symbols: [sym('main', 0x1000, 0x10)] } });
    expect(spec.symbols).toEqual({
      p: [
        { name: 'early', value: 0x100, size: 4 },
        { name: 'alpha', value: 0x200000, size: 8 },
        { name: 'zeta', value: 0x200000, size: 4 },
      ],
      monitor: [{ name: 'main', value: 0x1000, size: 0x10 }],
    });
    expect(spec.lines).toEqual({ p: lines });
  });

  it('gives each thread its domain and the schedule in ticks, microseconds converted', () => {
    const { spec } = specOf(`
      <domains>
        <domain name="d1" id="1" />
        <domain name="d0" />
        <domain name="d3" id="3" />
        <domain_schedule>
          <schedule_entry domain="d3" duration="100 us" />
          <schedule_entry domain="d1" duration="7 ticks" />
          <schedule_end_marker />
          <schedule_entry domain="d0" duration="2 ticks" />
        </domain_schedule>
      </domains>
      <protection_domain name="a" priority="1" domain="d3"><program_image /></protection_domain>
      <protection_domain name="b" priority="1" domain="d1"><program_image /></protection_domain>`);
    const v = view(spec);
    expect(spec.domainSchedule).toEqual([
      { domain: 3, ticks: 300 },
      { domain: 1, ticks: 7 },
      { domain: 0, ticks: 2 },
    ]);
    expect(spec.numDomains).toBe(3);
    expect([v.obj('tcb_a', 'tcb').tcb.domain, v.obj('tcb_b', 'tcb').tcb.domain, v.obj('tcb_monitor', 'tcb').tcb.domain]).toEqual([3, 1, 0]);
    const none = specOf('<protection_domain name="a" priority="1"><program_image /></protection_domain>').spec;
    expect([none.domainSchedule, none.numDomains]).toEqual([undefined, 1]);
  });

  it('refuses two objects of one name', () => {
    // PD mr_r's stack frames and region r_stack's frames are both frame_mr_r_stack_000000000.
    const clash = () => specOf('<memory_region name="r_stack" size="0x1000" /><protection_domain name="mr_r" priority="1"><program_image /></protection_domain>');
    expect(clash).toThrow(ObjectNameClash);
    expect(clash).toThrow("two kernel objects would both be named 'frame_mr_r_stack_000000000'");
  });
});

describe('object kinds (Untyped_Retype arguments)', () => {
  const o = (x: object) => x as SpecObject;
  it('names the seL4 object type and size argument of each kind', () => {
    expect([
      objectTypeOf(o({ kind: 'tcb' })),
      objectTypeOf(o({ kind: 'endpoint' })),
      objectTypeOf(o({ kind: 'notification' })),
      objectTypeOf(o({ kind: 'reply' })),
      objectTypeOf(o({ kind: 'sched_context' })),
      objectTypeOf(o({ kind: 'cnode' })),
      objectTypeOf(o({ kind: 'vspace' })),
      objectTypeOf(o({ kind: 'page_table' })),
      objectTypeOf(o({ kind: 'frame', sizeBits: 12 })),
      objectTypeOf(o({ kind: 'frame', sizeBits: 21 })),
      objectTypeOf(o({ kind: 'frame', sizeBits: 30 })),
      objectTypeOf(o({ kind: 'irq' })),
    ]).toEqual([
      ObjectType.TCB,
      ObjectType.Endpoint,
      ObjectType.Notification,
      ObjectType.Reply,
      ObjectType.SchedContext,
      ObjectType.CapTable,
      ObjectType.VSpace,
      ObjectType.PageTable,
      ObjectType.SmallPage,
      ObjectType.LargePage,
      ObjectType.HugePage,
      undefined,
    ]);
    expect([retypeSizeArg(o({ kind: 'cnode', radix: 9 })), retypeSizeArg(o({ kind: 'sched_context', sizeBits: 8 })), retypeSizeArg(o({ kind: 'tcb', sizeBits: 5 }))]).toEqual([9, 8, 0]);
    expect(specObjectSizeBits(o({ kind: 'frame', sizeBits: 30 }), KERNEL)).toBe(30);
    expect(specObjectSizeBits(o({ kind: 'cnode', radix: 6 }), KERNEL)).toBe(11);
  });
});

describe('capDL text (sel4ts build --capdl)', () => {
  it('lists every object with its parameters, every cap and mapping, and the IRQ map', () => {
    const small = (name: string, entry = 0x200000n) => program(name, entry, [{ vaddr: 0x200000, data: new Uint8Array(0x10), read: true, write: false, execute: true }]);
    const { spec } = specOf(
      `<memory_region name="dev" size="0x1000" phys_addr="0x9000000" />
      <memory_region name="big" size="0x200000" page_size="0x200000" />
      <protection_domain name="s" priority="200" passive="true" stack_size="0x1000"><program_image />
        <irq irq="33" id="5" trigger="edge" />
        <map mr="dev" vaddr="0x5000000" perms="rw" cached="false" />
        <map mr="big" vaddr="0x40000000" perms="rx" />
      </protection_domain>
      <protection_domain name="c" priority="100" stack_size="0x1000" fpu="false"><program_image /></protection_domain>
      <channel><end pd="s" id="1" /><end pd="c" id="2" pp="true" /></channel>`,
      { programs: { s: small('s.elf'), c: small('c.elf') }, monitor: small('monitor.elf', 0x300000n) },
    );
    // (buildSpec leaves fills to the image writer; two ranges here show how they are printed.)
    const elf = spec.objects.find((o) => o.name === 'frame_elf_s_000000000');
    if (elf?.kind !== 'frame') throw new Error('no frame_elf_s_000000000');
    elf.fill = [
      { offset: 0, blob: 0, length: 16 },
      { offset: 16, blob: 1, length: 1 },
    ];
    // Any physical addresses do; IRQs have none (-1).
    const paddr = spec.objects.map((o, i) => (o.kind === 'irq' ? -1 : 0x4000_0000 + i * 0x1000));
    expectGolden(specToCapdl(spec, { untypeds: [], bootUntypeds: 0, steps: [], paddr }), 'golden/spec-small.cdl', import.meta.filename);
  });
});
