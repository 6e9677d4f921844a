import { MONITOR_SLOT, SLOT } from '../../compiler/spec/build-spec.js';
import type { ObjectKind, Spec, SpecObject } from '../../compiler/spec/types.js';

/**
 * What each CSpace slot of each thread holds, in the system description's words, for
 * `run --trace syscalls`: "channel 3: notify 'server'", "reply", "child 1: TCB of 'worker'".
 * Built once from the Spec, which knows every cap of every CNode (Microkit's layout:
 * ../shared/spec/microkit.md §1.6). Channel, IRQ and child ids are the ones the PD itself uses.
 */

/** The words for the slots of one thread's CSpace: its root CNode and, for PDs, the Microkit CNode under root slot 0. */
export interface CSpaceWords {
  root: Map<number, SlotWords>;
  /** Slots of the Microkit CNode (cptrs 0–511); empty for the monitor, whose root is single-level. */
  cnode: Map<number, SlotWords>;
  /** Whether the root is the only level (the monitor): its slots are then called "slot N". */
  singleLevel: boolean;
}

export interface SlotWords {
  words: string;
  /** The kind of object the Spec put there, to notice a slot changed at run time. */
  kind: ObjectKind;
}

/** Object names are Microkit's `<kind>_<pd>`: the PD a cap leads to. */
function owner(o: SpecObject, prefix: string): string {
  return o.name.startsWith(prefix) ? o.name.slice(prefix.length) : o.name;
}

/** An object in words, when the slot's position says nothing more. */
function objectWords(o: SpecObject): string {
  switch (o.kind) {
    case 'tcb':
      return `TCB of '${o.tcb.pd}'`;
    case 'endpoint':
      return `endpoint of '${owner(o, 'ep_')}'`;
    case 'notification':
      return `notification of '${owner(o, 'ntfn_')}'`;
    case 'reply':
      return `reply object of '${owner(o, 'reply_')}'`;
    case 'sched_context':
      return `scheduling context of '${owner(o, 'sched_context_')}'`;
    case 'vspace':
      return `VSpace of '${owner(o, 'vspace_')}'`;
    case 'irq':
      return `IRQ ${o.irq} handler`;
    case 'cnode':
      return `CNode '${o.name}'`;
    case 'frame':
      return `frame '${o.name}'`;
    case 'page_table':
      return `page table '${o.name}'`;
  }
}

/** A PD's Microkit CNode slot in words (slot numbers are libmicrokit's constants). */
function pdSlotWords(slot: number, o: SpecObject, pd: string): string {
  if (slot === SLOT.input) return o.kind === 'endpoint' ? 'own endpoint' : 'own notification';
  if (slot === SLOT.faultEp) return o.kind === 'endpoint' && o.name !== 'ep_fault_monitor' ? `fault endpoint (parent '${owner(o, 'ep_')}')` : 'fault endpoint (monitor)';
  if (slot === SLOT.vspace) return 'own VSpace';
  if (slot === SLOT.reply) return 'reply';
  if (slot === SLOT.monitorEp) return 'monitor endpoint';
  if (o.kind === 'tcb' && o.tcb.pd === pd) return 'own TCB';
  if (slot >= SLOT.notification && slot < SLOT.endpoint) return `channel ${slot - SLOT.notification}: notify '${owner(o, 'ntfn_')}'`;
  if (slot >= SLOT.endpoint && slot < SLOT.irq) return `channel ${slot - SLOT.endpoint}: ppcall '${owner(o, 'ep_')}'`;
  if (slot >= SLOT.irq && slot < SLOT.childTcb && o.kind === 'irq') return `channel ${slot - SLOT.irq}: IRQ ${o.irq} handler`;
  if (slot >= SLOT.childTcb && o.kind === 'tcb') return `child ${slot - SLOT.childTcb}: TCB of '${o.tcb.pd}'`;
  return objectWords(o);
}

/** The monitor's CNode slot in words. */
function monitorSlotWords(slot: number, o: SpecObject): string {
  if (slot === MONITOR_SLOT.faultEp) return 'fault endpoint';
  if (slot === MONITOR_SLOT.reply) return 'reply';
  return objectWords(o);
}

/** The words for every slot of every thread's CSpace, by PD name ("monitor" included). */
export function cspaceWords(spec: Spec): Map<string, CSpaceWords> {
  const out = new Map<string, CSpaceWords>();
  for (const pd of spec.pds) {
    const tcb = spec.objects[pd.tcb];
    if (tcb?.kind !== 'tcb') continue;
    const root = spec.objects[tcb.tcb.cspace.object];
    if (root?.kind !== 'cnode') continue;
    const words: CSpaceWords = { root: new Map(), cnode: new Map(), singleLevel: pd.name === 'monitor' };
    for (const s of root.slots) {
      const o = spec.objects[s.cap.object];
      if (!o) continue;
      if (words.singleLevel) words.root.set(s.slot, { words: monitorSlotWords(s.slot, o), kind: o.kind });
      else if (s.slot === 0 && o.kind === 'cnode') {
        words.root.set(0, { words: 'Microkit CNode', kind: o.kind });
        for (const c of o.slots) {
          const target = spec.objects[c.cap.object];
          if (target) words.cnode.set(c.slot, { words: pdSlotWords(c.slot, target, pd.name), kind: target.kind });
        }
      } else words.root.set(s.slot, { words: objectWords(o), kind: o.kind });
    }
    out.set(pd.name, words);
  }
  return out;
}
