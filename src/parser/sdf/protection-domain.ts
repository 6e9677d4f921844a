import type { Element } from '../element.js';
import { attr, childElements } from '../element.js';
import type { Domain, ProtectionDomain } from '../model.js';
import { hex } from '../numbers.js';
import type { SdfContext } from './context.js';
import { cpuHint } from './cpu.js';
import { readCspace } from './cspace.js';
import { readIoPort } from './ioport.js';
import { readIrq } from './irq.js';
import { readMap } from './map.js';
import { budgetAndPeriod } from './scheduling.js';
import { addSetvarSymbol, readSetvar } from './setvar.js';
import { suggest } from './suggest.js';
import { readVirtualMachine } from './virtual-machine.js';

const PD_ATTRS = ['name', 'priority', 'budget', 'period', 'passive', 'stack_size', 'smc', 'cpu', 'domain', 'fpu'] as const;
const CHILD_PD_ATTRS = [...PD_ATTRS, 'id', 'setvar_id'] as const;
const PD_CHILDREN = ['program_image', 'map', 'irq', 'ioport', 'setvar', 'protection_domain', 'virtual_machine', 'cspace'] as const;

const MAX_PRIORITY = 254n;
const DEFAULT_STACK_SIZE = 0x2000n;
const MIN_STACK_SIZE = 0x1000n;
const MAX_STACK_SIZE = 0x1000000n;

/** Unknown PD children that older or research dialects used, with what to write today. */
const LEGACY_PD_CHILDREN: Record<string, string> = {
  iomap: 'IOMMU mappings now live in a system-level <io_address_space peripheral_id="…"> with <iomap mr="…" iovaddr="…"/> children',
};

/** The state `<domains>` leaves for the PDs after it (spec: sdf.md §5.1 step 10). */
export interface DomainsInScope {
  /** Declared domains, or undefined while no `<domains>` with a domain has been read. */
  declared: Domain[] | undefined;
}

/**
 * The virtual address where a PD's mappings must end: the bottom of its stack, which sits one
 * guard page below the IPC buffer page at the top of the user address space.
 */
export function pdMapLimit(vspaceUserTop: bigint, stackSize: bigint): bigint {
  const ipcBuffer = vspaceUserTop & ~0xfffn;
  return ipcBuffer - 0x1000n - stackSize;
}

