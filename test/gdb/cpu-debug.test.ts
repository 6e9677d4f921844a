import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/machine/cpu/cpu.js';
import { Stop } from '../../src/machine/cpu/fault.js';
import { GenericTimer } from '../../src/machine/devices/generic-timer.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from '../../src/machine/memory/flat-space.js';
import { asm, wordsToBytes } from '../helpers/a64-asm.js';

/** The CPU's debugger hooks: breakpoints and watchpoints per ASID, exact in every tier. */

const CODE = 0x10000;
const DATA = 0x20000;
const NE = 1;

// x1 = 100; loop: x0 += 1; [DATA] = x0; x3 = [DATA+8]; x1 -= 1; bne loop; svc
const PROGRAM = [asm.movz(1, 100), asm.movz(2, DATA & 0xffff), asm.movk(2, DATA >>> 16, 16), asm.addImm(0, 0, 1), asm.strX(0, 2, 0), asm.ldrX(3, 2, 8), asm.subsImm(1, 1, 1), asm.bcond(NE, -4), asm.svc0];
const LOOP = CODE + 12;
const STORE = CODE + 16;

function makeCpu(mode: 'off' | 'eager' | 'hot', program = PROGRAM): Cpu {
  const space = new FlatSpace();
  space.map(CODE, 4096, PERM_R | PERM_W | PERM_X);
  space.write(CODE, wordsToBytes(program));
  space.map(DATA, 4096, PERM_R | PERM_W);
  let cpu: Cpu | undefined;
  cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
  if (mode === 'off') cpu.blocksEnabled = false;
  if (mode === 'eager') cpu.hotThreshold = 1;
  cpu.pc = CODE;
  return cpu;
}

describe('CPU breakpoints and watchpoints', () => {
  it('a breakpoint stops before its instruction, only under its ASID, and is stepped over on resume', () => {
    const cpu = makeCpu('off');
    cpu.breakpoints = new Map([[7, new Set([LOOP])]]);
    // ASID 0 runs: the breakpoint of ASID 7 is not there.
    expect(cpu.run(20)).toBe(Stop.Budget);
    const other = makeCpu('off');
    other.breakpoints = new Map([[0, new Set([LOOP])]]);
    expect(other.run(1000)).toBe(Stop.Breakpoint);
    expect(other.pc).toBe(LOOP);
    expect(other.icount).toBe(3);
    other.breakpointSkipPc = LOOP;
    other.breakpointSkipAsid = 0;
    expect(other.run(1000)).toBe(Stop.Breakpoint);
    expect(other.pc).toBe(LOOP);
    expect(other.icount).toBe(3 + 5);
    expect(other.getX(0)).toBe(1n);
  });

  it('one-instruction runs step exactly, in every tier, and agree with a plain run', () => {
    for (const mode of ['off', 'eager', 'hot'] as const) {
      const plain = makeCpu(mode);
      while (plain.run(1000) !== Stop.Svc);
      const stepped = makeCpu(mode);
      let steps = 0;
      for (;;) {
        const before = stepped.icount;
        const stop = stepped.run(1);
        steps++;
        expect(stepped.icount - before, `${mode} step ${steps}`).toBe(1);
        if (stop === Stop.Svc) break;
      }
      expect([stepped.pc, stepped.icount, stepped.getX(0)]).toEqual([plain.pc, plain.icount, plain.getX(0)]);
      expect(steps).toBe(plain.icount);
    }
  });

  it('a write watchpoint stops before the store that hits it, with its address; a read one before the load', () => {
    const cpu = makeCpu('off');
    cpu.watchpoints = new Map([[0, [{ kind: 2, address: DATA, length: 8 }]]]);
    expect(cpu.run(1000)).toBe(Stop.Watchpoint);
    // As AArch64 reports a watchpoint: at the access, which has not run (GDB steps over it).
    expect(cpu.pc).toBe(STORE);
    expect(cpu.icount).toBe(4);
    expect(cpu.watchHit?.address).toBe(DATA);
    // Resumed there, the store runs once without stopping again; the next turn's store stops.
    expect(cpu.run(1000)).toBe(Stop.Watchpoint);
    expect(cpu.icount).toBe(4 + 5);
    expect(cpu.getX(0)).toBe(2n);
    const reader = makeCpu('off');
    reader.watchpoints = new Map([[0, [{ kind: 3, address: DATA + 8, length: 8 }]]]);
    expect(reader.run(1000)).toBe(Stop.Watchpoint);
    expect(reader.pc).toBe(STORE + 4);
    // A breakpoint stop at the store, then a watchpoint on its word: resumed, the store stops it.
    const both = makeCpu('off');
    both.breakpoints = new Map([[0, new Set([STORE])]]);
    expect(both.run(1000)).toBe(Stop.Breakpoint);
    both.watchpoints = new Map([[0, [{ kind: 2, address: DATA, length: 8 }]]]);
    [both.breakpointSkipPc, both.breakpointSkipAsid] = [STORE, 0];
    expect(both.run(1000)).toBe(Stop.Watchpoint);
    expect([both.pc, both.icount]).toEqual([STORE, 4]);
    // Another ASID's watchpoint never fires here.
    const none = makeCpu('off');
    none.watchpoints = new Map([[3, [{ kind: 4, address: DATA, length: 16 }]]]);
    expect(none.run(1000)).toBe(Stop.Svc);
  });
});

// The same loop 5000 times: hot enough that compiled code runs nearly all of it.
const LONG = [asm.movz(1, 5000), ...PROGRAM.slice(1)];
const LOAD = CODE + 20;
const SVC = CODE + 32;

