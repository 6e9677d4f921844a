import type { DiagnosticCode } from '../../diagnostics/codes.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Span } from '../../diagnostics/source-file.js';
import { attr } from '../../parser/element.js';
import type { ProtectionDomain, SystemDescription } from '../../parser/model.js';
import { bytesText } from '../../util/plural.js';
import { findSymbol, patchSymbol, u64Bytes, type PatchProblem, type ProgramImage } from './program-image.js';

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

/**
 * The libmicrokit globals the tool writes. Every libmicrokit defines them (sdk/src/main.c, and
 * the real one); `microkit_ioports` is x86-only here and optional.
 */
const LIBMICROKIT_SYMBOLS = ['microkit_name', 'microkit_passive', 'microkit_irqs', 'microkit_notifications', 'microkit_pps'] as const;

/**
 * True when the program is linked with libmicrokit, as far as the tool is concerned: it defines
 * any of the globals the tool writes. A program with none of them reads nothing the tool would
 * write, has no event loop calling init/notified/protected, and the reference tool refuses it
 * (it panics); sel4ts builds it with a warning, since a bare seL4 program runs fine. Other
 * libmicrokit symbols (`__sel4_ipc_buffer`, `microkit_have_signal`, `microkit_dbg_putc`) are not
 * asked for: a runtime that reimplements libmicrokit (rust-sel4's sel4-microkit, or a hand-made
 * one like test/build/programs/minimal.c) defines the patched globals but not those, and works.
 */
export function hasLibmicrokitSymbols(image: ProgramImage): boolean {
  return LIBMICROKIT_SYMBOLS.some((s) => findSymbol(image, s) !== undefined);
}

/** The exact word size a setvar symbol must have (the reference's `kernel_config.word_size / 8`). */
const WORD_BYTES = 8n;

/**
 * Patch a PD's program: the libmicrokit globals (when it has them: a program without any of
 * them is not linked with libmicrokit, and nothing in it reads them) and every setvar except
 * region_paddr. Returns the problems as diagnostics on the element or attribute at fault.
 */
export function patchPdSymbols(system: SystemDescription, pd: ProtectionDomain, image: ProgramImage): Diagnostic[] {
  const out: Diagnostic[] = [];
  const file = system.file;
  const imageSpan = programImageSpan(pd);
  const imagePath = pd.programImage?.path ?? image.name;
  const error = (code: DiagnosticCode, message: string, span: Span | undefined, extra: Partial<Diagnostic> = {}): void => {
    const d: Diagnostic = { severity: 'error', code, message, file, notes: [], ...extra };
    if (span) d.span = span;
    out.push(d);
  };
  const patchProblem = (p: PatchProblem, span: Span | undefined, setvar: boolean): void => {
    if (p.kind === 'missing') {
      if (setvar) {
        error('setvar_symbol_missing', `protection domain '${pd.name}': ${p.message}`, span, {
          reference: `ERROR: could not patch symbol '${p.symbol}' in program image for PD '${pd.name}' (${imagePath}): no symbol named '${p.symbol}' found`,
          hint: `declare it in the program as a global of 8 bytes (seL4_Word ${p.symbol};), and check the spelling`,
        });
      } else {
        error('program_image_symbol_missing', `protection domain '${pd.name}': ${p.message}, which libmicrokit defines`, span, {
          hint: 'it has some of the libmicrokit globals but not all: link it with the libmicrokit.a of sdk/ (an older or hand-made copy lacks some)',
        });
      }
    } else if (p.kind === 'too_small') {
      error('program_image_symbol_too_small', `protection domain '${pd.name}': ${p.message}`, span, {
        hint: `libmicrokit declares ${p.symbol} with the size the tool writes; link with the libmicrokit.a of sdk/`,
      });
    } else {
      error('program_image_symbol_outside_segments', `protection domain '${pd.name}': ${p.message}, so the tool cannot write it`, span, {
        hint: 'declare it as an ordinary global variable (in .data or .bss), not as an absolute or linker-defined symbol',
      });
    }
  };
  const patch = (symbol: string, bytes: Uint8Array): void => {
    const p = patchSymbol(image, symbol, bytes);
    if (p) patchProblem(p, imageSpan, false);
  };
  if (hasLibmicrokitSymbols(image)) {
    patch('microkit_name', new TextEncoder().encode(pd.name!).subarray(0, NAME_BYTES));
    patch('microkit_passive', new Uint8Array([pd.passive ? 1 : 0]));
    patch('microkit_irqs', u64Bytes(mask(pd.irqs.map((i) => i.id))));
    const ends = system.channels.flatMap((c) => c.ends.filter((e) => e.pd === pd.name));
    patch('microkit_notifications', u64Bytes(mask(ends.filter((e) => e.notify).map((e) => e.id))));
    patch('microkit_pps', u64Bytes(mask(ends.filter((e) => e.pp).map((e) => e.id))));
    if (findSymbol(image, 'microkit_ioports')) patch('microkit_ioports', u64Bytes(mask(pd.ioports.map((i) => i.id))));
  }
  const values = setvarValues(system, pd);
  for (const symbol of regionPaddrSetvars(pd).keys()) values.set(symbol, 0n);
  for (const [symbol, value] of values) {
    const span = pd.setvarSymbols.get(symbol)?.span ?? imageSpan;
    const s = findSymbol(image, symbol);
    if (s && s.size !== WORD_BYTES) {
      const small = s.size < WORD_BYTES;
      error(small ? 'setvar_symbol_too_small' : 'setvar_symbol_too_large', `protection domain '${pd.name}': setvar symbol '${symbol}' in '${image.name}' is ${bytesText(s.size)}; a setvar writes exactly ${bytesText(WORD_BYTES)}`, span, {
        reference: `ERROR: setvar to non-word size symbol '${symbol}' for PD '${pd.name}', symbol has size '${s.size}' bytes, expected size '${WORD_BYTES}' bytes`,
        hint: small ? `writing ${bytesText(WORD_BYTES)} would overwrite whatever follows '${symbol}': declare it as seL4_Word (or uintptr_t)` : `declare '${symbol}' as one seL4_Word (or uintptr_t), not an array or a struct`,
      });
      continue;
    }
    const p = patchSymbol(image, symbol, u64Bytes(value));
    if (p) patchProblem(p, span, true);
  }
  return out;
}

/** The place a problem with a PD's program is reported: its program_image's path. */
export function programImageSpan(pd: ProtectionDomain): Span | undefined {
  const el = pd.programImage?.element;
  if (!el) return pd.element.nameSpan;
  return attr(el, 'path')?.valueSpan ?? el.nameSpan;
}

/** Patch region_paddr setvars once the regions have physical addresses (checked by patchPdSymbols). */
export function patchRegionPaddrs(pd: ProtectionDomain, image: ProgramImage, paddrOf: (mr: string) => number | undefined): void {
  for (const [symbol, mr] of regionPaddrSetvars(pd)) patchSymbol(image, symbol, u64Bytes(BigInt(paddrOf(mr) ?? 0)));
}

/** The monitor's tables: PD names (char[64][64]) and stack bottoms, by PD index. */
export function patchMonitorSymbols(monitor: ProgramImage, pdNames: string[], stackBottoms: number[]): PatchProblem[] {
  const errors: PatchProblem[] = [];
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
