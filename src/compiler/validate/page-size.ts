import { LARGE_PAGE, SMALL_PAGE } from '../../abi/kernel-config.js';
import type { SystemDescription } from '../../parser/model.js';

/**
 * Give each MR the largest page size its size and every address it is used at allow, unless
 * the page size was given or an iomap uses it (spec: sdf.md §6). Runs on a valid system only.
 */
export function selectPageSizes(system: SystemDescription): void {
  const iomapped = new Set<string>();
  for (const s of system.ioAddressSpaces) for (const m of s.iomaps) if (m.mr !== undefined) iomapped.add(m.mr);
  const addresses = new Map<string, bigint[]>();
  const add = (mr: string | undefined, a: bigint | undefined): void => {
    if (mr === undefined || a === undefined) return;
    const list = addresses.get(mr);
    if (list) list.push(a);
    else addresses.set(mr, [a]);
  };
  for (const pd of system.allProtectionDomains) {
    for (const m of pd.maps) add(m.mr, m.vaddr);
    for (const m of pd.virtualMachine?.maps ?? []) add(m.mr, m.vaddr);
  }
  for (const mr of system.memoryRegions) {
    if (mr.pageSizeGiven || mr.name === undefined || iomapped.has(mr.name) || mr.size === undefined) continue;
    if (mr.size % LARGE_PAGE !== 0n || mr.pageSize !== SMALL_PAGE) continue;
    const all = [...(addresses.get(mr.name) ?? [])];
    if (mr.physAddr !== undefined) all.push(mr.physAddr);
    if (all.every((a) => a % LARGE_PAGE === 0n)) mr.pageSize = LARGE_PAGE;
  }
}
