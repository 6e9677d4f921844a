import { CapType } from './cap-types.js';
import { lookupSlot } from './cspace.js';
import { LookupFailureType, syscallError, type SyscallError } from './errors.js';
import { FaultType } from './faults.js';
import { decodeObjectInvocation } from './invocations/decode.js';
import type { Invocation } from './invocations/types.js';
import { doReplyTransfer, handleFault, lookupExtraCaps, receiveIPC, sendIPC } from './ipc.js';
import { completeSignal, receiveSignal, sendSignal } from './notification.js';
import { maybeReturnSchedContext } from './sched-context.js';
import { setThreadState } from './scheduler.js';
import { chargeBudget } from './sporadic.js';
import type { KernelState } from './state.js';
import { messageInfoFromWord, messageInfoToWord, seL4_FastMessageRegisters, Syscall } from './syscalls.js';
import { NotificationState, TcbSlot, ThreadState, type ReplyObject, type TcbObject } from './objects.js';
import { printfWord, says, userError, type InvocationFailure, type UserErrorText } from './user-error.js';

/**
 * The API system calls of an MCS kernel (src/api/syscall.c): handleInvocation for the send
 * phase, handleRecv for the receive phase, handleYield. The caller (kernel.ts) has done the
 * time accounting and budget check and runs the scheduler afterwards.
 */

const CAP_REGISTER = 0;
const MSGINFO_REGISTER = 1;
const REPLY_REGISTER = 6;
const NBSENDRECV_DEST = 8;

export function handleSyscall(k: KernelState, syscall: Syscall): void {
  const t = k.curThread;
  switch (syscall) {
    case Syscall.Send:
      handleInvocation(k, false, true, false, false, k.reg(t, CAP_REGISTER));
      return;
    case Syscall.NBSend:
      handleInvocation(k, false, false, false, false, k.reg(t, CAP_REGISTER));
      return;
    case Syscall.Call:
      handleInvocation(k, true, true, true, false, k.reg(t, CAP_REGISTER));
      return;
    case Syscall.Recv:
      handleRecv(k, true, true);
      return;
    case Syscall.Wait:
      handleRecv(k, true, false);
      return;
    case Syscall.NBWait:
      handleRecv(k, false, false);
      return;
    case Syscall.NBRecv:
      handleRecv(k, false, true);
      return;
    case Syscall.ReplyRecv:
      handleInvocation(k, false, false, true, true, k.reg(t, REPLY_REGISTER));
      handleRecv(k, true, true);
      return;
    case Syscall.NBSendRecv:
      handleInvocation(k, false, false, true, true, k.reg(t, NBSENDRECV_DEST));
      handleRecv(k, true, true);
      return;
    case Syscall.NBSendWait:
      handleInvocation(k, false, false, true, true, k.reg(t, REPLY_REGISTER));
      handleRecv(k, true, false);
      return;
    case Syscall.Yield: {
      const sc = k.curSC;
      const consumed = sc.consumed + k.consumed;
      chargeBudget(k, sc.refills[0]!.amount, false);
      sc.consumed = consumed;
      return;
    }
    default:
  }
}

/** The reply the kernel writes for a Call of a kernel object: x0 = 0, words as MRs, x1 = message info. */
function replyFromKernel(k: KernelState, t: TcbObject, label: number, words: readonly bigint[]): void {
  const n = k.setMRs(t, k.ipcBuffer(t, true), words);
  k.setReg(t, 0, 0n);
  k.setReg(t, MSGINFO_REGISTER, messageInfoToWord({ label: BigInt(label), capsUnwrapped: 0, extraCaps: 0, length: n }));
}

/** Record why the call failed (for traces) and say it as a debug seL4 kernel does (userError). */
function refused(k: KernelState, failure: InvocationFailure, text: UserErrorText | undefined): void {
  k.failure = failure;
  if (text) userError(k, text);
}

