import { PPC_BADGE, SLOT } from '../compiler/spec/build-spec.js';
import type { Spec } from '../compiler/spec/types.js';
import type { Span } from '../diagnostics/source-file.js';
import type { SystemDescription } from '../parser/model.js';

/**
 * The flow model (docs/policies.md): every way information may move from one protection domain
 * to another, derived either from the system description (what `check` sees) or from the caps
 * and mappings of the Spec (what `build` hands to the kernel). The two derivations follow the
 * same rules as src/compiler/authority.ts, and give the same flows for every system that builds
 * (test/policy-flows.test.ts). The Microkit monitor is trusted: no flow starts or ends there.
 */

/**
 * notify: a notification cap; ppc: an endpoint cap with the PPC badge (a call, and its reply);
 * memory: a frame mapped writable in one and readable in the other; fault: a child's fault
 * endpoint (fault message, and the reply that writes its registers); tcb, sc, vspace: a cap to
 * the other PD's TCB, scheduling context or address space (a parent's cap to its child's TCB,
 * or one given in `<cspace>`).
 */
export type FlowKind = 'notify' | 'ppc' | 'memory' | 'fault' | 'tcb' | 'sc' | 'vspace';

/** One direct flow: information may go from `from` to `to` because of `via`. */
export interface Flow {
  from: string;
  to: string;
  kind: FlowKind;
  /** What grants it, in the words of a path's hop: `channel 2: notify`, `region 'buf', rw → r`. */
  via: string;
}

/** A flow and the element of the system description that grants it (undefined: none does). */
export interface LocatedFlow extends Flow {
  span: Span | undefined;
}

/** Identifies a flow across derivations (the same from, to, kind and grant). */
export const flowKey = (f: Flow): string => `${f.from}\u0000${f.to}\u0000${f.kind}\u0000${f.via}`;

export type Rights = { read: boolean; write: boolean; execute: boolean };

export const rightsText = (r: Rights): string => `${r.read ? 'r' : ''}${r.write ? 'w' : ''}${r.execute ? 'x' : ''}`;

const memoryVia = (region: string, writer: Rights, reader: Rights) => `region '${region}', ${rightsText(writer)} → ${rightsText(reader)}`;
const childVia = (kind: 'fault' | 'tcb', id: bigint | number) => (kind === 'fault' ? `fault endpoint of child ${id}` : `TCB cap of child ${id}`);
const CAP_KIND = { Tcb: 'tcb', Sc: 'sc', VSpace: 'vspace' } as const;
const capVia = (kind: 'tcb' | 'sc' | 'vspace', target: string, holder: string, slot: bigint | number) => `cap_${kind} of '${target}' in '${holder}' <cspace> slot ${slot}`;

/** The union of the rights of every mapping a PD has of one region (a region mapped twice counts once). */
function orRights(a: Rights | undefined, b: Rights): Rights {
  return a ? { read: a.read || b.read, write: a.write || b.write, execute: a.execute || b.execute } : { read: b.read, write: b.write, execute: b.execute };
}

/** Who maps each region, with the union of their rights: the input of the memory flows. */
export type RegionMappings = Map<string, Map<string, Rights>>;

function memoryFlows(mappings: RegionMappings, out: (f: Flow, region: string) => void): void {
  for (const [region, who] of mappings) {
    for (const [writer, w] of who) {
      if (!w.write) continue;
      for (const [reader, r] of who) if (reader !== writer && (r.read || r.execute)) out({ from: writer, to: reader, kind: 'memory', via: memoryVia(region, w, r) }, region);
    }
  }
}

/** Both directions of a cap that lets its holder read and write the other PD (a TCB cap, a fault endpoint…). */
function bothWays(a: string, b: string, kind: FlowKind, via: string, out: (f: Flow) => void): void {
  if (a === b) return;
  out({ from: a, to: b, kind, via });
  out({ from: b, to: a, kind, via });
}

/**
 * Collects flows in order. Each rule above yields a given (from, to, kind, via) once, since a
 * channel id, a child id and a cap slot each name one thing; a PD's flow to itself is dropped.
 */
