import { userError } from './user-error.js';
import type { Cap } from './cap.js';
import { CapType } from './cap-types.js';
import { lookupSlot, resolveAddressBits, lookupSlotForCNodeOp, type Slot } from './cspace.js';
import { deriveCap } from './derive.js';
import type { LookupFault } from './errors.js';
import { noFaultHandlerReport } from './debug.js';
import { describeFault, faultMessage, FaultType, FAULT_REPLY_REGISTERS, faultReplyRestarts } from './faults.js';
import { cteInsert } from './mdb.js';
import { cancelSignal } from './notification.js';
import { schedContextDonate, wake } from './sched-context.js';
import { isRunnable, possibleSwitchTo, rescheduleRequired, scheduleTCB, scReady, setThreadState, tcbEPAppend, tcbEPDequeue } from './scheduler.js';
import { postpone, refillUnblockCheck } from './sporadic.js';
import { ticksToUs, type KernelState } from './state.js';
import { IPC_BUFFER, messageInfoFromWord, messageInfoToWord, seL4_FastMessageRegisters, seL4_MsgMaxExtraCaps, type MessageInfo } from './syscalls.js';
import { EndpointState, SchedContextObject, TcbSlot, ThreadState, type EndpointObject, type NotificationObject, type ReplyObject, type TcbObject } from './objects.js';

/**
 * Endpoint IPC and reply objects (src/object/endpoint.c, src/object/reply.c, MCS):
 * sendIPC/receiveIPC, message and cap transfer, the reply call stack with scheduling-context
 * donation, and cancellation.
 */

const BADGE_REGISTER = 0;
const MSGINFO_REGISTER = 1;

// ------------------------------------------------------------ extra caps

export type ExtraCaps = { ok: true; slots: Slot[]; cptrs: bigint[] } | { ok: false; cptr: bigint; fault: LookupFault };

/** lookupExtraCaps: the cptrs in the sender's IPC buffer, looked up in its CSpace. */
export function lookupExtraCaps(k: KernelState, t: TcbObject, buffer: number | undefined, info: MessageInfo): ExtraCaps {
  const slots: Slot[] = [];
  const cptrs: bigint[] = [];
  if (buffer === undefined) return { ok: true, slots, cptrs };
  const root = t.ctes.slots[0]!.cap;
  for (let i = 0; i < info.extraCaps; i++) {
    const cptr = k.memory.read64(buffer + IPC_BUFFER.capsOrBadges + 8 * i);
    const r = lookupSlot(root, cptr);
    if (!r.ok) return { ok: false, cptr, fault: r.fault };
    slots.push(r.slot);
    cptrs.push(cptr);
  }
  return { ok: true, slots, cptrs };
}

/** getReceiveSlots: the empty slot the receiver named in its IPC buffer, if any. */
function getReceiveSlot(k: KernelState, receiver: TcbObject, buffer: number): Slot | undefined {
  const mem = k.memory;
  const cnodeCptr = mem.read64(buffer + IPC_BUFFER.receiveCNode);
  const r = resolveAddressBits(receiver.ctes.slots[0]!.cap, cnodeCptr, 64);
  if (!r.ok || r.bitsRemaining !== 0) return undefined;
  const dest = lookupSlotForCNodeOp(false, r.slot.cap, mem.read64(buffer + IPC_BUFFER.receiveIndex), mem.read64(buffer + IPC_BUFFER.receiveDepth));
  if (!dest.ok || dest.slot.cap.type !== CapType.Null) return undefined;
  return dest.slot;
}

