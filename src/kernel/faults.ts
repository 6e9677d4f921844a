import { lookupFaultWords, type LookupFault } from './errors.js';

/**
 * Faults as seL4 (MCS, AArch64) records them in a TCB and delivers them to a fault handler
 * (spec: sel4-abi.md §6). The message words are built by `faultMessage`; the registers a
 * handler's reply writes back are chosen by `FAULT_REPLY_REGISTERS`.
 */

/** seL4_FaultType with MCS: the label of the fault message. */
export const enum FaultType {
  NullFault = 0,
  CapFault = 1,
  UnknownSyscall = 2,
  UserException = 3,
  DebugException = 4,
  Timeout = 5,
  VMFault = 6,
  VGICMaintenance = 7,
  VCPUFault = 8,
  VPPIEvent = 9,
}

export const FAULT_NAMES: Record<number, string> = {
  1: 'seL4_Fault_CapFault',
  2: 'seL4_Fault_UnknownSyscall',
  3: 'seL4_Fault_UserException',
  4: 'seL4_Fault_DebugException',
  5: 'seL4_Fault_Timeout',
  6: 'seL4_Fault_VMFault',
  7: 'seL4_Fault_VGICMaintenance',
  8: 'seL4_Fault_VCPUFault',
  9: 'seL4_Fault_VPPIEvent',
};

/** seL4_SoftwareBreakRequest: the DebugException reason of a BRK. */
export const SOFTWARE_BREAK_REQUEST = 3;

export type Fault =
  | { type: FaultType.CapFault; address: bigint; inReceivePhase: boolean; lookup: LookupFault }
  | { type: FaultType.UnknownSyscall; number: bigint }
  | { type: FaultType.UserException; number: number; code: number }
  | { type: FaultType.DebugException; reason: number }
  | { type: FaultType.Timeout; badge: bigint }
  | { type: FaultType.VMFault; address: bigint; instruction: boolean; fsr: number }
  | { type: FaultType.VCPUFault; hsr: number };

/**
 * Register numbers the kernel uses for a thread's saved state: X0–X30, SP_EL0, then the
 * restart PC (FaultIP), the resume PC (NextIP = ELR_EL1), SPSR_EL1, TPIDR_EL0, TPIDRRO_EL0.
 */
export type Reg = number;
export const Reg = {
  X0: 0,
  X30: 30,
  SP: 31,
  FaultIP: 32,
  NextIP: 33,
  SPSR: 34,
  TPIDR: 35,
  TPIDRRO: 36,
} as const;

const xs = (from: number, to: number): Reg[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The frame registers (pc, sp, spsr, x0–x8, x16–x18, x29, x30), as TCB_CopyRegisters moves them. */
export const FRAME_REGISTERS: readonly Reg[] = [Reg.FaultIP, Reg.SP, Reg.SPSR, ...xs(0, 8), 16, 17, 18, 29, 30];
/** The other integer registers (x9–x15, x19–x28, tpidr_el0, tpidrro_el0). */
export const GP_REGISTERS: readonly Reg[] = [...xs(9, 15), ...xs(19, 28), Reg.TPIDR, Reg.TPIDRRO];
/** seL4_UserContext order (TCB_ReadRegisters/WriteRegisters): the frame registers, then the others. */
export const USER_CONTEXT_REGISTERS: readonly Reg[] = [...FRAME_REGISTERS, ...GP_REGISTERS];

/** What a handler's reply writes back, per fault type (syscallMessage, exceptionMessage, timeoutMessage). */
export const FAULT_REPLY_REGISTERS: Partial<Record<FaultType, readonly Reg[]>> = {
  [FaultType.UnknownSyscall]: [...xs(0, 7), Reg.FaultIP, Reg.SP, Reg.NextIP, Reg.SPSR],
  [FaultType.UserException]: [Reg.FaultIP, Reg.SP, Reg.SPSR],
  [FaultType.Timeout]: [...FRAME_REGISTERS, ...xs(9, 15), ...xs(19, 28)],
};

/** What the fault message reads of the faulting thread. */
export interface FaultSource {
  reg(r: Reg): bigint;
  /** Microseconds its scheduling context consumed, or undefined without one (Timeout). */
  consumedUs: bigint | undefined;
}

/** The message words of a fault (setMRs_fault). */
export function faultMessage(fault: Fault, t: FaultSource): bigint[] {
  switch (fault.type) {
    case FaultType.CapFault:
      return [t.reg(Reg.FaultIP), fault.address, fault.inReceivePhase ? 1n : 0n, ...lookupFaultWords(fault.lookup)];
    case FaultType.UnknownSyscall:
      return [...xs(0, 7).map((r) => t.reg(r)), t.reg(Reg.FaultIP), t.reg(Reg.SP), t.reg(Reg.NextIP), t.reg(Reg.SPSR), fault.number];
    case FaultType.UserException:
      return [t.reg(Reg.FaultIP), t.reg(Reg.SP), t.reg(Reg.SPSR), BigInt(fault.number >>> 0), BigInt(fault.code)];
    case FaultType.DebugException:
      return [t.reg(Reg.FaultIP), BigInt(fault.reason)];
    case FaultType.Timeout:
      return t.consumedUs === undefined ? [fault.badge] : [fault.badge, t.consumedUs];
    case FaultType.VMFault:
      return [t.reg(Reg.FaultIP), fault.address, fault.instruction ? 1n : 0n, BigInt(fault.fsr >>> 0)];
    case FaultType.VCPUFault:
      return [BigInt(fault.hsr >>> 0)];
  }
}

/**
 * Whether a reply with `label` restarts the faulting thread (handleFaultReply): CapFault,
 * VMFault and VCPUFault always restart; the others only on label 0.
 */
export function faultReplyRestarts(type: FaultType, label: bigint): boolean {
  switch (type) {
    case FaultType.CapFault:
    case FaultType.VMFault:
    case FaultType.VCPUFault:
      return true;
    default:
      return label === 0n;
  }
}

/**
 * The kernel's %p as real seL4 prints it: 0x and the hex digits, without leading zeros (a debug
 * kernel in QEMU prints `T0x8060005400` in its userError lines; see the conformance scenarios).
 * Zero prints as 0, without 0x (the printf of seL4's io.c adds the prefix to non-zero values only).
 */
export function kernelPointer(v: bigint | number): string {
  const n = BigInt(v);
  return n === 0n ? '0' : `0x${n.toString(16)}`;
}

const p = kernelPointer;

/** The kernel's description of a fault (print_fault). */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case FaultType.CapFault:
      return `cap fault in ${fault.inReceivePhase ? 'receive' : 'send'} phase at address ${p(fault.address)}`;
    case FaultType.UnknownSyscall:
      return `unknown syscall ${p(fault.number)}`;
    case FaultType.UserException:
      return `user exception ${p(fault.number >>> 0)} code ${p(fault.code)}`;
    case FaultType.Timeout:
      return `Timeout fault for 0x${fault.badge.toString(16)}\n`;
    case FaultType.VMFault:
      return `vm fault on ${fault.instruction ? 'code' : 'data'} at address ${p(fault.address)} with status ${p(fault.fsr >>> 0)}`;
    default:
      return 'unknown fault';
  }
}