class FlowList {
  readonly flows: LocatedFlow[] = [];
  add(f: Flow, span: Span | undefined): void {
    if (f.from !== f.to) this.flows.push({ from: f.from, to: f.to, kind: f.kind, via: f.via, span });
  }
}

/** Each PD's mappings of each region, from the description (a virtual machine's maps count as its PD's). */
export function regionMappingsFromDescription(system: SystemDescription): Map<string, Map<string, { rights: Rights; spans: Span[]; writeSpan: Span | undefined }>> {
  const out = new Map<string, Map<string, { rights: Rights; spans: Span[]; writeSpan: Span | undefined }>>();
  for (const pd of system.allProtectionDomains) {
    for (const m of [...pd.maps, ...(pd.virtualMachine?.maps ?? [])]) {
      if (m.mr === undefined) continue;
      const who = out.get(m.mr) ?? new Map<string, { rights: Rights; spans: Span[]; writeSpan: Span | undefined }>();
      out.set(m.mr, who);
      const entry = who.get(pd.name!) ?? { rights: { read: false, write: false, execute: false }, spans: [], writeSpan: undefined };
      entry.rights = orRights(entry.rights, m.perms);
      entry.spans.push(m.element.span);
      if (m.perms.write) entry.writeSpan ??= m.element.span;
      who.set(pd.name!, entry);
    }
  }
  return out;
}

/** The flows the system description grants, each with the element that grants it. */
export function flowsFromDescription(system: SystemDescription): LocatedFlow[] {
  const list = new FlowList();
  for (const ch of system.channels) {
    ch.ends.forEach((end, i) => {
      const other = ch.ends[1 - i];
      if (!other || end.pd === undefined || other.pd === undefined) return;
      if (end.notify) list.add({ from: end.pd, to: other.pd, kind: 'notify', via: `channel ${end.id}: notify` }, end.element.span);
      if (end.pp) {
        list.add({ from: end.pd, to: other.pd, kind: 'ppc', via: `channel ${end.id}: pp call` }, end.element.span);
        list.add({ from: other.pd, to: end.pd, kind: 'ppc', via: `channel ${other.id}: pp reply` }, end.element.span);
      }
    });
  }
  const mappings = regionMappingsFromDescription(system);
  const plain: RegionMappings = new Map([...mappings].map(([region, who]) => [region, new Map([...who].map(([pd, e]) => [pd, e.rights]))]));
  memoryFlows(plain, (f, region) => list.add(f, mappings.get(region)?.get(f.from)?.writeSpan));
  for (const pd of system.allProtectionDomains) {
    const child = pd.name!;
    const parent = pd.parent?.name;
    if (parent !== undefined && pd.id !== undefined) {
      const span = pd.element.nameSpan;
      bothWays(child, parent, 'fault', childVia('fault', pd.id), (f) => list.add(f, span));
      bothWays(parent, child, 'tcb', childVia('tcb', pd.id), (f) => list.add(f, span));
    }
    for (const cap of pd.caps) {
      if (cap.pd === undefined || cap.slot === undefined) continue;
      const kind = CAP_KIND[cap.type];
      bothWays(child, cap.pd, kind, capVia(kind, cap.pd, child, cap.slot), (f) => list.add(f, cap.element.span));
    }
  }
  return list.flows;
}

/** The PDs of a Spec (not the monitor) and the objects each owns, found through its TCB. */
export function specOwners(spec: Spec): { pds: { name: string; cnode: number | undefined; root: number; vspace: number; tcb: number }[]; owner: Map<number, string> } {
  const objects = spec.objects;
  const owner = new Map<number, string>();
  const pds: { name: string; cnode: number | undefined; root: number; vspace: number; tcb: number }[] = [];
  for (const pd of spec.pds) {
    if (pd.name === 'monitor') continue;
    const tcb = objects[pd.tcb];
    if (tcb?.kind !== 'tcb') continue;
    const t = tcb.tcb;
    owner.set(pd.tcb, pd.name);
    owner.set(t.vspace, pd.name);
    if (t.schedContext !== undefined) owner.set(t.schedContext, pd.name);
    if (t.boundNotification !== undefined) owner.set(t.boundNotification, pd.name);
    const root = objects[t.cspace.object];
    const slot0 = root?.kind === 'cnode' ? root.slots.find((x) => x.slot === 0) : undefined;
    pds.push({ name: pd.name, cnode: slot0?.cap.object, root: t.cspace.object, vspace: t.vspace, tcb: pd.tcb });
  }
  // A PD's own endpoint (or notification) is the cap in its input slot.
  for (const pd of pds) {
    const cnode = pd.cnode === undefined ? undefined : objects[pd.cnode];
    const input = cnode?.kind === 'cnode' ? cnode.slots.find((x) => x.slot === SLOT.input) : undefined;
    if (input) owner.set(input.cap.object, pd.name);
  }
  return { pds, owner };
}

