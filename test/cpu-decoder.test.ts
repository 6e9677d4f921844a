import { describe, expect, it } from 'vitest';
import { compilePattern, extractFields } from '../src/machine/cpu/decode.js';
import { decodeInstruction, disassemble } from '../src/machine/cpu/decoder.js';
import { INSNS } from '../src/machine/cpu/insns/index.js';
import { rng } from './helpers/cpu-fuzz.js';

const ROWS = INSNS.map((def) => ({ def, p: compilePattern(def.pattern) }));

describe('the instruction table', () => {
  it('has one row per name, each pattern 32 bits', () => {
    const names = INSNS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of ROWS) expect(r.p.fields.reduce((n, f) => n + f.width, 0) + r.p.fixedBits).toBeLessThanOrEqual(32);
  });

  it('has no two rows that accept the same word', () => {
    const r = rng(99);
    const clashes = new Set<string>();
    for (const row of ROWS) {
      let tried = 0;
      for (let k = 0; k < 3000 && tried < 400; k++) {
        const w = ((Math.floor(r() * 4294967296) & ~row.p.mask) | row.p.match) >>> 0;
        if (row.def.guard && !row.def.guard(extractFields(w, row.p.fields))) continue;
        tried++;
        for (const other of ROWS) {
          if (other === row || (w & other.p.mask) >>> 0 !== other.p.match) continue;
          if (other.def.guard && !other.def.guard(extractFields(w, other.p.fields))) continue;
          clashes.add(`${row.def.name} & ${other.def.name}: 0x${w.toString(16)}`);
        }
      }
    }
    expect([...clashes]).toEqual([]);
  });

  it('raises UNDEF for unallocated encodings and those EL0 cannot use', () => {
    for (const w of [0x00000000, 0xd4000002 /* hvc #0 */, 0xd4000003 /* smc #0 */, 0xd69f03e0 /* eret */, 0xd508871f /* tlbi vmalle1 */]) {
      expect(decodeInstruction(w).def, `0x${w.toString(16)}`).toBeUndefined();
    }
    // 0xd5033fdf is ISB SY: a barrier, not an unallocated encoding.
    expect(decodeInstruction(0xd5033fdf).def?.name).toBe('BARRIER');
  });
});

describe('the disassembler reads like objdump', () => {
  // Rows: word, objdump's text (without symbols and comments).
  const cases: [number, string][] = [
    [0xa9bd7bfd, 'stp\tx29, x30, [sp, #-48]!'],
    [0xd2800183, 'mov\tx3, #0xc'],
    [0x910003fd, 'mov\tx29, sp'],
    [0xf2a02fa1, 'movk\tx1, #0x17d, lsl #16'],
    [0xeb01001f, 'cmp\tx0, x1'],
    [0x1a9f17e1, 'cset\tw1, eq'],
    [0xcb160ed5, 'sub\tx21, x22, x22, lsl #3'],
    [0xd37bea63, 'lsl\tx3, x19, #5'],
    [0x12800008, 'mov\tw8, #0xffffffff'],
    [0x4c400024, 'ld4\t{v4.16b-v7.16b}, [x1]'],
    [0x6f00e400, 'movi\tv0.2d, #0x0'],
    [0x2f20a463, 'uxtl\tv3.2d, v3.2s'],
    [0x6e231ca6, 'eor\tv6.16b, v5.16b, v3.16b'],
    [0x1f16c213, 'fmsub\ts19, s16, s22, s16'],
    [0x1e6e1000, 'fmov\td0, #1.000000000000000000e+00'],
    [0xd53b4200, 'mrs\tx0, nzcv'],
    [0xd51b4400, 'msr\tfpcr, x0'],
    [0xd4000001, 'svc\t#0x0'],
  ];
  for (const [w, text] of cases) {
    it(`${w.toString(16).padStart(8, '0')}  ${text.replace('\t', ' ')}`, () => {
      expect(disassemble(w, 0x400000)).toBe(text);
    });
  }
});
