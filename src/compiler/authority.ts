import type { Entity, SystemDescription } from '../parser/model.js';
import { PPC_BADGE, SLOT } from './spec/build-spec.js';
import type { Spec, SpecObject } from './spec/types.js';

/**
 * Who may do what to whom, derived from the Spec alone (the caps each PD holds and the frames
 * each maps), and the same table derived from the system description. The build compares the
 * two: any difference is a bug in the Spec builder, reported as an internal error.
 */

export interface Authority {
  /** "A -> B (badge bit n)": A holds a notification cap to B's notification. */
  notifies: string[];
  /** "A -> B (channel n)": A holds an endpoint cap to B's endpoint with the PPC badge. */
  calls: string[];
  /** "region: A rw, B r": who maps each memory region, with rights. */
  shares: string[];
  /** "irq 33 -> A (channel n)". */
  irqs: string[];
}

/**
 * The same authority as structured grants, for whoever draws or checks it (`sel4ts graph`).
 * `declaredBy` (description only) is the element that declares the grant: the channel, the map,
 * the irq.
 */
export interface Grants {
  /** `from` holds a notification cap to `to`'s notification, badged with bit `bit` (`to`'s channel id). */
  notifies: { from: string; to: string; bit: number; declaredBy?: Entity }[];
  /** `from` holds a cap to `to`'s endpoint with the PPC badge of `to`'s channel id `channel`. */
  calls: { from: string; to: string; channel: number; declaredBy?: Entity }[];
  /** `pd` maps (some of the frames of) `region` with `rights` ("r", "rw", "rwx", …). */
  shares: { region: string; pd: string; rights: string; declaredBy?: Entity }[];
  /** IRQ `irq` signals `pd`'s notification with bit `channel`. */
  irqs: { irq: number; pd: string; channel: number; declaredBy?: Entity }[];
}

const rightsText = (p: { read: boolean; write: boolean; execute: boolean }): string => `${p.read ? 'r' : ''}${p.write ? 'w' : ''}${p.execute ? 'x' : ''}`;

export function grantsFromSpec(spec: Spec): Grants {
  const objects = spec.objects;
  const grants: Grants = { notifies: [], calls: [], shares: [], irqs: [] };
  // Every PD's objects, found through its TCB (names are not parsed: a PD may be called anything).
  const owner = new Map<number, string>();
  const pds: { name: string; cnode: number | undefined; vspace: number }[] = [];
  for (const pd of spec.pds) {
    if (pd.name === 'monitor') continue;
    const tcb = objects[pd.tcb];
    if (tcb?.kind !== 'tcb') continue;
    const t = tcb.tcb;
    if (t.boundNotification !== undefined) owner.set(t.boundNotification, pd.name);
    const root = objects[t.cspace.object];
    const slot0 = root?.kind === 'cnode' ? root.slots.find((x) => x.slot === 0) : undefined;
    pds.push({ name: pd.name, cnode: slot0?.cap.object, vspace: t.vspace });
  }
  // Endpoints by their exact names (object names are unique).
  const index = new Map(objects.map((o, i) => [o.name, i]));
  for (const pd of pds) {
    const ep = index.get(`ep_${pd.name}`);
    if (ep !== undefined) owner.set(ep, pd.name);
  }
  for (const o of objects) if (o.kind === 'irq') grants.irqs.push({ irq: o.irq, pd: `${owner.get(o.notification.object)}`, channel: BigInt(o.notification.badge).toString(2).length - 1 });
  for (const pd of pds) {
    const cnode = pd.cnode === undefined ? undefined : objects[pd.cnode];
    if (cnode?.kind !== 'cnode') continue;
    for (const { slot, cap } of cnode.slots) {
      const target = objects[cap.object]!;
      const badge = BigInt(cap.badge);
      if (slot >= SLOT.notification && slot < SLOT.endpoint && target.kind === 'notification' && cap.rights.write) {
        grants.notifies.push({ from: pd.name, to: `${owner.get(cap.object)}`, bit: badge.toString(2).length - 1 });
      }
      if (slot >= SLOT.endpoint && slot < SLOT.irq && target.kind === 'endpoint' && cap.rights.write && (badge & PPC_BADGE) !== 0n) {
        grants.calls.push({ from: pd.name, to: `${owner.get(cap.object)}`, channel: Number(badge & 0x3fn) });
      }
    }
  }
  for (const pd of pds) {
    const vspace = objects[pd.vspace];
    if (vspace?.kind !== 'vspace') continue;
    const seen = new Set<string>();
    for (const m of vspace.mappings) {
      const frame: SpecObject = objects[m.frame]!;
      if (frame.kind !== 'frame' || !frame.holds.startsWith('region ')) continue;
      const region = frame.holds.slice('region '.length);
      const rights = rightsText(m);
      const key = `${region}\0${rights}`;
      if (seen.has(key)) continue;
      seen.add(key);
      grants.shares.push({ region, pd: pd.name, rights });
    }
  }
  return grants;
}

