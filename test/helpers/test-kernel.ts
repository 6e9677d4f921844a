import { readFileSync } from 'node:fs';
import { newUserContext } from '../../src/machine/cpu/context.js';
import { CNT_CTL } from '../../src/machine/devices/generic-timer.js';
import { GICC, GICD } from '../../src/machine/devices/gic-v2.js';
import { QEMU_VIRT } from '../../src/machine/boards/qemu-virt.js';
import type { Kernel, KernelPort, Trap } from '../../src/machine/kernel-interface.js';
import { PF_W, PF_X, PT_LOAD, readElf64 } from '../../src/util/elf64.js';
import type { Machine } from '../../src/machine/machine.js';
import { TableBuilder } from '../../src/machine/mmu/table-builder.js';

/**
 * A minimal kernel in TypeScript for the machine model's end-to-end test: one thread, its ELF
 * loaded into RAM and mapped with the segment permissions, the PL011 mapped as device memory
 * at UART_VA, a periodic EL2 timer, and two system calls (x7: 1 waits for the next tick and
 * returns the counter then; 2 appends x0 to `reports`). A fault ends the run.
 */

const UART_VA = 0x1000_0000;
const STACK_TOP = 0x80_0000;
export const TICK_PERIOD = 10_000;
const HYP_TIMER_PPI = 26;
const EL0_TIMER_PPI = 30;

export type KernelEvent =
  | { at: number; event: 'tick'; counter: number }
  | { at: number; event: 'el0-timer'; counter: number }
  | { at: number; event: 'svc'; number: number; x0: bigint }
  | { at: number; event: 'fault'; esr: number; far: bigint; pc: bigint };

export class TestKernel implements Kernel {
  readonly events: KernelEvent[] = [];
  readonly reports: bigint[] = [];
  private waitingForTick = false;
  private nextTick = TICK_PERIOD;

  constructor(
    private readonly machine: Machine,
    private readonly elfBytes: Uint8Array,
  ) {}

  static fromFile(machine: Machine, path: string): TestKernel {
    return new TestKernel(machine, new Uint8Array(readFileSync(path)));
  }

  start(port: KernelPort): void {
    const mem = port.memory;
    // The GIC: both interfaces on, every priority unmasked, our two PPIs enabled.
    mem.writeDevice32(QEMU_VIRT.gicDistributor.base + GICD.CTLR, 1);
    mem.writeDevice32(QEMU_VIRT.gicCpuInterface.base + GICC.CTLR, 1);
    mem.writeDevice32(QEMU_VIRT.gicCpuInterface.base + GICC.PMR, 0xff);
    mem.writeDevice32(QEMU_VIRT.gicDistributor.base + GICD.ISENABLER, (1 << HYP_TIMER_PPI) | (1 << EL0_TIMER_PPI));

    const tables = new TableBuilder(mem, 0x4400_0000);
    let nextFrame = 0x4100_0000;
    const frameFor = new Map<number, number>();
    const parsed = readElf64(this.elfBytes);
    if (!parsed.ok) throw new Error(parsed.error);
    for (const seg of parsed.elf.segments) {
      if (seg.type !== PT_LOAD) continue;
      const start = Number(seg.vaddr);
      const end = start + Number(seg.memSize);
      for (let va = start - (start % 4096); va < end; va += 4096) {
        if (!frameFor.has(va)) {
          frameFor.set(va, nextFrame);
          mem.zero(nextFrame, 4096);
          tables.map(va, nextFrame, 4096, { write: (seg.flags & PF_W) !== 0, exec: (seg.flags & PF_X) !== 0 });
          nextFrame += 4096;
        }
      }
      // Copy the file bytes page by page: the frames are not contiguous.
      for (let va = start; va < start + seg.fileSize; va = va - (va % 4096) + 4096) {
        const n = Math.min(4096 - (va % 4096), start + seg.fileSize - va);
        const from = seg.offset + (va - start);
        mem.write(frameFor.get(va - (va % 4096))! + (va % 4096), parsed.elf.bytes.subarray(from, from + n));
      }
    }
    tables.map(STACK_TOP - 4096, nextFrame, 4096, { exec: false });
    tables.map(UART_VA, QEMU_VIRT.uart.base, 4096, { device: true, exec: false });

    const ctx = newUserContext();
    ctx.pc = parsed.elf.entry;
    ctx.x[31] = BigInt(STACK_TOP);
    port.restoreContext(ctx);
    port.setAddressSpace(tables.root, 1);
    port.setTimer('hypPhysical', CNT_CTL.ENABLE, BigInt(this.nextTick));
  }

  trap(trap: Trap, port: KernelPort): void {
    const at = this.machine.cycles;
    switch (trap.kind) {
      case 'svc': {
        const number = Number(port.getRegister(7));
        const x0 = port.getRegister(0);
        this.events.push({ at, event: 'svc', number, x0 });
        if (number === 1) {
          this.waitingForTick = true;
          port.idle();
        } else if (number === 2) this.reports.push(x0);
        else port.setRegister(0, -1n);
        return;
      }
      case 'irq': {
        const intid = port.acknowledgeInterrupt();
        const counter = port.counter;
        if (intid === HYP_TIMER_PPI) {
          this.events.push({ at, event: 'tick', counter });
          this.nextTick += TICK_PERIOD;
          port.setTimer('hypPhysical', CNT_CTL.ENABLE, BigInt(this.nextTick));
          if (this.waitingForTick) {
            this.waitingForTick = false;
            port.setRegister(0, BigInt(counter));
          }
        } else if (intid === EL0_TIMER_PPI) {
          this.events.push({ at, event: 'el0-timer', counter });
          // Mask it so the level-sensitive line drops, as a kernel does before notifying a driver.
          this.machine.timer.setCtl('physical', CNT_CTL.ENABLE | CNT_CTL.IMASK);
        }
        port.endOfInterrupt(intid);
        if (this.waitingForTick) port.idle();
        return;
      }
      case 'abort':
        this.events.push({ at, event: 'fault', esr: trap.esr, far: trap.far, pc: port.pc });
        port.halt(`fault at pc 0x${port.pc.toString(16)}`);
        return;
      case 'exception':
        this.events.push({ at, event: 'fault', esr: trap.esr, far: 0n, pc: port.pc });
        port.halt(`exception 0x${trap.esr.toString(16)}`);
        return;
    }
  }
}
