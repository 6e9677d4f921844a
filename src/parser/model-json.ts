import type { MapEntry, ProtectionDomain, SystemDescription } from './model.js';

/**
 * A plain, deterministic JSON view of a system description: parsed values and defaults,
 * without source spans. Two descriptions of the same system (XML, YAML, JSON) give the same
 * view, and tests and `--dump-model` use it.
 */
export function systemToJson(system: SystemDescription): unknown {
  return {
    protection_domains: system.protectionDomains.map(pdJson),
    memory_regions: system.memoryRegions.map((mr) => ({
      name: mr.name,
      size: hexOrNull(mr.size),
      page_size: hex(mr.pageSize),
      phys_addr: hexOrNull(mr.physAddr),
      prefill_path: mr.prefillPath ?? null,
      prefill_bootinfo: mr.prefillBootinfo ?? null,
      tool_allocated: mr.toolAllocated,
    })),
    channels: system.channels.map((ch) => ch.ends.map((e) => ({ pd: e.pd, id: numOrNull(e.id), pp: e.pp, notify: e.notify, setvar_id: e.setvarId ?? null }))),
    io_address_spaces: system.ioAddressSpaces.map((s) => ({
      name: s.name,
      peripheral_id: s.peripheralId ?? null,
      domain_id: numOrNull(s.domainId),
      iomaps: s.iomaps.map((m) => ({ mr: m.mr, iovaddr: hexOrNull(m.iovaddr), perms: m.perms })),
    })),
    domains: system.domains
      ? {
          domains: system.domains.domains.map((d) => ({ name: d.name, id: d.id ?? null })),
          schedule: system.domains.schedule
            ? {
                start_index: Number(system.domains.schedule.startIndex),
                index_shift: numOrNull(system.domains.schedule.indexShift),
                entries: system.domains.schedule.entries.map((e) => (e.kind === 'entry' ? { domain: e.domain, duration: Number(e.duration), unit: e.unit } : 'end_marker')),
              }
            : null,
        }
      : null,
  };
}

function pdJson(pd: ProtectionDomain): unknown {
  return {
    name: pd.name,
    priority: pd.priority,
    budget: Number(pd.budget),
    period: Number(pd.period),
    passive: pd.passive,
    stack_size: hex(pd.stackSize),
    smc: pd.smc,
    cpu: pd.cpu,
    domain: pd.domain ?? null,
    fpu: pd.fpu,
    id: numOrNull(pd.id),
    setvar_id: pd.setvarId ?? null,
    program_image: pd.programImage ? { path: pd.programImage.path, path_for_symbols: pd.programImage.pathForSymbols ?? null } : null,
    maps: pd.maps.map(mapJson),
    irqs: pd.irqs.map((irq) => ({
      id: numOrNull(irq.id),
      setvar_id: irq.setvarId ?? null,
      ...(irq.kind ? Object.fromEntries(Object.entries(irq.kind).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) : {}),
    })),
    ioports: pd.ioports.map((p) => ({ id: numOrNull(p.id), addr: hexOrNull(p.addr), size: numOrNull(p.size), setvar_id: p.setvarId ?? null, setvar_addr: p.setvarAddr ?? null })),
    setvars: pd.setvars.map((s) => ({ symbol: s.symbol, region_paddr: s.regionPaddr })),
    protection_domains: pd.children.map(pdJson),
    virtual_machine: pd.virtualMachine
      ? {
          name: pd.virtualMachine.name,
          priority: pd.virtualMachine.priority,
          budget: Number(pd.virtualMachine.budget),
          period: Number(pd.virtualMachine.period),
          vcpus: pd.virtualMachine.vcpus.map((v) => ({ id: numOrNull(v.id), cpu: v.cpu ?? null })),
          maps: pd.virtualMachine.maps.map(mapJson),
        }
      : null,
    cspace: pd.caps.map((c) => ({ type: c.type, pd: c.pd, slot: numOrNull(c.slot) })),
  };
}

function mapJson(m: MapEntry): unknown {
  return {
    mr: m.mr,
    vaddr: hexOrNull(m.vaddr),
    perms: `${m.perms.read ? 'r' : ''}${m.perms.write ? 'w' : ''}${m.perms.execute ? 'x' : ''}`,
    cached: m.cached,
    setvar_vaddr: m.setvarVaddr ?? null,
    setvar_size: m.setvarSize ?? null,
    setvar_prefill_size: m.setvarPrefillSize ?? null,
  };
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
function hexOrNull(v: bigint | undefined): string | null {
  return v === undefined ? null : hex(v);
}
function numOrNull(v: bigint | undefined): number | null {
  return v === undefined ? null : Number(v);
}
