import type { DiagnosticCode } from '../../diagnostics/codes.js';
import type { Element } from '../element.js';
import { attr, childElements } from '../element.js';
import type { Vcpu, VirtualMachine } from '../model.js';
import type { SdfContext } from './context.js';
import { cpuHint } from './cpu.js';
import { PD_MAX_ID } from './irq.js';
import { readMap } from './map.js';
import { budgetAndPeriod } from './scheduling.js';

const LEGACY_VM_ID = {
  code: 'vm_legacy_id' as DiagnosticCode,
  hint: 'virtual machines no longer have an id: give the VM one <vcpu id="0"/> child per virtual CPU',
};

/** Children of a VM in the pre-mainline libvmm dialect. */
const LEGACY_VM_CHILDREN: Record<string, string> = {
  program_image: 'the VMM program loads the guest kernel itself; link the kernel image into the VMM and map guest RAM with <map>',
  device_tree: 'the VMM program places the device tree itself; link it into the VMM and map guest RAM with <map>',
  init_ram_disk: 'the VMM program places the initial RAM disk itself; link it into the VMM and map guest RAM with <map>',
};

/** `<virtual_machine>` inside a protection_domain (spec: sdf.md §3.7, §3.8, §5.1). */
export function readVirtualMachine(ctx: SdfContext, el: Element, childIds: Set<bigint>): VirtualMachine {
  const aarch64 = ctx.config.arch === 'aarch64';
  const vm: VirtualMachine = { element: el, invalid: new Set(), name: undefined, priority: 0, budget: 1000n, period: 1000n, vcpus: [], maps: [] };
  const allowed = aarch64 ? ['name', 'priority', 'budget', 'period'] : ['name'];
  ctx.checkAttributes(el, allowed, { id: LEGACY_VM_ID, vm_id: LEGACY_VM_ID });
  const name = attr(el, 'name');
  if (!name) ctx.missing(el, 'name');
  vm.name = name?.value;
  if (aarch64) {
    const priority = ctx.number(el, 'priority', vm);
    // The reference tool truncates the VM priority to 8 bits without a check.
    if (typeof priority === 'bigint') vm.priority = Number(priority & 0xffn);
    const { budget, period } = budgetAndPeriod(ctx, el, vm, 'vm_budget_exceeds_period');
    vm.budget = budget;
    vm.period = period;
  }

  const vcpuIds = new Map<bigint, Vcpu>();
  const limit = ctx.config.vspaceUserTop + 1n;
  let legacyReported = false;
  for (const child of childElements(el)) {
    if (child.tag === 'vcpu') {
      vm.vcpus.push(readVcpu(ctx, child, vm, vcpuIds));
    } else if (child.tag === 'map') {
      vm.maps.push(readMap(ctx, child, limit, undefined));
    } else {
      const legacy = LEGACY_VM_CHILDREN[child.tag];
      if (legacy && legacyReported) continue;
      const message = `invalid XML element '${child.tag}'`;
      const reference = `Error: ${message}: ${ctx.loc(el)}`;
      if (legacy) {
        legacyReported = true;
        ctx.report('vm_legacy_element', `${message} in <virtual_machine>: this is the pre-mainline libvmm form`, { reference, span: child.nameSpan, hint: legacy });
      } else {
        ctx.report('vm_invalid_child', `${message} in <virtual_machine>`, { reference, span: child.nameSpan, hint: '<virtual_machine> takes <vcpu> and <map> children' });
      }
    }
  }
  // A VM in the legacy id form has no vcpus by construction; vm_legacy_id already says what to write.
  const legacyId = attr(el, 'id') !== undefined || attr(el, 'vm_id') !== undefined;
  if (vm.vcpus.length === 0 && !legacyId) {
    ctx.report('vm_missing_vcpu', `virtual machine '${vm.name ?? ''}' has no <vcpu>`, {
      reference: `Error: missing 'vcpu' element on virtual_machine: '${vm.name ?? ''}'`,
      span: el.nameSpan,
      hint: 'add <vcpu id="0"/>',
    });
  }
  for (const v of vm.vcpus) if (v.id !== undefined) childIds.add(v.id);
  return vm;
}

function readVcpu(ctx: SdfContext, el: Element, vm: VirtualMachine, seen: Map<bigint, Vcpu>): Vcpu {
  const vcpu: Vcpu = { element: el, invalid: new Set(), id: undefined, cpu: undefined };
  ctx.checkAttributes(el, ['id', 'setvar_id', 'cpu']);
  if (!attr(el, 'id')) ctx.missing(el, 'id');
  const id = ctx.decimal(el, 'id', false, vcpu);
  if (typeof id === 'bigint') {
    const span = ctx.valueSpan(el, 'id');
    if (id > PD_MAX_ID) {
      ctx.valueError('vcpu_id_out_of_range', el, 'id must be < 62', { span, hint: 'vcpu ids run from 0 to 61' });
    } else if (seen.has(id)) {
      ctx.report('vcpu_duplicate_id', `duplicate vcpu id ${id} in virtual machine '${vm.name ?? ''}'`, {
        reference: `Error: duplicate vcpu id ${id} in virtual machine '${vm.name ?? ''}' @ ${ctx.loc(el)}`,
        span,
        notes: [{ message: `vcpu ${id} is first declared here`, file: ctx.file, span: seen.get(id)!.element.nameSpan }],
      });
    } else {
      vcpu.id = id;
      seen.set(id, vcpu);
    }
  }
  if (attr(el, 'setvar_id')) {
    ctx.report('vcpu_setvar_id_ignored', 'setvar_id on <vcpu> has no effect: the reference tool never patches it', {
      severity: 'warning',
      span: attr(el, 'setvar_id')!.nameSpan,
    });
  }
  const cpuAttr = attr(el, 'cpu');
  if (cpuAttr) {
    // Quirk kept: the reference names the VM element in a cpu parse error.
    const cpu = ctx.number({ ...el, tag: 'virtual_machine' }, 'cpu', vcpu);
    if (typeof cpu === 'bigint') {
      if (cpu >= BigInt(ctx.config.numCores)) {
        ctx.valueError('cpu_out_of_range', el, `cpu core must be less than ${ctx.config.numCores}, got ${cpu}`, {
          span: cpuAttr.valueSpan,
          hint: cpuHint(ctx.config.numCores),
        });
      } else {
        vcpu.cpu = Number(cpu);
      }
    }
  }
  return vcpu;
}
