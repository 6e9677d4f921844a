import type { MemoryRegion, SystemDescription } from '../../parser/model.js';
import { hex } from '../../parser/numbers.js';
import type { SdfContext } from '../../parser/sdf/context.js';
import { DisjointIntervals } from '../../util/intervals.js';
import { firstByName } from './maps.js';

/** Spec: sdf.md §5.4 p: MRs with phys_addr must not overlap. */
export function checkPhysAddrs(ctx: SdfContext, system: SystemDescription): void {
  const placed = new DisjointIntervals<MemoryRegion>();
  for (const mr of system.memoryRegions) {
    if (mr.physAddr === undefined || mr.size === undefined) continue;
    const start = mr.physAddr;
    const end = start + mr.size;
    const other = placed.overlapping(start, end)[0];
    if (other) {
      const os = other.physAddr!;
      const oe = os + other.size!;
      const text = `memory region '${mr.name ?? ''}' physical address range [${hex(start)}..${hex(end)}) overlaps with another memory region '${other.name ?? ''}' [${hex(os)}..${hex(oe)})`;
      ctx.report('mr_phys_addr_overlap', text, {
        reference: `Error: ${text} @ ${ctx.loc(mr.element)}`,
        span: ctx.valueSpan(mr.element, 'phys_addr'),
        notes: [{ message: `'${other.name ?? ''}' is placed here`, file: ctx.file, span: ctx.valueSpan(other.element, 'phys_addr') }],
      });
      continue;
    }
    placed.add(start, end, mr);
  }
}

/** MRs that some PD or VM maps (iomaps do not count, as in the reference). */
function mappedRegions(system: SystemDescription): Set<string> {
  const used = new Set<string>();
  for (const pd of system.allProtectionDomains) {
    for (const m of pd.maps) if (m.mr !== undefined) used.add(m.mr);
    for (const m of pd.virtualMachine?.maps ?? []) if (m.mr !== undefined) used.add(m.mr);
  }
  return used;
}

/** The first `<setvar region_paddr>` that names `mr`: the PD and the symbol it patches. */
function regionPaddrUser(system: SystemDescription, mr: string): { pd: string; symbol: string } | undefined {
  for (const pd of system.allProtectionDomains) {
    const sv = pd.setvars.find((s) => s.regionPaddr === mr);
    if (sv) return { pd: pd.name ?? '', symbol: sv.symbol ?? '' };
  }
  return undefined;
}

/** Spec: sdf.md §5.5 steps 1, 3, 4. */
export function checkPostProcessing(ctx: SdfContext, system: SystemDescription): void {
  const used = mappedRegions(system);
  for (const mr of system.memoryRegions) {
    if (mr.name === undefined || used.has(mr.name)) continue;
    // The reference counts only maps, so it warns about these too; they are used all the same,
    // and the hint must not say to remove them.
    const iomapped = system.ioAddressSpaces.some((s) => s.iomaps.some((m) => m.mr === mr.name));
    const setvar = regionPaddrUser(system, mr.name);
    const hint = setvar
      ? `the region is in use: setvar '${setvar.symbol}' gives its physical address to '${setvar.pd}'; the reference tool counts only maps, so keep it (map it too if '${setvar.pd}' should also access it)`
      : iomapped
        ? 'the region is in use by an iomap, which the reference tool does not count; keep it'
        : 'map it with <map mr="…"/>, or remove it';
    ctx.report('mr_unused', `memory region '${mr.name}' is not mapped by any protection domain`, {
      severity: 'warning',
      reference: `WARNING: unused memory region '${mr.name}'`,
      span: ctx.valueSpan(mr.element, 'name'),
      hint,
    });
  }
  const mrs = firstByName(system.memoryRegions);
  for (const pd of system.allProtectionDomains) {
    for (const m of pd.maps) {
      if (m.setvarPrefillSize === undefined || m.mr === undefined) continue;
      const mr = mrs.get(m.mr);
      if (!mr || mr.prefillPath !== undefined) continue;
      ctx.report('setvar_prefill_size_without_prefill', `'setvar_prefill_size' used for MR '${m.mr}', which has no prefill_path`, {
        reference: `Error: 'setvar_prefill_size' used for MR without a \`prefill_path\` @ '${m.mr}' ${ctx.loc(mr.element)}`,
        span: ctx.valueSpan(m.element, 'setvar_prefill_size'),
        notes: [{ message: `'${m.mr}' is declared here`, file: ctx.file, span: mr.element.nameSpan }],
      });
    }
  }
  for (const pd of system.allProtectionDomains) {
    for (const sv of pd.setvars) {
      if (sv.regionPaddr === undefined) continue;
      const mr = mrs.get(sv.regionPaddr);
      if (!mr) {
        ctx.report('setvar_region_unknown', `setvar region_paddr names memory region '${sv.regionPaddr}', which does not exist`, {
          span: ctx.valueSpan(sv.element, 'region_paddr'),
          hint: 'the reference Microkit tool accepts this and then crashes while patching symbols',
        });
        continue;
      }
      if (mr.physAddr !== undefined || mr.invalid.has('phys_addr')) continue;
      if (ctx.config.arch === 'x86_64') {
        ctx.report('setvar_region_without_paddr_x86', `setvar region_paddr on '${mr.name}', which has no phys_addr, is unsupported on x86_64`, {
          reference: `Error: setvar with 'region_paddr' for MR without a specified paddr is unsupported on x86-64 @ '${mr.name}' ${ctx.loc(mr.element)}`,
          span: ctx.valueSpan(sv.element, 'region_paddr'),
          notes: [{ message: `'${mr.name}' is declared here`, file: ctx.file, span: mr.element.nameSpan }],
          hint: 'give the memory region a phys_addr',
        });
      } else {
        mr.toolAllocated = true;
      }
    }
  }
}
