import type { UserContext } from './cpu/context.js';
import type { PhysicalMemory } from './memory/physical-memory.js';
import type { TimerName } from './devices/generic-timer.js';

/**
 * The narrow interface between the machine and a kernel model. The machine runs EL0 code and
 * hands every exception to the kernel as a `Trap`; the kernel acts on the machine only
 * through `KernelPort`. A test can drive the machine with a fake kernel, and the kernel can
 * be tested against a fake port.
 */

export type Trap =
  /** SVC: `esr` has EC 0x15 and the immediate; the PC is already past the SVC. */
  | { kind: 'svc'; esr: number }
  /** Data or instruction abort from EL0: the PC is the faulting instruction. */
  | { kind: 'abort'; esr: number; far: bigint; instruction: boolean }
  /** Undefined instruction, BRK, PC or SP alignment: the PC is the instruction. */
  | { kind: 'exception'; esr: number }
  /** The GIC asserts the CPU's IRQ input. */
  | { kind: 'irq' };

export interface Kernel {
  /** Boot: set up the first thread (the machine has reset). */
  start(port: KernelPort): void;
  /** Handle an exception taken from EL0 or an interrupt. */
  trap(trap: Trap, port: KernelPort): void;
}

export interface KernelPort {
  /** The EL0 context of the running thread. */
  saveContext(into: UserContext): void;
  restoreContext(from: UserContext): void;
  /** X0–X30 (0–30) and SP_EL0 (31) of the running thread, without a full save. */
  getRegister(index: number): bigint;
  setRegister(index: number, value: bigint): void;
  /**
   * X0–X30 and SP_EL0 as a signed 64-bit value when it lies within ±2^53, otherwise NaN:
   * a read that makes no BigInt (for the kernel's system-call dispatch and fast paths).
   */
  getRegisterSigned(index: number): number;
  /** The address at which EL0 resumes (ELR_EL1). */
  pc: bigint;
  /** The same as a number (the CPU keeps it below 2^53): no BigInt, for every system call. */
  readonly pcNumber: number;

  /**
   * Switch the EL0 address space: the physical address of its level-1 root table and its
   * ASID. `root` −1 leaves no address space (every access faults).
   */
  setAddressSpace(root: number, asid: number): void;
  /** TLBI: every ASID, one ASID, or one page of one ASID. */
  invalidateTlb(asid?: number, va?: number): void;

  /** RAM, and the device registers by physical address (`readDevice32`/`writeDevice32`). */
  readonly memory: PhysicalMemory;

  /** GICC_IAR and GICC_EOIR. */
  acknowledgeInterrupt(): number;
  endOfInterrupt(intid: number): void;
  /** GICD_ISENABLER/ICENABLER and GICD_IPRIORITYR for one interrupt. */
  enableInterrupt(intid: number, enabled: boolean): void;
  setInterruptPriority(intid: number, priority: number): void;
  /** GICD_ICFGR: edge-triggered (true) or level-sensitive. */
  setInterruptEdge(intid: number, edge: boolean): void;

  /** The system counter (CNTPCT) and the timers, the EL2 physical one included. */
  readonly counter: number;
  setTimer(timer: TimerName, ctl: number, cval: bigint | number): void;

  /** Nothing is runnable: wait for an interrupt, skipping idle time to the next deadline. */
  idle(): void;
  /** Stop waiting: the kernel has a thread to run again (after acting outside a trap). */
  wake(): void;
  /** Stop the machine (the kernel halted, e.g. after a fatal error). */
  halt(reason: string): void;
  /** A byte for the console (the kernel's own output, e.g. seL4_DebugPutChar). */
  putChar(byte: number): void;
}