/** A refused invocation: the error is the reply to a Call (a Send has no reply: it is dropped). */
function replyError(k: KernelState, t: TcbObject, isCall: boolean, error: SyscallError, texts: readonly UserErrorText[]): void {
  k.failure = { kind: 'error', error };
  for (const text of texts) userError(k, text);
  if (isCall) replyFromKernel(k, t, error.error, error.words);
}

/** handleInvocation: the send phase (the cap in `cptr`, the message in x1–x5 and the IPC buffer). */
function handleInvocation(k: KernelState, isCall: boolean, isBlocking: boolean, canDonate: boolean, firstPhase: boolean, cptr: bigint): void {
  const t = k.curThread;
  const info = messageInfoFromWord(k.reg(t, MSGINFO_REGISTER));
  const lu = lookupSlot(t.ctes.slots[TcbSlot.CTable]!.cap, cptr);
  if (!lu.ok) {
    refused(k, { kind: 'lookup', of: 'cap', cptr, lookup: lu.fault, inReceivePhase: false }, says('handleInvocation', `Invocation of invalid cap #${printfWord(cptr)}.`));
    if (isBlocking) {
      t.fault = { type: FaultType.CapFault, address: cptr, inReceivePhase: false, lookup: lu.fault };
      handleFault(k, t);
    }
    return;
  }
  const buffer = k.ipcBuffer(t, false);
  const extra = lookupExtraCaps(k, t, buffer, info);
  if (!extra.ok) {
    refused(k, { kind: 'lookup', of: 'extra cap', cptr: extra.cptr, lookup: extra.fault, inReceivePhase: false }, { func: 'handleInvocation', message: 'Lookup of extra caps failed.' });
    if (isBlocking) {
      t.fault = { type: FaultType.CapFault, address: extra.cptr, inReceivePhase: false, lookup: extra.fault };
      handleFault(k, t);
    }
    return;
  }
  let length = info.length;
  if (length > seL4_FastMessageRegisters && buffer === undefined) {
    userError(k, { func: 'handleInvocation', message: `Warning: No IPC buffer for thread. Truncating message length to: ${seL4_FastMessageRegisters}.` });
    length = seL4_FastMessageRegisters;
  }
  const slot = lu.slot;
  const cap = slot.cap;
  switch (cap.type) {
    case CapType.Null:
      replyError(k, t, isCall, syscallError.invalidCapability(0), [says('decodeInvocation', `Attempted to invoke a null cap #${printfWord(cptr)}.`)]);
      return;
    case CapType.Endpoint:
      if (!cap.canSend) return replyError(k, t, isCall, syscallError.invalidCapability(0), [says('decodeInvocation', `Attempted to invoke a read-only endpoint cap #${printfWord(cptr)}.`)]);
      setThreadState(k, t, ThreadState.Restart);
      sendIPC(k, isBlocking, isCall, { badge: cap.badge, canGrant: cap.canGrant, canGrantReply: cap.canGrantReply }, canDonate, t, cap.obj);
      break;
    case CapType.Notification:
      if (!cap.canSend) return replyError(k, t, isCall, syscallError.invalidCapability(0), [says('decodeInvocation', `Attempted to invoke a read-only notification cap #${printfWord(cptr)}.`)]);
      setThreadState(k, t, ThreadState.Restart);
      t.stats.signals++;
      sendSignal(k, cap.obj, cap.badge);
      break;
    case CapType.Reply:
      setThreadState(k, t, ThreadState.Restart);
      doReplyTransfer(k, t, cap.obj, cap.canGrant);
      break;
    default: {
      const args: bigint[] = [];
      for (let i = 0; i < length; i++) args.push(k.getMR(t, buffer, i));
      const inv: Invocation = { label: Number(info.label), args, extraCaps: extra.slots.map((s, i) => ({ cap: s.cap, slot: s, cptr: extra.cptrs[i]! })) };
      const decoded = decodeObjectInvocation(k, inv, slot, firstPhase);
      if (!decoded.ok) return replyError(k, t, isCall, decoded.error, decoded.userErrors);
      setThreadState(k, t, ThreadState.Restart);
      const words = decoded.invoke();
      if (t.state === ThreadState.Restart) {
        if (isCall) replyFromKernel(k, t, 0, words);
        setThreadState(k, t, ThreadState.Running);
      }
      return;
    }
  }
  if (t.state === ThreadState.Restart) {
    if (isCall) replyFromKernel(k, t, 0, []);
    setThreadState(k, t, ThreadState.Running);
  }
}

