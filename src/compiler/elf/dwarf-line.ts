import type { ElfFile } from '../../util/elf64.js';

/**
 * A reader for DWARF `.debug_line` (versions 2 to 5, DWARF standard section 6.2): runs each line
 * number program and returns its rows. Only what a fault report needs — address, file, line,
 * is_stmt and the ends of sequences; columns, discriminators and ISAs are read and dropped.
 *
 * No maintained pure-JavaScript DWARF reader exists on npm (checked December 2026), and
 * `.debug_line` alone is small: function names come from the symbol table, so `.debug_info`
 * (and with it inlined functions) is not read.
 *
 * File names are made relative: a path under the compilation directory loses it, and any other
 * absolute path keeps only its last component, so no absolute path reaches a boot image.
 */

export interface LineRow {
  address: number;
  /** The source file, relative (see above). */
  file: string;
  /** 0: code the compiler attributes to no line. */
  line: number;
  isStmt: boolean;
  /** The first address after a sequence: this row ends the previous one and has no line. */
  endSequence: boolean;
}

export type DebugLineResult = { ok: true; rows: LineRow[] } | { ok: false; error: string };

// Standard opcodes (DW_LNS_*), extended opcodes (DW_LNE_*), v5 content types (DW_LNCT_*).
const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_negate_stmt = 6;
const DW_LNS_set_basic_block = 7;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNE_define_file = 3;
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

// The forms a v5 directory or file entry may use (DW_FORM_*).
const DW_FORM_block = 0x09;
const DW_FORM_block1 = 0x0a;
const DW_FORM_block2 = 0x03;
const DW_FORM_block4 = 0x04;
const DW_FORM_data1 = 0x0b;
const DW_FORM_data2 = 0x05;
const DW_FORM_data4 = 0x06;
const DW_FORM_data8 = 0x07;
const DW_FORM_data16 = 0x1e;
const DW_FORM_line_strp = 0x1f;
const DW_FORM_sdata = 0x0d;
const DW_FORM_string = 0x08;
const DW_FORM_strp = 0x0e;
const DW_FORM_udata = 0x0f;

/** Thrown by the cursor when the data runs out or is malformed; caught in readDebugLine. */
class DwarfError extends Error {}

class Cursor {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
    public end: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.at + n > this.end) throw new DwarfError(`it ends in the middle of an entry (offset 0x${this.at.toString(16)})`);
    const at = this.at;
    this.at += n;
    return at;
  }
  u8 = () => this.bytes[this.need(1)]!;
  i8 = () => this.view.getInt8(this.need(1));
  u16 = () => this.view.getUint16(this.need(2), true);
  u32 = () => this.view.getUint32(this.need(4), true);
  u64 = () => Number(this.view.getBigUint64(this.need(8), true));
  skip = (n: number) => void this.need(n);
  uleb = (): number => this.leb(false);
  sleb = (): number => this.leb(true);
  /** LEB128 (DWARF 5, 7.6); a signed value extends the sign bit of its last byte. */
  private leb(signed: boolean): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (!(b & 0x80)) return signed && b & 0x40 ? result - scale : result;
    }
  }
  cstring(): string {
    const start = this.at;
    while (this.at < this.end && this.bytes[this.at] !== 0) this.at++;
    if (this.at >= this.end) throw new DwarfError('a string runs past the end of its section');
    const s = new TextDecoder().decode(this.bytes.subarray(start, this.at));
    this.at++;
    return s;
  }
}

interface Section {
  offset: number;
  size: number;
}

/** The string at `offset` of a string section (.debug_str, .debug_line_str). */
function stringAt(bytes: Uint8Array, section: Section | undefined, offset: number, name: string): string {
  if (!section || offset >= section.size) throw new DwarfError(`a file name points outside ${name}`);
  return new Cursor(bytes, section.offset + offset, section.offset + section.size).cstring();
}

