import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamInput } from '../src/machine/devices/stream-input.js';
import type { Kernel } from '../src/machine/kernel-interface.js';
import { Machine, type MachineOptions } from '../src/machine/machine.js';
import { TestKernel, TICK_PERIOD } from './helpers/test-kernel.js';

const PROGRAM = join(import.meta.dirname, 'machine', 'programs', 'e2e.elf');

function boot(options: MachineOptions = {}) {
  const machine = new Machine(options);
  const kernel = TestKernel.fromFile(machine, PROGRAM);
  const end = machine.run(kernel, 10_000_000);
  return { machine, kernel, end };
}

describe('machine end to end: an EL0 program over a minimal TypeScript kernel', () => {
  const { machine, kernel, end } = boot();

  it('writes to the PL011 through a device mapping', () => {
    expect(machine.consoleOutput).toBe('hello from EL0\nbye\n');
  });

  it('takes the kernel timer interrupts at exactly the programmed counter values', () => {
    const ticks = kernel.events.filter((e) => e.event === 'tick');
    expect(ticks.slice(0, 3).map((e) => e.counter)).toEqual([1, 2, 3].map((k) => k * TICK_PERIOD));
    // One counter tick is 16 cycles at 1 GHz: the interrupt is taken on the cycle itself.
    expect(ticks.slice(0, 3).map((e) => e.at)).toEqual([1, 2, 3].map((k) => 16 * k * TICK_PERIOD));
    expect(kernel.reports.slice(0, 3)).toEqual([1n, 2n, 3n].map((k) => k * BigInt(TICK_PERIOD)));
  });

  it('wakes a WFI with the EL1 physical timer that the program set from EL0', () => {
    const el0 = kernel.events.filter((e) => e.event === 'el0-timer');
    expect(el0).toHaveLength(1);
    const start = Number(kernel.reports[3]);
    expect(el0[0]!.event === 'el0-timer' && el0[0]!.counter).toBe(start + 1000);
  });

  it('reads the counter exactly at the instruction that reads it, within a batch', () => {
    // At 1 MHz one cycle is 62.5 counter ticks, so an off-by-one instruction shows.
    const slow = boot({ cpuHz: 1_000_000 });
    const svcs = slow.kernel.events.filter((e) => e.event === 'svc' && e.number === 2);
    // The third report's SVC retires at `at`; SUBS, B.NE and ISB run before the MRS.
    const mrsCycle = svcs[2]!.at + 3;
    expect(slow.kernel.reports[3]).toBe(BigInt(Math.floor(mrsCycle * 62.5)));
    // MRS, MOV, MOV, then MSR CNTP_TVAL_EL0, 1000: CVAL is the counter then plus 1000, and
    // the interrupt comes on the first cycle at which the counter reaches CVAL.
    const cval = Math.floor((mrsCycle + 3) * 62.5) + 1000;
    const el0 = slow.kernel.events.find((e) => e.event === 'el0-timer')!;
    expect(el0.at).toBe(Math.ceil(cval / 62.5));
    expect(el0.event === 'el0-timer' && el0.counter).toBe(Math.floor(el0.at * 62.5));
  });

  it('runs the loaded .data and .bss', () => {
    expect(kernel.reports[4]).toBe(136n);
  });

  it('reports the store to an unmapped address as a level-2 translation fault', () => {
    const fault = kernel.events.at(-1)!;
    expect(fault.event).toBe('fault');
    if (fault.event !== 'fault') return;
    // EC 0x24 (data abort from a lower EL), IL, WnR, DFSC 0x06: 0x7000000 is in the first GiB,
    // whose level-2 table exists (the program is mapped there), so the walk stops at level 2.
    // The instruction is `str w5, [x0]`: ISV with SAS = 2 (a word) and SRT = 5.
    expect(fault.esr >>> 0).toBe(((0x24 << 26) | (1 << 25) | (1 << 24) | (2 << 22) | (5 << 16) | (1 << 6) | 0x06) >>> 0);
    expect(fault.far).toBe(0x700_0000n);
    expect(fault.pc).toBe(0x400204n);
    expect(end.reason).toBe('halt');
  });

  it('gives the same run twice, and the same with and without compiled blocks', () => {
    const again = boot();
    expect(again.kernel.events).toEqual(kernel.events);
    expect(again.machine.cpu.icount).toBe(machine.cpu.icount);
    const interpreted = boot({ jit: 'off' });
    expect(interpreted.kernel.events).toEqual(kernel.events);
    const eager = boot({ jit: 'eager', batch: 7 });
    expect(eager.kernel.events).toEqual(kernel.events);
  });
});

