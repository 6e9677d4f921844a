import type { SdfContext } from '../../parser/sdf/context.js';
import type { ChannelEnd, Irq, ProtectionDomain, SystemDescription } from '../../parser/model.js';
import type { Span } from '../../diagnostics/source-file.js';

function irqNumber(irq: Irq): bigint | undefined {
  const k = irq.kind;
  if (!k) return undefined;
  return k.form === 'arm' ? k.irq : k.vector;
}

/** Spec: sdf.md §5.4 i (IRQ numbers), j (IRQ ids), k (channel ids, the PPC priority rule). */
export function checkIrqsAndChannels(ctx: SdfContext, system: SystemDescription): void {
  const pds = system.allProtectionDomains;
  // i: each hardware IRQ (or x86 vector) is delivered to one PD only.
  const irqOwners = new Map<bigint, Irq>();
  for (const pd of pds) {
    for (const irq of pd.irqs) {
      const n = irqNumber(irq);
      if (n === undefined) continue;
      const first = irqOwners.get(n);
      if (first) {
        const key = irq.kind!.form === 'arm' ? 'irq' : 'vector';
        ctx.report('irq_duplicate', `irq ${n} is already delivered to another protection domain`, {
          reference: `Error: duplicate irq: ${n} in protection domain: '${pd.name ?? ''}' @ ${ctx.loc(pd.element)}`,
          span: ctx.valueSpan(irq.element, key),
          notes: [{ message: `irq ${n} is first claimed here`, file: ctx.file, span: ctx.valueSpan(first.element, key) }],
          hint: 'an interrupt can be delivered to one protection domain only',
        });
      } else {
        irqOwners.set(n, irq);
      }
    }
  }
  // j: irq ids per PD. Channel ids share the namespace (k below).
  const used = new Map<ProtectionDomain, Map<bigint, Span>>();
  const idsOf = (pd: ProtectionDomain): Map<bigint, Span> => {
    let m = used.get(pd);
    if (!m) used.set(pd, (m = new Map()));
    return m;
  };
  for (const pd of pds) {
    const ids = idsOf(pd);
    for (const irq of pd.irqs) {
      if (irq.id === undefined) continue;
      const span = ctx.valueSpan(irq.element, 'id');
      if (ids.has(irq.id)) duplicateId(ctx, pd, irq.id, span, ids.get(irq.id)!);
      else ids.set(irq.id, span);
    }
  }
  // k: channels in document order.
  const byName = new Map<string, ProtectionDomain>();
  for (const pd of pds) if (pd.name !== undefined && !byName.has(pd.name)) byName.set(pd.name, pd);
  for (const ch of system.channels) {
    if (ch.ends.length !== 2 || ch.invalid.has('ends')) continue;
    const [a, b] = ch.ends as [ChannelEnd, ChannelEnd];
    const pdA = a.pd !== undefined ? byName.get(a.pd) : undefined;
    const pdB = b.pd !== undefined ? byName.get(b.pd) : undefined;
    // 1: ids (recorded only after both checks, so a self-channel with one id passes).
    for (const [end, pd] of [
      [a, pdA],
      [b, pdB],
    ] as const) {
      if (!pd || end.id === undefined) continue;
      const ids = idsOf(pd);
      if (ids.has(end.id)) duplicateId(ctx, pd, end.id, ctx.valueSpan(end.element, 'id'), ids.get(end.id)!);
    }
    for (const [end, pd] of [
      [a, pdA],
      [b, pdB],
    ] as const) {
      if (pd && end.id !== undefined && !idsOf(pd).has(end.id)) idsOf(pd).set(end.id, ctx.valueSpan(end.element, 'id'));
    }
    if (!pdA || !pdB || ch.invalid.has('pp')) continue;
    // 2: a PPC goes to a strictly higher priority.
    const ppc = a.pp ? ([a, pdA, pdB] as const) : b.pp ? ([b, pdB, pdA] as const) : undefined;
    if (ppc && !pdA.invalid.has('priority') && !pdB.invalid.has('priority')) {
      const [end, caller, callee] = ppc;
      if (caller.priority >= callee.priority) {
        const text = `PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd ${caller.name} (priority: ${caller.priority}) to pd ${callee.name} (priority: ${callee.priority})`;
        ctx.report('channel_ppc_priority', text, {
          reference: `Error: ${text}`,
          span: ctx.valueSpan(end.element, 'pp'),
          notes: [
            { message: `'${caller.name}' has priority ${caller.priority}`, file: ctx.file, span: ctx.valueSpan(caller.element, 'priority') },
            { message: `'${callee.name}' has priority ${callee.priority}`, file: ctx.file, span: ctx.valueSpan(callee.element, 'priority') },
          ],
          hint: `give '${callee.name}' a priority above ${caller.priority}, or '${caller.name}' one below ${callee.priority}`,
        });
      }
    }
    // 3: x86 cannot PPC into a PD with a bound vCPU.
    if (ppc && ctx.config.arch === 'x86_64' && ppc[2].virtualMachine) {
      const [end, caller, callee] = ppc;
      ctx.report('channel_ppc_to_vm_x86', `PD '${caller.name}' cannot PPC to '${callee.name}', which has a bound vCPU, on x86_64`, {
        reference: `Error: It is not possible to PPC to PD '${callee.name}' with a bound vCPU from PD '${caller.name}' on x86_64 @ ${ctx.loc(pdA.element)}`,
        span: ctx.valueSpan(end.element, 'pp'),
      });
    }
  }
}

function duplicateId(ctx: SdfContext, pd: ProtectionDomain, id: bigint, span: Span, first: Span): void {
  ctx.report('channel_duplicate_id', `channel id ${id} is used twice in protection domain '${pd.name ?? ''}'`, {
    reference: `Error: duplicate channel id: ${id} in protection domain: '${pd.name ?? ''}' @ ${ctx.loc(pd.element)}`,
    span,
    notes: [{ message: `id ${id} is first used here`, file: ctx.file, span: first }],
    hint: 'irq ids and channel end ids share one id space per protection domain',
  });
}