/** State that must not depend on how the instructions ran. */
const state = (cpu: Cpu) => ({ pc: cpu.pc, icount: cpu.icount, x0: cpu.getX(0), x1: cpu.getX(1), x3: cpu.getX(3) });

describe('a watchpoint on an exclusive store', () => {
  it('stops before the STXR, which, resumed, still finds the monitor set and succeeds', () => {
    // x2 = DATA; loop: ldxr x0, [x2]; add x0, x0, #1; stxr w1, x0, [x2]; cbnz w1, loop; svc
    const program = [asm.movz(2, DATA & 0xffff), asm.movk(2, DATA >>> 16, 16), 0xc85f7c40, asm.addImm(0, 0, 1), 0xc8017c40, 0x35ffffa1, asm.svc0];
    const plain = makeCpu('off', program);
    expect(plain.run(1000)).toBe(Stop.Svc);
    const cpu = makeCpu('off', program);
    cpu.watchpoints = new Map([[0, [{ kind: 2, address: DATA, length: 8 }]]]);
    expect(cpu.run(1000)).toBe(Stop.Watchpoint);
    expect([cpu.pc, cpu.icount]).toEqual([CODE + 16, 4]);
    expect(cpu.run(1000)).toBe(Stop.Svc);
    expect(state(cpu)).toEqual(state(plain));
    expect(cpu.getX(1)).toBe(0n);
  });
});

describe('breakpoints and watchpoints in compiled code', () => {
  it('a breakpoint on the page of a hot loop stops exactly there, while the loop stays compiled', () => {
    for (const mode of ['hot', 'eager'] as const) {
      const cpu = makeCpu(mode, LONG);
      cpu.breakpoints = new Map([[0, new Set([SVC])]]);
      expect(cpu.run(1e6)).toBe(Stop.Breakpoint);
      expect(cpu.pc).toBe(SVC);
      expect(cpu.icount).toBe(3 + 5 * 5000);
      // Everything but the loop's first few turns (and the cut itself) ran compiled.
      expect(cpu.compiledIcount, mode).toBeGreaterThan(cpu.icount * 0.95);
    }
  });

  it('a breakpoint set inside a compiled loop stops at its instruction with the exact count, every turn; removed, the loop is compiled again', () => {
    for (const mode of ['hot', 'eager'] as const) {
      const cpu = makeCpu(mode, LONG);
      const ref = makeCpu('off', LONG);
      // 2000 instructions: the loop is compiled by now.
      cpu.run(2000);
      ref.run(2000);
      expect(cpu.compiledIcount).toBeGreaterThan(1500);
      for (const c of [cpu, ref]) c.breakpoints = new Map([[0, new Set([LOAD])]]);
      for (let turn = 0; turn < 3; turn++) {
        expect(cpu.run(1e6), `${mode} turn ${turn}`).toBe(Stop.Breakpoint);
        expect(ref.run(1e6)).toBe(Stop.Breakpoint);
        expect(state(cpu)).toEqual(state(ref));
        expect(cpu.pc).toBe(LOAD);
        for (const c of [cpu, ref]) [c.breakpointSkipPc, c.breakpointSkipAsid] = [LOAD, 0];
      }
      // Another ASID's breakpoint at the same address never stops this one.
      for (const c of [cpu, ref]) c.breakpoints = new Map([[5, new Set([LOAD])]]);
      const compiled = cpu.compiledIcount;
      expect(cpu.run(1e6)).toBe(Stop.Svc);
      expect(ref.run(1e6)).toBe(Stop.Svc);
      expect(state(cpu)).toEqual(state(ref));
      expect(cpu.compiledIcount - compiled).toBeGreaterThan(20_000);
    }
  });

  it('write and read watchpoints stop a compiled loop at the access, with the exact count', () => {
    for (const [kind, at] of [
      [2, STORE],
      [3, LOAD],
      [4, STORE],
    ] as const) {
      const cpu = makeCpu('hot', LONG);
      const ref = makeCpu('off', LONG);
      cpu.run(3001);
      ref.run(3001);
      const address = kind === 3 ? DATA + 8 : DATA;
      for (const c of [cpu, ref]) {
        c.watchpoints = new Map([[0, [{ kind, address, length: 8 }]]]);
        // The debugger drops the watched page from the soft TLB (sel4-target.ts insertPoint).
        c.flushTlbPage(DATA, 0);
      }
      const compiled = cpu.compiledIcount;
      for (let turn = 0; turn < 3; turn++) {
        expect(cpu.run(1e6), `kind ${kind} turn ${turn}`).toBe(Stop.Watchpoint);
        expect(ref.run(1e6)).toBe(Stop.Watchpoint);
        expect(state(cpu)).toEqual(state(ref));
        expect(cpu.pc).toBe(at);
        expect(cpu.watchHit?.address).toBe(address);
      }
      // Between the stops, compiled code ran each turn up to the access.
      expect(cpu.compiledIcount - compiled).toBeGreaterThanOrEqual(3);
      // A watchpoint elsewhere on the page the loop uses: the loop stays compiled, never stops.
      for (const c of [cpu, ref]) c.watchpoints = new Map([[0, [{ kind, address: DATA + 0x800, length: 8 }]]]);
      const before = cpu.compiledIcount;
      expect(cpu.run(1e6)).toBe(Stop.Svc);
      expect(ref.run(1e6)).toBe(Stop.Svc);
      expect(state(cpu)).toEqual(state(ref));
      expect(cpu.compiledIcount - before).toBeGreaterThan(5 * 4000);
    }
  });
});
