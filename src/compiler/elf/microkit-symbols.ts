import type { ProtectionDomain, SystemDescription } from '../../parser/model.js';
import { findSymbol, patchSymbol, u64Bytes, type ProgramImage } from './program-image.js';

/**
 * The symbols Microkit patches into programs (spec: microkit.md §1.4): the libmicrokit
 * globals of every PD, every setvar, and the monitor's tables of PD names and stacks.
 */

const NAME_BYTES = 64;
const MAX_PDS = 64;

/** The value of each setvar symbol of a PD, except region_paddr (known only after allocation). */
function setvarValues(system: SystemDescription, pd: ProtectionDomain): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const mrs = new Map(system.memoryRegions.map((mr) => [mr.name!, mr]));
  for (const m of pd.maps) {
    const mr = mrs.get(m.mr!);
    if (m.setvarVaddr !== undefined) out.set(m.setvarVaddr, m.vaddr ?? 0n);
    if (m.setvarSize !== undefined) out.set(m.setvarSize, mr?.size ?? 0n);
    if (m.setvarPrefillSize !== undefined) out.set(m.setvarPrefillSize, BigInt(mr?.prefillBytes?.length ?? 0));
  }
  for (const irq of pd.irqs) if (irq.setvarId !== undefined) out.set(irq.setvarId, irq.id ?? 0n);
  for (const io of pd.ioports) {
    if (io.setvarId !== undefined) out.set(io.setvarId, io.id ?? 0n);
    if (io.setvarAddr !== undefined) out.set(io.setvarAddr, io.addr ?? 0n);
  }
  for (const child of pd.children) if (child.setvarId !== undefined) out.set(child.setvarId, child.id ?? 0n);
  for (const ch of system.channels) for (const end of ch.ends) if (end.pd === pd.name && end.setvarId !== undefined) out.set(end.setvarId, end.id ?? 0n);
  return out;
}

/** region_paddr setvars: symbol → memory region name. */
function regionPaddrSetvars(pd: ProtectionDomain): Map<string, string> {
  const out = new Map<string, string>();
  for (const sv of pd.setvars) if (sv.symbol !== undefined && sv.regionPaddr !== undefined) out.set(sv.symbol, sv.regionPaddr);
  return out;
}

function mask(ids: (bigint | undefined)[]): bigint {
  let m = 0n;
  for (const id of ids) if (id !== undefined) m |= 1n << id;
  return m;
}

/** Patch a PD's program; returns the problems (missing symbols, sizes). */
export function patchPdSymbols(system: SystemDescription, pd: ProtectionDomain, image: ProgramImage): string[] {
  const errors: string[] = [];
  const patch = (symbol: string, bytes: Uint8Array) => {
    const e = patchSymbol(image, symbol, bytes);
    if (e) errors.push(e);
  };
  const name = new TextEncoder().encode(pd.name!).subarray(0, NAME_BYTES);
  if (!findSymbol(image, 'microkit_name')) {
    errors.push(`'${image.name}' has no symbol 'microkit_name': was it linked with libmicrokit (sdk/)?`);
    return errors;
  }
  patch('microkit_name', name);
  patch('microkit_passive', new Uint8Array([pd.passive ? 1 : 0]));
  patch('microkit_irqs', u64Bytes(mask(pd.irqs.map((i) => i.id))));
  const ends = system.channels.flatMap((c) => c.ends.filter((e) => e.pd === pd.name));
  patch('microkit_notifications', u64Bytes(mask(ends.filter((e) => e.notify).map((e) => e.id))));
  patch('microkit_pps', u64Bytes(mask(ends.filter((e) => e.pp).map((e) => e.id))));
  if (findSymbol(image, 'microkit_ioports')) patch('microkit_ioports', u64Bytes(mask(pd.ioports.map((i) => i.id))));
  for (const [symbol, value] of setvarValues(system, pd)) {
    const s = findSymbol(image, symbol);
    if (s && s.size !== 8n) errors.push(`'${image.name}': setvar symbol '${symbol}' is ${s.size} bytes; it must be 8`);
    else patch(symbol, u64Bytes(value));
  }
  return errors;
}

/** Patch region_paddr setvars once the regions have physical addresses. */
export function patchRegionPaddrs(pd: ProtectionDomain, image: ProgramImage, paddrOf: (mr: string) => number | undefined): string[] {
  const errors: string[] = [];
  for (const [symbol, mr] of regionPaddrSetvars(pd)) {
    const e = patchSymbol(image, symbol, u64Bytes(BigInt(paddrOf(mr) ?? 0)));
    if (e) errors.push(e);
  }
  return errors;
}

/** The monitor's tables: PD names (char[64][64]) and stack bottoms, by PD index. */
export function patchMonitorSymbols(monitor: ProgramImage, pdNames: string[], stackBottoms: number[]): string[] {
  const errors: string[] = [];
  const patch = (symbol: string, bytes: Uint8Array) => {
    const e = patchSymbol(monitor, symbol, bytes);
    if (e) errors.push(e);
  };
  const names = new Uint8Array(MAX_PDS * NAME_BYTES);
  pdNames.forEach((n, i) => names.set(new TextEncoder().encode(n).subarray(0, NAME_BYTES - 1), i * NAME_BYTES));
  patch('pd_names_len', u64Bytes(BigInt(pdNames.length)));
  patch('pd_names', names);
  const stacks = new Uint8Array(MAX_PDS * 8);
  stackBottoms.forEach((s, i) => stacks.set(u64Bytes(BigInt(s)), i * 8));
  patch('pd_stack_bottom_addrs', stacks);
  return errors;
}
