import type { Element } from '../element.js';
import { attr, childElements } from '../element.js';
import type { CapElement, CapType } from '../model.js';
import type { SdfContext } from './context.js';

const CAP_TYPES: Record<string, CapType> = { cap_tcb: 'Tcb', cap_sc: 'Sc', cap_vspace: 'VSpace' };

/** Slots 1..127 pass the parser (spec: sdf.md §3.9). */
const CAP_MAP_MAX_SLOT = 128n;
/** The PD root CNode has 64 slots, so only 1..63 exist at run time. */
const USABLE_CAP_SLOTS = 64n;

/** The children of `<cspace>` (the cspace element itself is checked by the PD reader). */
export function readCspace(ctx: SdfContext, el: Element): CapElement[] {
  const caps: CapElement[] = [];
  ctx.checkAttributes(el, []);
  for (const child of childElements(el)) {
    const type = CAP_TYPES[child.tag];
    if (!type) {
      const known = Object.keys(CAP_TYPES).join(', ');
      if (child.tag.startsWith('cap_')) {
        ctx.report('cap_type_unsupported', `cap type '${child.tag.slice(4)}' is not supported in <cspace>`, {
          reference: `Cap type: '${child.tag.slice(4)}' is not supported at '${ctx.loc(child)}'`,
          span: child.nameSpan,
          hint: `<cspace> takes ${known}`,
        });
      } else {
        ctx.report('cspace_invalid_child', `element '${child.tag}' is not supported in a <cspace> element`, {
          reference: `Element '${child.tag}' is not supported in a <cspace> element at '${ctx.loc(child)}'`,
          span: child.nameSpan,
          hint: `<cspace> takes ${known}`,
        });
      }
      continue;
    }
    const cap: CapElement = { element: child, invalid: new Set(), type, pd: undefined, slot: undefined };
    ctx.checkAttributes(child, ['pd', 'slot']);
    const pd = attr(child, 'pd');
    if (!pd) ctx.missing(child, 'pd');
    cap.pd = pd?.value;
    if (!attr(child, 'slot')) ctx.missing(child, 'slot');
    const slot = ctx.number(child, 'slot', cap);
    if (typeof slot === 'bigint') {
      const span = ctx.valueSpan(child, 'slot');
      if (slot === 0n) {
        ctx.valueError('cap_slot_reserved', child, 'The destination slot 0 has been reserved for Microkit CNode', { span, hint: 'use a slot from 1 to 63' });
      } else if (slot >= CAP_MAP_MAX_SLOT) {
        ctx.valueError('cap_slot_out_of_range', child, 'There are only 128 destination cspace slots available.', { span, hint: 'use a slot from 1 to 63' });
      } else {
        cap.slot = slot;
        if (slot >= USABLE_CAP_SLOTS) {
          ctx.report('cap_slot_unusable', `slot ${slot} does not exist at run time: the PD's root CNode has ${USABLE_CAP_SLOTS} slots`, {
            severity: 'warning',
            span,
            hint: 'the reference tool accepts slots up to 127, but a cap placed above 63 cannot be reached; use a slot from 1 to 63',
          });
        }
      }
    }
    caps.push(cap);
  }
  return caps;
}
