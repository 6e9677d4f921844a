import type { Spec } from '../compiler/spec/types.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { attr } from '../parser/element.js';
import type { ProtectionDomain, SystemDescription } from '../parser/model.js';
import { flowKey, flowsFromDescription, flowsFromSpec, type LocatedFlow, regionMappingsFromDescription, regionMappingsFromSpec, type Rights, specOwners } from './flows.js';

/**
 * What a policy is checked against: the flows, who maps which region, who receives which IRQ
 * and each PD's scheduling settings, taken either from the description (`check`) or from the
 * Spec (`build`). Either way everything is located in the system description, which is where a
 * user fixes a violation.
 */
export interface PolicySubject {
  /** The system description (every span below is in it). */
  file: SourceFile;
  /** What the facts come from, for the summary. */
  source: 'description' | 'capabilities';
  pds: string[];
  /** Every declared region, mapped or not (a policy may name any of them). */
  regions: string[];
  /** Every ARM IRQ number of the system. */
  irqNumbers: number[];
  flows: LocatedFlow[];
  /** region → PD → the union of its rights, and each of its maps of the region (from the description). */
  mappings: Map<string, Map<string, { rights: Rights; maps: { rights: Rights; span: Span }[] }>>;
  /** IRQ number → the PDs it is delivered to. */
  irqs: Map<number, { pd: string; span: Span | undefined }[]>;
  settings: Map<string, PdSettings>;
}

export interface PdSettings {
  priority: number;
  budgetUs: number;
  passive: boolean;
  /** The attribute of each setting, or the PD's element when the default applies. */
  spans: { priority: Span; budget: Span; passive: Span };
}

const settingSpans = (pd: ProtectionDomain) => ({
  priority: attr(pd.element, 'priority')?.valueSpan ?? pd.element.nameSpan,
  budget: attr(pd.element, 'budget')?.valueSpan ?? pd.element.nameSpan,
  passive: attr(pd.element, 'passive')?.valueSpan ?? pd.element.nameSpan,
});

function irqSpans(system: SystemDescription): Map<string, Span> {
  const out = new Map<string, Span>();
  for (const pd of system.allProtectionDomains) {
    for (const irq of pd.irqs) if (irq.kind?.form === 'arm') out.set(`${irq.kind.irq} ${pd.name}`, attr(irq.element, 'irq')?.valueSpan ?? irq.element.span);
  }
  return out;
}

function describedMaps(system: SystemDescription): Map<string, Map<string, { rights: Rights; span: Span }[]>> {
  const out = new Map<string, Map<string, { rights: Rights; span: Span }[]>>();
  for (const pd of system.allProtectionDomains) {
    for (const m of [...pd.maps, ...(pd.virtualMachine?.maps ?? [])]) {
      if (m.mr === undefined) continue;
      const who = out.get(m.mr) ?? new Map<string, { rights: Rights; span: Span }[]>();
      out.set(m.mr, who);
      who.set(pd.name!, [...(who.get(pd.name!) ?? []), { rights: m.perms, span: m.element.span }]);
    }
  }
  return out;
}

function names(system: SystemDescription): Pick<PolicySubject, 'pds' | 'regions' | 'irqNumbers'> {
  const irqNumbers = new Set<number>();
  for (const pd of system.allProtectionDomains) for (const irq of pd.irqs) if (irq.kind?.form === 'arm') irqNumbers.add(Number(irq.kind.irq));
  return {
    pds: system.allProtectionDomains.map((pd) => pd.name!),
    regions: system.memoryRegions.map((mr) => mr.name!),
    irqNumbers: [...irqNumbers].sort((a, b) => a - b),
  };
}

/** The subject as `check` sees it: the description alone. */
export function subjectFromDescription(system: SystemDescription): PolicySubject {
  const maps = describedMaps(system);
  const mappings: PolicySubject['mappings'] = new Map();
  for (const [region, who] of regionMappingsFromDescription(system)) {
    mappings.set(region, new Map([...who].map(([pd, e]) => [pd, { rights: e.rights, maps: maps.get(region)?.get(pd) ?? [] }])));
  }
  const spans = irqSpans(system);
  const irqs: PolicySubject['irqs'] = new Map();
  for (const pd of system.allProtectionDomains) {
    for (const irq of pd.irqs) {
      if (irq.kind?.form !== 'arm') continue;
      const n = Number(irq.kind.irq);
      irqs.set(n, [...(irqs.get(n) ?? []), { pd: pd.name!, span: spans.get(`${n} ${pd.name}`) }]);
    }
  }
  const settings = new Map<string, PdSettings>();
  for (const pd of system.allProtectionDomains) settings.set(pd.name!, { priority: pd.priority, budgetUs: Number(pd.budget), passive: pd.passive, spans: settingSpans(pd) });
  return { file: system.file, source: 'description', ...names(system), flows: flowsFromDescription(system), mappings, irqs, settings };
}

/**
 * The subject as `build` sees it: the caps in each PD's CNodes, the frames in each VSpace, the
 * IRQ handlers' notifications and the TCBs and scheduling contexts of the Spec. The description
 * only locates them; a flow the Spec grants and the description does not is kept, unlocated.
 */
export function subjectFromSpec(spec: Spec, system: SystemDescription): PolicySubject {
  const where = new Map(flowsFromDescription(system).map((f) => [flowKey(f), f.span]));
  const flows = flowsFromSpec(spec).map((f) => ({ from: f.from, to: f.to, kind: f.kind, via: f.via, span: where.get(flowKey(f)) }));
  const maps = describedMaps(system);
  const mappings: PolicySubject['mappings'] = new Map();
  for (const [region, who] of regionMappingsFromSpec(spec)) {
    mappings.set(region, new Map([...who].map(([pd, rights]) => [pd, { rights, maps: maps.get(region)?.get(pd) ?? [] }])));
  }
  const { owner } = specOwners(spec);
  const spans = irqSpans(system);
  const irqs: PolicySubject['irqs'] = new Map();
  for (const o of spec.objects) {
    if (o.kind !== 'irq') continue;
    const pd = owner.get(o.notification.object);
    if (pd === undefined) continue;
    irqs.set(o.irq, [...(irqs.get(o.irq) ?? []), { pd, span: spans.get(`${o.irq} ${pd}`) }]);
  }
  const described = new Map(system.allProtectionDomains.map((pd) => [pd.name!, pd]));
  const settings = new Map<string, PdSettings>();
  for (const pd of spec.pds) {
    const d = described.get(pd.name);
    if (!d) continue;
    // The priority the TCB gets and the budget of its scheduling context, not the PD's summary.
    const tcb = spec.objects[pd.tcb];
    const sc = tcb?.kind === 'tcb' && tcb.tcb.schedContext !== undefined ? spec.objects[tcb.tcb.schedContext] : undefined;
    const priority = tcb?.kind === 'tcb' ? tcb.tcb.priority : pd.priority;
    const budgetUs = sc?.kind === 'sched_context' ? sc.budgetUs : pd.budgetUs;
    settings.set(pd.name, { priority, budgetUs, passive: pd.passive, spans: settingSpans(d) });
  }
  return { file: system.file, source: 'capabilities', ...names(system), flows, mappings, irqs, settings };
}