/** `<protection_domain>`, recursively (spec: sdf.md §3.1, §5.1). */
export function readProtectionDomain(ctx: SdfContext, el: Element, parent: ProtectionDomain | undefined, domains: DomainsInScope): ProtectionDomain {
  const isChild = parent !== undefined;
  const pd: ProtectionDomain = {
    element: el,
    invalid: new Set(),
    name: undefined,
    priority: 0,
    budget: 1000n,
    period: 1000n,
    passive: false,
    stackSize: DEFAULT_STACK_SIZE,
    smc: false,
    cpu: 0,
    domain: undefined,
    fpu: true,
    id: undefined,
    setvarId: undefined,
    programImage: undefined,
    maps: [],
    irqs: [],
    ioports: [],
    setvars: [],
    children: [],
    virtualMachine: undefined,
    caps: [],
    parent,
    setvarSymbols: new Map(),
  };

  // Step 1: attributes.
  ctx.checkAttributes(el, isChild ? CHILD_PD_ATTRS : PD_ATTRS, {
    pp: {
      code: 'pd_legacy_pp',
      hint: 'Microkit now marks the caller instead: remove pp here and write pp="true" on the <end> of each PD that calls this one',
    },
    ...(isChild
      ? {}
      : {
          id: {
            code: 'pd_id_on_root',
            hint: 'only a child protection_domain (nested inside its parent) has an id',
          },
        }),
  });
  // Step 2: name.
  const name = attr(el, 'name');
  if (!name) ctx.missing(el, 'name');
  pd.name = name?.value;
  // Step 3: a child's id.
  if (isChild) {
    if (!attr(el, 'id')) {
      ctx.missing(el, 'id', 'a child PD needs an id: the parent refers to it by this number');
      pd.invalid.add('id');
    }
    const id = ctx.number(el, 'id', pd);
    if (typeof id === 'bigint') pd.id = id;
    pd.setvarId = attr(el, 'setvar_id')?.value;
  }
  // Step 4: budget and period.
  const { budget, period } = budgetAndPeriod(ctx, el, pd, 'pd_budget_exceeds_period');
  pd.budget = budget;
  pd.period = period;
  // Step 5–8: passive, stack_size (parsed), smc.
  pd.passive = ctx.bool(el, 'passive', false, pd);
  const stackSize = ctx.number(el, 'stack_size', pd);
  pd.smc = ctx.bool(el, 'smc', false, pd);
  if (pd.smc) checkSmc(ctx, el);
  // Step 9: cpu.
  const cpu = ctx.number(el, 'cpu', pd);
  if (typeof cpu === 'bigint') {
    if (cpu >= BigInt(ctx.config.numCores)) {
      pd.invalid.add('cpu');
      ctx.valueError('cpu_out_of_range', el, `cpu core must be less than ${ctx.config.numCores}, got ${cpu}`, {
        span: ctx.valueSpan(el, 'cpu'),
        hint: cpuHint(ctx.config.numCores),
      });
    } else {
      pd.cpu = Number(cpu);
    }
  }
  // Step 10: domain.
  readDomainAttr(ctx, el, pd, domains);
  // Steps 11–12: stack size range and alignment.
  if (typeof stackSize === 'bigint') {
    const span = ctx.valueSpan(el, 'stack_size');
    if (stackSize < MIN_STACK_SIZE || stackSize > MAX_STACK_SIZE) {
      pd.invalid.add('stack_size');
      ctx.valueError('pd_stack_size_out_of_range', el, 'stack size must be between 0x1000 bytes and 0x1000000 bytes', { span });
    } else if (stackSize % 0x1000n !== 0n) {
      pd.invalid.add('stack_size');
      ctx.valueError('pd_stack_size_unaligned', el, 'stack size must be aligned to the smallest page size, 4096 bytes', {
        span,
        hint: `round it to ${hex(((stackSize + 0xfffn) / 0x1000n) * 0x1000n)}`,
      });
    } else {
      pd.stackSize = stackSize;
    }
  }
  // Step 13: priority.
  const priority = ctx.number(el, 'priority', pd);
  if (typeof priority === 'bigint') {
    if (priority > MAX_PRIORITY) {
      pd.invalid.add('priority');
      ctx.valueError('pd_priority_out_of_range', el, 'priority must be between 0 and 254', {
        span: ctx.valueSpan(el, 'priority'),
        hint: 'priority 255 belongs to the Microkit monitor',
      });
    } else {
      pd.priority = Number(priority);
    }
  }
  // Step 14: fpu.
  pd.fpu = ctx.bool(el, 'fpu', true, pd);
  // Step 15: children.
  readChildren(ctx, el, pd, domains);
  // Step 16: program_image.
  if (!pd.programImage) {
    ctx.report('pd_missing_program_image', `protection domain '${pd.name ?? ''}' has no <program_image>`, {
      reference: `Error: missing 'program_image' element on protection_domain: '${pd.name ?? ''}'`,
      span: el.nameSpan,
      hint: 'add <program_image path="name.elf"/> with the PD\'s ELF file',
    });
  }
  return pd;
}

function checkSmc(ctx: SdfContext, el: Element): void {
  const span = ctx.valueSpan(el, 'smc');
  if (ctx.config.armSmc === false) {
    ctx.valueError('pd_smc_unavailable', el, 'Using SMC support without ARM SMC forwarding support enabled in the kernel for this platform', {
      span,
      hint: 'this kernel is built without KernelAllowSMCCalls',
    });
  } else if (ctx.config.armSmc === null) {
    ctx.report('pd_smc_unavailable', 'ARM SMC forwarding support is not available for this architecture', {
      reference: 'ARM SMC forwarding support is not available for this architecture',
      span,
    });
  }
}

