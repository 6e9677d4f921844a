import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine/machine.js';
import { TestKernel } from './helpers/test-kernel.js';

/**
 * The direct system call (Machine.directSystemCalls, Cpu.onSvc): an SVC goes to the kernel
 * without the CPU's run ending, and the run goes on in the thread the kernel chose. It must
 * change nothing a program, a kernel or a trace can see: the same kernel events at the same
 * virtual times (timer interrupts included), the same console output, the same instructions.
 */

const PROGRAM = join(import.meta.dirname, 'machine', 'programs', 'e2e.elf');

function boot(direct: boolean, batch?: number) {
  const machine = new Machine({ batch });
  machine.directSystemCalls = direct;
  const kernel = TestKernel.fromFile(machine, PROGRAM);
  const cpu = machine.cpu;
  let runs = 0;
  const run = cpu.run.bind(cpu);
  cpu.run = (budget) => {
    runs++;
    return run(budget);
  };
  const end = machine.run(kernel, 10_000_000);
  return { end, events: kernel.events, console: machine.consoleOutput, icount: cpu.icount, runs };
}

describe('direct system calls', () => {
  for (const batch of [undefined, 7, 1]) {
    it(`give the same run as system calls through the run loop (batch ${batch ?? 'default'})`, () => {
      const direct = boot(true, batch);
      const loop = boot(false, batch);
      expect(direct.events.filter((e) => e.event === 'svc').length).toBeGreaterThan(3);
      expect(direct.events.some((e) => e.event === 'tick')).toBe(true);
      expect(direct.events).toEqual(loop.events);
      expect(direct.console).toBe(loop.console);
      expect(direct.icount).toBe(loop.icount);
      expect(direct.end).toEqual(loop.end);
    });
  }

  it('hand system calls to the kernel without ending the CPU run, unless the CPU goes idle', () => {
    const direct = boot(true);
    const loop = boot(false);
    // System call 1 of the test kernel waits for the next tick (the CPU idles); the others return.
    const returning = loop.events.filter((e) => e.event === 'svc' && e.number !== 1).length;
    expect(returning).toBeGreaterThan(2);
    expect(loop.runs - direct.runs).toBe(returning);
  });

  it('go through the run loop while a debugger is attached', () => {
    const machine = new Machine();
    const kernel = TestKernel.fromFile(machine, PROGRAM);
    machine.debug = { stopBeforeTrap: () => false, stopped: async () => {} };
    let direct = 0;
    const onSvc = machine.cpu.onSvc!;
    machine.cpu.onSvc = () => {
      const r = onSvc();
      if (r >= 0) direct++;
      return r;
    };
    machine.run(kernel, 10_000_000);
    expect(kernel.events.filter((e) => e.event === 'svc').length).toBeGreaterThan(3);
    expect(direct).toBe(0);
  });
});
