import { CapType } from '../cap-types.js';
import type { Slot } from '../cspace.js';
import { syscallError } from '../errors.js';
import type { KernelState } from '../state.js';
import { decodeCNodeInvocation, NotModelledError } from './cnode.js';
import { decodeDomainInvocation } from './domain.js';
import { decodeIRQControlInvocation, decodeIRQHandlerInvocation } from './irq.js';
import { decodeSchedContextInvocation, decodeSchedControlInvocation } from './sched.js';
import { decodeTCBInvocation } from './tcb.js';
import { fail, type Decoded, type Invocation } from './types.js';
import { decodeUntypedInvocation } from './untyped.js';
import { decodeASIDControlInvocation, decodeASIDPoolInvocation, decodeFrameInvocation, decodePageTableInvocation, decodeVSpaceInvocation } from './vspace.js';

/** The caps the send phase of ReplyRecv, NBSendRecv or NBSendWait may not invoke, in seL4's words. */
const FIRST_PHASE_REFUSED: Partial<Record<CapType, string>> = {
  [CapType.Thread]: 'thread',
  [CapType.Domain]: 'domain',
  [CapType.CNode]: 'cnode',
  [CapType.SchedControl]: 'sched control',
  [CapType.SchedContext]: 'sched context',
};

/**
 * decodeInvocation for caps to kernel objects (not endpoints, notifications or replies,
 * which syscall.ts handles as IPC). `firstPhase`: the send phase of ReplyRecv, NBSendRecv or
 * NBSendWait, which may not invoke TCB, CNode, Domain or scheduling caps.
 */
export function decodeObjectInvocation(k: KernelState, inv: Invocation, slot: Slot, firstPhase: boolean): Decoded {
  const cap = slot.cap;
  if (firstPhase) {
    const what = FIRST_PHASE_REFUSED[cap.type];
    if (what) return fail(syscallError.invalidCapability(0), { func: 'decodeInvocation', message: `Cannot invoke ${what} capabilities in the first phase of an invocation` });
  }
  switch (cap.type) {
    case CapType.Untyped:
      return decodeUntypedInvocation(k, inv, slot);
    case CapType.CNode:
      return decodeCNodeInvocation(k, inv, slot);
    case CapType.Thread:
      return decodeTCBInvocation(k, inv, slot);
    case CapType.Domain:
      return decodeDomainInvocation(k, inv);
    case CapType.SchedControl:
      return decodeSchedControlInvocation(k, inv);
    case CapType.SchedContext:
      return decodeSchedContextInvocation(k, inv, slot);
    case CapType.IrqControl:
      return decodeIRQControlInvocation(k, inv, slot);
    case CapType.IrqHandler:
      return decodeIRQHandlerInvocation(k, inv, slot);
    case CapType.AsidControl:
      return decodeASIDControlInvocation(k, inv);
    case CapType.AsidPool:
      return decodeASIDPoolInvocation(k, inv, slot);
    case CapType.PageTable:
      return decodePageTableInvocation(k, inv, slot);
    case CapType.Frame:
      return decodeFrameInvocation(k, inv, slot);
    case CapType.VSpace:
      return decodeVSpaceInvocation(k, inv, slot);
    case CapType.Vcpu:
      throw new NotModelledError('VCPU invocations are not modelled');
    default:
      return fail(syscallError.invalidCapability(0));
  }
}
