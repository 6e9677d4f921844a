import type { Element } from '../element.js';
import { attr } from '../element.js';
import type { MapEntry, ProtectionDomain } from '../model.js';
import { hex } from '../numbers.js';
import type { SdfContext } from './context.js';
import { addSetvarSymbol } from './setvar.js';

const PD_MAP_ATTRS = ['mr', 'vaddr', 'perms', 'cached', 'setvar_vaddr', 'setvar_size', 'setvar_prefill_size'] as const;
const VM_MAP_ATTRS = ['mr', 'vaddr', 'perms', 'cached'] as const;

/**
 * `<map>` in a protection_domain (`pd` given) or a virtual_machine (spec: sdf.md §3.3, §5.1).
 * `limit` is the exclusive upper bound of virtual addresses.
 */
export function readMap(ctx: SdfContext, el: Element, limit: bigint, pd: ProtectionDomain | undefined): MapEntry {
  const map: MapEntry = {
    element: el,
    invalid: new Set(),
    mr: undefined,
    vaddr: undefined,
    perms: { read: true, write: true, execute: false },
    cached: true,
    setvarVaddr: undefined,
    setvarSize: undefined,
    setvarPrefillSize: undefined,
  };
  const allowed = pd ? PD_MAP_ATTRS : VM_MAP_ATTRS;
  ctx.checkAttributes(el, allowed);
  const mr = attr(el, 'mr');
  if (!mr) ctx.missing(el, 'mr');
  map.mr = mr?.value;
  if (!attr(el, 'vaddr')) {
    ctx.missing(el, 'vaddr');
    map.invalid.add('vaddr');
  }
  const vaddr = ctx.number(el, 'vaddr', map);
  if (typeof vaddr === 'bigint') {
    if (vaddr >= limit) {
      map.invalid.add('vaddr');
      ctx.valueError('map_vaddr_out_of_range', el, `vaddr (${hex(vaddr)}) must be less than ${hex(limit)}`, {
        span: ctx.valueSpan(el, 'vaddr'),
        hint: pd ? `a PD's mappings must end below its stack (${hex(limit)} for a stack_size of this PD's)` : 'a virtual machine mapping must lie within the guest address space',
      });
    } else {
      map.vaddr = vaddr;
    }
  }
  const perms = attr(el, 'perms');
  if (perms) {
    const v = perms.value;
    if (!/^[rwx]*$/.test(v)) {
      map.invalid.add('perms');
      ctx.valueError('map_perms_invalid', el, "perms must only be a combination of 'r', 'w', and 'x'", { span: perms.valueSpan });
    } else if (/^w+$/.test(v)) {
      map.invalid.add('perms');
      ctx.valueError('map_perms_write_only', el, "perms must not be 'w', write-only mappings are not allowed", {
        span: perms.valueSpan,
        hint: 'AArch64 page tables cannot express write without read: use perms="rw"',
      });
    } else {
      map.perms = { read: v.includes('r'), write: v.includes('w'), execute: v.includes('x') };
    }
  }
  map.cached = ctx.bool(el, 'cached', true, map);
  if (pd) {
    const forms = [
      ['setvar_vaddr', 'vaddr'],
      ['setvar_size', 'size'],
      ['setvar_prefill_size', 'prefill_size'],
    ] as const;
    for (const [name, kind] of forms) {
      const a = attr(el, name);
      if (!a) continue;
      addSetvarSymbol(ctx, pd, a.value, kind, el, name);
    }
    map.setvarVaddr = attr(el, 'setvar_vaddr')?.value;
    map.setvarSize = attr(el, 'setvar_size')?.value;
    map.setvarPrefillSize = attr(el, 'setvar_prefill_size')?.value;
  }
  return map;
}
