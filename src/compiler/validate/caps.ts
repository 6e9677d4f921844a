import type { CapElement, SystemDescription } from '../../parser/model.js';
import type { SdfContext } from '../../parser/sdf/context.js';

/** Spec: sdf.md §5.4 o: no two cap elements of one PD share a slot. */
export function checkCapSlots(ctx: SdfContext, system: SystemDescription): void {
  for (const pd of system.allProtectionDomains) {
    const bySlot = new Map<bigint, CapElement[]>();
    for (const cap of pd.caps) {
      if (cap.slot === undefined) continue;
      const list = bySlot.get(cap.slot);
      if (list) list.push(cap);
      else bySlot.set(cap.slot, [cap]);
    }
    for (const [slot, caps] of bySlot) {
      if (caps.length < 2) continue;
      const lines = caps.map((c) => `\n  type ${c.type} from '${c.pd ?? ''}' at '${ctx.loc(c.element)}'`).join('');
      ctx.report('cap_slot_overlap', `${caps.length} caps are placed in slot ${slot} of protection domain '${pd.name ?? ''}'`, {
        reference: `Error: overlapping user caps in slot ${slot} of protection domain '${pd.name ?? ''}':${lines}`,
        span: ctx.valueSpan(caps[1]!.element, 'slot'),
        notes: caps.map((c) => ({ message: `${c.type} cap of '${c.pd ?? ''}' for slot ${slot}`, file: ctx.file, span: ctx.valueSpan(c.element, 'slot') })),
      });
    }
  }
}
