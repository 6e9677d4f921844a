import { describe, expect, it } from 'vitest';
import { InstructionCounter } from '../src/cli/run/pd-stats.js';
import { TcbObject } from '../src/kernel/objects.js';

describe('InstructionCounter', () => {
  it('charges each switch to the thread that ran, under its name at the time, and sums by name', () => {
    let icount = 0;
    const counter = new InstructionCounter(() => icount);
    const a = new TcbObject(0x1000, 11);
    const b = new TcbObject(0x2000, 11);
    a.name = 'a';
    b.name = 'b';
    counter.switchTo(a);
    icount = 10;
    counter.switchTo(b);
    icount = 15;
    counter.switchTo(a);
    icount = 18;
    a.name = 'renamed'; // DebugNameThread while it runs: what it ran from now on is the new name's
    counter.switchTo(undefined);
    icount = 100; // idle
    counter.switchTo(a);
    icount = 101;
    counter.charge();
    expect([counter.of('a'), counter.of('b'), counter.of('renamed'), counter.of('nobody')]).toEqual([10, 5, 4, 0]);
  });
});