function readDomainAttr(ctx: SdfContext, el: Element, pd: ProtectionDomain, domains: DomainsInScope): void {
  const a = attr(el, 'domain');
  if (domains.declared) {
    if (!a) {
      ctx.missing(el, 'domain', 'once <domains> is declared, every protection_domain after it needs a domain');
      return;
    }
    if (!domains.declared.some((d) => d.name === a.value)) {
      const guess = suggest(
        a.value,
        domains.declared.flatMap((d) => (d.name ? [d.name] : [])),
      );
      ctx.valueError('pd_domain_unknown', el, `domain '${a.value}' not declared in <domains>:`, {
        span: a.valueSpan,
        hint: guess ? `did you mean '${guess}'?` : 'declare it with <domain name="…"/> inside <domains>',
      });
      return;
    }
    pd.domain = a.value;
  } else if (a) {
    ctx.valueError('pd_domain_without_schedule', el, `Specifying a domain '${a.value}' without declaring a domain schedule is not allowed:`, {
      span: a.valueSpan,
      hint: 'declare <domains> with its <domain_schedule> before the first protection_domain that uses it',
    });
  }
}

function readChildren(ctx: SdfContext, el: Element, pd: ProtectionDomain, domains: DomainsInScope): void {
  const limit = pdMapLimit(ctx.config.vspaceUserTop, pd.stackSize);
  const vcpuIds = new Set<bigint>();
  let cspaceSeen = false;
  for (const child of childElements(el)) {
    switch (child.tag) {
      case 'program_image': {
        ctx.checkAttributes(child, ['path', 'path_for_symbols']);
        if (pd.programImage) {
          ctx.valueError('pd_duplicate_program_image', el, 'program_image must only be specified once', {
            span: child.nameSpan,
            notes: [{ message: 'the first program_image is here', file: ctx.file, span: pd.programImage.element.nameSpan }],
          });
          break;
        }
        const path = attr(child, 'path');
        if (!path) ctx.missing(child, 'path');
        pd.programImage = { element: child, invalid: new Set(), path: path?.value, pathForSymbols: attr(child, 'path_for_symbols')?.value };
        break;
      }
      case 'map':
        pd.maps.push(readMap(ctx, child, limit, pd));
        break;
      case 'irq':
        pd.irqs.push(readIrq(ctx, child, pd));
        break;
      case 'ioport':
        pd.ioports.push(readIoPort(ctx, child, pd));
        break;
      case 'setvar':
        pd.setvars.push(readSetvar(ctx, child, pd));
        break;
      case 'protection_domain': {
        const sub = readProtectionDomain(ctx, child, pd, domains);
        pd.children.push(sub);
        if (sub.setvarId !== undefined) addSetvarSymbol(ctx, pd, sub.setvarId, 'child_id', child, 'setvar_id');
        break;
      }
      case 'virtual_machine':
        if (!ctx.config.hypervisor) {
          // `sel4ts check` adds a hint naming a board configuration with a hypervisor (config-hints.ts).
          ctx.valueError('vm_without_hypervisor', el, 'seL4 has not been built as a hypervisor, virtual machines are disabled', { span: child.nameSpan });
          break;
        }
        if (pd.virtualMachine) {
          ctx.valueError('pd_duplicate_virtual_machine', el, 'virtual_machine must only be specified once', {
            span: child.nameSpan,
            notes: [{ message: 'the first virtual_machine is here', file: ctx.file, span: pd.virtualMachine.element.nameSpan }],
          });
          break;
        }
        pd.virtualMachine = readVirtualMachine(ctx, child, vcpuIds);
        break;
      case 'cspace':
        if (cspaceSeen) {
          ctx.valueError('pd_duplicate_cspace', el, 'cspace must only be specified once', { span: child.nameSpan });
          break;
        }
        cspaceSeen = true;
        pd.caps.push(...readCspace(ctx, child));
        break;
      default: {
        const legacy = LEGACY_PD_CHILDREN[child.tag];
        const guess = suggest(child.tag, PD_CHILDREN);
        ctx.report(legacy ? 'pd_legacy_element' : 'pd_invalid_child', `invalid XML element '${child.tag}' in <protection_domain>`, {
          reference: `Invalid XML element '${child.tag}': ${ctx.loc(child)}`,
          span: child.nameSpan,
          hint: legacy ?? (guess ? `did you mean '${guess}'?` : `<protection_domain> takes: ${PD_CHILDREN.join(', ')}`),
        });
      }
    }
  }
}
