import type { SdfContext } from '../../parser/sdf/context.js';
import type { IoPort, ProtectionDomain, SystemDescription } from '../../parser/model.js';
import { hex } from '../../parser/numbers.js';
import { DisjointIntervals } from '../../util/intervals.js';

/** Spec: sdf.md §5.4 l. */
export function checkIoPorts(ctx: SdfContext, system: SystemDescription): void {
  const placed = new DisjointIntervals<[IoPort, ProtectionDomain]>();
  for (const pd of system.allProtectionDomains) {
    const ids = new Map<bigint, IoPort>();
    for (const port of pd.ioports) {
      if (port.id === undefined) continue;
      const first = ids.get(port.id);
      if (first) {
        ctx.report('ioport_duplicate_id', `I/O port id ${port.id} is used twice in protection domain '${pd.name ?? ''}'`, {
          reference: `Error: duplicate I/O port id: ${port.id} in protection domain: '${pd.name ?? ''}' @ ${ctx.loc(pd.element)}`,
          span: ctx.valueSpan(port.element, 'id'),
          notes: [{ message: 'first used here', file: ctx.file, span: ctx.valueSpan(first.element, 'id') }],
        });
      } else {
        ids.set(port.id, port);
      }
    }
  }
  for (const pd of system.allProtectionDomains) {
    for (const port of pd.ioports) {
      if (port.addr === undefined || port.size === undefined || port.id === undefined) continue;
      const start = port.addr;
      const end = start + port.size;
      const hit = placed.overlapping(start, end)[0];
      if (hit) {
        const [other, otherPd] = hit;
        const os = other.addr!;
        const oe = os + other.size!;
        ctx.report('ioport_overlap', `I/O ports [${hex(start)}, ${hex(end)}) of '${pd.name ?? ''}' overlap [${hex(os)}, ${hex(oe)}) of '${otherPd.name ?? ''}'`, {
          reference: `Error: I/O port id: ${port.id}, half-open range: [${hex(start)}, ${hex(end)}) in protection domain: '${pd.name ?? ''}' @ ${ctx.loc(pd.element)} overlaps with I/O port id: ${other.id}, half-open range: [${hex(os)}, ${hex(oe)}) in protection domain: '${otherPd.name ?? ''}' @ ${ctx.loc(otherPd.element)}`,
          span: ctx.valueSpan(port.element, 'addr'),
          notes: [{ message: 'the other I/O port range', file: ctx.file, span: ctx.valueSpan(other.element, 'addr') }],
        });
        continue;
      }
      placed.add(start, end, [port, pd]);
    }
  }
}
