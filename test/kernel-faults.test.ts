import { describe, expect, it } from 'vitest';
import { LookupFailureType } from '../src/kernel/errors.js';
import { describeFault, type Fault, FaultType, FAULT_REPLY_REGISTERS, FRAME_REGISTERS, faultMessage, faultReplyRestarts, GP_REGISTERS, Reg, USER_CONTEXT_REGISTERS } from '../src/kernel/faults.js';

/**
 * The fault words, reply rules and printed descriptions of src/kernel/faults.ts against seL4's
 * own (MCS, AArch64): print_fault in src/kernel/faulthandler.c, setMRs_fault and
 * handleFaultReply in src/api/faults.c, Arch_handleFaultReply in src/arch/arm/api/faults.c, and
 * seL4_UserContext in libsel4 (spec: sel4-abi.md, "seL4_UserContext order").
 */

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A thread whose register r holds 0x100 + r. */
const thread = (consumedUs?: bigint) => ({ reg: (r: Reg) => 0x100n + BigInt(r), consumedUs });

describe('fault descriptions (print_fault)', () => {
  const cases: [Fault, string][] = [
    [{ type: FaultType.CapFault, address: 0x12n, inReceivePhase: false, lookup: { type: LookupFailureType.InvalidRoot } }, 'cap fault in send phase at address 0x12'],
    [{ type: FaultType.CapFault, address: 0n, inReceivePhase: true, lookup: { type: LookupFailureType.InvalidRoot } }, 'cap fault in receive phase at address 0'],
    [{ type: FaultType.UnknownSyscall, number: 0xffffffffffffffffn }, 'unknown syscall 0xffffffffffffffff'],
    [{ type: FaultType.UserException, number: -1, code: 7 }, 'user exception 0xffffffff code 0x7'],
    [{ type: FaultType.Timeout, badge: 0xabn }, 'Timeout fault for 0xab\n'],
    [{ type: FaultType.VMFault, address: 0x3000000n, instruction: false, fsr: 0x93ca8006 | 0 }, 'vm fault on data at address 0x3000000 with status 0x93ca8006'],
    [{ type: FaultType.VMFault, address: 0x10n, instruction: true, fsr: 0x82000006 }, 'vm fault on code at address 0x10 with status 0x82000006'],
    // print_fault has no case for these: the default.
    [{ type: FaultType.DebugException, reason: 3 }, 'unknown fault'],
    [{ type: FaultType.VCPUFault, hsr: 1 }, 'unknown fault'],
  ];
  for (const [fault, text] of cases) it(JSON.stringify(text), () => expect(describeFault(fault)).toBe(text));
});

describe('fault messages (setMRs_fault)', () => {
  it('Timeout: the badge, then the time consumed when the thread has a scheduling context', () => {
    expect(faultMessage({ type: FaultType.Timeout, badge: 5n }, thread(1234n))).toEqual([5n, 1234n]);
    expect(faultMessage({ type: FaultType.Timeout, badge: 5n }, thread())).toEqual([5n]);
  });

  it('VMFault: IP, address, instruction or data, FSR (as an unsigned word)', () => {
    expect(faultMessage({ type: FaultType.VMFault, address: 0x3000000n, instruction: true, fsr: 0x93ca8006 | 0 }, thread())).toEqual([0x100n + BigInt(Reg.FaultIP), 0x3000000n, 1n, 0x93ca8006n]);
  });

  it('UserException: IP, SP, SPSR, number and code', () => {
    expect(faultMessage({ type: FaultType.UserException, number: -1, code: 3 }, thread())).toEqual([0x100n + BigInt(Reg.FaultIP), 0x100n + BigInt(Reg.SP), 0x100n + BigInt(Reg.SPSR), 0xffffffffn, 3n]);
  });

  it('VCPUFault: the HSR', () => {
    expect(faultMessage({ type: FaultType.VCPUFault, hsr: 0x80000000 | 0 }, thread())).toEqual([0x80000000n]);
  });
});

describe('fault replies (handleFaultReply)', () => {
  it('CapFault, VMFault and VCPUFault always restart the thread; the others only on label 0', () => {
    for (const label of [0n, 1n, 0x55n]) {
      expect(faultReplyRestarts(FaultType.CapFault, label)).toBe(true);
      expect(faultReplyRestarts(FaultType.VMFault, label)).toBe(true);
      expect(faultReplyRestarts(FaultType.VCPUFault, label)).toBe(true);
      for (const type of [FaultType.UnknownSyscall, FaultType.UserException, FaultType.Timeout, FaultType.DebugException]) expect(faultReplyRestarts(type, label)).toBe(label === 0n);
    }
  });
});

describe("the registers a fault reply writes (seL4's EXCEPTION_MESSAGE, SYSCALL_MESSAGE, TIMEOUT_REPLY_MESSAGE)", () => {
  it('UserException: FaultIP, SP, SPSR', () => expect(FAULT_REPLY_REGISTERS[FaultType.UserException]).toEqual([Reg.FaultIP, Reg.SP, Reg.SPSR]));
  it('UnknownSyscall: x0–x7, FaultIP, SP, LR (ELR_EL1, the next IP), SPSR', () => expect(FAULT_REPLY_REGISTERS[FaultType.UnknownSyscall]).toEqual([...range(0, 7), Reg.FaultIP, Reg.SP, Reg.NextIP, Reg.SPSR]));
  it('Timeout: the 34 of n_timeoutMessage, FaultIP, SP, SPSR, x0–x8, x16–x18, x29, x30, x9–x15, x19–x28', () => {
    expect(FAULT_REPLY_REGISTERS[FaultType.Timeout]).toEqual([Reg.FaultIP, Reg.SP, Reg.SPSR, ...range(0, 8), 16, 17, 18, 29, 30, ...range(9, 15), ...range(19, 28)]);
    expect(FAULT_REPLY_REGISTERS[FaultType.Timeout]).toHaveLength(34);
  });
});

describe('seL4_UserContext order', () => {
  it('pc, sp, spsr, x0–x8, x16–x18, x29, x30 (the frame registers), then x9–x15, x19–x28, tpidr_el0, tpidrro_el0', () => {
    expect(FRAME_REGISTERS).toEqual([Reg.FaultIP, Reg.SP, Reg.SPSR, ...range(0, 8), 16, 17, 18, 29, 30]);
    expect(GP_REGISTERS).toEqual([...range(9, 15), ...range(19, 28), Reg.TPIDR, Reg.TPIDRRO]);
    expect(USER_CONTEXT_REGISTERS).toHaveLength(36);
  });
});
