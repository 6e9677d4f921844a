import type { DiagnosticCode } from '../../diagnostics/codes.js';
import { bytesText } from '../../util/plural.js';
import type { LineTableSpec } from '../spec/types.js';
import { EM_AARCH64, PT_LOAD, readElf64, type ElfSymbol } from '../../util/elf64.js';
import { readDebugLine } from './dwarf-line.js';
import { compactLineTable } from './line-table.js';

/**
 * A protection domain's program, as the build uses it: the loadable segments with their bytes
 * (memory-sized: .bss included, so symbols there can be patched too), the entry point and the
 * symbols. Checks what a boot image needs: an AArch64 executable whose segments neither overlap
 * nor share a 4 KiB page.
 */

export const PAGE = 4096;

export interface LoadSegment {
  vaddr: number;
  /** memsz bytes: the file bytes, then zeros. */
  data: Uint8Array;
  read: boolean;
  write: boolean;
  execute: boolean;
}

export interface ProgramImage {
  /** The file name as the description gave it (never an absolute path). */
  name: string;
  entry: bigint;
  segments: LoadSegment[];
  symbols: ElfSymbol[];
  /** Its source lines, when it carries a DWARF line table that covers its code. */
  lines: LineTableSpec | undefined;
  /** Why its .debug_line could not be read (then `lines` is undefined). */
  linesError: string | undefined;
}

/** Why a program cannot be loaded: the diagnostic code, our message, and the reference's reason. */
export interface ProgramProblem {
  ok: false;
  code: DiagnosticCode;
  error: string;
  /**
   * What the reference Microkit tool's ELF reader says about the same file (the `{e}` of its
   * `failed to parse ELF` line), for the problems it detects.
   */
  referenceReason?: string;
}

export type ProgramResult = { ok: true; image: ProgramImage } | ProgramProblem;

const MACHINE_NAMES: Record<number, string> = { 3: 'x86', 40: 'ARM (32-bit)', 62: 'x86-64', 243: 'RISC-V' };

/** The highest address a segment may reach: seL4_UserTop + 1 on qemu_virt_aarch64. */
const USER_END = 0x100_0000_0000;

/** The reference tool's ELF reader checks the magic, the class and the byte order, in that order. */
function referenceReason(name: string, bytes: Uint8Array): string | undefined {
  if (bytes.length < 6) return undefined; // It would index past the end and panic.
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return 'magic check failed';
  if (bytes[4] === 1) return `ELF '${name}': unsupported word size: '32'`;
  if (bytes[4] !== 2) return `invalid class '${bytes[4]}'`;
  if (bytes[5] !== 1) return 'incorrect endianness, only little endian architectures are supported';
  return undefined;
}

export function loadProgramImage(name: string, bytes: Uint8Array): ProgramResult {
  const problem = (code: DiagnosticCode, error: string): ProgramProblem => ({ ok: false, code, error });
  const parsed = readElf64(bytes);
  if (!parsed.ok) {
    const p = problem('program_image_not_elf', `'${name}': ${parsed.error}`);
    const reason = referenceReason(name, bytes);
    if (reason !== undefined) p.referenceReason = reason;
    return p;
  }
  const elf = parsed.elf;
  if (elf.machine !== EM_AARCH64) {
    return problem('program_image_not_aarch64', `'${name}' is an ELF file for ${MACHINE_NAMES[elf.machine] ?? `machine ${elf.machine}`}, not AArch64`);
  }
  if (elf.type !== 2) return problem('program_image_not_loadable', `'${name}' is not an executable (ELF type ${elf.type}; a position-independent or relocatable file cannot be loaded)`);
  const segments: LoadSegment[] = [];
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD || s.memSize === 0n) continue;
    if (s.vaddr + s.memSize > BigInt(USER_END)) {
      return problem('program_image_segment_out_of_range', `'${name}': the segment at 0x${s.vaddr.toString(16)} ends above the highest user address 0x${(USER_END - 1).toString(16)}`);
    }
    const data = new Uint8Array(Number(s.memSize));
    data.set(elf.bytes.subarray(s.offset, s.offset + s.fileSize));
    segments.push({ vaddr: Number(s.vaddr), data, read: (s.flags & 4) !== 0, write: (s.flags & 2) !== 0, execute: (s.flags & 1) !== 0 });
  }
  if (segments.length === 0) return problem('program_image_not_loadable', `'${name}' has no loadable segment`);
  segments.sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < segments.length; i++) {
    const a = segments[i - 1]!;
    const b = segments[i]!;
    const aEnd = a.vaddr + a.data.length;
    const range = (s: LoadSegment) => `[0x${s.vaddr.toString(16)}, 0x${(s.vaddr + s.data.length).toString(16)})`;
    if (b.vaddr < aEnd) return problem('program_image_segment_overlap', `'${name}': segments ${range(a)} and ${range(b)} overlap`);
    if (Math.floor(b.vaddr / PAGE) === Math.floor((aEnd - 1) / PAGE)) {
      return problem('program_image_segment_overlap', `'${name}': segments ${range(a)} and ${range(b)} share the page at 0x${(Math.floor(b.vaddr / PAGE) * PAGE).toString(16)}; link with page-aligned segments (as microkit.ld does)`);
    }
  }
  const debugLine = readDebugLine(elf);
  const inCode = (address: number) => segments.some((g) => g.execute && address >= g.vaddr && address < g.vaddr + g.data.length);
  const lines = debugLine.ok ? compactLineTable(debugLine.rows, inCode) : undefined;
  return { ok: true, image: { name, entry: elf.entry, segments, symbols: elf.symbols, lines, linesError: debugLine.ok ? undefined : debugLine.error } };
}

export function findSymbol(image: ProgramImage, symbol: string): ElfSymbol | undefined {
  return image.symbols.find((s) => s.name === symbol && s.section !== 0);
}

/** Why a symbol could not be patched. */
export interface PatchProblem {
  kind: 'missing' | 'too_small' | 'outside';
  symbol: string;
  message: string;
}

/**
 * Write `bytes` at a symbol (Microkit's write_symbol): the symbol must exist, lie in a loaded
 * segment, and be at least as large as the data. Returns the problem, or undefined.
 */
export function patchSymbol(image: ProgramImage, symbol: string, bytes: Uint8Array): PatchProblem | undefined {
  const s = findSymbol(image, symbol);
  if (!s) return { kind: 'missing', symbol, message: `'${image.name}' has no symbol '${symbol}'` };
  if (BigInt(bytes.length) > s.size) return { kind: 'too_small', symbol, message: `'${image.name}': symbol '${symbol}' is ${bytesText(s.size)}, too small for ${bytesText(bytes.length)}` };
  const at = Number(s.value);
  const seg = image.segments.find((g) => at >= g.vaddr && at + bytes.length <= g.vaddr + g.data.length);
  if (!seg) return { kind: 'outside', symbol, message: `'${image.name}': symbol '${symbol}' at 0x${at.toString(16)} is not in a loaded segment` };
  seg.data.set(bytes, at - seg.vaddr);
  return undefined;
}

export function u64Bytes(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return b;
}
