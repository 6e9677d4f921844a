import type { AllocationPlan } from '../alloc/allocate.js';
import type { CapSpec, Spec, SpecObject } from './types.js';

/**
 * The Spec as capDL-style text (`sel4ts build --capdl FILE`): objects with their parameters
 * and physical addresses, then every cap of every CNode, TCB and page table, then the IRQ map.
 * For reading and diffing; the boot image does not use it.
 */

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

function rights(c: CapSpec): string {
  const r = `${c.rights.read ? 'R' : ''}${c.rights.write ? 'W' : ''}${c.rights.grant ? 'G' : ''}${c.rights.grantReply ? 'P' : ''}`;
  const extra: string[] = [];
  if (BigInt(c.badge) !== 0n) extra.push(`badge: ${c.badge}`);
  if (c.guardSize !== undefined) extra.push(`guard: ${hex(c.guard ?? 0)}`, `guard_size: ${c.guardSize}`);
  return [r, ...extra].filter(Boolean).join(', ');
}

function declaration(o: SpecObject, paddr: number): string {
  const at = paddr >= 0 ? `paddr: ${hex(paddr)}` : undefined;
  const params = (xs: (string | undefined)[]) => {
    const p = xs.filter((x): x is string => x !== undefined);
    return p.length ? ` (${p.join(', ')})` : '';
  };
  switch (o.kind) {
    case 'tcb':
      return `tcb${params([at, `ip: ${o.tcb.ip}`, `sp: ${o.tcb.sp}`, `prio: ${o.tcb.priority}`, `max_prio: ${o.tcb.mcp}`, `affinity: ${o.tcb.affinity}`, `dom: ${o.tcb.domain}`, `ipc_buffer_addr: ${hex(o.tcb.ipcBuffer.vaddr)}`, `fpu: ${o.tcb.fpu}`, `resume: ${o.tcb.resume}`])}`;
    case 'endpoint':
      return `ep${params([at])}`;
    case 'notification':
      return `notification${params([at])}`;
    case 'reply':
      return `rtreply${params([at])}`;
    case 'sched_context':
      return `sc${params([at, `budget: ${o.budgetUs}`, `period: ${o.periodUs}`, `data: ${o.badge}`, `size_bits: ${o.sizeBits}`])}`;
    case 'cnode':
      return `cnode${params([at, `${o.radix} bits`])}`;
    case 'vspace':
      return `pud${params([at])}`;
    case 'page_table':
      return `${o.level === 2 ? 'pd' : 'pt'}${params([at])}`;
    case 'frame':
      return `frame${params([o.sizeBits === 12 ? '4k' : o.sizeBits === 21 ? '2M' : '1G', at, o.device ? 'device' : undefined, o.fill.length ? `fill: ${o.fill.length} ranges` : undefined])}`;
    case 'irq':
      return `irq${params([`trigger: ${o.trigger}`])}`;
  }
}

export function specToCapdl(spec: Spec, plan: AllocationPlan): string {
  const name = (i: number) => spec.objects[i]!.name;
  const out: string[] = ['arch aarch64', '', 'objects {'];
  spec.objects.forEach((o, i) => out.push(`  ${o.name} = ${declaration(o, plan.paddr[i] ?? -1)}`));
  out.push('}', '', 'caps {');
  for (const o of spec.objects) {
    const lines: string[] = [];
    if (o.kind === 'cnode') for (const s of o.slots) lines.push(`${hex(s.slot)}: ${name(s.cap.object)} (${rights(s.cap)})`);
    if (o.kind === 'tcb') {
      const t = o.tcb;
      lines.push(`cspace: ${name(t.cspace.object)} (${rights(t.cspace)})`, `vspace: ${name(t.vspace)}`, `ipc_buffer_slot: ${name(t.ipcBuffer.frame)}`);
      if (t.faultEndpoint) lines.push(`fault_ep_slot: ${name(t.faultEndpoint.object)} (${rights(t.faultEndpoint)})`);
      if (t.schedContext !== undefined) lines.push(`sc_slot: ${name(t.schedContext)}`);
      if (t.boundNotification !== undefined) lines.push(`bound_notification: ${name(t.boundNotification)}`);
    }
    if (o.kind === 'vspace') {
      for (const m of o.mappings) lines.push(`${hex(m.vaddr)}: ${name(m.frame)} (${m.read ? 'R' : ''}${m.write ? 'W' : ''}${m.execute ? 'X' : ''}${m.cached ? '' : ', uncached'})`);
    }
    if (o.kind === 'irq') lines.push(`0x0: ${name(o.notification.object)} (${rights(o.notification)})`);
    if (lines.length === 0) continue;
    out.push(`  ${o.name} {`, ...lines.map((l) => `    ${l}`), '  }');
  }
  out.push('}', '', 'irq maps {');
  for (const o of spec.objects) if (o.kind === 'irq') out.push(`  ${o.irq}: ${o.name}`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