/**
 * What the description grants, by the rules the Spec builder follows. A description with errors
 * may leave names undefined: such a grant is left out (`sel4ts graph` draws what is valid).
 */
export function grantsFromDescription(system: SystemDescription): Grants {
  const grants: Grants = { notifies: [], calls: [], shares: [], irqs: [] };
  for (const ch of system.channels) {
    if (ch.ends.length !== 2) continue;
    ch.ends.forEach((end, i) => {
      const other = ch.ends[1 - i]!;
      if (end.pd === undefined || other.pd === undefined || other.id === undefined) return;
      if (end.notify) grants.notifies.push({ from: end.pd, to: other.pd, bit: Number(other.id), declaredBy: ch });
      if (end.pp) grants.calls.push({ from: end.pd, to: other.pd, channel: Number(other.id), declaredBy: ch });
    });
  }
  for (const pd of system.allProtectionDomains) {
    if (pd.name === undefined) continue;
    for (const irq of pd.irqs) if (irq.kind?.form === 'arm' && irq.id !== undefined) grants.irqs.push({ irq: Number(irq.kind.irq), pd: pd.name, channel: Number(irq.id), declaredBy: irq });
    for (const m of pd.maps) if (m.mr !== undefined) grants.shares.push({ region: m.mr, pd: pd.name, rights: rightsText(m.perms), declaredBy: m });
  }
  return grants;
}

/** The authority table of a set of grants (each line once, sorted). */
function authorityOf(g: Grants): Authority {
  const byRegion = new Map<string, Set<string>>();
  for (const s of g.shares) byRegion.set(s.region, (byRegion.get(s.region) ?? new Set<string>()).add(`${s.pd} ${s.rights}`));
  return {
    notifies: g.notifies.map((n) => `${n.from} -> ${n.to} (badge bit ${n.bit})`).sort(),
    calls: g.calls.map((c) => `${c.from} -> ${c.to} (channel ${c.channel})`).sort(),
    shares: [...byRegion].map(([region, who]) => `${region}: ${[...who].sort().join(', ')}`).sort(),
    irqs: g.irqs.map((i) => `irq ${i.irq} -> ${i.pd} (channel ${i.channel})`).sort(),
  };
}

export function authorityFromSpec(spec: Spec): Authority {
  return authorityOf(grantsFromSpec(spec));
}

export function authorityFromDescription(system: SystemDescription): Authority {
  return authorityOf(grantsFromDescription(system));
}

/** The differences between two authority tables, as lines ("spec has … but the description …"). */
export function compareAuthority(fromSpec: Authority, fromDescription: Authority): string[] {
  const out: string[] = [];
  for (const key of ['notifies', 'calls', 'shares', 'irqs'] as const) {
    const a = new Set(fromSpec[key]);
    const b = new Set(fromDescription[key]);
    for (const x of a) if (!b.has(x)) out.push(`${key}: the spec grants '${x}', which the description does not`);
    for (const x of b) if (!a.has(x)) out.push(`${key}: the description declares '${x}', which the spec does not grant`);
  }
  return out;
}
