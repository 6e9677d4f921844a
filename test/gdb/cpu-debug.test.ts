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

function makeCpu(mode: 'off' | 'eager' | 'hot'): Cpu {
  const space = new FlatSpace();
  space.map(CODE, 4096, PERM_R | PERM_W | PERM_X);
  space.write(CODE, wordsToBytes(PROGRAM));
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

  it('a write watchpoint stops after the store that hits it, with its address; a read one after the load', () => {
    const cpu = makeCpu('off');
    cpu.watchpoints = new Map([[0, [{ kind: 2, address: DATA, length: 8 }]]]);
    expect(cpu.run(1000)).toBe(Stop.Watchpoint);
    expect(cpu.pc).toBe(STORE + 4);
    expect(cpu.icount).toBe(5);
    expect(cpu.watchHit?.address).toBe(DATA);
    expect(cpu.run(1000)).toBe(Stop.Watchpoint);
    expect(cpu.icount).toBe(5 + 5);
    const reader = makeCpu('off');
    reader.watchpoints = new Map([[0, [{ kind: 3, address: DATA + 8, length: 8 }]]]);
    expect(reader.run(1000)).toBe(Stop.Watchpoint);
    expect(reader.pc).toBe(STORE + 8);
    // Another ASID's watchpoint never fires here.
    const none = makeCpu('off');
    none.watchpoints = new Map([[3, [{ kind: 4, address: DATA, length: 16 }]]]);
    expect(none.run(1000)).toBe(Stop.Svc);
  });
});
