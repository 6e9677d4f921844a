import { describe, expect, it } from 'vitest';
import { CODE_PA, CODE_VA, el0Machine } from './helpers/el0-machine.js';
import { newUserContext, restoreContext, saveContext, usesFpState, type UserContext } from '../src/machine/cpu/context.js';
import { compilePattern } from '../src/machine/cpu/decode.js';
import { matchInstruction } from '../src/machine/cpu/decoder.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { FP_SCALAR } from '../src/machine/cpu/insns/fp.js';
import { SIMD_FP } from '../src/machine/cpu/insns/simd-fp.js';
import { SIMD_INT } from '../src/machine/cpu/insns/simd-int.js';
import { SIMD_LDST } from '../src/machine/cpu/insns/simd-ldst.js';
import { SIMD_SCALAR } from '../src/machine/cpu/insns/simd-scalar.js';
import { INSNS } from '../src/machine/cpu/insns/index.js';
import { rng } from './helpers/rng.js';

/**
 * Lazy FP/SIMD switching (src/machine/cpu/context.ts): a context switch copies V0–V31, FPCR
 * and FPSR only for the context whose values the CPU holds; any other thread's are loaded
 * before its first instruction that touches them, in the interpreter and in compiled code.
 * Words assembled with llvm-mc.
 */

const FP_PROGRAM = [
  0x9e660001, // fmov x1, d0     (the thread's d0 before)
  0x9e670000, // fmov d0, x0     (its new d0)
  0xd53b4402, // mrs x2, fpcr    (its FPCR before)
  0xd51b4403, // msr fpcr, x3    (its new FPCR)
  0xd4000001, // svc #0
];
const INT_PROGRAM = [
  0x91000400, // add x0, x0, #1
  0xd4000001, // svc #0
];
const INT_OFFSET = 0x40;

const FP_GROUPS = new Set([...FP_SCALAR, ...SIMD_INT, ...SIMD_FP, ...SIMD_SCALAR, ...SIMD_LDST]);

describe('usesFpState', () => {
  it('holds for every word of every SIMD&FP row, every SIMD&FP load and store, and MRS/MSR of FPCR and FPSR', () => {
    const r = rng(19);
    let checked = 0;
    for (const def of INSNS) {
      const { mask, match } = compilePattern(def.pattern);
      for (let n = 0; n < 200; n++) {
        // The row's fixed bits, random elsewhere.
        const word = ((Math.floor(r() * 2 ** 32) & ~mask) | match) >>> 0;
        const m = matchInstruction(word);
        if (m?.def !== def) continue;
        const touches = FP_GROUPS.has(def) || m.fields.v === 1;
        if (touches) {
          checked++;
          expect(usesFpState(word), `${def.name} 0x${word.toString(16)}`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
    for (const w of [0xd53b4402, 0xd51b4403, 0xd53b4422, 0xd51b4420, 0x3d8000a0, 0x3dc000a1, 0x4c4070a2]) expect(usesFpState(w)).toBe(true);
    // An integer instruction, MRS of TPIDR_EL0, an integer load.
    for (const w of [0x91000400, 0xd53bd040, 0xf940012a]) expect(usesFpState(w)).toBe(false);
  });
});

describe('lazy FP/SIMD switching', () => {
  it('restoring a context the CPU does not hold the FP state of copies none of it', () => {
    const machine = el0Machine();
    const cpu = machine.cpu;
    cpu.V8.fill(0xab, 0, 512);
    const ctx = newUserContext();
    ctx.v.fill(1);
    restoreContext(cpu, ctx);
    expect(cpu.V8[0]).toBe(0xab);
    expect(cpu.fpStale).toBe(true);
  });

  for (const jit of ['off', 'hot', 'wasm'] as const) {
    it(`gives each thread its own V registers and FPCR across switches (jit ${jit})`, () => {
      const machine = el0Machine(jit);
      const cpu = machine.cpu;
      FP_PROGRAM.forEach((w, i) => machine.memory.write32(CODE_PA + i * 4, w));
      INT_PROGRAM.forEach((w, i) => machine.memory.write32(CODE_PA + INT_OFFSET + i * 4, w));
      cpu.flushCode();
      const threads = [0, 1].map(() => ({ ctx: newUserContext(), d0: 0n, fpcr: 0 }));
      const d0Of = (c: UserContext): bigint => new DataView(c.v.buffer).getBigUint64(0, true);
      const run = (ctx: UserContext, offset: number, x0: bigint, x3: number): void => {
        ctx.pc = BigInt(CODE_VA + offset);
        ctx.x[0] = x0;
        ctx.x[3] = BigInt(x3);
        restoreContext(cpu, ctx);
        expect(cpu.run(100)).toBe(Stop.Svc);
        saveContext(cpu, ctx);
      };
      for (let i = 0; i < 60; i++) {
        for (const [n, t] of threads.entries()) {
          const d0 = BigInt(1000 * (n + 1) + i);
          const fpcr = (i + n) % 2 === 0 ? 1 << 24 : 3 << 22;
          run(t.ctx, 0, d0, fpcr);
          expect([t.ctx.x[1], t.ctx.x[2]], `thread ${n} round ${i}`).toEqual([t.d0, BigInt(t.fpcr)]);
          t.d0 = d0;
          t.fpcr = fpcr;
          // The other thread runs integer code only: nothing is copied, and each saved context
          // (the one whose FP state the CPU still holds included) reads as the thread's.
          const other = threads[1 - n]!;
          run(other.ctx, INT_OFFSET, 0n, 0);
          expect(cpu.fpOwner).toBe(t.ctx);
          for (const u of threads) expect([d0Of(u.ctx), u.ctx.fpcr]).toEqual([u.d0, u.fpcr]);
          // A debugger writes the saved registers of a thread that is not on the CPU.
          if (i % 3 === 0) {
            t.d0 += 7n;
            new DataView(t.ctx.v.buffer).setBigUint64(0, t.d0, true);
          }
        }
      }
    });
  }
});

describe('UserContext.pc', () => {
  it('round-trips any 64-bit PC, and a switch moves one below 2^53 without BigInt', () => {
    const ctx = newUserContext();
    for (const pc of [0n, 0x20_0000n, 2n ** 53n - 4n, 2n ** 53n, 2n ** 64n - 4n]) {
      ctx.pc = pc;
      expect(ctx.pc).toBe(pc);
    }
    const machine = el0Machine();
    ctx.pc = 0x20_1000n;
    restoreContext(machine.cpu, ctx);
    expect(machine.cpu.pc).toBe(0x20_1000);
    machine.cpu.pc = 0x20_1004;
    saveContext(machine.cpu, ctx);
    expect([ctx.pcNumber, ctx.pc]).toEqual([0x20_1004, 0x20_1004n]);
    // A PC no number holds faults on fetch: the CPU gets the highest 4-aligned number below 2^53.
    ctx.pc = 2n ** 63n;
    restoreContext(machine.cpu, ctx);
    expect(machine.cpu.pc).toBe(2 ** 53 - 4);
  });
});
