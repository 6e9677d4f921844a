import { CapType } from './cap-types.js';
import type { Cap } from './cap.js';
import { lookupCapFast } from './cspace.js';
import { EndpointState, NotificationState, TcbSlot, ThreadState, type CSpaceMemo, type EndpointObject, type TcbObject } from './objects.js';
import { chooseThread, isHighestPrio, isSchedulable, tcbEPAppend, tcbEPDequeue, tcbReleaseRemove, tcbSchedAppend, tcbSchedDequeue, tcbSchedEnqueue } from './scheduler.js';
import { refillReady, refillSufficient } from './sporadic.js';
import type { KernelState } from './state.js';
import { seL4_FastMessageRegisters } from './syscalls.js';

/**
 * seL4's IPC fast paths (src/fastpath/fastpath.c, MCS): `fastpath_call` and
 * `fastpath_reply_recv`, modelled as decisions. Each checks seL4's conditions, and the model's
 * own (below), before it changes anything; when one fails it returns false and the kernel takes
 * the slow path (syscall.ts). When all hold it makes exactly the changes the slow path and the
 * scheduler would make (the same thread states, queues, reply stack, scheduling-context
 * donation, message registers and statistics) and names the next thread in `curThread`
 * without going through the ready queues: the rest of the kernel exit (schedule with action
 * 'resume', activateThread, the switch) is shared.
 *
 * Besides seL4's conditions, the model requires what makes the slow path's scheduler choose
 * the destination without side effects, so that the two paths cannot differ: the scheduler
 * action is 'resume', no thread in the release queue is due, the domain has time left, no ready
 * thread is above the destination's priority (seL4 asks this only when the destination is below
 * the caller), the caller has a scheduling context to donate, and for ReplyRecv the donated
 * context is ready to run (otherwise the slow path postpones the caller).
 */

const CAP_REGISTER = 0;
const MSGINFO_REGISTER = 1;
const REPLY_REGISTER = 6;

/** fastpath_mi_check: no extra caps, at most seL4_FastMessageRegisters words (`low`: x1's low half). */
function shortMessage(low: number): boolean {
  return (low & 0x180) === 0 && (low & 0x7f) <= seL4_FastMessageRegisters;
}

/** Register `r` of a saved context as a number, or −1 when it is 2^53 or more. */
function word(x32: Int32Array, r: number): number {
  const hi = x32[2 * r + 1]! >>> 0;
  return hi < 0x20_0000 ? hi * 2 ** 32 + (x32[2 * r]! >>> 0) : -1;
}

/**
 * The current thread's registers, saved to its TCB so that the fast path reads and copies them
 * as 32-bit halves (no BigInt); undefined when the CPU does not hold them.
 */
function savedRegisters(k: KernelState, t: TcbObject): Int32Array | undefined {
  if (k.loaded !== t) return undefined;
  k.saveLoaded();
  return t.context.x32;
}

/**
 * lookup_fp in `t`'s CSpace: straight to the slot when the cptr falls in the CNode the last
 * walk ended in (`TcbObject.cspaceMemo`: a Microkit PD's caps are all in one CNode, two levels
 * down), otherwise `lookupCapFast`, remembering the walk when it was one or two levels of zero
 * guards.
 */
export function lookupFast(t: TcbObject, c: number): Cap | undefined {
  const root = t.ctes.slots[TcbSlot.CTable]!.cap;
  const m = t.cspaceMemo;
  if (m.root === root && (m.slot === undefined || m.slot.cap === m.cap)) {
    const i = c - m.base;
    if (i >= 0 && i < m.size) return m.cnode!.slots[i]!.cap;
  }
  const found = lookupCapFast(root, c);
  if (found !== undefined) remember(m, root, c);
  return found;
}

