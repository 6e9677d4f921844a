/**
 * A reader for 64-bit little-endian ELF files: the header, program headers and the symbol
 * table. Problems are returned as messages, never thrown, so callers can name the file.
 */

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const EM_AARCH64 = 183;

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  fileSize: number;
  memSize: bigint;
  align: bigint;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** STT_* */
  type: number;
  /** STB_* */
  bind: number;
  section: number;
}

/** A section header, with its name from the section-name string table. */
export interface ElfSection {
  name: string;
  /** SHT_* */
  type: number;
  offset: number;
  size: number;
}

export interface ElfFile {
  machine: number;
  type: number;
  entry: bigint;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
  /** The sections whose contents lie inside the file (SHT_NOBITS ones have none). */
  sections: ElfSection[];
  bytes: Uint8Array;
}

export type ElfResult = { ok: true; elf: ElfFile } | { ok: false; error: string };

export function readElf64(bytes: Uint8Array): ElfResult {
  const fail = (error: string): ElfResult => ({ ok: false, error });
  if (bytes.length < 64) return fail(`it is ${bytes.length} bytes long, too short for an ELF header`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return fail('it is not an ELF file (bad magic)');
  if (bytes[4] !== 2) return fail('it is a 32-bit ELF file; a 64-bit one is needed');
  if (bytes[5] !== 1) return fail('it is a big-endian ELF file; a little-endian one is needed');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => view.getUint16(o, true);
  const u32 = (o: number): number => view.getUint32(o, true);
  const u64 = (o: number): bigint => view.getBigUint64(o, true);
  const type = u16(16);
  const machine = u16(18);
  const entry = u64(24);
  const phoff = Number(u64(32));
  const shoff = Number(u64(40));
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 56) return fail(`its program header entries are ${phentsize} bytes, not 56`);
    if (phoff + phnum * phentsize > bytes.length) return fail('its program headers lie beyond the end of the file (truncated?)');
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const seg: ElfSegment = {
        type: u32(o),
        flags: u32(o + 4),
        offset: Number(u64(o + 8)),
        vaddr: u64(o + 16),
        paddr: u64(o + 24),
        fileSize: Number(u64(o + 32)),
        memSize: u64(o + 40),
        align: u64(o + 48),
      };
      if (seg.type === PT_LOAD && seg.fileSize > 0 && seg.offset + seg.fileSize > bytes.length) {
        return fail(`segment ${i} (vaddr 0x${seg.vaddr.toString(16)}) lies beyond the end of the file (truncated?)`);
      }
      if (seg.type === PT_LOAD && BigInt(seg.fileSize) > seg.memSize) return fail(`segment ${i} has a file size larger than its memory size`);
      segments.push(seg);
    }
  }
  const symbols: ElfSymbol[] = [];
  if (shnum > 0 && shoff + shnum * shentsize <= bytes.length && shentsize >= 64) {
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      const shType = u32(o + 4);
      if (shType !== 2) continue; // SHT_SYMTAB
      const off = Number(u64(o + 24));
      const size = Number(u64(o + 32));
      const link = u32(o + 40);
      const entsize = Number(u64(o + 56)) || 24;
      const so = shoff + link * shentsize;
      if (link >= shnum || off + size > bytes.length) continue;
      const strOff = Number(u64(so + 24));
      const strSize = Number(u64(so + 32));
      if (strOff + strSize > bytes.length) continue;
      for (let k = off; k + entsize <= off + size; k += entsize) {
        const nameOff = u32(k);
        const info = bytes[k + 4]!;
        let end = strOff + nameOff;
        while (end < strOff + strSize && bytes[end] !== 0) end++;
        const name = new TextDecoder().decode(bytes.subarray(strOff + nameOff, end));
        symbols.push({ name, value: u64(k + 8), size: u64(k + 16), type: info & 0xf, bind: info >> 4, section: u16(k + 6) });
      }
    }
  }
  return { ok: true, elf: { machine, type, entry, segments, symbols, sections: readSections(bytes, view, shoff, shnum, shentsize), bytes } };
}

const SHT_NOBITS = 8;

function readSections(bytes: Uint8Array, view: DataView, shoff: number, shnum: number, shentsize: number): ElfSection[] {
  if (shnum === 0 || shentsize < 64 || shoff + shnum * shentsize > bytes.length) return [];
  const shstrndx = view.getUint16(62, true);
  const header = (i: number) => {
    const o = shoff + i * shentsize;
    return { nameOff: view.getUint32(o, true), type: view.getUint32(o + 4, true), offset: Number(view.getBigUint64(o + 24, true)), size: Number(view.getBigUint64(o + 32, true)) };
  };
  const names = shstrndx < shnum ? header(shstrndx) : undefined;
  const sections: ElfSection[] = [];
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    if (h.type === SHT_NOBITS || h.offset + h.size > bytes.length) continue;
    let name = '';
    if (names && names.offset + names.size <= bytes.length && h.nameOff < names.size) {
      let end = names.offset + h.nameOff;
      while (end < names.offset + names.size && bytes[end] !== 0) end++;
      name = new TextDecoder().decode(bytes.subarray(names.offset + h.nameOff, end));
    }
    sections.push({ name, type: h.type, offset: h.offset, size: h.size });
  }
  return sections;
}

/** The function symbol containing `address`, as `name+0xoff`, if the ELF has symbols. */
export function symbolize(symbols: ElfSymbol[], address: bigint): string | undefined {
  let best: ElfSymbol | undefined;
  for (const s of symbols) {
    if (s.type !== 2 && s.type !== 0) continue; // STT_FUNC or STT_NOTYPE
    if (s.name === '' || s.name.startsWith('$')) continue;
    if (s.value <= address && (best === undefined || s.value > best.value)) {
      if (s.size === 0n || address < s.value + s.size || s.type === 0) best = s;
    }
  }
  if (!best) return undefined;
  const off = address - best.value;
  return off === 0n ? best.name : `${best.name}+0x${off.toString(16)}`;
}
