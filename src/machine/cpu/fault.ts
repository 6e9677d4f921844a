/**
 * Why the CPU stopped (`Cpu.run`). After a stop, `cpu.pc` is the preferred return address
 * (what ELR_EL1 would hold): the next instruction after SVC, the faulting instruction for
 * everything else. `cpu.esr` holds the ARM syndrome; `cpu.farLo/farHi` the fault address.
 */
export const enum Stop {
  /** The instruction budget ran out. */
  Budget = 0,
  /** SVC: ESR EC 0x15. */
  Svc = 1,
  /** BRK: EC 0x3c. */
  Brk = 2,
  /** Undefined or unimplemented instruction: EC 0x00. */
  Undefined = 3,
  /** Data abort from a lower EL: EC 0x24. */
  DataAbort = 4,
  /** Instruction abort from a lower EL: EC 0x20. */
  InstructionAbort = 5,
  /** PC alignment fault: EC 0x22. */
  PcAlignment = 6,
  /** SP alignment fault: EC 0x26. */
  SpAlignment = 7,
  /** WFI/WFE: the CPU waits for an interrupt. */
  Wait = 8,
  /** A pending interrupt was taken at an instruction boundary. */
  Interrupt = 9,
  /**
   * The run ended at an instruction that reads or programs the generic timer (before it runs,
   * so the counter it reads is exact; after a write, so a new deadline takes effect at once).
   * Nothing to handle: run again.
   */
  TimeSync = 10,
  /** An EL0 access to a system register or system instruction that EL1 keeps to itself: EC 0x18. */
  SystemAccessTrap = 11,
  /** A debugger's breakpoint (`Cpu.breakpoints`) at `pc`: nothing there has run yet. */
  Breakpoint = 12,
  /** A debugger's watchpoint was hit (`Cpu.watchHit`): the accessing instruction has run. */
  Watchpoint = 13,
  /** An SVC that `Cpu.onSvc` already handed to the kernel: nothing to handle, run again. */
  Handled = 14,
}

/** ESR_ELx.EC values (ARM DDI 0487, D17.2.37). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  FP_ACCESS: 0x07,
  SVC64: 0x15,
  MSR_MRS: 0x18,
  INSTRUCTION_ABORT_LOWER: 0x20,
  PC_ALIGNMENT: 0x22,
  DATA_ABORT_LOWER: 0x24,
  SP_ALIGNMENT: 0x26,
  BRK64: 0x3c,
} as const;

/** ESR.IL: a 32-bit instruction. */
export const ESR_IL = 1 << 25;

/** Fault status codes (DFSC/IFSC) for the 4 KiB-granule long-descriptor format. */
export const FSC = {
  addressSize: (level: number) => 0x00 | level,
  translation: (level: number) => 0x04 | level,
  accessFlag: (level: number) => 0x08 | level,
  permission: (level: number) => 0x0c | level,
  SYNC_EXTERNAL: 0x10,
  ALIGNMENT: 0x21,
} as const;

/**
 * A failed memory access, thrown by the address space and caught by the CPU at the
 * instruction boundary. Not an Error: no stack is captured.
 */
export class MemoryFault {
  constructor(
    /** DFSC/IFSC. */
    readonly fsc: number,
    readonly farLo: number,
    readonly farHi: number,
    /** For data aborts: ESR.WnR. */
    readonly write: boolean,
    readonly fetch: boolean,
  ) {}
}
