import { describeLookupFault, describeSyscallError } from '../../kernel/errors.js';
import { THREAD_STATE_NAMES, ThreadState } from '../../kernel/objects.js';
import type { InvocationFailure } from '../../kernel/user-error.js';

/**
 * The lines `sel4ts run --trace` prints (README: "Traces"). Pure functions of the events, so
 * the format is tested without running a system:
 *
 *     [    5.012345 ms] misuser: seL4_Call on slot 9: empty, label 0, length 0 -> seL4_InvalidCapability (invalidCapNumber 0)
 *     [    0.204000 ms] client: seL4_Call on slot 77: channel 3: ppcall 'server', label 1, length 2 -> blocked on reply
 *     [    0.210500 ms] hello: seL4_DebugPutChar 'h'
 */

/** Virtual time (cycles at 1 GHz) as a fixed-width stamp: `[   12.345678 ms]` (wider only past 100 s). */
export function traceTime(cycles: number): string {
  return `[${(cycles / 1e6).toFixed(6).padStart(12)} ms]`;
}

/** The message a system call sends (from its message-info word). */
export interface TracedMessage {
  label: bigint;
  /** The invocation's name when the cap is a kernel object's (labels mean methods there). */
  labelName: string | undefined;
  length: number;
  extraCaps: number;
}

/** One system call as the trace shows it. */
export interface SyscallTraceEvent {
  cycles: number;
  pd: string;
  /** "seL4_Call", "seL4_DebugPutChar", "unknown syscall (x7 = 5)". */
  call: string;
  /** The cap it sends to or invokes, in words ("slot 13: channel 3: notify 'server'"). */
  cap?: string;
  message?: TracedMessage;
  /** The cap of the receive phase of ReplyRecv, NBSendRecv and NBSendWait. */
  thenReceive?: string;
  /** DebugPutChar's character. */
  char?: number;
  /** How it ended ("ok", "blocked on reply", "seL4_InvalidCapability (invalidCapNumber 0)"). */
  result?: string;
}

function charWords(c: number): string {
  if (c === 0x0a) return `'\\n'`;
  if (c === 0x0d) return `'\\r'`;
  if (c === 0x09) return `'\\t'`;
  if (c === 0x27) return `'\\''`;
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${c.toString(16).padStart(2, '0')}`;
}

/** One event as one line (without the newline). */
export function formatSyscallEvent(e: SyscallTraceEvent): string {
  const parts: string[] = [];
  if (e.cap !== undefined) parts.push(`on ${e.cap}`);
  if (e.message) {
    parts.push(`label ${e.message.label}${e.message.labelName ? ` (${e.message.labelName})` : ''}`);
    parts.push(`length ${e.message.length}`);
    if (e.message.extraCaps > 0) parts.push(`extra caps ${e.message.extraCaps}`);
  }
  if (e.thenReceive !== undefined) parts.push(`then ${e.thenReceive}`);
  let line = `${traceTime(e.cycles)} ${e.pd}: ${e.call}`;
  if (e.char !== undefined) line += ` ${charWords(e.char)}`;
  if (parts.length) line += ` ${parts.join(', ')}`;
  if (e.result !== undefined) line += ` -> ${e.result}`;
  return line;
}

/** What the kernel tells the trace when a system call has run. */
export interface SyscallOutcome {
  failure: InvocationFailure | undefined;
  /** The caller's state afterwards. */
  state: ThreadState;
  /** A Call: the only call whose refused invocation gets the error as its reply. */
  isCall: boolean;
  /** Send or Call: a send-phase cap that does not resolve raises a CapFault (NBSend and the send phases of the combined calls raise nothing). */
  blockingSend: boolean;
  /** x7 named no system call: an UnknownSyscall fault. */
  unknown: boolean;
}

/** How a system call ended, for the caller. */
export function describeOutcome(o: SyscallOutcome): string {
  const f = o.failure;
  if (f?.kind === 'error') return `${describeSyscallError(f.error)}${o.isCall ? '' : ', not returned (only a Call gets a reply)'}`;
  if (f?.kind === 'lookup') {
    const which = f.of === 'cap' ? '' : ` on ${f.of} 0x${f.cptr.toString(16)}`;
    const why = f.why ? `${f.why}: ` : '';
    const faults = f.inReceivePhase || o.blockingSend;
    return faults ? `cap fault${which}: ${why}${describeLookupFault(f.lookup)}` : `lookup failed${which}, ignored (a non-blocking send raises no fault): ${why}${describeLookupFault(f.lookup)}`;
  }
  if (o.unknown) return 'UnknownSyscall fault';
  switch (o.state) {
    case ThreadState.Running:
      return 'ok';
    case ThreadState.Restart:
      return 'restarts (budget exhausted)';
    default:
      return THREAD_STATE_NAMES[o.state] ?? `state ${o.state}`;
  }
}
