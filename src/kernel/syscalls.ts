import type { KernelModelConfig } from './object-types.js';

/**
 * System-call numbers of an MCS kernel (x7 at the SVC, as a signed 64-bit value) and the
 * message-info word (spec: sel4-abi.md §1.2, §2.1).
 */
export const enum Syscall {
  Call = -1,
  ReplyRecv = -2,
  NBSendRecv = -3,
  NBSendWait = -4,
  Send = -5,
  NBSend = -6,
  Recv = -7,
  NBRecv = -8,
  Wait = -9,
  NBWait = -10,
  Yield = -11,
  DebugPutChar = -12,
  DebugDumpScheduler = -13,
  DebugHalt = -14,
  DebugCapIdentify = -15,
  DebugSnapshot = -16,
  DebugNameThread = -17,
}

/** seL4's names of the system calls, by number (Call = −1 …). */
export const SYSCALL_NAMES: Record<number, string> = {
  [-1]: 'Call',
  [-2]: 'ReplyRecv',
  [-3]: 'NBSendRecv',
  [-4]: 'NBSendWait',
  [-5]: 'Send',
  [-6]: 'NBSend',
  [-7]: 'Recv',
  [-8]: 'NBRecv',
  [-9]: 'Wait',
  [-10]: 'NBWait',
  [-11]: 'Yield',
  [-12]: 'DebugPutChar',
  [-13]: 'DebugDumpScheduler',
  [-14]: 'DebugHalt',
  [-15]: 'DebugCapIdentify',
  [-16]: 'DebugSnapshot',
  [-17]: 'DebugNameThread',
};

const SYSCALL_MIN = Syscall.Yield;
const SYSCALL_MAX = Syscall.Call;

/** How the kernel dispatches the value of x7: an API call, a debug call, or UnknownSyscall. */
export type SyscallKind = { kind: 'api'; syscall: Syscall } | { kind: 'debug'; syscall: Syscall } | { kind: 'unknown'; number: bigint };

/** The answers for −1 … −17, made once: a system call costs no allocation to classify. */
const API_KINDS: readonly SyscallKind[] = Array.from({ length: -SYSCALL_MIN }, (_, i) => Object.freeze({ kind: 'api', syscall: -(i + 1) as Syscall }));
const DEBUG_KINDS: readonly SyscallKind[] = Array.from({ length: -Syscall.DebugNameThread }, (_, i) => Object.freeze({ kind: 'debug', syscall: -(i + 1) as Syscall }));

/**
 * classifySyscall for x7 read as a number (`KernelPort.getRegisterSigned`): the answer for an
 * API or debug call, or undefined for anything else (classifySyscall then says what it is).
 */
export function classifySmallSyscall(n: number, config: KernelModelConfig): SyscallKind | undefined {
  if (n >= SYSCALL_MIN && n <= SYSCALL_MAX) return API_KINDS[-n - 1];
  if (config.debugBuild && n <= Syscall.DebugPutChar && n >= Syscall.DebugNameThread) return DEBUG_KINDS[-n - 1];
  return undefined;
}

export function classifySyscall(x7: bigint, config: KernelModelConfig): SyscallKind {
  // Small negative numbers are 2^64 − 1 … 2^64 − 17 as x7 holds them.
  const u = x7 < 0n ? BigInt.asUintN(64, x7) : x7;
  const minus = u >= 0xffff_ffff_ffff_ffefn ? Number(0x1_0000_0000_0000_0000n - u) : 0;
  if (minus >= -SYSCALL_MAX && minus <= -SYSCALL_MIN) return API_KINDS[minus - 1]!;
  // Debug calls exist only in debug builds (CONFIG_PRINTING, CONFIG_DEBUG_BUILD); SMP-only and
  // benchmark calls are not in the Microkit configurations this model has.
  if (config.debugBuild && minus >= -Syscall.DebugPutChar && minus <= -Syscall.DebugNameThread) return DEBUG_KINDS[minus - 1]!;
  return { kind: 'unknown', number: x7 };
}

/** seL4_MsgMaxLength: message registers a message can carry. */
const seL4_MsgMaxLength = 120;
/** seL4_MsgMaxExtraCaps. */
export const seL4_MsgMaxExtraCaps = 3;

export interface MessageInfo {
  label: bigint;
  capsUnwrapped: number;
  extraCaps: number;
  length: number;
}

/** Decode an seL4_MessageInfo word as the kernel does on input: length clamped to 120. */
export function messageInfoFromWord(word: bigint): MessageInfo {
  if (word < 0x1_0000_0000n) {
    // The common case, a label below 2^20: no BigInt arithmetic.
    const w = Number(word);
    return { label: BigInt(w >>> 12), capsUnwrapped: (w >>> 9) & 7, extraCaps: (w >>> 7) & 3, length: Math.min(w & 0x7f, seL4_MsgMaxLength) };
  }
  const length = Number(word & 0x7fn);
  return {
    label: (word >> 12n) & ((1n << 52n) - 1n),
    capsUnwrapped: Number((word >> 9n) & 7n),
    extraCaps: Number((word >> 7n) & 3n),
    length: Math.min(length, seL4_MsgMaxLength),
  };
}

export function messageInfoToWord(m: MessageInfo): bigint {
  return ((m.label & ((1n << 52n) - 1n)) << 12n) | (BigInt(m.capsUnwrapped & 7) << 9n) | (BigInt(m.extraCaps & 3) << 7n) | BigInt(m.length & 0x7f);
}

/** Byte offsets in the IPC buffer (seL4_IPCBuffer, 1024 bytes, 1024-aligned). */
export const IPC_BUFFER = {
  SIZE_BITS: 10,
  tag: 0x000,
  /** MR i is at msg + 8 i. */
  msg: 0x008,
  userData: 0x3c8,
  capsOrBadges: 0x3d0,
  receiveCNode: 0x3e8,
  receiveIndex: 0x3f0,
  receiveDepth: 0x3f8,
} as const;

/** Message registers passed in x2–x5 (MR0–MR3); the rest live in the IPC buffer. */
export const seL4_FastMessageRegisters = 4;
