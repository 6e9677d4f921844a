import type { SdfContext } from '../../parser/sdf/context.js';
import type { SystemDescription } from '../../parser/model.js';

/** Microkit's limit on protection domains, children included (the monitor is extra). */
export const MAX_PDS = 63;
/** PD names are kept to this many bytes in the image (PD_MAX_NAME_LENGTH). */
export const PD_MAX_NAME_LENGTH = 64;
/** The monitor's table of VM names has one entry per vCPU and room for MAX_VMS + 1. */
export const MAX_VCPUS = 64;

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
  const firstPd = new Map<string, (typeof pds)[number]>();
  for (const pd of pds) {
    if (pd.name === undefined) continue;
    const first = firstPd.get(pd.name);
    if (first) {
      ctx.report('pd_duplicate_name', `duplicate protection domain name '${pd.name}'`, {
        reference: `Error: duplicate protection domain name '${pd.name}'.`,
        span: ctx.valueSpan(pd.element, 'name'),
        notes: [{ message: 'first declared here', file: ctx.file, span: ctx.valueSpan(first.element, 'name') }],
      });
    } else {
      firstPd.set(pd.name, pd);
      const bytes = Buffer.byteLength(pd.name, 'utf8');
      if (bytes > PD_MAX_NAME_LENGTH) {
        ctx.report('pd_name_too_long', `PD name is ${bytes} bytes; the image keeps only the first ${PD_MAX_NAME_LENGTH}`, {
          severity: 'warning',
          span: ctx.valueSpan(pd.element, 'name'),
          hint: 'fault reports and microkit_name will show the name cut short',
        });
      }
      if (pd.name === 'monitor') {
        ctx.report('pd_name_reserved', "the PD name 'monitor' is reserved for the Microkit Monitor", {
          reference: "Error: the PD name 'monitor' is reserved for the Microkit Monitor.",
          span: ctx.valueSpan(pd.element, 'name'),
        });
      }
    }
  }
  // g: MR names.
  const firstMr = new Map<string, (typeof system.memoryRegions)[number]>();
  for (const mr of system.memoryRegions) {
    if (mr.name === undefined) continue;
    const first = firstMr.get(mr.name);
    if (first) {
      ctx.report('mr_duplicate_name', `duplicate memory region name '${mr.name}'`, {
        reference: `Error: duplicate memory region name '${mr.name}'.`,
        span: ctx.valueSpan(mr.element, 'name'),
        notes: [{ message: 'first declared here', file: ctx.file, span: ctx.valueSpan(first.element, 'name') }],
      });
    } else {
      firstMr.set(mr.name, mr);
    }
  }
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
