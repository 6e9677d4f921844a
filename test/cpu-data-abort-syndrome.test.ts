import { describe, expect, it } from 'vitest';
import { CODE_PA, CODE_VA, DATA_VA, el0Machine } from './helpers/el0-machine.js';
import { dataAbortInstructionSyndrome } from '../src/machine/cpu/data-abort-syndrome.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { FlatSpace } from '../src/machine/memory/flat-space.js';

/**
 * The instruction syndrome of data aborts (ESR ISS[24:14]: ISV, SAS, SSE, SRT, SF, AR), taken
 * through the CPU and the stage-2 MMU of the machine model. The expected values are written
 * from the ARM ARM's field definitions (D17.2.40), not from the code under test; the words were
 * assembled with aarch64-linux-gnu-as. Real seL4 in QEMU gives 0x93ca8006 for `ldr x10, [x9]`
 * on an address whose level-2 entry is empty.
 */

const UNMAPPED = 0x1000_0000; // level-1 entry 0 is empty: translation fault, level 1

/** The machine of el0Machine and a runner for a few instruction words from its code page. */
function machineWithCode(jit: 'off' | 'hot') {
  const machine = el0Machine(jit);
  const mem = machine.memory;
  const code = CODE_PA;
  return {
    machine,
    run(words: number[], regs: Record<number, number> = {}, budget = 1000) {
      words.forEach((w, i) => mem.write32(code + i * 4, w));
      machine.cpu.flushCode();
      for (let r = 0; r < 31; r++) machine.cpu.setX(r, BigInt(regs[r] ?? 0));
      machine.cpu.pc = CODE_VA;
      const stop = machine.cpu.run(budget);
      return { stop, esr: machine.cpu.esr >>> 0, pc: machine.cpu.pc };
    },
  };
}

const iss = (sas: number, sse: number, srt: number, sf: number, ar: number) => (1 << 24) | (sas << 22) | (sse << 21) | (srt << 16) | (sf << 15) | (ar << 14);

/** [assembly, word, expected ISS[24:14] (0: ISV clear)]; every access is to x9 = UNMAPPED. */
const CASES: [string, number, number][] = [
  ['ldr x10, [x9]', 0xf940012a, iss(3, 0, 10, 1, 0)],
  ['ldr w3, [x9, #8]', 0xb9400923, iss(2, 0, 3, 0, 0)],
  ['ldrb w4, [x9]', 0x39400124, iss(0, 0, 4, 0, 0)],
  ['ldrh w5, [x9]', 0x79400125, iss(1, 0, 5, 0, 0)],
  ['ldrsb x6, [x9]', 0x39800126, iss(0, 1, 6, 1, 0)],
  ['ldrsb w7, [x9]', 0x39c00127, iss(0, 1, 7, 0, 0)],
  ['ldrsh x8, [x9]', 0x79800128, iss(1, 1, 8, 1, 0)],
  ['ldrsw x11, [x9]', 0xb980012b, iss(2, 1, 11, 1, 0)],
  ['str x12, [x9]', 0xf900012c, iss(3, 0, 12, 1, 0)],
  ['str w13, [x9]', 0xb900012d, iss(2, 0, 13, 0, 0)],
  ['strb w14, [x9]', 0x3900012e, iss(0, 0, 14, 0, 0)],
  ['strh w15, [x9]', 0x7900012f, iss(1, 0, 15, 0, 0)],
  ['str xzr, [x9]', 0xf900013f, iss(3, 0, 31, 1, 0)],
  ['ldur x16, [x9, #-8]', 0xf85f8130, iss(3, 0, 16, 1, 0)],
  ['ldtr w17, [x9]', 0xb8400931, iss(2, 0, 17, 0, 0)],
  ['sttr x18, [x9]', 0xf8000932, iss(3, 0, 18, 1, 0)],
  ['ldr x19, [x9, x2]', 0xf8626933, iss(3, 0, 19, 1, 0)],
  ['ldrsh w20, [x9, w2, uxtw #1]', 0x78e25934, iss(1, 1, 20, 0, 0)],
  ['ldar x24, [x9]', 0xc8dffd38, iss(3, 0, 24, 1, 1)],
  ['stlr w25, [x9]', 0x889ffd39, iss(2, 0, 25, 0, 1)],
  ['ldarb w26, [x9]', 0x08dffd3a, iss(0, 0, 26, 0, 1)],
  ['stlrh w27, [x9]', 0x489ffd3b, iss(1, 0, 27, 0, 1)],
  // Writeback, pairs, exclusives, SIMD&FP: no instruction syndrome.
  ['ldr x21, [x9, #8]!', 0xf8408d35, 0],
  ['ldr x22, [x9], #8', 0xf8408536, 0],
  ['str w23, [x9, #-4]!', 0xb81fcd37, 0],
  ['ldp x1, x2, [x9]', 0xa9400921, 0],
  ['stp w1, w2, [x9]', 0x29000921, 0],
  ['ldxr x1, [x9]', 0xc85f7d21, 0],
  ['ldaxr w1, [x9]', 0x885ffd21, 0],
  ['ldr d1, [x9]', 0xfd400121, 0],
  ['str q2, [x9]', 0x3d800122, 0],
  ['ld1 {v0.4s}, [x9]', 0x4c407920, 0],
];

