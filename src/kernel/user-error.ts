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