describe('machine run loop', () => {
  it('stops when the CPU waits for an interrupt that can never come', () => {
    const machine = new Machine();
    const end = machine.run({ start: (port) => port.idle(), trap: () => {} });
    expect(end).toEqual({ reason: 'idle-forever', cycles: 0 });
  });

  it('stops a kernel that leaves an interrupt pending forever', () => {
    const machine = new Machine();
    const end = machine.run({
      start: (port) => {
        port.memory.writeDevice32(0x0800_0000, 1);
        port.memory.writeDevice32(0x0801_0000, 1);
        port.memory.writeDevice32(0x0801_0004, 0xff);
        port.enableInterrupt(33, true);
        port.setInterruptEdge(33, false);
        machine.gic.setLine(33, true);
      },
      trap: () => {},
    });
    expect(end.reason).toBe('halt');
    expect(end.reason === 'halt' && end.message).toMatch(/interrupt 33 stays pending/);
  });

  const UART = 0x0900_0000;
  /** A kernel that copies every received byte into `got` from the PL011 receive interrupt. */
  const receiver = (got: number[]): Kernel => ({
    start: (port) => {
      port.memory.writeDevice32(0x0800_0000, 1);
      port.memory.writeDevice32(0x0801_0000, 1);
      port.memory.writeDevice32(0x0801_0004, 0xff);
      port.enableInterrupt(33, true);
      port.memory.writeDevice32(UART + 0x2c, 0x70); // UARTLCR_H: FIFOs on
      port.memory.writeDevice32(UART + 0x38, 1 << 4); // UARTIMSC: RXIM
      port.idle();
    },
    trap: (trap, port) => {
      expect(trap.kind).toBe('irq');
      const intid = port.acknowledgeInterrupt();
      expect(intid).toBe(33);
      while ((port.memory.readDevice32(UART + 0x18) & (1 << 4)) === 0) got.push(port.memory.readDevice32(UART));
      port.endOfInterrupt(intid);
      port.idle();
    },
  });

  it('takes input from a live stream while running asynchronously', async () => {
    const stream = new PassThrough();
    const machine = new Machine({ input: streamInput(stream) });
    const got: number[] = [];
    const done = machine.runAsync(receiver(got));
    setTimeout(() => stream.write('li'), 5);
    setTimeout(() => stream.end('ve'), 10);
    const end = await done;
    expect(String.fromCharCode(...got)).toBe('live');
    expect(end.reason).toBe('idle-forever');
  });

  it('delivers received bytes through the PL011 receive interrupt (SPI 33)', () => {
    const machine = new Machine({ input: 'ok!' });
    const got: number[] = [];
    expect(machine.run(receiver(got)).reason).toBe('idle-forever');
    expect(String.fromCharCode(...got)).toBe('ok!');
  });

  it('is the same machine whether it yields to the event loop or not', async () => {
    const a = new Machine();
    const ka = TestKernel.fromFile(a, PROGRAM);
    const b = new Machine();
    const kb = TestKernel.fromFile(b, PROGRAM);
    expect(await b.runAsync(kb, 10_000_000, 1000)).toEqual(a.run(ka, 10_000_000));
    expect(kb.events).toEqual(ka.events);
  });

  it('stops at the cycle limit while idle', () => {
    const machine = new Machine();
    const end = machine.run({ start: (port) => (port.setTimer('hypPhysical', 1, 1n << 40n), port.idle()), trap: () => {} }, 5000);
    expect(end).toEqual({ reason: 'limit', cycles: 5000 });
  });
});