/** The rows of every line number program of the ELF's .debug_line; none when it has none. */
export function readDebugLine(elf: Pick<ElfFile, 'sections' | 'bytes'>): DebugLineResult {
  const section = (name: string) => elf.sections.find((s) => s.name === name);
  const lines = section('.debug_line');
  if (!lines) return { ok: true, rows: [] };
  const strings = { str: section('.debug_str'), lineStr: section('.debug_line_str') };
  const rows: LineRow[] = [];
  const c = new Cursor(elf.bytes, lines.offset, lines.offset + lines.size);
  try {
    while (c.at < c.end) readUnit(c, strings, rows);
  } catch (e) {
    if (e instanceof DwarfError) return { ok: false, error: `its .debug_line is malformed: ${e.message}` };
    throw e;
  }
  return { ok: true, rows };
}

interface FileEntry {
  name: string;
  dir: number;
}

function readUnit(c: Cursor, strings: { str: Section | undefined; lineStr: Section | undefined }, rows: LineRow[]): void {
  let length = c.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = c.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) {
    throw new DwarfError(`a unit has the reserved length 0x${length.toString(16)}`);
  }
  const unitEnd = c.at + length;
  if (unitEnd > c.end) throw new DwarfError('a unit runs past the end of the section');
  const u = new Cursor(c.bytes, c.at, unitEnd);
  c.at = unitEnd;
  const version = u.u16();
  if (version < 2 || version > 5) throw new DwarfError(`a unit has version ${version}; versions 2 to 5 are known`);
  let addressSize = 8;
  if (version >= 5) {
    addressSize = u.u8();
    u.u8(); // segment_selector_size
  }
  const headerLength = offsetSize === 8 ? u.u64() : u.u32();
  const programStart = u.at + headerLength;
  if (programStart > unitEnd) throw new DwarfError('a unit header runs past its unit');
  const minInstLength = u.u8();
  if (version >= 4) u.u8(); // maximum_operations_per_instruction: 1 on AArch64 (no VLIW)
  const defaultIsStmt = u.u8() !== 0;
  const lineBase = u.i8();
  const lineRange = u.u8();
  const opcodeBase = u.u8();
  if (lineRange === 0) throw new DwarfError('a unit has a line_range of 0');
  const opcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) opcodeLengths.push(u.u8());

  const form = (f: number): string | number | undefined => {
    switch (f) {
      case DW_FORM_string:
        return u.cstring();
      case DW_FORM_line_strp:
        return stringAt(c.bytes, strings.lineStr, offsetSize === 8 ? u.u64() : u.u32(), '.debug_line_str');
      case DW_FORM_strp:
        return stringAt(c.bytes, strings.str, offsetSize === 8 ? u.u64() : u.u32(), '.debug_str');
      case DW_FORM_udata:
        return u.uleb();
      case DW_FORM_sdata:
        return u.sleb();
      case DW_FORM_data1:
        return u.u8();
      case DW_FORM_data2:
        return u.u16();
      case DW_FORM_data4:
        return u.u32();
      case DW_FORM_data8:
        return u.skip(8);
      case DW_FORM_data16:
        return u.skip(16);
      case DW_FORM_block:
        return u.skip(u.uleb());
      case DW_FORM_block1:
        return u.skip(u.u8());
      case DW_FORM_block2:
        return u.skip(u.u16());
      case DW_FORM_block4:
        return u.skip(u.u32());
      default:
        throw new DwarfError(`a file entry uses form 0x${f.toString(16)}, which is not known here`);
    }
  };
  /** v5: a count of entries, each as its format says. */
  const entries = (): FileEntry[] => {
    const format: [number, number][] = [];
    for (let n = u.u8(); n > 0; n--) format.push([u.uleb(), u.uleb()]);
    const out: FileEntry[] = [];
    for (let n = u.uleb(); n > 0; n--) {
      const e: FileEntry = { name: '', dir: 0 };
      for (const [content, f] of format) {
        const v = form(f);
        if (content === DW_LNCT_path && typeof v === 'string') e.name = v;
        if (content === DW_LNCT_directory_index && typeof v === 'number') e.dir = v;
      }
      out.push(e);
    }
    return out;
  };

  let dirs: string[];
  let files: FileEntry[];
  if (version >= 5) {
    dirs = entries().map((e) => e.name);
    files = entries();
  } else {
    // Index 0 is the compilation directory (not in the table before v5); files count from 1.
    dirs = [''];
    for (let d = u.cstring(); d !== ''; d = u.cstring()) dirs.push(d);
    files = [{ name: '', dir: 0 }];
    for (let f = u.cstring(); f !== ''; f = u.cstring()) {
      files.push({ name: f, dir: u.uleb() });
      u.uleb(); // modification time
      u.uleb(); // length
    }
  }
  const compDir = dirs[0] ?? '';
  const names = new Map<number, string>();
  const fileName = (index: number): string => {
    let name = names.get(index);
    if (name === undefined) {
      const f = files[index];
      name = f ? relativePath(f.dir === 0 ? compDir : (dirs[f.dir] ?? ''), f.name, compDir) : '??';
      names.set(index, name);
    }
    return name;
  };

  u.at = programStart;
  let address = 0;
  let file = 1;
  let line = 1;
  let isStmt = defaultIsStmt;
  const reset = () => {
    address = 0;
    file = 1;
    line = 1;
    isStmt = defaultIsStmt;
  };
  const emit = (endSequence: boolean) => rows.push({ address, file: fileName(file), line: endSequence ? 0 : line, isStmt, endSequence });
  const advance = (operationAdvance: number) => (address += operationAdvance * minInstLength);
  while (u.at < unitEnd) {
    const op = u.u8();
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      line += lineBase + (adjusted % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = u.uleb();
        const next = u.at + len;
        if (len === 0 || next > unitEnd) throw new DwarfError('an extended opcode runs past its unit');
        const sub = u.u8();
        if (sub === DW_LNE_end_sequence) {
          emit(true);
          reset();
        } else if (sub === DW_LNE_set_address) {
          address = addressSize === 8 || len - 1 === 8 ? u.u64() : u.u32();
        } else if (sub === DW_LNE_define_file) {
          files.push({ name: u.cstring(), dir: u.uleb() });
        }
        u.at = next;
        break;
      }
      case DW_LNS_copy:
        emit(false);
        break;
      case DW_LNS_advance_pc:
        advance(u.uleb());
        break;
      case DW_LNS_advance_line:
        line += u.sleb();
        break;
      case DW_LNS_set_file:
        file = u.uleb();
        break;
      case DW_LNS_set_column:
        u.uleb();
        break;
      case DW_LNS_negate_stmt:
        isStmt = !isStmt;
        break;
      case DW_LNS_set_basic_block:
        break;
      case DW_LNS_const_add_pc:
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case DW_LNS_fixed_advance_pc:
        address += u.u16();
        break;
      default:
        // Prologue/epilogue marks, set_isa and opcodes of later versions: skip their operands.
        for (let n = opcodeLengths[op - 1] ?? 0; n > 0; n--) u.uleb();
    }
  }
}

/** `name` in `dir`, relative to the compilation directory; other absolute paths keep their last part. */
export function relativePath(dir: string, name: string, compDir: string): string {
  let path = name.startsWith('/') || dir === '' ? name : `${dir.replace(/\/+$/, '')}/${name}`;
  if (compDir.startsWith('/') && path.startsWith(`${compDir.replace(/\/+$/, '')}/`)) path = path.slice(compDir.replace(/\/+$/, '').length + 1);
  if (path.startsWith('/')) path = path.slice(path.lastIndexOf('/') + 1);
  return path
    .split('/')
    .filter((p) => p !== '.' && p !== '')
    .join('/');
}