/** transferCaps: unwrap caps to the endpoint itself, move at most one other cap. */
function transferCaps(k: KernelState, info: MessageInfo, slots: Slot[], endpoint: EndpointObject | undefined, receiver: TcbObject, buffer: number | undefined): MessageInfo {
  info.extraCaps = 0;
  info.capsUnwrapped = 0;
  if (slots.length === 0 || buffer === undefined) return info;
  let dest = getReceiveSlot(k, receiver, buffer);
  let i = 0;
  for (; i < seL4_MsgMaxExtraCaps && i < slots.length; i++) {
    const slot = slots[i]!;
    const cap: Cap = slot.cap;
    if (cap.type === CapType.Endpoint && cap.obj === endpoint) {
      k.memory.write64(buffer + IPC_BUFFER.capsOrBadges + 8 * i, cap.badge);
      info.capsUnwrapped |= 1 << i;
    } else {
      if (!dest) break;
      const derived = deriveCap(slot, cap);
      if (!derived.ok) {
        for (const text of derived.userErrors) userError(k, text); // Arch_deriveCap's, for an unmapped table
        break;
      }
      if (derived.cap.type === CapType.Null) break;
      cteInsert(derived.cap, slot, dest);
      dest = undefined;
    }
  }
  info.extraCaps = i;
  return info;
}

// ------------------------------------------------------------ transfers

/** copyMRs: x2–x5 register to register, the rest buffer to buffer when both have one. */
function copyMRs(k: KernelState, sender: TcbObject, sendBuf: number | undefined, receiver: TcbObject, recvBuf: number | undefined, n: number): number {
  let i = 0;
  for (; i < n && i < seL4_FastMessageRegisters; i++) k.setReg(receiver, 2 + i, k.reg(sender, 2 + i));
  if (sendBuf !== undefined && recvBuf !== undefined) {
    const mem = k.memory;
    for (; i < n; i++) mem.write64(recvBuf + IPC_BUFFER.msg + 8 * i, mem.read64(sendBuf + IPC_BUFFER.msg + 8 * i));
  }
  return i;
}

function doNormalTransfer(k: KernelState, sender: TcbObject, sendBuf: number | undefined, endpoint: EndpointObject | undefined, badge: bigint, canGrant: boolean, receiver: TcbObject, recvBuf: number | undefined): void {
  const info = messageInfoFromWord(k.reg(sender, MSGINFO_REGISTER));
  let slots: Slot[] = [];
  if (canGrant) {
    const extra = lookupExtraCaps(k, sender, sendBuf, info);
    if (extra.ok) slots = extra.slots;
  }
  const sent = copyMRs(k, sender, sendBuf, receiver, recvBuf, info.length);
  transferCaps(k, info, slots, endpoint, receiver, recvBuf);
  info.length = sent;
  k.setReg(receiver, MSGINFO_REGISTER, messageInfoToWord(info));
  k.setReg(receiver, BADGE_REGISTER, badge);
}

function doFaultTransfer(k: KernelState, badge: bigint, sender: TcbObject, receiver: TcbObject, recvBuf: number | undefined): void {
  const fault = sender.fault!;
  const words = faultMessage(fault, {
    reg: (r) => k.reg(sender, r),
    consumedUs: sender.sc ? BigInt(ticksToUs(sender.sc.consumed)) : undefined,
  });
  if (fault.type === FaultType.Timeout && sender.sc) sender.sc.consumed = 0;
  const sent = k.setMRs(receiver, recvBuf, words);
  k.setReg(receiver, MSGINFO_REGISTER, messageInfoToWord({ label: BigInt(fault.type), capsUnwrapped: 0, extraCaps: 0, length: sent }));
  k.setReg(receiver, BADGE_REGISTER, badge);
}

/** doIPCTransfer: a message, or the sender's fault, from `sender` to `receiver`. */
function doIPCTransfer(k: KernelState, sender: TcbObject, endpoint: EndpointObject | undefined, badge: bigint, canGrant: boolean, receiver: TcbObject): void {
  const recvBuf = k.ipcBuffer(receiver, true);
  if (sender.fault === undefined) doNormalTransfer(k, sender, k.ipcBuffer(sender, false), endpoint, badge, canGrant, receiver, recvBuf);
  else doFaultTransfer(k, badge, sender, receiver, recvBuf);
  sender.stats.ipcs++;
}

// ------------------------------------------------------------ reply objects

/** reply_unlink: the reply and its thread part; the thread becomes inactive. */
export function replyUnlink(k: KernelState, reply: ReplyObject, tcb: TcbObject): void {
  reply.tcb = undefined;
  tcb.replyObject = undefined;
  setThreadState(k, tcb, ThreadState.Inactive);
}

