import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDebugLine, relativePath } from '../src/compiler/elf/dwarf-line.js';
import { compactLineTable, sourceLineAt } from '../src/compiler/elf/line-table.js';
import { loadProgramImage } from '../src/compiler/elf/program-image.js';
import { PF_X, PT_LOAD, readElf64, type ElfFile } from '../src/util/elf64.js';
import { oracle } from './helpers/oracles.js';

const DIR = join(import.meta.dirname, 'fixtures/dwarf');
const PROGRAMS = ['clang-dwarf4.elf', 'clang-dwarf5.elf', 'gcc-dwarf4.elf', 'gcc-dwarf5.elf'];
const ADDR2LINE = 'aarch64-linux-gnu-addr2line';
const hasAddr2line = oracle(ADDR2LINE, spawnSync(ADDR2LINE, ['--version']).status === 0, 'DWARF line tables against addr2line');

function load(name: string): ElfFile {
  const r = readElf64(readFileSync(join(DIR, name)));
  if (!r.ok) throw new Error(r.error);
  return r.elf;
}

const inCode = (elf: ElfFile) => (a: number) => elf.segments.some((s) => s.type === PT_LOAD && (s.flags & PF_X) !== 0 && a >= Number(s.vaddr) && a < Number(s.vaddr) + Number(s.memSize));

/** Our answer in addr2line's form: `file:line`, or `??` for none (addr2line's `??:?`, `??:0` and `file:?`). */
function ours(elf: ElfFile, address: number): string {
  const rows = readDebugLine(elf);
  if (!rows.ok) throw new Error(rows.error);
  const table = compactLineTable(rows.rows, inCode(elf));
  const at = table && sourceLineAt(table, address);
  return at ? `${at.file}:${at.line}` : '??';
}

/** addr2line's answer normalised: `./` components dropped, no line → `??`. */
const normalise = (s: string) => (s.endsWith(':?') || s === '??:0' ? '??' : s.replace(/ \(discriminator \d+\)$/, '').replace(/(^|\/)(\.\/)+/g, '$1'));

