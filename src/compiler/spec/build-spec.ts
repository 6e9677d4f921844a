import type { ChannelEnd, ProtectionDomain, SystemDescription } from '../../parser/model.js';
import { PAGE, type ProgramImage } from '../elf/program-image.js';
import type { CapRightsSpec, CapSpec, MappingSpec, PdSpec, SlotSpec, Spec, SpecObject, TcbSpec } from './types.js';
import { SPEC_VERSION } from './types.js';
import { specObjectSizeBits } from './object-kinds.js';

/**
 * Build the Spec of a system the way Microkit's capDL builder does (spec: microkit.md
 * §1.5–1.11): for each PD in PD-index order its VSpace, ELF frames, TCB, IPC buffer, stack,
 * scheduling context, notification, endpoint (if it needs one), reply object, IRQs and its
 * two-level CSpace; a frame per page of each memory region; the monitor last. Objects are then
 * sorted as Microkit sorts them (fixed physical address first, then size, then name), which is
 * also the order the initialiser creates them in.
 */

const IPC_BUFFER_VADDR = 0xff_ffff_f000;
export const STACK_TOP = IPC_BUFFER_VADDR - 0x1000;
const PD_CNODE_BITS = 9;
const PD_ROOT_CNODE_BITS = 6;
const MONITOR_CNODE_BITS = 9;
const MONITOR_PRIORITY = 255;

/** Microkit CNode slots (libmicrokit's constants). */
export const SLOT = {
  input: 1,
  faultEp: 2,
  vspace: 3,
  reply: 4,
  monitorEp: 5,
  notification: 10,
  endpoint: 74,
  irq: 138,
  childTcb: 202,
} as const;

/** Monitor CNode slots. */
export const MONITOR_SLOT = { faultEp: 1, reply: 2, pdTcb: 10, passiveSc: 138, passiveNtfn: 202 } as const;

export const PPC_BADGE = 1n << 63n;
const FAULT_BADGE = 1n << 62n;

const ALL: CapRightsSpec = { read: true, write: true, grant: true, grantReply: true };
const RWG: CapRightsSpec = { read: true, write: true, grant: true, grantReply: false };
const RW: CapRightsSpec = { read: true, write: true, grant: false, grantReply: false };

/** Until names are resolved to indices, TCBs and IRQs carry these; `tcbs` and `irqNotifications` hold the real values. */
const PLACEHOLDER_CAP: CapSpec = { object: -1, rights: ALL, badge: '0x0' };
const PLACEHOLDER_TCB = {} as TcbSpec;

const hex = (v: bigint | number) => `0x${BigInt(v).toString(16)}`;
const seq = (n: number) => String(n).padStart(9, '0');

export interface BuildInputs {
  system: SystemDescription;
  board: string;
  config: 'debug' | 'release';
  kernel: Spec['kernel'];
  /** The program of each PD (by name), already patched. */
  programs: Map<string, ProgramImage>;
  monitor: ProgramImage;
  ram: { base: number; size: number };
  /** Ticks per microsecond conversion for domain schedules. */
  usToTicks: (us: number) => number;
}

interface Builder {
  objects: SpecObject[];
  byName: Map<string, number>;
  /** Frame contents to fill in: views into the (patchable) program segments or prefill bytes. */
  contents: Map<string, { offset: number; bytes: Uint8Array }[]>;
}

/** Two objects would get one name: Microkit derives names from PD and region names, which can clash. */
/** Two objects would share a name; `objectName` is that name. */
export class ObjectNameClash extends Error {
  constructor(readonly objectName: string) {
    super(`two kernel objects would both be named '${objectName}' (object names are made from protection-domain and memory-region names, as Microkit makes them); rename a protection domain or a memory region`);
  }
}

function add(b: Builder, o: SpecObject): string {
  if (b.byName.has(o.name)) {
    throw new ObjectNameClash(o.name);
  }
  b.byName.set(o.name, b.objects.length);
  b.objects.push(o);
  return o.name;
}

/** A cap by object name; resolved to indices after sorting. */
interface NamedCap {
  object: string;
  rights: CapRightsSpec;
  badge: bigint;
  guard?: number;
  guardSize?: number;
}

const cap = (object: string, rights: CapRightsSpec = ALL, badge = 0n, guardSize?: number): NamedCap => ({ object, rights, badge, guard: guardSize === undefined ? undefined : 0, guardSize });

export interface BuiltSpec {
  spec: Spec;
  /** Per frame index: the bytes to place, in order (the image writer turns them into fills). */
  contents: Map<number, { offset: number; bytes: Uint8Array }[]>;
}