/** Record in `m` the CNode a lookup of `c` from `root` (which `lookupCapFast` resolved) ended in, if that was one or two levels. */
function remember(m: CSpaceMemo, root: Cap, c: number): void {
  m.root = undefined;
  if (root.type !== CapType.CNode || root.guard !== 0n) return;
  const rest = 64 - root.guardSize - root.cnode.radix;
  if (rest === 0) {
    Object.assign(m, { root, slot: undefined, cap: undefined, cnode: root.cnode, base: 0, size: 2 ** root.cnode.radix });
    return;
  }
  const unit = 2 ** rest;
  const index = Math.floor(c / unit);
  const slot = root.cnode.slots[index]!;
  const next = slot.cap;
  if (next.type !== CapType.CNode || next.guard !== 0n || next.guardSize + next.cnode.radix !== rest) return;
  Object.assign(m, { root, slot, cap: next, cnode: next.cnode, base: index * unit, size: 2 ** next.cnode.radix });
}

/**
 * The scheduler will do nothing of its own at this kernel exit: its action is 'resume', the
 * domain has time left and no thread in the release queue is due (awaken releases none).
 */
function schedulerQuiet(k: KernelState): boolean {
  if (k.action !== 'resume' || (k.numDomains > 1 && k.domainTime === 0)) return false;
  const first = k.releaseQueue[0];
  return first === undefined || !refillReady(k, first.sc!);
}

/** What the model needs of the scheduler so that the slow path would choose `dest` and nothing else. */
function scheduleWouldChoose(k: KernelState, dest: TcbObject): boolean {
  if (!schedulerQuiet(k) || dest.domain !== k.curDomain) return false;
  return !dest.inReleaseQueue && isHighestPrio(k, k.curDomain, dest.priority);
}

/**
 * copyMRs and the rest of doNormalTransfer for a short message: x2–x5, the message info with
 * capsUnwrapped (and extraCaps, already 0) cleared, the badge in x0; the sender counts an IPC.
 */
function transferShort(k: KernelState, sender: TcbObject, receiver: TcbObject, badge: bigint): void {
  // The sender's registers are in its TCB (savedRegisters); the CPU forgets them, so that the
  // switch restores the receiver's without saving the sender's again.
  k.forgetLoaded();
  const from = sender.context.x32;
  const to = receiver.context.x32;
  const end = 2 * (2 + (from[2]! & 0x7f));
  for (let i = 4; i < end; i++) to[i] = from[i]!;
  to[2] = from[2]! & ~0xe00;
  to[3] = from[3]!;
  receiver.context.x[CAP_REGISTER] = badge;
  sender.stats.ipcs++;
}

/** fastpath_call: a Call on an endpoint where a passive server waits with a reply object. */
export function fastpathCall(k: KernelState): boolean {
  const t = k.curThread;
  const x = savedRegisters(k, t);
  if (x === undefined || !shortMessage(x[2 * MSGINFO_REGISTER]!) || t.fault !== undefined) return false;
  const epCap: Cap | undefined = lookupFast(t, word(x, CAP_REGISTER));
  if (epCap?.type !== CapType.Endpoint || !epCap.canSend) return false;
  const ep = epCap.obj;
  if (ep.state !== EndpointState.Recv) return false;
  const dest = ep.queue[0]!;
  if (!k.hasValidVSpace(dest)) return false;
  if (!epCap.canGrant && !epCap.canGrantReply) return false;
  const reply = dest.replyObject;
  const sc = t.sc;
  if (reply === undefined || sc === undefined || sc.tcb !== t || sc !== k.curSC) return false;
  // seL4's own fast path: a passive server, which runs on the caller's context. The model's
  // extension: a server with a context of its own (round robin, as Microkit gives every PD).
  const destSc = dest.sc;
  if (destSc?.sporadic) return false;
  if (!scheduleWouldChoose(k, dest)) return false;

  // --- point of no return: sendIPC, replyPush (with donation to a passive server), the switch.
  ep.queue.shift();
  if (ep.queue.length === 0) ep.state = EndpointState.Idle;
  transferShort(k, t, dest, epCap.badge);
  reply.tcb = t;
  dest.replyObject = undefined;
  t.replyObject = reply;
  t.state = ThreadState.BlockedOnReply;
  if (destSc === undefined) {
    const oldCaller = sc.reply;
    reply.prev = oldCaller;
    if (oldCaller) oldCaller.next = reply;
    reply.next = sc;
    sc.reply = reply;
    tcbSchedDequeue(k, t);
    tcbReleaseRemove(k, t);
    t.sc = undefined;
    sc.tcb = dest;
    dest.sc = sc;
  }
  dest.state = ThreadState.Running;
  k.curThread = dest;
  return true;
}