/** expected.txt: `program address addr2line-answer`, recorded by build.sh. */
const expected = readFileSync(join(DIR, 'expected.txt'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split(' ') as [string, string, string]);

describe('DWARF .debug_line', () => {
  it.each(PROGRAMS)('%s: every instruction has the line addr2line recorded', (program) => {
    const elf = load(program);
    const rows = expected.filter(([p]) => p === program);
    expect(rows.length).toBeGreaterThan(20);
    for (const [, address, answer] of rows) expect(`0x${address} ${ours(elf, parseInt(address, 16))}`).toBe(`0x${address} ${normalise(answer)}`);
  });

  it.each(PROGRAMS)('%s: the versions are the ones the fixture names', (program) => {
    const elf = load(program);
    const line = elf.sections.find((s) => s.name === '.debug_line')!;
    const version = new DataView(elf.bytes.buffer, elf.bytes.byteOffset).getUint16(line.offset + 4, true);
    expect(version).toBe(Number(program.slice(-5, -4)));
  });

  it.skipIf(!hasAddr2line).each(PROGRAMS)('%s: agrees with the live addr2line, inside and around the code', (program) => {
    const elf = load(program);
    const text = elf.segments.find((s) => s.type === PT_LOAD && (s.flags & PF_X) !== 0)!;
    const addresses: number[] = [];
    for (let a = Number(text.vaddr) - 8; a < Number(text.vaddr) + Number(text.memSize) + 8; a += 4) addresses.push(a);
    const live = execFileSync(ADDR2LINE, ['-e', join(DIR, program), ...addresses.map((a) => `0x${a.toString(16)}`)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(addresses.map((a) => `0x${a.toString(16)} ${ours(elf, a)}`)).toEqual(addresses.map((a, i) => `0x${a.toString(16)} ${normalise(live[i]!)}`));
  });

  // What the build keeps of each example program (sdk/sdk.mk builds with -g1), at every instruction.
  const EXAMPLES = join(import.meta.dirname, '../examples');
  const examplePrograms = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.elf'))
    .sort();
  it.skipIf(!hasAddr2line).each(examplePrograms)('examples/%s: the image keeps the line addr2line gives for every instruction', (program) => {
    const loaded = loadProgramImage(program, readFileSync(join(EXAMPLES, program)));
    if (!loaded.ok) throw new Error(loaded.error);
    const { lines, segments } = loaded.image;
    expect(lines).toBeDefined();
    expect(lines!.files.filter((f) => f.startsWith('/') || f.startsWith('.'))).toEqual([]);
    const addresses = segments.filter((g) => g.execute).flatMap((g) => Array.from({ length: g.data.length / 4 }, (_, i) => g.vaddr + 4 * i));
    const live = execFileSync(ADDR2LINE, ['-e', join(EXAMPLES, program), ...addresses.map((a) => `0x${a.toString(16)}`)], { encoding: 'utf8', maxBuffer: 1 << 24 })
      .trim()
      .split('\n');
    const at = (a: number) => {
      const l = sourceLineAt(lines!, a);
      return l ? `${l.file}:${l.line}` : '??';
    };
    expect(addresses.map((a) => `0x${a.toString(16)} ${at(a)}`)).toEqual(addresses.map((a, i) => `0x${a.toString(16)} ${normalise(live[i]!)}`));
  });

  it('names files relative to the compilation directory, never absolutely', () => {
    expect(relativePath('/home/u/proj', 'server.c', '/home/u/proj')).toBe('server.c');
    expect(relativePath('/home/u/proj/include', 'util.h', '/home/u/proj')).toBe('include/util.h');
    expect(relativePath('/usr/include', 'stdint.h', '/home/u/proj')).toBe('stdint.h');
    expect(relativePath('', '/abs/sdk/src/main.c', '')).toBe('main.c');
    expect(relativePath('.', './src/a.c', '.')).toBe('src/a.c');
    expect(relativePath('include', 'x.h', '/p')).toBe('include/x.h');
  });

  it('a program without .debug_line has no rows; a truncated one is a message, not a throw', () => {
    const elf = load('clang-dwarf5.elf');
    expect(readDebugLine({ ...elf, sections: elf.sections.filter((s) => s.name !== '.debug_line') })).toEqual({ ok: true, rows: [] });
    const sections = elf.sections.map((s) => (s.name === '.debug_line' ? { ...s, size: 40 } : s));
    const r = readDebugLine({ ...elf, sections });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^its \.debug_line is malformed: /);
  });
});

describe('the compact line table', () => {
  const row = (address: number, file: string, line: number, endSequence = false) => ({ address, file, line, isStmt: true, endSequence });
  const code = (a: number) => a >= 0x200000 && a < 0x201000;

  it('keeps one triple per change of line, drops sequences outside the code, and ends sequences', () => {
    const table = compactLineTable(
      [
        // A function the linker dropped: its rows stay, at address 0.
        row(0, 'gone.c', 3),
        row(8, 'gone.c', 0, true),
        row(0x200000, 'a.c', 10),
        row(0x200004, 'a.c', 10),
        row(0x200008, 'b.h', 2),
        row(0x200010, 'a.c', 0, true),
        row(0x200020, 'a.c', 20),
        row(0x200028, 'a.c', 0, true),
      ],
      code,
    )!;
    expect(table).toEqual({ files: ['a.c', 'b.h'], rows: [0x200000, 0, 10, 8, 1, 2, 8, 0, 0, 0x10, 0, 20, 8, 0, 0] });
    const at = (pc: number) => sourceLineAt(table, pc);
    expect([at(0x1ffffc), at(0x200004), at(0x20000c), at(0x200010), at(0x200024), at(0x200028), at(4)]).toEqual([undefined, { file: 'a.c', line: 10 }, { file: 'b.h', line: 2 }, undefined, { file: 'a.c', line: 20 }, undefined, undefined]);
  });

  it('takes the last of several rows at one address, and a sequence starting where another ends', () => {
    const table = compactLineTable([row(0x200000, 'a.c', 1), row(0x200000, 'a.c', 2), row(0x200008, 'a.c', 0, true), row(0x200008, 'c.c', 7), row(0x20000c, 'c.c', 0, true)], code)!;
    expect([sourceLineAt(table, 0x200000), sourceLineAt(table, 0x200008)]).toEqual([
      { file: 'a.c', line: 2 },
      { file: 'c.c', line: 7 },
    ]);
  });

  it('is absent for a program whose rows all lie outside its code', () => {
    expect(compactLineTable([row(0, 'gone.c', 3), row(8, 'gone.c', 0, true)], code)).toBeUndefined();
    expect(compactLineTable([], code)).toBeUndefined();
  });
});