describe('data-abort instruction syndrome', () => {
  it('ldr x10, [x9] on an address with an empty level-2 entry gives what real seL4 reports (0x93ca8006)', () => {
    const m = machineWithCode('off');
    // x9 in the code's own GiB, in a 2 MiB range with no level-3 table: translation fault, level 2.
    const r = m.run([0xf940012a], { 9: CODE_VA + 0x20_0000 });
    expect(r.stop).toBe(Stop.DataAbort);
    expect(r.esr.toString(16)).toBe('93ca8006');
  });

  for (const [asm, word, expected] of CASES) {
    it(`${asm}: ${expected ? 'ISV with its fields' : 'ISV = 0'}`, () => {
      const r = machineWithCode('off').run([word], { 9: UNMAPPED, 2: 0 });
      expect(r.stop).toBe(Stop.DataAbort);
      expect(r.pc).toBe(CODE_VA);
      const write = /^st/.test(asm) ? 1 << 6 : 0;
      expect(r.esr.toString(16)).toBe((((0x24 << 26) | (1 << 25) | expected | write | 0x05) >>> 0).toString(16));
    });
  }

  it('LDR (literal) forms carry the syndrome too', () => {
    // Literal loads 0x80000 past the code: a page with no level-3 entry.
    for (const [word, expected] of [
      [0x58400001, iss(3, 0, 1, 1, 0)], // ldr x1, .+0x80000
      [0x18400001, iss(2, 0, 1, 0, 0)], // ldr w1, .+0x80000
      [0x98400001, iss(2, 1, 1, 1, 0)], // ldrsw x1, .+0x80000
    ] as const) {
      const r = machineWithCode('off').run([word]);
      expect(r.stop).toBe(Stop.DataAbort);
      expect(r.esr >>> 0).toBe(((0x24 << 26) | (1 << 25) | expected | 0x07) >>> 0);
    }
  });

  it('a load that faults in compiled code reports the same syndrome at the same pc', () => {
    // x0 counts down from 300; the load reads the data page until x9 becomes x3 (unmapped)
    // when x0 reaches 0: loop: ldr x10, [x9]; subs x0, x0, #1; csel x9, x9, x3, ne; b loop.
    // The loop runs hot enough to be compiled before the fault.
    const words = [0xf940012a, 0xf1000400, 0x9a831129, 0x17fffffd];
    for (const jit of ['off', 'hot'] as const) {
      const r = machineWithCode(jit).run(words, { 0: 300, 9: DATA_VA, 3: UNMAPPED + 8 }, 100_000);
      expect(r.stop, jit).toBe(Stop.DataAbort);
      expect(r.pc, jit).toBe(CODE_VA);
      expect(r.esr >>> 0, jit).toBe(0x93ca8005);
    }
  });

  it('is not given for a fault of the flat (stage-1, Linux) address space', () => {
    expect('stage2Faults' in new FlatSpace()).toBe(false);
  });

  it('is computed from the encoding alone, and is 0 for non-memory instructions', () => {
    expect(dataAbortInstructionSyndrome(0xd503201f)).toBe(0); // nop
    expect(dataAbortInstructionSyndrome(0x8b020020)).toBe(0); // add x0, x1, x2
    expect(dataAbortInstructionSyndrome(0xf8210122)).toBe(0); // ldadd x1, x2, [x9]
    expect(dataAbortInstructionSyndrome(0xc8a17d22)).toBe(0); // cas x1, x2, [x9]
  });
});
