import { LARGE_PAGE } from '../../abi/kernel-config.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';
import type { Element } from '../../parser/element.js';
import type { IoAddressSpace, MemoryRegion, SystemDescription } from '../../parser/model.js';
import { formatPci, hex } from '../../parser/numbers.js';
import type { SdfContext } from '../../parser/sdf/context.js';
import { pdMapLimit } from '../../parser/sdf/protection-domain.js';
import { suggest } from '../../parser/sdf/suggest.js';
import { DisjointIntervals } from '../../util/intervals.js';

const U64_END = 1n << 64n;
/** The end (exclusive) of the IOMMU address space. */
const IOVA_END = 0x80_0000_0000n;

interface Placed {
  mr: string;
  start: bigint;
  end: bigint;
  element: Element;
}

interface Wording {
  kind: 'map' | 'iomap';
  attr: 'vaddr' | 'iovaddr';
  range: string;
  owner: string;
}

/**
 * Check one address space's mappings in document order: MR known, alignment, overflow, the
 * limit, and overlap with earlier mappings (spec: sdf.md §5.4 m, n).
 */
function checkSpace(ctx: SdfContext, maps: { element: Element; mr: string | undefined; addr: bigint | undefined }[], mrs: Map<string, MemoryRegion>, limit: bigint, w: Wording): void {
  const placed = new DisjointIntervals<Placed>();
  for (const m of maps) {
    if (m.mr === undefined) continue;
    const el = m.element;
    const mr = mrs.get(m.mr);
    if (!mr) {
      const guess = suggest(m.mr, mrs.keys());
      ctx.report(w.kind === 'map' ? 'map_unknown_mr' : 'iomap_unknown_mr', `invalid memory region name '${m.mr}' on '${w.kind}'`, {
        reference: `Error: invalid memory region name '${m.mr}' on '${w.kind}' @ ${ctx.loc(el)}`,
        span: ctx.valueSpan(el, 'mr'),
        hint: guess ? `did you mean '${guess}'?` : 'declare it with <memory_region name="…" size="…"/>',
      });
      continue;
    }
    if (m.addr === undefined) continue;
    const start = m.addr;
    if (!mr.invalid.has('page_size') && start % mr.pageSize !== 0n) {
      ctx.report(w.kind === 'map' ? 'map_vaddr_unaligned' : 'iomap_iovaddr_unaligned', `${w.attr} ${hex(start)} is not aligned to the page size ${hex(mr.pageSize)} of '${m.mr}'`, {
        reference: `Error: invalid ${w.attr} alignment on '${w.kind}' @ ${ctx.loc(el)}`,
        span: ctx.valueSpan(el, w.attr),
        notes: [{ message: `'${m.mr}' is declared here`, file: ctx.file, span: mr.element.nameSpan }],
      });
      continue;
    }
    if (mr.size === undefined) continue;
    const end = start + mr.size;
    if (end >= U64_END) {
      ctx.report(w.kind === 'map' ? 'map_range_overflow' : 'iomap_range_overflow', `${w.kind} for '${m.mr}' has address range that overflows`, {
        reference: `Error: ${w.kind} for '${m.mr}' has address range that overflows @ ${ctx.loc(el)}`,
        span: ctx.valueSpan(el, w.attr),
      });
      continue;
    }
    if (end > limit) {
      const text = `${w.kind} for '${m.mr}' has ${w.range} range [${hex(start)}..${hex(end)}) which exceeds valid address space [0x0..${hex(limit)})`;
      ctx.report(w.kind === 'map' ? 'map_range_exceeds_limit' : 'iomap_range_exceeds_limit', text, {
        reference: `Error: ${text} @ ${ctx.loc(el)}`,
        span: ctx.valueSpan(el, w.attr),
        hint: `'${m.mr}' is ${hex(mr.size)} bytes; it must end by ${hex(limit)}`,
      });
      continue;
    }
    const other = placed.overlapping(start, end)[0];
    if (other) {
      const text = `map for '${m.mr}' has ${w.range} range [${hex(start)}..${hex(end)}) which overlaps with map for '${other.mr}' [${hex(other.start)}..${hex(other.end)}) in ${w.owner}`;
      const code: DiagnosticCode = w.kind === 'map' ? 'map_overlap' : 'iomap_overlap';
      ctx.report(code, text, {
        reference: `Error: ${text} @ ${ctx.loc(el)}`,
        span: ctx.valueSpan(el, w.attr),
        notes: [{ message: `'${other.mr}' is mapped here`, file: ctx.file, span: ctx.valueSpan(other.element, w.attr) }],
      });
      continue;
    }
    placed.add(start, end, { mr: m.mr, start, end, element: el });
  }
}

export function firstByName<T extends { name: string | undefined }>(items: T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) if (it.name !== undefined && !m.has(it.name)) m.set(it.name, it);
  return m;
}

/** Spec: sdf.md §5.4 m. */
export function checkMaps(ctx: SdfContext, system: SystemDescription): void {
  const mrs = firstByName(system.memoryRegions);
  for (const pd of system.allProtectionDomains) {
    const maps = pd.maps.map((m) => ({ element: m.element, mr: m.mr, addr: m.vaddr }));
    checkSpace(ctx, maps, mrs, pdMapLimit(ctx.config.vspaceUserTop, pd.stackSize), {
      kind: 'map',
      attr: 'vaddr',
      range: 'virtual address',
      owner: `protection domain '${pd.name ?? ''}'`,
    });
    const vm = pd.virtualMachine;
    if (vm) {
      const vmMaps = vm.maps.map((m) => ({ element: m.element, mr: m.mr, addr: m.vaddr }));
      checkSpace(ctx, vmMaps, mrs, ctx.config.vspaceUserTop + 1n, {
        kind: 'map',
        attr: 'vaddr',
        range: 'virtual address',
        owner: `virtual machine '${vm.name ?? ''}'`,
      });
    }
  }
}

/** Spec: sdf.md §5.4 n. */
export function checkIoMaps(ctx: SdfContext, system: SystemDescription): void {
  const mrs = firstByName(system.memoryRegions);
  const spaces: IoAddressSpace[] = system.ioAddressSpaces;
  for (const space of spaces) {
    for (const m of space.iomaps) {
      const mr = m.mr !== undefined ? mrs.get(m.mr) : undefined;
      if (mr?.pageSizeGiven && mr.pageSize === LARGE_PAGE) {
        ctx.report('iomap_large_page', `'${m.mr}' uses 2 MiB pages, which the seL4 IOMMU support cannot map`, {
          reference: 'Error: currently seL4 does not have large page support for the IOMMU',
          span: ctx.valueSpan(m.element, 'mr'),
          notes: [{ message: 'page_size is given here', file: ctx.file, span: ctx.valueSpan(mr.element, 'page_size') }],
        });
      }
    }
  }
  for (const space of spaces) {
    const maps = space.iomaps.map((m) => ({ element: m.element, mr: m.mr, addr: m.iovaddr }));
    const owner = space.peripheralId ? `PCI device ${formatPci(space.peripheralId)}` : `io_address_space '${space.name ?? ''}'`;
    checkSpace(ctx, maps, mrs, IOVA_END, { kind: 'iomap', attr: 'iovaddr', range: 'io address', owner });
  }
}
