import type { Element } from '../element.js';
import type { Domains, ProtectionDomain, SystemDescription } from '../model.js';
import type { SdfContext } from './context.js';
import { readChannel } from './channel.js';
import { readDomains } from './domains.js';
import { readIoAddressSpace, type IoSpaceState } from './io-address-space.js';
import { readMemoryRegion } from './memory-region.js';
import { readProtectionDomain, type DomainsInScope } from './protection-domain.js';
import { suggest } from './suggest.js';

const SYSTEM_CHILDREN = ['protection_domain', 'memory_region', 'channel', 'io_address_space', 'domains'];

/** Research dialects seen in real systems, with what current Microkit offers instead. */
const LEGACY_SYSTEM_CHILDREN: Record<string, string> = {
  template: '<template> belongs to a research dialect; write each protection_domain out (or generate the file)',
};

/**
 * Read `<system>` into a `SystemDescription`, reporting every element-level problem (spec:
 * sdf.md §5.0 steps 1–3): the first pass over the top-level elements in document order, PD-tree
 * flattening, then the queued channels, then the `pd` names of cap elements.
 */
export function readSystem(ctx: SdfContext, root: Element): SystemDescription {
  const system: SystemDescription = {
    file: ctx.file,
    root,
    protectionDomains: [],
    allProtectionDomains: [],
    memoryRegions: [],
    channels: [],
    ioAddressSpaces: [],
    domains: undefined,
  };
  checkText(ctx, root);

  const scope: DomainsInScope = { declared: undefined };
  const ioSpaces: IoSpaceState = { names: new Map(), domainIds: new Map(), devices: new Map() };
  const queuedChannels: Element[] = [];
  for (const child of root.children) {
    if (child.kind !== 'element') continue;
    switch (child.tag) {
      case 'protection_domain':
        system.protectionDomains.push(readProtectionDomain(ctx, child, undefined, scope));
        break;
      case 'memory_region':
        system.memoryRegions.push(readMemoryRegion(ctx, child));
        break;
      case 'io_address_space':
        system.ioAddressSpaces.push(readIoAddressSpace(ctx, child, ioSpaces));
        break;
      case 'domains': {
        const d: Domains | undefined = readDomains(ctx, child, system.domains);
        if (d && (!system.domains || system.domains.domains.length === 0)) system.domains = d;
        if (d && d.domains.length > 0) scope.declared = d.domains;
        break;
      }
      case 'channel':
        queuedChannels.push(child);
        break;
      case 'virtual_machine':
        ctx.report('vm_not_in_pd', 'virtual machine must be a child of a protection domain', {
          reference: `Error: virtual machine must be a child of a protection domain: ${ctx.loc(child)}`,
          span: child.nameSpan,
          hint: 'move <virtual_machine> inside the protection_domain of its VMM',
        });
        break;
      default: {
        const legacy = LEGACY_SYSTEM_CHILDREN[child.tag];
        const guess = suggest(child.tag, SYSTEM_CHILDREN);
        ctx.report(legacy ? 'system_legacy_element' : 'system_invalid_child', `invalid XML element '${child.tag}' in <system>`, {
          reference: `Error: invalid XML element '${child.tag}': ${ctx.loc(child)}`,
          span: child.nameSpan,
          hint: legacy ?? (guess ? `did you mean '${guess}'?` : `<system> takes: ${SYSTEM_CHILDREN.join(', ')}`),
        });
      }
    }
  }

  system.allProtectionDomains = flatten(ctx, system.protectionDomains);
  const byName = new Map<string, ProtectionDomain>();
  for (const pd of system.allProtectionDomains) if (pd.name !== undefined && !byName.has(pd.name)) byName.set(pd.name, pd);
  for (const el of queuedChannels) system.channels.push(readChannel(ctx, el, byName));
  resolveCaps(ctx, system.allProtectionDomains, byName);
  return system;
}

function checkText(ctx: SdfContext, root: Element): void {
  root.children.forEach((child, i) => {
    if (child.kind !== 'text' || child.text.trim() === '') return;
    const first = i === 0;
    const { line, column } = ctx.file.locate(first ? root.span.start : child.span.start);
    const where = `${ctx.file.name}:${line}:${column}`;
    ctx.report('system_unexpected_text', 'unexpected text in <system>', {
      reference: `Error: unexpected text found in element '${first ? 'system' : ''}' @ ${where}`,
      span: { start: child.span.start + (child.text.length - child.text.trimStart().length), end: child.span.end },
      hint: 'only elements (and comments) may appear directly inside <system>',
    });
  });
}

/** Depth-first pre-order, with the duplicate child-id checks (spec: sdf.md §5.4a). */
function flatten(ctx: SdfContext, roots: ProtectionDomain[]): ProtectionDomain[] {
  const out: ProtectionDomain[] = [];
  const visit = (pd: ProtectionDomain): void => {
    out.push(pd);
    const seen = new Map<bigint, ProtectionDomain>();
    const vcpuIds = new Set<bigint>();
    for (const v of pd.virtualMachine?.vcpus ?? []) if (v.id !== undefined) vcpuIds.add(v.id);
    for (const child of pd.children) {
      if (child.id === undefined) continue;
      const span = ctx.valueSpan(child.element, 'id');
      const earlier = seen.get(child.id);
      if (earlier) {
        ctx.report('pd_duplicate_child_id', `duplicate child id ${child.id} in protection domain '${pd.name ?? ''}'`, {
          reference: `Error: duplicate id: ${child.id} in protection domain: '${pd.name ?? ''}' @ ${ctx.loc(child.element)}`,
          span,
          notes: [{ message: `child ${child.id} is first declared here`, file: ctx.file, span: ctx.valueSpan(earlier.element, 'id') }],
        });
      } else if (vcpuIds.has(child.id)) {
        ctx.report('pd_child_id_clashes_vcpu', `child id ${child.id} clashes with a vcpu id of the virtual machine in protection domain '${pd.name ?? ''}'`, {
          reference: `Error: duplicate id: ${child.id} clashes with virtual machine vcpu id in protection domain: '${pd.name ?? ''}' @ ${ctx.loc(child.element)}`,
          span,
          hint: 'child PD ids and vcpu ids of the same parent share one id space',
        });
      } else {
        seen.set(child.id, child);
      }
    }
    for (const child of pd.children) visit(child);
  };
  for (const pd of roots) visit(pd);
  return out;
}

function resolveCaps(ctx: SdfContext, pds: ProtectionDomain[], byName: Map<string, ProtectionDomain>): void {
  for (const pd of pds) {
    for (const cap of pd.caps) {
      if (cap.pd === undefined || byName.has(cap.pd)) continue;
      const guess = suggest(cap.pd, byName.keys());
      ctx.report('cap_unknown_pd', `unknown PD name '${cap.pd}'`, {
        reference: `Error: unknown PD name '${cap.pd}': ${ctx.loc(cap.element)}`,
        span: ctx.valueSpan(cap.element, 'pd'),
        ...(guess ? { hint: `did you mean '${guess}'?` } : {}),
      });
      cap.invalid.add('pd');
    }
  }
}