/** reply_push: the caller waits on `reply`; a passive callee runs on the caller's context. */
function replyPush(k: KernelState, caller: TcbObject, callee: TcbObject, reply: ReplyObject, canDonate: boolean): void {
  const sc = caller.sc;
  reply.tcb = caller;
  caller.replyObject = reply;
  setThreadState(k, caller, ThreadState.BlockedOnReply);
  if (sc && !callee.sc && canDonate) {
    const oldCaller = sc.reply;
    reply.prev = oldCaller;
    if (oldCaller) oldCaller.next = reply;
    reply.next = sc;
    sc.reply = reply;
    schedContextDonate(k, sc, callee);
  }
}

/** reply_pop: the head of a call stack is answered; the donated context goes back. */
function replyPop(k: KernelState, reply: ReplyObject, tcb: TcbObject): void {
  replyUnlink(k, reply, tcb);
  const next = reply.next;
  const prev = reply.prev;
  if (next instanceof SchedContextObject) {
    if (!tcb.sc) schedContextDonate(k, next, tcb);
    next.reply = prev;
    if (prev) prev.next = next;
  }
  reply.prev = undefined;
  reply.next = undefined;
}

/** reply_remove: take `reply` off its call stack wherever it is. */
export function replyRemove(k: KernelState, reply: ReplyObject, tcb: TcbObject): void {
  const next = reply.next;
  if (next instanceof SchedContextObject) {
    replyPop(k, reply, tcb);
    return;
  }
  if (next) next.prev = undefined;
  if (reply.prev) reply.prev.next = undefined;
  reply.prev = undefined;
  reply.next = undefined;
  replyUnlink(k, reply, tcb);
}

/** reply_remove_tcb: a caller blocked on a reply stops waiting (cancelIPC). */
function replyRemoveTcb(k: KernelState, tcb: TcbObject): void {
  const reply = tcb.replyObject!;
  const next = reply.next;
  if (next instanceof SchedContextObject) next.reply = undefined;
  else if (next) next.prev = undefined;
  if (reply.prev) reply.prev.next = undefined;
  reply.prev = undefined;
  reply.next = undefined;
  replyUnlink(k, reply, tcb);
}

/** doReplyTransfer: invoking a reply cap answers the caller linked to it, if any. */
export function doReplyTransfer(k: KernelState, sender: TcbObject, reply: ReplyObject, grant: boolean): void {
  const receiver = reply.tcb;
  if (!receiver || receiver.state !== ThreadState.BlockedOnReply) return;
  replyRemove(k, reply, receiver);
  if (receiver.sc?.sporadic && receiver.sc !== k.curSC) refillUnblockCheck(k, receiver.sc);
  const fault = receiver.fault;
  if (fault === undefined) {
    doIPCTransfer(k, sender, undefined, 0n, grant, receiver);
    setThreadState(k, receiver, ThreadState.Running);
  } else {
    const restart = handleFaultReply(k, receiver, sender, fault.type);
    receiver.fault = undefined;
    setThreadState(k, receiver, restart ? ThreadState.Restart : ThreadState.Inactive);
  }
  const sc = receiver.sc;
  if (sc && isRunnable(receiver)) {
    if (scReady(k, sc)) possibleSwitchTo(k, receiver);
    else if (hasTimeoutHandler(receiver) && fault?.type !== FaultType.Timeout) {
      receiver.fault = { type: FaultType.Timeout, badge: sc.badge };
      sendTimeoutFault(k, receiver);
    } else postpone(k, sc);
  }
}

/** handleFaultReply: write back what the reply carries for this fault type; whether to restart. */
function handleFaultReply(k: KernelState, receiver: TcbObject, sender: TcbObject, type: FaultType): boolean {
  const info = messageInfoFromWord(k.reg(sender, MSGINFO_REGISTER));
  const regs = FAULT_REPLY_REGISTERS[type];
  if (regs) {
    const buf = k.ipcBuffer(sender, false);
    const n = Math.min(info.length, regs.length);
    for (let i = 0; i < n; i++) k.setReg(receiver, regs[i]!, k.getMR(sender, buf, i));
  }
  return faultReplyRestarts(type, info.label);
}