export function buildSpec(inputs: BuildInputs): BuiltSpec {
  const { system } = inputs;
  const b: Builder = { objects: [], byName: new Map(), contents: new Map() };
  const pds = system.allProtectionDomains;
  const pdIndex = new Map(pds.map((pd, i) => [pd, i]));
  const mrs = new Map(system.memoryRegions.map((mr) => [mr.name!, mr]));
  const cnodeSlots = new Map<string, Map<number, NamedCap>>();
  const tcbs = new Map<string, Omit<TcbSpec, 'cspace' | 'faultEndpoint'> & { cspace: NamedCap; faultEndpoint: NamedCap | undefined; vspaceName: string; ipcName: string; scName: string | undefined; ntfnName: string | undefined }>();
  const irqNotifications = new Map<string, NamedCap>();
  const vspaceMaps = new Map<string, { vaddr: number; frame: string; read: boolean; write: boolean; execute: boolean; cached: boolean; sizeBits: number }[]>();

  // Frames of every memory region, one per page.
  const mrFrames = new Map<string, string[]>();
  for (const mr of system.memoryRegions) {
    const page = Number(mr.pageSize);
    const count = Number(mr.size!) / page;
    const names: string[] = [];
    for (let n = 0; n < count; n++) {
      const paddr = mr.physAddr === undefined ? undefined : Number(mr.physAddr) + n * page;
      const device = paddr !== undefined && (paddr < inputs.ram.base || paddr >= inputs.ram.base + inputs.ram.size);
      const name = add(b, { kind: 'frame', name: `frame_mr_${mr.name}_${seq(n)}`, holds: `region ${mr.name}`, sizeBits: Math.log2(page), paddr, device, fill: [] });
      names.push(name);
      if (mr.prefillBytes) {
        const from = n * page;
        if (from < mr.prefillBytes.length) b.contents.set(name, [{ offset: 0, bytes: mr.prefillBytes.subarray(from, Math.min(from + page, mr.prefillBytes.length)) }]);
      }
    }
    mrFrames.set(mr.name!, names);
  }

  const needsEp = (pd: ProtectionDomain) => pd.children.length > 0 || pd.virtualMachine !== undefined || system.channels.some((c) => c.ends.some((e, i) => e.pd === pd.name && c.ends[1 - i]!.pp));

  /** The VSpace, ELF frames, IPC buffer and stack of a program. */
  const addAddressSpace = (owner: string, program: ProgramImage, stackSize: number) => {
    const vspace = add(b, { kind: 'vspace', name: `vspace_${owner}`, mappings: [] });
    const maps: NonNullable<ReturnType<typeof vspaceMaps.get>> = [];
    vspaceMaps.set(vspace, maps);
    let n = 0;
    for (const seg of program.segments) {
      const first = Math.floor(seg.vaddr / PAGE) * PAGE;
      for (let va = first; va < seg.vaddr + seg.data.length; va += PAGE) {
        const frame = add(b, { kind: 'frame', name: `frame_elf_${owner}_${seq(n++)}`, holds: 'program', sizeBits: 12, paddr: undefined, device: false, fill: [] });
        const from = Math.max(va, seg.vaddr);
        const to = Math.min(va + PAGE, seg.vaddr + seg.data.length);
        b.contents.set(frame, [{ offset: from - va, bytes: seg.data.subarray(from - seg.vaddr, to - seg.vaddr) }]);
        maps.push({ vaddr: va, frame, read: seg.read, write: seg.write, execute: seg.execute, cached: true, sizeBits: 12 });
      }
    }
    const ipc = add(b, { kind: 'frame', name: `frame_ipcbuf_${owner}`, holds: 'IPC buffer', sizeBits: 12, paddr: undefined, device: false, fill: [] });
    maps.push({ vaddr: IPC_BUFFER_VADDR, frame: ipc, read: true, write: true, execute: false, cached: true, sizeBits: 12 });
    for (let k = 0; k < stackSize / PAGE; k++) {
      const frame = add(b, { kind: 'frame', name: `frame_${owner}_stack_${seq(k)}`, holds: 'stack', sizeBits: 12, paddr: undefined, device: false, fill: [] });
      maps.push({ vaddr: STACK_TOP - stackSize + k * PAGE, frame, read: true, write: true, execute: false, cached: true, sizeBits: 12 });
    }
    return { vspace, ipc, maps };
  };

  const domainIds = new Map((system.domains?.domains ?? []).map((d) => [d.name!, d.id!]));

  // The monitor's endpoint exists before the PDs' caps refer to it.
  const monitorEp = 'ep_fault_monitor';

  for (const pd of pds) {
    const name = pd.name!;
    const index = pdIndex.get(pd)!;
    const program = inputs.programs.get(name)!;
    const { vspace, ipc, maps } = addAddressSpace(name, program, Number(pd.stackSize));
    const tcb = `tcb_${name}`;
    add(b, { kind: 'tcb', name: tcb, tcb: PLACEHOLDER_TCB }); // its settings are resolved after sorting
    const sc = add(b, { kind: 'sched_context', name: `sched_context_${name}`, sizeBits: 8, budgetUs: Number(pd.budget), periodUs: Number(pd.period), badge: hex(0x100 + index), extraRefills: 0 });
    const ntfn = add(b, { kind: 'notification', name: `ntfn_${name}` });
    const ep = needsEp(pd) ? add(b, { kind: 'endpoint', name: `ep_${name}` }) : undefined;
    const reply = add(b, { kind: 'reply', name: `reply_${name}` });
    const cnode = add(b, { kind: 'cnode', name: `cnode_${name}`, radix: PD_CNODE_BITS, slots: [] });
    const root = add(b, { kind: 'cnode', name: `cnode_${name}_root`, radix: PD_ROOT_CNODE_BITS, slots: [] });

    // Memory-region mappings.
    for (const m of pd.maps) {
      const mr = mrs.get(m.mr!)!;
      const frames = mrFrames.get(mr.name!)!;
      const page = Number(mr.pageSize);
      frames.forEach((frame, n) => maps.push({ vaddr: Number(m.vaddr!) + n * page, frame, read: m.perms.read, write: m.perms.write, execute: m.perms.execute, cached: m.cached, sizeBits: Math.log2(page) }));
    }

    const slots = new Map<number, NamedCap>();
    slots.set(SLOT.input, ep ? cap(ep, RWG) : cap(ntfn, RW));
    const parent = pd.parent;
    const faultEp = parent ? cap(`ep_${parent.name}`, RWG, FAULT_BADGE | BigInt(pd.id!)) : cap(monitorEp, RWG, BigInt(index + 1));
    slots.set(SLOT.faultEp, faultEp);
    slots.set(SLOT.vspace, cap(vspace));
    slots.set(SLOT.reply, cap(reply));
    if (pd.passive) slots.set(SLOT.monitorEp, cap(monitorEp, RWG, BigInt(index + 1)));
    for (const ch of system.channels) {
      ch.ends.forEach((end: ChannelEnd, i) => {
        if (end.pd !== name) return;
        const other = ch.ends[1 - i]!;
        if (end.notify) slots.set(SLOT.notification + Number(end.id!), cap(`ntfn_${other.pd}`, RW, 1n << other.id!));
        if (end.pp) slots.set(SLOT.endpoint + Number(end.id!), cap(`ep_${other.pd}`, RWG, PPC_BADGE | other.id!));
      });
    }
    for (const irq of pd.irqs) {
      if (irq.kind?.form !== 'arm') continue;
      const irqName = add(b, { kind: 'irq', name: `irq_${irq.kind.irq}_${name}`, irq: Number(irq.kind.irq), trigger: irq.kind.trigger, notification: PLACEHOLDER_CAP });
      irqNotifications.set(irqName, cap(ntfn, RW, 1n << irq.id!));
      slots.set(SLOT.irq + Number(irq.id!), cap(irqName));
    }
    for (const child of pd.children) slots.set(SLOT.childTcb + Number(child.id!), cap(`tcb_${child.name}`));
    cnodeSlots.set(cnode, slots);
    const rootSlots = new Map<number, NamedCap>();
    rootSlots.set(0, cap(cnode, ALL, 0n, 64 - PD_ROOT_CNODE_BITS - PD_CNODE_BITS));
    for (const c of pd.caps) {
      const target = c.type === 'Tcb' ? `tcb_${c.pd}` : c.type === 'Sc' ? `sched_context_${c.pd}` : `vspace_${c.pd}`;
      rootSlots.set(Number(c.slot!), cap(target));
    }
    cnodeSlots.set(root, rootSlots);

    tcbs.set(tcb, {
      pd: name,
      cspace: cap(root, ALL, 0n, 0),
      vspace: 0,
      vspaceName: vspace,
      ipcBuffer: { frame: 0, vaddr: IPC_BUFFER_VADDR },
      ipcName: ipc,
      faultEndpoint: faultEp,
      schedContext: undefined,
      scName: sc,
      boundNotification: undefined,
      ntfnName: ntfn,
      priority: pd.priority,
      mcp: pd.priority,
      ip: hex(program.entry),
      sp: hex(STACK_TOP),
      resume: true,
      fpu: pd.fpu,
      domain: pd.domain !== undefined ? (domainIds.get(pd.domain) ?? 0) : 0,
      affinity: pd.cpu,
    });
  }

  // The monitor: the system's fault handler and the passive-PD helper.
  {
    const { vspace, ipc } = addAddressSpace('monitor', inputs.monitor, PAGE);
    add(b, { kind: 'tcb', name: 'tcb_monitor', tcb: PLACEHOLDER_TCB });
    add(b, { kind: 'endpoint', name: monitorEp });
    const reply = add(b, { kind: 'reply', name: 'reply_monitor' });
    const sc = add(b, { kind: 'sched_context', name: 'sched_context_monitor', sizeBits: 8, budgetUs: 1000, periodUs: 1000, badge: hex(0x100 + pds.length), extraRefills: 0 });
    const cnode = add(b, { kind: 'cnode', name: 'cnode_monitor', radix: MONITOR_CNODE_BITS, slots: [] });
    const slots = new Map<number, NamedCap>();
    slots.set(MONITOR_SLOT.faultEp, cap(monitorEp, RWG));
    slots.set(MONITOR_SLOT.reply, cap(reply));
    pds.forEach((pd, i) => {
      slots.set(MONITOR_SLOT.pdTcb + i, cap(`tcb_${pd.name}`));
      if (pd.passive) {
        slots.set(MONITOR_SLOT.passiveSc + i, cap(`sched_context_${pd.name}`));
        slots.set(MONITOR_SLOT.passiveNtfn + i, cap(`ntfn_${pd.name}`, RW));
      }
    });
    cnodeSlots.set(cnode, slots);
    tcbs.set('tcb_monitor', {
      pd: 'monitor',
      cspace: cap(cnode, ALL, 0n, 64 - MONITOR_CNODE_BITS),
      vspace: 0,
      vspaceName: vspace,
      ipcBuffer: { frame: 0, vaddr: IPC_BUFFER_VADDR },
      ipcName: ipc,
      faultEndpoint: undefined,
      schedContext: undefined,
      scName: sc,
      boundNotification: undefined,
      ntfnName: undefined,
      priority: MONITOR_PRIORITY,
      mcp: MONITOR_PRIORITY,
      ip: hex(inputs.monitor.entry),
      sp: hex(STACK_TOP),
      resume: true,
      fpu: true,
      domain: 0,
      affinity: 0,
    });
  }

  // Page tables for every mapping: one level-2 table per GiB, one level-3 table per 2 MiB of small pages.
  const tableVSpace = new Map<string, string>();
  for (const [vspace, maps] of vspaceMaps) {
    const owner = vspace.slice('vspace_'.length);
    const tables = new Set<string>();
    for (const m of maps) {
      const gib = Math.floor(m.vaddr / 2 ** 30) * 2 ** 30;
      const l2 = `pt_${owner}_l2_${hex(gib)}`;
      if (!tables.has(l2)) {
        tables.add(l2);
        add(b, { kind: 'page_table', name: l2, vspace: 0, vaddr: gib, level: 2 });
        tableVSpace.set(l2, vspace);
      }
      if (m.sizeBits === 12) {
        const mib = Math.floor(m.vaddr / 2 ** 21) * 2 ** 21;
        const l3 = `pt_${owner}_l3_${hex(mib)}`;
        if (!tables.has(l3)) {
          tables.add(l3);
          add(b, { kind: 'page_table', name: l3, vspace: 0, vaddr: mib, level: 3 });
          tableVSpace.set(l3, vspace);
        }
      }
    }
  }

  // Sort (spec: microkit.md §1.11) and resolve names to indices.
  const sorted = [...b.objects].sort((x, y) => {
    const px = x.kind === 'frame' ? x.paddr : undefined;
    const py = y.kind === 'frame' ? y.paddr : undefined;
    if (px !== undefined || py !== undefined) {
      if (px === undefined) return 1;
      if (py === undefined) return -1;
      if (px !== py) return px - py;
    }
    const sx = specObjectSizeBits(x, inputs.kernel);
    const sy = specObjectSizeBits(y, inputs.kernel);
    if (sx !== sy) return sy - sx;
    return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
  });
  const index = new Map(sorted.map((o, i) => [o.name, i]));
  const at = (name: string) => index.get(name)!;
  const resolve = (c: NamedCap): CapSpec => {
    const out: CapSpec = { object: at(c.object), rights: c.rights, badge: hex(c.badge) };
    if (c.guardSize !== undefined) {
      out.guard = c.guard ?? 0;
      out.guardSize = c.guardSize;
    }
    return out;
  };
  const objects: SpecObject[] = sorted.map((o) => {
    switch (o.kind) {
      case 'cnode': {
        const slots: SlotSpec[] = [...(cnodeSlots.get(o.name) ?? new Map<number, NamedCap>())].sort((x, y) => x[0] - y[0]).map(([slot, c]) => ({ slot, cap: resolve(c) }));
        return { kind: 'cnode', name: o.name, radix: o.radix, slots };
      }
      case 'tcb': {
        const t = tcbs.get(o.name)!;
        const tcb: TcbSpec = {
          pd: t.pd,
          cspace: resolve(t.cspace),
          vspace: at(t.vspaceName),
          ipcBuffer: { frame: at(t.ipcName), vaddr: t.ipcBuffer.vaddr },
          faultEndpoint: t.faultEndpoint ? resolve(t.faultEndpoint) : undefined,
          schedContext: t.scName ? at(t.scName) : undefined,
          boundNotification: t.ntfnName ? at(t.ntfnName) : undefined,
          priority: t.priority,
          mcp: t.mcp,
          ip: t.ip,
          sp: t.sp,
          resume: t.resume,
          fpu: t.fpu,
          domain: t.domain,
          affinity: t.affinity,
        };
        return { kind: 'tcb', name: o.name, tcb };
      }
      case 'vspace': {
        const mappings: MappingSpec[] = vspaceMaps.get(o.name)!.map((m) => ({ vaddr: m.vaddr, frame: at(m.frame), read: m.read, write: m.write, execute: m.execute, cached: m.cached }));
        mappings.sort((x, y) => x.vaddr - y.vaddr);
        return { kind: 'vspace', name: o.name, mappings };
      }
      case 'page_table':
        return { kind: 'page_table', name: o.name, vspace: at(tableVSpace.get(o.name)!), vaddr: o.vaddr, level: o.level };
      case 'irq':
        return { kind: 'irq', name: o.name, irq: o.irq, trigger: o.trigger, notification: resolve(irqNotifications.get(o.name)!) };
      default:
        return o;
    }
  });

  const contents = new Map<number, { offset: number; bytes: Uint8Array }[]>();
  for (const [name, parts] of b.contents) contents.set(at(name), parts);

  const pdSpecs: PdSpec[] = pds.map((pd, i) => ({
    name: pd.name!,
    index: i,
    program: inputs.programs.get(pd.name!)!.name,
    priority: pd.priority,
    budgetUs: Number(pd.budget),
    periodUs: Number(pd.period),
    passive: pd.passive,
    parent: pd.parent?.name,
    childId: pd.parent ? Number(pd.id!) : undefined,
    stackBottom: STACK_TOP - Number(pd.stackSize),
    tcb: at(`tcb_${pd.name}`),
  }));
  pdSpecs.push({
    name: 'monitor',
    index: pds.length,
    program: inputs.monitor.name,
    priority: MONITOR_PRIORITY,
    budgetUs: 1000,
    periodUs: 1000,
    passive: false,
    parent: undefined,
    childId: undefined,
    stackBottom: STACK_TOP - PAGE,
    tcb: at('tcb_monitor'),
  });

  const symbols: Spec['symbols'] = {};
  const lines: Spec['lines'] = {};
  for (const [name, image] of [...inputs.programs, ['monitor', inputs.monitor] as const]) {
    if (image.lines) lines[name] = image.lines;
    symbols[name] = image.symbols
      .filter((s) => s.type === 2 && s.name !== '' && s.size > 0n)
      .map((s) => ({ name: s.name, value: Number(s.value), size: Number(s.size) }))
      .sort((x, y) => x.value - y.value || (x.name < y.name ? -1 : 1));
  }

  const schedule = system.domains?.schedule;
  const domainSchedule = schedule ? schedule.entries.flatMap((e) => (e.kind === 'entry' ? [{ domain: domainIds.get(e.domain!) ?? 0, ticks: e.unit === 'us' ? inputs.usToTicks(Number(e.duration)) : Number(e.duration) }] : [])) : undefined;

  return {
    spec: {
      version: SPEC_VERSION,
      board: inputs.board,
      config: inputs.config,
      kernel: inputs.kernel,
      objects,
      pds: pdSpecs,
      symbols,
      lines,
      domainSchedule,
      numDomains: Math.max(1, system.domains?.domains.length ?? 1),
    },
    contents,
  };
}