const FAULT_BADGE = 1n << 62n;

/** The flows the Spec's caps and mappings grant (no locations: see subject.ts for those). */
export function flowsFromSpec(spec: Spec): Flow[] {
  const objects = spec.objects;
  const { pds, owner } = specOwners(spec);
  const list = new FlowList();
  const add = (f: Flow) => list.add(f, undefined);
  for (const pd of pds) {
    const cnode = pd.cnode === undefined ? undefined : objects[pd.cnode];
    if (cnode?.kind === 'cnode') {
      for (const { slot, cap } of cnode.slots) {
        const target = objects[cap.object];
        const other = owner.get(cap.object);
        if (!target || other === undefined) continue;
        const badge = BigInt(cap.badge);
        if (slot >= SLOT.notification && slot < SLOT.endpoint && target.kind === 'notification' && cap.rights.write) {
          add({ from: pd.name, to: other, kind: 'notify', via: `channel ${slot - SLOT.notification}: notify` });
        }
        if (slot >= SLOT.endpoint && slot < SLOT.irq && target.kind === 'endpoint' && cap.rights.write && (badge & PPC_BADGE) !== 0n) {
          add({ from: pd.name, to: other, kind: 'ppc', via: `channel ${slot - SLOT.endpoint}: pp call` });
          add({ from: other, to: pd.name, kind: 'ppc', via: `channel ${badge & 0x3fn}: pp reply` });
        }
        if (slot >= SLOT.childTcb && target.kind === 'tcb') bothWays(pd.name, other, 'tcb', childVia('tcb', slot - SLOT.childTcb), add);
      }
    }
    const t = objects[pd.tcb];
    const fault = t?.kind === 'tcb' ? t.tcb.faultEndpoint : undefined;
    const parent = fault ? owner.get(fault.object) : undefined;
    if (fault && parent !== undefined && (BigInt(fault.badge) & FAULT_BADGE) !== 0n) {
      bothWays(pd.name, parent, 'fault', childVia('fault', BigInt(fault.badge) & ~FAULT_BADGE), add);
    }
    const root = objects[pd.root];
    if (root?.kind === 'cnode') {
      for (const { slot, cap } of root.slots) {
        const target = objects[cap.object];
        const other = owner.get(cap.object);
        if (slot === 0 || !target || other === undefined) continue;
        const kind = target.kind === 'tcb' ? 'tcb' : target.kind === 'sched_context' ? 'sc' : target.kind === 'vspace' ? 'vspace' : undefined;
        if (kind) bothWays(pd.name, other, kind, capVia(kind, other, pd.name, slot), add);
      }
    }
  }
  memoryFlows(regionMappingsFromSpec(spec), add);
  return list.flows;
}

/** Each PD's mappings of each region, from the frames mapped in its VSpace. */
export function regionMappingsFromSpec(spec: Spec): RegionMappings {
  const objects = spec.objects;
  const out: RegionMappings = new Map();
  for (const pd of specOwners(spec).pds) {
    const vspace = objects[pd.vspace];
    if (vspace?.kind !== 'vspace') continue;
    for (const m of vspace.mappings) {
      const frame = objects[m.frame];
      if (frame?.kind !== 'frame' || !frame.holds.startsWith('region ')) continue;
      const region = frame.holds.slice('region '.length);
      const who = out.get(region) ?? new Map<string, Rights>();
      out.set(region, who);
      who.set(pd.name, orRights(who.get(pd.name), m));
    }
  }
  return out;
}
