import type { SystemDescription } from '../parser/model.js';
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

export function authorityFromSpec(spec: Spec): Authority {
  const objects = spec.objects;
  const notifies: string[] = [];
  const calls: string[] = [];
  const irqs: string[] = [];
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
  for (const o of objects) if (o.kind === 'irq') irqs.push(`irq ${o.irq} -> ${owner.get(o.notification.object)} (channel ${BigInt(o.notification.badge).toString(2).length - 1})`);
  for (const pd of pds) {
    const cnode = pd.cnode === undefined ? undefined : objects[pd.cnode];
    if (cnode?.kind !== 'cnode') continue;
    for (const { slot, cap } of cnode.slots) {
      const target = objects[cap.object]!;
      const badge = BigInt(cap.badge);
      if (slot >= SLOT.notification && slot < SLOT.endpoint && target.kind === 'notification' && cap.rights.write) {
        notifies.push(`${pd.name} -> ${owner.get(cap.object)} (badge bit ${badge.toString(2).length - 1})`);
      }
      if (slot >= SLOT.endpoint && slot < SLOT.irq && target.kind === 'endpoint' && cap.rights.write && (badge & PPC_BADGE) !== 0n) {
        calls.push(`${pd.name} -> ${owner.get(cap.object)} (channel ${badge & 0x3fn})`);
      }
    }
  }
  const byRegion = new Map<string, string[]>();
  for (const pd of pds) {
    const vspace = objects[pd.vspace];
    if (vspace?.kind !== 'vspace') continue;
    const seen = new Set<string>();
    for (const m of vspace.mappings) {
      const frame: SpecObject = objects[m.frame]!;
      if (frame.kind !== 'frame' || !frame.holds.startsWith('region ')) continue;
      const region = frame.holds.slice('region '.length);
      const entry = `${pd.name} ${m.read ? 'r' : ''}${m.write ? 'w' : ''}${m.execute ? 'x' : ''}`;
      const key = `${region}\0${entry}`;
      if (seen.has(key)) continue;
      seen.add(key);
      byRegion.set(region, [...(byRegion.get(region) ?? []), entry]);
    }
  }
  const shares = [...byRegion].map(([region, who]) => `${region}: ${who.sort().join(', ')}`);
  return { notifies: notifies.sort(), calls: calls.sort(), shares: shares.sort(), irqs: irqs.sort() };
}

export function authorityFromDescription(system: SystemDescription): Authority {
  const notifies: string[] = [];
  const calls: string[] = [];
  const irqs: string[] = [];
  for (const ch of system.channels) {
    ch.ends.forEach((end, i) => {
      const other = ch.ends[1 - i]!;
      if (end.notify) notifies.push(`${end.pd} -> ${other.pd} (badge bit ${other.id})`);
      if (end.pp) calls.push(`${end.pd} -> ${other.pd} (channel ${other.id})`);
    });
  }
  const byRegion = new Map<string, Set<string>>();
  for (const pd of system.allProtectionDomains) {
    for (const irq of pd.irqs) if (irq.kind?.form === 'arm') irqs.push(`irq ${irq.kind.irq} -> ${pd.name} (channel ${irq.id})`);
    for (const m of pd.maps) {
      const set = byRegion.get(m.mr!) ?? new Set<string>();
      set.add(`${pd.name} ${m.perms.read ? 'r' : ''}${m.perms.write ? 'w' : ''}${m.perms.execute ? 'x' : ''}`);
      byRegion.set(m.mr!, set);
    }
  }
  const shares = [...byRegion].map(([region, who]) => `${region}: ${[...who].sort().join(', ')}`);
  return { notifies: notifies.sort(), calls: calls.sort(), shares: shares.sort(), irqs: irqs.sort() };
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