/** A CapFault in the receive phase: the cap is missing or of the wrong type or rights (`why`). */
function receiveCapFault(k: KernelState, t: TcbObject, cptr: bigint, of: 'cap' | 'reply cap', why: string, text?: UserErrorText): void {
  refused(k, { kind: 'lookup', of, cptr, lookup: { type: LookupFailureType.MissingCapability, bitsLeft: 0 }, inReceivePhase: true, why }, text);
  t.fault = { type: FaultType.CapFault, address: cptr, inReceivePhase: true, lookup: { type: LookupFailureType.MissingCapability, bitsLeft: 0 } };
  handleFault(k, t);
}

/** handleRecv: receive on the endpoint or notification in x0 (with the reply object in x6). */
function handleRecv(k: KernelState, isBlocking: boolean, canReply: boolean): void {
  const t = k.curThread;
  const cptr = k.reg(t, CAP_REGISTER);
  const root = t.ctes.slots[TcbSlot.CTable]!.cap;
  const lu = lookupSlot(root, cptr);
  if (!lu.ok) {
    // seL4's handleRecv prints nothing: the CapFault goes to the fault handler.
    refused(k, { kind: 'lookup', of: 'cap', cptr, lookup: lu.fault, inReceivePhase: true }, undefined);
    t.fault = { type: FaultType.CapFault, address: cptr, inReceivePhase: true, lookup: lu.fault };
    handleFault(k, t);
    return;
  }
  const cap = lu.slot.cap;
  if (cap.type === CapType.Endpoint) {
    if (!cap.canReceive) return receiveCapFault(k, t, cptr, 'cap', 'no receive right');
    let reply: ReplyObject | undefined;
    if (canReply) {
      const replyCptr = k.reg(t, REPLY_REGISTER);
      const r = lookupSlot(root, replyCptr);
      if (!r.ok) {
        refused(k, { kind: 'lookup', of: 'reply cap', cptr: replyCptr, lookup: r.fault, inReceivePhase: true }, { func: 'lookupReply', message: 'Reply cap lookup failed' });
        t.fault = { type: FaultType.CapFault, address: replyCptr, inReceivePhase: true, lookup: r.fault };
        handleFault(k, t);
        return;
      }
      if (r.slot.cap.type !== CapType.Reply) return receiveCapFault(k, t, replyCptr, 'reply cap', 'not a reply cap', { func: 'lookupReply', message: 'Cap in reply slot is not a reply cap' });
      reply = r.slot.cap.obj;
    }
    receiveIPC(k, t, cap.obj, isBlocking, reply, () => {
      const ntfn = t.boundNotification;
      if (ntfn && ntfn.state === NotificationState.Active) {
        completeSignal(k, ntfn, t);
        return true;
      }
      if (isBlocking && ntfn) maybeReturnSchedContext(k, ntfn, t);
      return false;
    });
    return;
  }
  if (cap.type === CapType.Notification) {
    if (!cap.canReceive) return receiveCapFault(k, t, cptr, 'cap', 'no receive right');
    if (cap.obj.boundTcb && cap.obj.boundTcb !== t) return receiveCapFault(k, t, cptr, 'cap', 'bound to another thread');
    receiveSignal(k, t, cap.obj, isBlocking);
    return;
  }
  receiveCapFault(k, t, cptr, 'cap', 'not an endpoint or notification');
}