/**
 * fastpath_reply_recv: the ReplyRecv of a passive server's event loop, answering the caller at
 * the head of its call stack (returning the donated context) and waiting on its endpoint.
 */
export function fastpathReplyRecv(k: KernelState): boolean {
  const t = k.curThread;
  const x = savedRegisters(k, t);
  if (x === undefined || !shortMessage(x[2 * MSGINFO_REGISTER]!) || t.fault !== undefined) return false;
  const epCap = lookupFast(t, word(x, CAP_REGISTER));
  if (epCap?.type !== CapType.Endpoint || !epCap.canReceive) return false;
  const replyCap = lookupFast(t, word(x, REPLY_REGISTER));
  if (replyCap?.type !== CapType.Reply) return false;
  if (t.boundNotification?.state === NotificationState.Active) return false;
  const ep = epCap.obj;
  if (ep.state === EndpointState.Send) return false;
  const reply = replyCap.obj;
  const caller = reply.tcb;
  const sc = t.sc;
  if (caller === undefined || sc === undefined || sc.tcb !== t || sc !== k.curSC) return false;
  if (caller.state !== ThreadState.BlockedOnReply || caller.fault !== undefined) return false;
  if (!k.hasValidVSpace(caller)) return false;
  // seL4's own fast path: the caller's context was donated and goes back (the reply heads its
  // call stack). The model's extension: the caller kept its own round-robin context, and this
  // thread keeps its own (unless its bound notification lent it, which the slow path returns).
  const donated = reply.next === sc;
  if (donated ? caller.sc !== undefined : caller.sc === undefined || caller.sc.sporadic || reply.next !== undefined || reply.prev !== undefined || t.boundNotification?.sc === sc) return false;
  const callerSc = donated ? sc : caller.sc!;
  if (!scheduleWouldChoose(k, caller) || !refillReady(k, callerSc) || !refillSufficient(callerSc, 0)) return false;

  // --- point of no return: doReplyTransfer (reply_pop, the donated context back to the
  // caller), then receiveIPC blocking on the endpoint with the same reply object, the switch.
  caller.replyObject = undefined;
  if (donated) {
    const prev = reply.prev;
    tcbSchedDequeue(k, t);
    tcbReleaseRemove(k, t);
    t.sc = undefined;
    sc.tcb = caller;
    caller.sc = sc;
    sc.reply = prev;
    if (prev) prev.next = sc;
    reply.prev = undefined;
    reply.next = undefined;
  }
  transferShort(k, t, caller, 0n);
  caller.state = ThreadState.Running;
  t.state = ThreadState.BlockedOnReceive;
  t.blockingObject = ep;
  t.replyObject = reply;
  reply.tcb = t;
  tcbEPAppend(t, ep.queue);
  ep.state = EndpointState.Recv;
  k.curThread = caller;
  return true;
}

/**
 * fastpath_signal (MCS, CONFIG_SIGNAL_FASTPATH): a Send on a notification cap. Setting the word
 * of a notification nobody waits on is always fast; waking a waiter (or the bound thread blocked
 * in its event loop's Recv) is fast when it does not preempt the signaller: it has a round-robin
 * context of its own that may run, is not above the signaller's priority and is in its domain.
 * It joins the ready queue (at the tail at equal priority, at the head below) as the slow path's
 * possibleSwitchTo and schedule would put it, and the signaller runs on.
 */
