import type { AllocationPlan } from '../alloc/allocate.js';
import type { Authority } from '../authority.js';
import { specObjectSizeBits } from '../spec/object-kinds.js';
import type { Spec } from '../spec/types.js';

/**
 * The build report, as JSON (schemas/report.schema.json) and as text: the protection domains,
 * the physical memory map (every object and where it is), each PD's virtual memory map, and
 * the authority table. Deterministic: no times, no absolute paths.
 */

export interface VirtualRange {
  vaddr: string;
  size: number;
  what: string;
  read: boolean;
  write: boolean;
  execute: boolean;
  cached: boolean;
}

export interface Report {
  report: 'sel4ts build report';
  version: 1;
  system: string;
  board: string;
  config: string;
  image: { bytes: number; sha256: string };
  protectionDomains: { name: string; index: number; program: string; priority: number; budgetUs: number; periodUs: number; passive: boolean; parent: string | null }[];
  physicalMemory: { name: string; kind: string; paddr: string; size: number }[];
  virtualMemory: Record<string, VirtualRange[]>;
  authority: Authority;
  /** With `--policy`: what each policy proved (a build that breaks one writes no report). */
  policy?: PolicyReport[];
}

export interface PolicyReport {
  file: string;
  rules: number;
  pds: number;
  flows: number;
  summary: string;
}

const hex = (n: number) => `0x${n.toString(16)}`;

export function makeReport(systemName: string, spec: Spec, plan: AllocationPlan, authority: Authority, image: { bytes: number; sha256: string }): Report {
  const physicalMemory = spec.objects
    .map((o, i) => ({ name: o.name, kind: o.kind, paddr: plan.paddr[i]!, size: o.kind === 'irq' ? 0 : 2 ** specObjectSizeBits(o, spec.kernel) }))
    .filter((o) => o.paddr >= 0)
    .sort((a, b) => a.paddr - b.paddr || (a.name < b.name ? -1 : 1))
    .map((o) => ({ name: o.name, kind: o.kind, paddr: hex(o.paddr), size: o.size }));
  const virtualMemory: Record<string, VirtualRange[]> = {};
  for (const o of spec.objects) {
    if (o.kind !== 'vspace') continue;
    const ranges: VirtualRange[] = [];
    for (const m of o.mappings) {
      const frame = spec.objects[m.frame]!;
      const size = frame.kind === 'frame' ? 2 ** frame.sizeBits : 4096;
      const what = frame.kind === 'frame' ? frame.holds : frame.name;
      const last = ranges[ranges.length - 1];
      if (last && last.what === what && Number(last.vaddr) + last.size === m.vaddr && last.read === m.read && last.write === m.write && last.execute === m.execute && last.cached === m.cached) {
        last.size += size;
      } else ranges.push({ vaddr: hex(m.vaddr), size, what, read: m.read, write: m.write, execute: m.execute, cached: m.cached });
    }
    virtualMemory[o.name.slice('vspace_'.length)] = ranges;
  }
  return {
    report: 'sel4ts build report',
    version: 1,
    system: systemName,
    board: spec.board,
    config: spec.config,
    image,
    protectionDomains: spec.pds.map((p) => ({ name: p.name, index: p.index, program: p.program, priority: p.priority, budgetUs: p.budgetUs, periodUs: p.periodUs, passive: p.passive, parent: p.parent ?? null })),
    physicalMemory,
    virtualMemory,
    authority,
  };
}

const size = (n: number) => (n >= 2 ** 20 && n % 2 ** 20 === 0 ? `${n / 2 ** 20} MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`);

export function reportText(r: Report): string {
  const out: string[] = [];
  out.push(`# sel4ts build report: ${r.system}`, '', `board ${r.board}, config ${r.config}, image ${r.image.bytes} bytes, sha256 ${r.image.sha256}`, '');
  out.push('## Protection domains', '');
  out.push(`${'index'.padEnd(6)}${'name'.padEnd(24)}${'prio'.padEnd(6)}${'budget/period (us)'.padEnd(20)}${'passive'.padEnd(9)}${'parent'.padEnd(16)}program`);
  for (const p of r.protectionDomains) {
    out.push(`${String(p.index).padEnd(6)}${p.name.padEnd(24)}${String(p.priority).padEnd(6)}${`${p.budgetUs}/${p.periodUs}`.padEnd(20)}${(p.passive ? 'yes' : 'no').padEnd(9)}${(p.parent ?? '-').padEnd(16)}${p.program}`);
  }
  out.push('', '## Authority', '');
  const list = (title: string, xs: string[]) => {
    out.push(`${title}:`);
    for (const x of xs) out.push(`  ${x}`);
    if (xs.length === 0) out.push('  (none)');
  };
  list('notifications (holder -> target)', r.authority.notifies);
  list('protected procedure calls (caller -> callee)', r.authority.calls);
  list('shared memory (region: who, rights)', r.authority.shares);
  list('interrupts', r.authority.irqs);
  if (r.policy) {
    out.push('', '## Policy', '');
    for (const p of r.policy) out.push(`${p.file}: ${p.summary}`);
  }
  out.push('', '## Virtual memory', '');
  for (const [pd, ranges] of Object.entries(r.virtualMemory)) {
    out.push(`${pd}:`);
    for (const v of ranges) {
      const end = `0x${(Number(v.vaddr) + v.size).toString(16)}`;
      const rights = `${v.read ? 'r' : '-'}${v.write ? 'w' : '-'}${v.execute ? 'x' : '-'}`;
      out.push(`  ${v.vaddr.padStart(14)} - ${end.padStart(14)}  ${rights} ${v.cached ? '  ' : 'uc'} ${size(v.size).padStart(9)}  ${v.what}`);
    }
  }
  out.push('', '## Physical memory', '');
  out.push(`${'paddr'.padEnd(14)}${'size'.padEnd(10)}${'kind'.padEnd(15)}name`);
  for (const o of r.physicalMemory) out.push(`${o.paddr.padEnd(14)}${size(o.size).padEnd(10)}${o.kind.padEnd(15)}${o.name}`);
  return `${out.join('\n')}\n`;
}
