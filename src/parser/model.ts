import type { SourceFile, Span } from '../diagnostics/source-file.js';
import type { Element } from './element.js';

/**
 * The typed system description. Every entity keeps the `Element` it was read from, so any
 * attribute's source span can be found (`attr(entity.element, 'vaddr')`).
 *
 * Values are parsed and defaulted. When an attribute was malformed, a diagnostic has been
 * reported, the field holds the default, and the attribute's name is in `invalid`: checks that
 * depend on it skip the entity instead of reporting a consequence of the first error.
 */

export interface Entity {
  element: Element;
  /** Attributes that failed to parse or check; see the module comment. */
  invalid: Set<string>;
}

export type SetvarKind = 'vaddr' | 'size' | 'prefill_size' | 'id' | 'addr' | 'region_paddr' | 'child_id' | 'channel_id';

export interface ProtectionDomain extends Entity {
  name: string | undefined;
  priority: number;
  budget: bigint;
  period: bigint;
  passive: boolean;
  stackSize: bigint;
  smc: boolean;
  cpu: number;
  domain: string | undefined;
  fpu: boolean;
  /** Child PDs only. */
  id: bigint | undefined;
  setvarId: string | undefined;
  programImage: ProgramImage | undefined;
  maps: MapEntry[];
  irqs: Irq[];
  ioports: IoPort[];
  setvars: Setvar[];
  children: ProtectionDomain[];
  virtualMachine: VirtualMachine | undefined;
  caps: CapElement[];
  parent: ProtectionDomain | undefined;
  /** Symbols this PD's image gets patched with, in the order they were declared. */
  setvarSymbols: Map<string, { kind: SetvarKind; span: Span }>;
}

export interface ProgramImage extends Entity {
  path: string | undefined;
  pathForSymbols: string | undefined;
}

export interface MapEntry extends Entity {
  mr: string | undefined;
  vaddr: bigint | undefined;
  perms: { read: boolean; write: boolean; execute: boolean };
  cached: boolean;
  setvarVaddr: string | undefined;
  setvarSize: string | undefined;
  setvarPrefillSize: string | undefined;
}

export type IrqKind =
  | { form: 'arm'; irq: bigint; trigger: 'level' | 'edge' }
  | { form: 'ioapic'; ioapic: bigint; pin: bigint; trigger: 'level' | 'edge'; polarity: 'low' | 'high'; vector: bigint }
  | { form: 'msi'; pcidev: PciAddress; handle: bigint; vector: bigint };

export interface Irq extends Entity {
  id: bigint | undefined;
  setvarId: string | undefined;
  kind: IrqKind | undefined;
}

export interface PciAddress {
  bus: number;
  device: number;
  function: number;
}

export interface IoPort extends Entity {
  id: bigint | undefined;
  setvarId: string | undefined;
  addr: bigint | undefined;
  setvarAddr: string | undefined;
  size: bigint | undefined;
}

export interface Setvar extends Entity {
  symbol: string | undefined;
  regionPaddr: string | undefined;
}

export interface VirtualMachine extends Entity {
  name: string | undefined;
  priority: number;
  budget: bigint;
  period: bigint;
  vcpus: Vcpu[];
  maps: MapEntry[];
}

export interface Vcpu extends Entity {
  id: bigint | undefined;
  cpu: number | undefined;
}

export type CapType = 'Tcb' | 'Sc' | 'VSpace';

export interface CapElement extends Entity {
  type: CapType;
  pd: string | undefined;
  slot: bigint | undefined;
}

export type BootInfoKind = 'x86_vbe' | 'x86_mbmmap' | 'x86_acpi_rsdp' | 'x86_framebuffer' | 'x86_tsc_freq' | 'fdt';

export interface MemoryRegion extends Entity {
  name: string | undefined;
  size: bigint | undefined;
  /** The page size given or 0x1000; raised by page-size selection after validation. */
  pageSize: bigint;
  pageSizeGiven: boolean;
  physAddr: bigint | undefined;
  prefillPath: string | undefined;
  /** The prefill file's contents, when it was found and read. */
  prefillBytes: Uint8Array | undefined;
  prefillBootinfo: BootInfoKind | undefined;
  /** Set when a setvar region_paddr names this MR and it has no phys_addr (aarch64/riscv64). */
  toolAllocated: boolean;
}

export interface ChannelEnd extends Entity {
  pd: string | undefined;
  id: bigint | undefined;
  pp: boolean;
  notify: boolean;
  setvarId: string | undefined;
}

export interface Channel extends Entity {
  ends: ChannelEnd[];
}

export interface IoMap extends Entity {
  mr: string | undefined;
  iovaddr: bigint | undefined;
  perms: { read: boolean; write: boolean };
}

export interface IoAddressSpace extends Entity {
  name: string | undefined;
  peripheralId: PciAddress | undefined;
  domainId: bigint | undefined;
  iomaps: IoMap[];
}

export interface Domain extends Entity {
  name: string | undefined;
  id: number | undefined;
}

export type ScheduleEntry = (Entity & { kind: 'entry'; domain: string | undefined; duration: bigint; unit: 'us' | 'ticks' }) | (Entity & { kind: 'end_marker' });

export interface DomainSchedule extends Entity {
  startIndex: bigint;
  indexShift: bigint | undefined;
  entries: ScheduleEntry[];
}

export interface Domains extends Entity {
  domains: Domain[];
  schedule: DomainSchedule | undefined;
}

export interface SystemDescription {
  file: SourceFile;
  root: Element;
  /** Root PDs in document order; children hang below them. */
  protectionDomains: ProtectionDomain[];
  /** Every PD, depth-first pre-order (the reference tool's PD index order). */
  allProtectionDomains: ProtectionDomain[];
  memoryRegions: MemoryRegion[];
  channels: Channel[];
  ioAddressSpaces: IoAddressSpace[];
  domains: Domains | undefined;
}
