import { ARCH_DISPLAY_NAME } from '../../abi/kernel-config.js';
import type { Element } from '../element.js';
import { attr, childElements } from '../element.js';
import type { IoAddressSpace, IoMap } from '../model.js';
import { formatPci, hex, parsePciAddress } from '../numbers.js';
import type { SdfContext } from './context.js';

/** The largest IO virtual address (CAPDL_MAX_IOVA, 2^39 − 1). */
const MAX_IOVA = 0x7f_ffff_ffffn;

export interface IoSpaceState {
  names: Map<string, IoAddressSpace>;
  domainIds: Map<bigint, IoAddressSpace>;
  devices: Map<string, IoAddressSpace>;
}

/** `<io_address_space>` and its `<iomap>` children (spec: sdf.md §3.12, §5.3). */
export function readIoAddressSpace(ctx: SdfContext, el: Element, state: IoSpaceState): IoAddressSpace {
  const space: IoAddressSpace = { element: el, invalid: new Set(), name: undefined, peripheralId: undefined, domainId: undefined, iomaps: [] };
  const x86 = ctx.config.arch === 'x86_64';
  if (!ctx.config.iommu) {
    ctx.report('io_address_space_without_iommu', 'io address space requires seL4 to be built with IOMMU support', {
      reference: `Error: io address space requires seL4 to be built with IOMMU support: ${ctx.loc(el)}`,
      span: el.nameSpan,
      ...(x86 ? {} : { hint: 'only x86_64 kernels have IOMMU support' }),
    });
    return space;
  }
  ctx.checkAttributes(el, ['name', 'peripheral_id', 'domain_id']);
  const name = attr(el, 'name');
  if (!name) ctx.missing(el, 'name');
  else if (state.names.has(name.value)) {
    ctx.valueError('io_address_space_duplicate_name', el, `duplicate name '${name.value}'`, {
      span: name.valueSpan,
      notes: [{ message: 'first declared here', file: ctx.file, span: state.names.get(name.value)!.element.nameSpan }],
    });
  } else {
    space.name = name.value;
    state.names.set(name.value, space);
  }
  if (x86) {
    if (!attr(el, 'domain_id')) ctx.missing(el, 'domain_id');
    const domainId = ctx.number(el, 'domain_id', space);
    if (typeof domainId === 'bigint') {
      const other = state.domainIds.get(domainId);
      if (other) {
        ctx.valueError('io_address_space_duplicate_domain_id', el, 'reusing a domain id is forbidden', {
          span: ctx.valueSpan(el, 'domain_id'),
          notes: [{ message: `domain id ${domainId} is first used here`, file: ctx.file, span: other.element.nameSpan }],
        });
      } else {
        space.domainId = domainId;
        state.domainIds.set(domainId, space);
      }
    }
  }
  const peripheral = attr(el, 'peripheral_id');
  if (!peripheral) ctx.missing(el, 'peripheral_id');
  else {
    const pci = x86 ? parsePciAddress(peripheral.value) : { ok: false as const, reason: `IOMMU device identifiers are not supported on ${ARCH_DISPLAY_NAME[ctx.config.arch]}` };
    if (!pci.ok) {
      ctx.valueError('io_address_space_peripheral_invalid', el, `failed to parse device peripheral_id '${peripheral.value}': ${pci.reason}`, {
        span: peripheral.valueSpan,
      });
    } else {
      const key = formatPci(pci);
      const other = state.devices.get(key);
      if (other) {
        ctx.valueError('io_address_space_duplicate_peripheral', el, `duplicate device peripheral_id 'PCI device ${key}'`, {
          span: peripheral.valueSpan,
          notes: [{ message: 'the same device is first given here', file: ctx.file, span: other.element.nameSpan }],
        });
      } else {
        space.peripheralId = { bus: pci.bus, device: pci.device, function: pci.function };
        state.devices.set(key, space);
      }
    }
  }
  for (const child of childElements(el)) {
    if (child.tag !== 'iomap') {
      ctx.report('io_address_space_invalid_child', `invalid XML element '${child.tag}' in <io_address_space>`, {
        reference: `Error: invalid XML element '${child.tag}': ${ctx.loc(child)}`,
        span: child.nameSpan,
        hint: '<io_address_space> takes <iomap> children',
      });
      continue;
    }
    space.iomaps.push(readIoMap(ctx, child));
  }
  return space;
}

function readIoMap(ctx: SdfContext, el: Element): IoMap {
  const map: IoMap = { element: el, invalid: new Set(), mr: undefined, iovaddr: undefined, perms: { read: true, write: true } };
  ctx.checkAttributes(el, ['mr', 'iovaddr', 'perms']);
  const mr = attr(el, 'mr');
  if (!mr) ctx.missing(el, 'mr');
  map.mr = mr?.value;
  if (!attr(el, 'iovaddr')) ctx.missing(el, 'iovaddr');
  const iovaddr = ctx.number(el, 'iovaddr', map);
  if (typeof iovaddr === 'bigint') {
    if (iovaddr > MAX_IOVA) {
      ctx.valueError('iomap_iovaddr_out_of_range', el, `iovaddr (${hex(iovaddr)}) must be less than 0x8000000000`, { span: ctx.valueSpan(el, 'iovaddr') });
    } else {
      map.iovaddr = iovaddr;
    }
  }
  if (map.iovaddr === undefined) map.invalid.add('iovaddr');
  const perms = attr(el, 'perms');
  if (perms) {
    if (!/^[rw]+$/.test(perms.value)) {
      map.invalid.add('perms');
      ctx.valueError('iomap_perms_invalid', el, "perms for io mapped memory must only be a combination of 'r' and 'w'", { span: perms.valueSpan });
    } else {
      map.perms = { read: perms.value.includes('r'), write: perms.value.includes('w') };
    }
  }
  return map;
}