export function fastpathSignal(k: KernelState): boolean {
  const t = k.curThread;
  const port = k.port;
  const info = port.getRegisterSigned(MSGINFO_REGISTER);
  if (k.loaded !== t || t.fault !== undefined || !(info >= 0) || !shortMessage(info & 0x1ff)) return false;
  const cap = lookupFast(t, port.getRegisterSigned(CAP_REGISTER));
  if (cap?.type !== CapType.Notification || !cap.canSend) return false;
  const ntfn = cap.obj;
  const bound = ntfn.boundTcb;
  const dest = ntfn.state === NotificationState.Waiting ? ntfn.queue[0]! : ntfn.state === NotificationState.Idle && bound?.state === ThreadState.BlockedOnReceive ? bound : undefined;
  if (dest === undefined) {
    // Nobody to wake: the word is set (replaced when idle, ORed when active).
    ntfn.word = ntfn.state === NotificationState.Active ? ntfn.word | cap.badge : cap.badge;
    ntfn.state = NotificationState.Active;
    t.stats.signals++;
    return true;
  }
  const sc = dest.sc;
  if (sc === undefined || sc.sporadic || sc.refillMax === 0 || dest.inReleaseQueue || !isSchedulable(t)) return false;
  if (dest.priority > t.priority || dest.domain !== k.curDomain || !schedulerQuiet(k) || !isHighestPrio(k, k.curDomain, t.priority)) return false;

  // --- point of no return: cancelIPC (or the notification queue), the badge, the ready queue.
  if (dest === bound && ntfn.state === NotificationState.Idle) {
    const ep = dest.blockingObject as EndpointObject;
    tcbEPDequeue(dest, ep.queue);
    if (ep.queue.length === 0) ep.state = EndpointState.Idle;
    const reply = dest.replyObject;
    if (reply) {
      reply.tcb = undefined;
      dest.replyObject = undefined;
    }
    dest.fault = undefined;
  } else {
    tcbEPDequeue(dest, ntfn.queue);
    if (ntfn.queue.length === 0) ntfn.state = NotificationState.Idle;
  }
  dest.state = ThreadState.Running;
  dest.context.x[CAP_REGISTER] = cap.badge;
  if (dest.priority < t.priority) tcbSchedEnqueue(k, dest);
  else tcbSchedAppend(k, dest);
  t.stats.signals++;
  return true;
}

/**
 * The model's own fast path for the Recv of a Microkit event loop (seL4 has none): on a
 * notification (the input cap of a PD without protected procedures) with no signal pending, or
 * on an endpoint with no sender waiting, a reply object and no signal pending on the bound
 * notification. The thread blocks and the scheduler's choice (the head of the highest ready
 * queue, or idle) is made at once, as the slow path's schedule would make it.
 */
export function fastpathRecv(k: KernelState): boolean {
  const t = k.curThread;
  const port = k.port;
  if (k.loaded !== t || !schedulerQuiet(k)) return false;
  const cap = lookupFast(t, port.getRegisterSigned(CAP_REGISTER));
  if (cap?.type === CapType.Notification) {
    const ntfn = cap.obj;
    if (!cap.canReceive || (ntfn.boundTcb !== undefined && ntfn.boundTcb !== t) || ntfn.state === NotificationState.Active) return false;
    if (ntfn.sc !== undefined && ntfn.sc === t.sc) return false;
    // --- point of no return: receiveSignal blocks, then chooseThread.
    t.state = ThreadState.BlockedOnNotification;
    t.blockingObject = ntfn;
    tcbEPAppend(t, ntfn.queue);
    ntfn.state = NotificationState.Waiting;
    chooseThread(k);
    return true;
  }
  if (cap?.type !== CapType.Endpoint || !cap.canReceive) return false;
  const replyCap = lookupFast(t, port.getRegisterSigned(REPLY_REGISTER));
  if (replyCap?.type !== CapType.Reply) return false;
  const reply = replyCap.obj;
  const ntfn = t.boundNotification;
  const ep = cap.obj;
  if ((reply.tcb !== undefined && reply.tcb !== t) || ep.state === EndpointState.Send) return false;
  if (ntfn !== undefined && (ntfn.state === NotificationState.Active || (ntfn.sc !== undefined && ntfn.sc === t.sc))) return false;

  // --- point of no return: receiveIPC blocks, then chooseThread.
  t.state = ThreadState.BlockedOnReceive;
  t.blockingObject = ep;
  t.replyObject = reply;
  reply.tcb = t;
  tcbEPAppend(t, ep.queue);
  ep.state = EndpointState.Recv;
  chooseThread(k);
  return true;
}
