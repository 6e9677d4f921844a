import type { SdfContext } from '../../parser/sdf/context.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';
import type { Entity, SystemDescription } from '../../parser/model.js';

/** Microkit's limit on protection domains, children included (the monitor is extra). */
const MAX_PDS = 63;
/** PD names are kept to this many bytes in the image (PD_MAX_NAME_LENGTH). */
const PD_MAX_NAME_LENGTH = 64;
/** The monitor's table of VM names has one entry per vCPU and room for MAX_VMS + 1. */
const MAX_VCPUS = 64;

/**
 * Report each entity whose name an earlier one already has (`Error: duplicate {what} name
 * '{name}'.`); returns the first entity of each name, in order.
 */
function uniqueByName<T extends Entity & { name: string | undefined }>(ctx: SdfContext, items: T[], code: DiagnosticCode, what: string): T[] {
  const first = new Map<string, T>();
  for (const item of items) {
    if (item.name === undefined) continue;
    const earlier = first.get(item.name);
    if (earlier) {
      ctx.report(code, `duplicate ${what} name '${item.name}'`, {
        reference: `Error: duplicate ${what} name '${item.name}'.`,
        span: ctx.valueSpan(item.element, 'name'),
        notes: [{ message: 'first declared here', file: ctx.file, span: ctx.valueSpan(earlier.element, 'name') }],
      });
    } else {
      first.set(item.name, item);
    }
  }
  return [...first.values()];
}

/** Spec: sdf.md §5.4 d–h. */
export function checkNames(ctx: SdfContext, system: SystemDescription): void {
  const pds = system.allProtectionDomains;
  // d, e: how many PDs.
  if (pds.length === 0) {
    ctx.report('system_no_protection_domain', 'at least one protection domain must be defined', {
      reference: 'Error: at least one protection domain must be defined',
      span: system.root.nameSpan,
    });
  }
  if (pds.length > MAX_PDS) {
    ctx.report('system_too_many_protection_domains', `too many protection domains (${pds.length}) defined. Maximum is ${MAX_PDS}.`, {
      reference: `Error: too many protection domains (${pds.length}) defined. Maximum is ${MAX_PDS}.`,
      span: pds[MAX_PDS]!.element.nameSpan,
      hint: `Microkit supports ${MAX_PDS} protection domains, child PDs included; this is the ${MAX_PDS + 1}th`,
    });
  }
  // f: PD names.
  for (const pd of uniqueByName(ctx, pds, 'pd_duplicate_name', 'protection domain')) {
    const name = pd.name!;
    const bytes = new TextEncoder().encode(name).length;
    if (bytes > PD_MAX_NAME_LENGTH) {
      ctx.report('pd_name_too_long', `PD name is ${bytes} bytes; the image keeps only the first ${PD_MAX_NAME_LENGTH}`, {
        severity: 'warning',
        span: ctx.valueSpan(pd.element, 'name'),
        hint: 'fault reports and microkit_name will show the name cut short',
      });
    }
    if (name === 'monitor') {
      ctx.report('pd_name_reserved', "the PD name 'monitor' is reserved for the Microkit Monitor", {
        reference: "Error: the PD name 'monitor' is reserved for the Microkit Monitor.",
        span: ctx.valueSpan(pd.element, 'name'),
      });
    }
  }
  // g: MR names.
  uniqueByName(ctx, system.memoryRegions, 'mr_duplicate_name', 'memory region');
  // h: VM names, and the x86 ban on a VMM with children.
  const firstVm = new Map<string, (typeof pds)[number]>();
  for (const pd of pds) {
    const vm = pd.virtualMachine;
    if (!vm) continue;
    if (vm.name !== undefined) {
      const first = firstVm.get(vm.name);
      if (first) {
        ctx.report('vm_duplicate_name', `duplicate virtual machine name '${vm.name}'`, {
          reference: `Error: duplicate virtual machine name '${vm.name}'.`,
          span: ctx.valueSpan(vm.element, 'name'),
          notes: [{ message: 'first declared here', file: ctx.file, span: ctx.valueSpan(first.virtualMachine!.element, 'name') }],
        });
      } else {
        firstVm.set(vm.name, pd);
      }
    }
    if (ctx.config.arch === 'x86_64' && vm.vcpus.length > 1) {
      ctx.report('vm_multiple_vcpus_x86', `virtual machine '${vm.name ?? ''}' has ${vm.vcpus.length} vcpus; x86_64 supports one`, {
        span: vm.vcpus[1]!.element.nameSpan,
        hint: 'the reference Microkit tool accepts this and then crashes while building',
      });
    }
    if (ctx.config.arch === 'x86_64' && pd.children.length > 0) {
      ctx.report('vm_pd_with_children_x86', `PD '${pd.name ?? ''}' has a virtual machine and child PDs, which x86_64 does not support`, {
        reference: `Error: It is not possible for PD '${pd.name ?? ''}' with a bound vCPU to have children on x86_64: ${ctx.loc(pd.element)}`,
        span: pd.children[0]!.element.nameSpan,
      });
    }
  }
  const vcpus = pds.flatMap((pd) => pd.virtualMachine?.vcpus ?? []);
  if (vcpus.length > MAX_VCPUS) {
    ctx.report('system_too_many_vcpus', `the system has ${vcpus.length} vcpus; Microkit supports ${MAX_VCPUS}`, {
      span: vcpus[MAX_VCPUS]!.element.nameSpan,
      hint: 'the reference Microkit tool accepts this and then crashes while building (the monitor keeps one name per vcpu)',
    });
  }
}
