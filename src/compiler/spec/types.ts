/**
 * The Spec: a capDL-like description of every kernel object of a system, every cap in every
 * CNode, every mapping, and the settings of every thread and scheduling context. The build
 * produces it from the system description and the programs; the boot image carries it; the
 * initialiser creates exactly this through the kernel's invocations.
 *
 * It is plain JSON: objects refer to each other by index into `objects`; 64-bit values that
 * may exceed 2^53 (badges) are hex strings.
 */

export const SPEC_VERSION = 2;

export interface CapRightsSpec {
  read: boolean;
  write: boolean;
  grant: boolean;
  grantReply: boolean;
}

/** A cap to object `object`; `badge` for endpoints and notifications; guard for CNodes. */
export interface CapSpec {
  object: number;
  rights: CapRightsSpec;
  /** Hex, e.g. "0x8000000000000003"; "0x0" when unbadged. */
  badge: string;
  guard?: number;
  guardSize?: number;
}

export interface SlotSpec {
  slot: number;
  cap: CapSpec;
}

export interface MappingSpec {
  vaddr: number;
  frame: number;
  read: boolean;
  write: boolean;
  execute: boolean;
  cached: boolean;
}

/** Bytes to write into a frame: `length` bytes from offset `blob` of the frame-data section, at `offset`. */
export interface FrameFill {
  offset: number;
  blob: number;
  length: number;
}

export interface TcbSpec {
  /** The protection domain (or "monitor") this thread runs. */
  pd: string;
  cspace: CapSpec;
  vspace: number;
  ipcBuffer: { frame: number; vaddr: number };
  faultEndpoint: CapSpec | undefined;
  schedContext: number | undefined;
  boundNotification: number | undefined;
  priority: number;
  mcp: number;
  ip: string;
  sp: string;
  resume: boolean;
  fpu: boolean;
  domain: number;
  affinity: number;
}

export type SpecObject =
  | { kind: 'tcb'; name: string; tcb: TcbSpec }
  | { kind: 'endpoint'; name: string }
  | { kind: 'notification'; name: string }
  | { kind: 'reply'; name: string }
  | { kind: 'sched_context'; name: string; sizeBits: number; budgetUs: number; periodUs: number; badge: string; extraRefills: number }
  | { kind: 'cnode'; name: string; radix: number; slots: SlotSpec[] }
  | { kind: 'vspace'; name: string; mappings: MappingSpec[] }
  | { kind: 'page_table'; name: string; vspace: number; vaddr: number; level: number }
  /** `holds`: what the frame is for — a program page, a stack page, the IPC buffer, or memory region `region <name>`. */
  | { kind: 'frame'; name: string; holds: string; sizeBits: number; paddr: number | undefined; device: boolean; fill: FrameFill[] }
  | { kind: 'irq'; name: string; irq: number; trigger: 'level' | 'edge'; notification: CapSpec };

export type ObjectKind = SpecObject['kind'];

/** What the run and the report need to know about each protection domain. */
export interface PdSpec {
  name: string;
  /** Index in Microkit's PD order (the monitor is last, after every PD). */
  index: number;
  program: string;
  priority: number;
  budgetUs: number;
  periodUs: number;
  passive: boolean;
  parent: string | undefined;
  /** The child id under its parent. */
  childId: number | undefined;
  stackBottom: number;
  tcb: number;
}

export interface SymbolSpec {
  name: string;
  value: number;
  size: number;
}

/**
 * A program's source lines (from its DWARF .debug_line), for fault reports: `rows` holds
 * triples (address − the previous triple's address, index into `files`, line); each gives the
 * line of the code from its address to the next triple's. Line 0: no source line there.
 * File names are relative (the compilation directory stripped, other directories dropped).
 */
export interface LineTableSpec {
  files: string[];
  rows: number[];
}

export interface Spec {
  version: number;
  board: string;
  config: string;
  /** The kernel model's configuration. */
  kernel: { hypervisor: boolean; hardwareDebugApi: boolean; debugBuild: boolean; paBits: number };
  objects: SpecObject[];
  pds: PdSpec[];
  /** Function symbols of each program, for fault reports (by PD name). */
  symbols: Record<string, SymbolSpec[]>;
  /** Source lines of each program that has a DWARF line table (by PD name). */
  lines: Record<string, LineTableSpec>;
  /** The domain schedule, when the description has one (durations in ticks). */
  domainSchedule: { domain: number; ticks: number }[] | undefined;
  numDomains: number;
}
