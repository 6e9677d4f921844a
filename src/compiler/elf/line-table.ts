import type { LineTableSpec } from '../spec/types.js';
import type { LineRow } from './dwarf-line.js';

/**
 * A program's DWARF line rows as the boot image stores them (LineTableSpec): from each address
 * on, one source line, until the next entry. Only what an address lookup needs survives:
 * sequences outside the program's code (functions the linker dropped keep their rows, at
 * address 0) go, and so do rows that repeat the line before them.
 *
 * The lookup agrees with binutils' addr2line: the row with the highest address at or below the
 * pc, the last of several rows at one address, nothing past the end of a sequence, and no line
 * for rows of line 0 (code the compiler attributes to no line).
 */

interface Point {
  address: number;
  file: string;
  /** 0: no source line from here on. */
  line: number;
}

/** The compact table, or undefined when no row falls in the program's code. */
export function compactLineTable(rows: readonly LineRow[], inCode: (address: number) => boolean): LineTableSpec | undefined {
  const points: Point[] = [];
  let sequence: Point[] = [];
  for (const r of rows) {
    sequence.push({ address: r.address, file: r.file, line: r.endSequence ? 0 : r.line });
    if (!r.endSequence) continue;
    if (sequence.length > 1 && inCode(sequence[0]!.address)) points.push(...sequence);
    sequence = [];
  }
  // Where one sequence ends and the next starts at the same address, the start wins: a stable
  // sort that puts ends first, then the last point at each address.
  points.sort((a, b) => a.address - b.address || (a.line === 0 ? 0 : 1) - (b.line === 0 ? 0 : 1));
  const kept: Point[] = [];
  for (const p of points) {
    if (kept.length > 0 && kept[kept.length - 1]!.address === p.address) kept.pop();
    kept.push(p);
  }
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const out: number[] = [];
  let last: Point | undefined;
  let lastAddress = 0;
  for (const p of kept) {
    const same = last !== undefined && (p.line === 0 ? last.line === 0 : last.line === p.line && last.file === p.file);
    if (same || (last === undefined && p.line === 0)) continue;
    let f = 0;
    if (p.line !== 0) {
      f = fileIndex.get(p.file) ?? files.length;
      if (f === files.length) {
        files.push(p.file);
        fileIndex.set(p.file, f);
      }
    }
    out.push(p.address - lastAddress, f, p.line);
    lastAddress = p.address;
    last = p;
  }
  return out.length === 0 ? undefined : { files, rows: out };
}

/** The source line at `pc`: file and line, or undefined when the table has none there. */
export function sourceLineAt(table: LineTableSpec, pc: number): { file: string; line: number } | undefined {
  let address = 0;
  let found: { file: string; line: number } | undefined;
  for (let i = 0; i + 2 < table.rows.length; i += 3) {
    address += table.rows[i]!;
    if (address > pc) break;
    const line = table.rows[i + 2]!;
    found = line === 0 ? undefined : { file: table.files[table.rows[i + 1]!] ?? '??', line };
  }
  return found;
}
