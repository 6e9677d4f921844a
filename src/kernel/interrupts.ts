import { CNode, type Slot } from './cspace.js';

/**
 * The kernel's interrupt state (seL4's intStateIRQTable and intStateIRQNode): what each
 * interrupt line is for, and for each line a slot holding the notification cap it signals.
 */
export const enum IrqState {
  Inactive = 0,
  Signal = 1,
  Timer = 2,
  Reserved = 3,
}

/** The highest interrupt number seL4 accepts on qemu_virt_aarch64 (maxIRQ). */
export const QEMU_VIRT_MAX_IRQ = 159;
/** The kernel's timer on this board with hypervisor support: the EL2 physical timer, PPI 26. */
export const KERNEL_TIMER_IRQ = 26;

/** What the kernel asks of the interrupt controller (a subset of `KernelPort`). */
export interface InterruptController {
  enableInterrupt(intid: number, enabled: boolean): void;
  setInterruptEdge(intid: number, edge: boolean): void;
}

export class InterruptTable {
  readonly state: IrqState[];
  /** intStateIRQNode: slot i holds the notification cap of interrupt i. */
  readonly node: CNode;

  constructor(
    readonly maxIrq = QEMU_VIRT_MAX_IRQ,
    reserved: readonly number[] = [],
  ) {
    this.state = new Array<IrqState>(maxIrq + 1).fill(IrqState.Inactive);
    this.state[KERNEL_TIMER_IRQ] = IrqState.Timer;
    for (const irq of reserved) this.state[irq] = IrqState.Reserved;
    this.node = new CNode(Math.ceil(Math.log2(maxIrq + 1)));
  }

  isActive(irq: number): boolean {
    return this.state[irq] !== IrqState.Inactive;
  }

  slot(irq: number): Slot {
    return this.node.slots[irq]!;
  }
}