// ------------------------------------------------------------ send and receive

export interface SendRights {
  badge: bigint;
  canGrant: boolean;
  canGrantReply: boolean;
}

/** sendIPC. */
export function sendIPC(k: KernelState, blocking: boolean, doCall: boolean, rights: SendRights, canDonate: boolean, thread: TcbObject, ep: EndpointObject): void {
  if (ep.state !== EndpointState.Recv) {
    if (!blocking) return;
    thread.state = ThreadState.BlockedOnSend;
    thread.blockingObject = ep;
    thread.blockingBadge = rights.badge;
    thread.blockingCanGrant = rights.canGrant;
    thread.blockingCanGrantReply = rights.canGrantReply;
    thread.blockingIsCall = doCall;
    scheduleTCB(k, thread);
    tcbEPAppend(thread, ep.queue);
    ep.state = EndpointState.Send;
    return;
  }
  const dest = ep.queue.shift()!;
  if (ep.queue.length === 0) ep.state = EndpointState.Idle;
  doIPCTransfer(k, thread, ep, rights.badge, rights.canGrant, dest);
  const reply = dest.replyObject;
  if (reply) replyUnlink(k, reply, dest);
  if (doCall || thread.fault !== undefined) {
    if (reply && (rights.canGrant || rights.canGrantReply)) replyPush(k, thread, dest, reply, canDonate);
    else setThreadState(k, thread, ThreadState.Inactive);
  } else if (canDonate && !dest.sc && thread.sc) schedContextDonate(k, thread.sc, dest);
  setThreadState(k, dest, ThreadState.Running);
  wake(k, dest);
}

/** receiveIPC on an endpoint, with the reply object from x6 if any. */
export function receiveIPC(k: KernelState, thread: TcbObject, ep: EndpointObject, isBlocking: boolean, reply: ReplyObject | undefined, completeBoundSignal: () => boolean): void {
  if (reply?.tcb && reply.tcb !== thread) {
    userError(k, { func: 'receiveIPC', message: 'Reply object already has unexecuted reply!' });
    cancelIPC(k, reply.tcb);
  }
  if (completeBoundSignal()) return;
  if (ep.state !== EndpointState.Send) {
    if (!isBlocking) {
      k.setReg(thread, BADGE_REGISTER, 0n);
      return;
    }
    thread.state = ThreadState.BlockedOnReceive;
    thread.blockingObject = ep;
    thread.replyObject = reply;
    if (reply) reply.tcb = thread;
    scheduleTCB(k, thread);
    tcbEPAppend(thread, ep.queue);
    ep.state = EndpointState.Recv;
    return;
  }
  const sender = ep.queue.shift()!;
  if (ep.queue.length === 0) ep.state = EndpointState.Idle;
  const { blockingBadge: badge, blockingCanGrant: canGrant, blockingCanGrantReply: canGrantReply } = sender;
  doIPCTransfer(k, sender, ep, badge, canGrant, thread);
  if (sender.sc?.sporadic) refillUnblockCheck(k, sender.sc);
  if (sender.blockingIsCall || sender.fault !== undefined) {
    if ((canGrant || canGrantReply) && reply) {
      const canDonate = sender.sc !== undefined && sender.fault?.type !== FaultType.Timeout;
      replyPush(k, sender, thread, reply, canDonate);
    } else setThreadState(k, sender, ThreadState.Inactive);
  } else {
    setThreadState(k, sender, ThreadState.Running);
    possibleSwitchTo(k, sender);
  }
}

// ------------------------------------------------------------ cancellation

