import type { LookupFault, SyscallError } from './errors.js';
import { kernelPointer, Reg } from './faults.js';
import type { TcbObject } from './objects.js';
import type { KernelState } from './state.js';

/**
 * seL4's `userError` (include/api/types.h): with CONFIG_PRINTING a debug kernel prints, for
 * every invocation it refuses, a line saying why:
 *
 *     <<seL4(CPU 0) [decodeInvocation/NNN T0xffffff80... "client" @200a4c]: Attempted to invoke a null cap #9.>>
 *
 * The model prints the same fields with two differences (docs/architecture.md): the line
 * number is always 0, since the model is not seL4's source and cannot promise its line
 * numbers, and the TCB pointer is the kernel-window address of the model's TCB object. The
 * ANSI colour codes of KernelColourPrinting are left out so the console stays plain text.
 */

/** What userError prints: the C function it is called from (__func__) and the message. */
export interface UserErrorText {
  func: string;
  message: string;
}

/** The text of a userError call in seL4's function `func` (its message, printf arguments formatted). */
export const says = (func: string, message: string): UserErrorText => ({ func, message });

/*
 * seL4's printf (src/machine/io.c) as the userError calls use it, for the argument as the C
 * code passes it: a word cast to int for %d, %u and %x, a word for %lu and %lx.
 */

/** `%d` of `(int)w`: the low 32 bits, signed. */
export const printfInt = (w: bigint | number): string => BigInt.asIntN(32, BigInt(w)).toString();
/** `%u` of `(int)w`: the low 32 bits, unsigned. */
export const printfUnsigned = (w: bigint | number): string => BigInt.asUintN(32, BigInt(w)).toString();
/** `%x` of `(int)w`: the low 32 bits in hex, no 0x. */
export const printfHex = (w: bigint | number): string => BigInt.asUintN(32, BigInt(w)).toString(16);
/** `%lu` of a word. */
export const printfWord = (w: bigint | number): string => BigInt.asUintN(64, BigInt(w)).toString();
/** `%lx` of a word: hex, no 0x. */
export const printfWordHex = (w: bigint | number): string => BigInt.asUintN(64, BigInt(w)).toString(16);

/** Why the last system call failed for its caller: what `--trace syscalls` shows as the result. */
export type InvocationFailure =
  /** The invocation was refused with this error (the reply to a Call; a Send drops it). */
  | { kind: 'error'; error: SyscallError }
  /**
   * A cap did not resolve, or resolved to the wrong kind of cap: a CapFault in the receive
   * phase and for a blocking send, nothing for a non-blocking send (NBSend and the send phase
   * of ReplyRecv, NBSendRecv, NBSendWait). `of`: which cap; `why`: for a cap that resolved.
   */
  | { kind: 'lookup'; of: 'cap' | 'extra cap' | 'reply cap'; cptr: bigint; lookup: LookupFault; inReceivePhase: boolean; why?: string };

/** The kernel-window address seL4 would print for a TCB (hypervisor kernels map RAM at 0x80_0000_0000). */
export function tcbPointer(t: TcbObject): bigint {
  return BigInt(t.paddr) - 0x4000_0000n + 0x80_0000_0000n + (1n << BigInt(t.sizeBits - 1));
}

/** The line userError prints for the current thread (getRestartPC: the SVC, for a system call). */
export function userErrorLine(k: KernelState, t: TcbObject, text: UserErrorText): string {
  // Line 0: see above.
  return `<<seL4(CPU 0) [${text.func}/0 T${kernelPointer(tcbPointer(t))} "${t.name}" @${k.reg(t, Reg.FaultIP).toString(16)}]: ${text.message}>>\n`;
}

/** userError: print the reason on a kernel with printing (the debug configuration). */
export function userError(k: KernelState, text: UserErrorText): void {
  if (k.printing) k.printAlways(userErrorLine(k, k.curThread, text));
}

/** A refusal: the error current_syscall_error holds, and the userError lines printed on the way (maybe none). */
export interface Refusal {
  ok: false;
  error: SyscallError;
  userErrors: UserErrorText[];
}

/** A refusal with these userError lines (none: seL4 sets the error without printing). */
export const refuse = (error: SyscallError, ...userErrors: UserErrorText[]): Refusal => ({ ok: false, error, userErrors });

/** The refusal `r` with one more userError line after its own (a caller's message about a callee's failure). */
export const andSays = (r: Refusal, text: UserErrorText): Refusal => ({ ok: false, error: r.error, userErrors: [...r.userErrors, text] });