/** cancelIPC: the thread stops whatever IPC it is blocked in and loses a pending fault. */
export function cancelIPC(k: KernelState, t: TcbObject): void {
  t.fault = undefined;
  switch (t.state) {
    case ThreadState.BlockedOnSend:
    case ThreadState.BlockedOnReceive: {
      const ep = t.blockingObject as EndpointObject;
      tcbEPDequeue(t, ep.queue);
      if (ep.queue.length === 0) ep.state = EndpointState.Idle;
      if (t.replyObject) replyUnlink(k, t.replyObject, t);
      setThreadState(k, t, ThreadState.Inactive);
      return;
    }
    case ThreadState.BlockedOnNotification:
      cancelSignal(k, t, t.blockingObject as NotificationObject);
      return;
    case ThreadState.BlockedOnReply:
      replyRemoveTcb(k, t);
      return;
    default:
  }
}

/** Restart a dequeued thread, or leave it inactive if it was delivering a fault. */
function restartDequeued(k: KernelState, t: TcbObject): void {
  if (t.fault === undefined) {
    setThreadState(k, t, ThreadState.Restart);
    wake(k, t);
  } else setThreadState(k, t, ThreadState.Inactive);
}

/** cancelAllIPC: the endpoint is going; every queued thread restarts its system call. */
export function cancelAllIPC(k: KernelState, ep: EndpointObject): void {
  if (ep.state === EndpointState.Idle) return;
  const queued = ep.queue.splice(0);
  ep.state = EndpointState.Idle;
  for (const t of queued) {
    if (t.state === ThreadState.BlockedOnReceive && t.replyObject) replyUnlink(k, t.replyObject, t);
    restartDequeued(k, t);
  }
  rescheduleRequired(k);
}

/** cancelBadgedSends: senders queued with `badge` restart. */
export function cancelBadgedSends(k: KernelState, ep: EndpointObject, badge: bigint): void {
  if (ep.state !== EndpointState.Send) return;
  for (const t of [...ep.queue]) {
    if (t.blockingBadge !== badge) continue;
    tcbEPDequeue(t, ep.queue);
    restartDequeued(k, t);
  }
  if (ep.queue.length === 0) ep.state = EndpointState.Idle;
  rescheduleRequired(k);
}

// ------------------------------------------------------------ faults

/** An endpoint cap a fault can be sent through (validFaultHandler). */
export function isValidFaultHandler(cap: Cap): boolean {
  return cap.type === CapType.Null || (cap.type === CapType.Endpoint && cap.canSend && (cap.canGrant || cap.canGrantReply));
}

/** validTimeoutHandler: the thread's timeout-handler slot holds an endpoint cap. */
export function hasTimeoutHandler(t: TcbObject): boolean {
  return t.ctes.slots[TcbSlot.TimeoutHandler]!.cap.type === CapType.Endpoint;
}

/** sendFaultIPC through the cap in one of the thread's handler slots; false without one. */
function sendFaultIPC(k: KernelState, t: TcbObject, slotIndex: number, canDonate: boolean): boolean {
  const cap = t.ctes.slots[slotIndex]!.cap;
  if (cap.type !== CapType.Endpoint) return false;
  sendIPC(k, true, false, { badge: cap.badge, canGrant: cap.canGrant, canGrantReply: cap.canGrantReply }, canDonate, t, cap.obj);
  return true;
}

/**
 * handleFault: deliver `t.fault` to its fault handler; a thread without one becomes
 * inactive (and the kernel says so in debug builds).
 */
export function handleFault(k: KernelState, t: TcbObject): void {
  const fault = t.fault!;
  t.stats.faults++;
  const handled = t.ctes.slots[TcbSlot.FaultHandler]!.cap.type === CapType.Endpoint;
  k.trace.fault?.(t, t.fault ? describeFault(t.fault) : 'no fault', handled);
  if (handled) sendFaultIPC(k, t, TcbSlot.FaultHandler, t.sc !== undefined && fault.type !== FaultType.Timeout);
  else {
    k.print(noFaultHandlerReport(k, t));
    setThreadState(k, t, ThreadState.Inactive);
  }
}

/** handleTimeout: a Timeout fault to the timeout handler. */
export function sendTimeoutFault(k: KernelState, t: TcbObject): void {
  t.stats.faults++;
  sendFaultIPC(k, t, TcbSlot.TimeoutHandler, false);
}
