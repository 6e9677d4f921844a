import { isSchedulable, possibleSwitchTo, rescheduleRequired, scReady, setThreadState, tcbReleaseRemove, tcbSchedDequeue, tcbSchedEnqueue } from './scheduler.js';
import { postpone, refillUnblockCheck } from './sporadic.js';
import { ticksToUs, type KernelState } from './state.js';
import { messageInfoToWord } from './syscalls.js';
import { ThreadState, type NotificationObject, type SchedContextObject, type TcbObject } from './objects.js';

/**
 * Binding and donating scheduling contexts (src/object/schedcontext.c): a context runs
 * at most one thread; Call and signals move it between threads; a passive server has none.
 */

/** schedContext_resume: a context whose thread is runnable but cannot run now waits for its refill. */
export function schedContextResume(k: KernelState, sc: SchedContextObject | undefined): void {
  if (sc?.tcb && isSchedulable(sc.tcb) && !scReady(k, sc)) postpone(k, sc);
}

export function schedContextBindTCB(k: KernelState, sc: SchedContextObject, tcb: TcbObject): void {
  tcb.sc = sc;
  sc.tcb = tcb;
  if (sc.sporadic && sc.refillMax > 0 && sc !== k.curSC) refillUnblockCheck(k, sc);
  schedContextResume(k, sc);
  if (isSchedulable(tcb)) {
    tcbSchedEnqueue(k, tcb);
    rescheduleRequired(k);
  }
}

export function schedContextUnbindTCB(k: KernelState, sc: SchedContextObject, tcb: TcbObject): void {
  if (tcb === k.curThread) rescheduleRequired(k);
  tcbSchedDequeue(k, tcb);
  tcbReleaseRemove(k, tcb);
  tcb.sc = undefined;
  sc.tcb = undefined;
}

/** schedContext_donate: move `sc` from its thread (if any) to `to`. */
export function schedContextDonate(k: KernelState, sc: SchedContextObject, to: TcbObject): void {
  const from = sc.tcb;
  if (from) {
    tcbSchedDequeue(k, from);
    tcbReleaseRemove(k, from);
    from.sc = undefined;
    if (from === k.curThread || from === k.action) rescheduleRequired(k);
  }
  sc.tcb = to;
  to.sc = sc;
}

export function schedContextBindNtfn(sc: SchedContextObject, ntfn: NotificationObject): void {
  ntfn.sc = sc;
  sc.notification = ntfn;
}

export function schedContextUnbindNtfn(sc: SchedContextObject): void {
  if (sc.notification) {
    sc.notification.sc = undefined;
    sc.notification = undefined;
  }
}

/** A thread woken by a notification that has an idle bound context runs on it. */
export function maybeDonateSchedContext(k: KernelState, tcb: TcbObject, ntfn: NotificationObject): void {
  if (tcb.sc) return;
  const sc = ntfn.sc;
  if (sc && !sc.tcb) {
    schedContextDonate(k, sc, tcb);
    schedContextResume(k, sc);
  }
}

/** A thread blocking on its bound notification gives the notification's context back. */
export function maybeReturnSchedContext(k: KernelState, ntfn: NotificationObject, tcb: TcbObject): void {
  const sc = ntfn.sc;
  if (sc && sc === tcb.sc) {
    tcb.sc = undefined;
    sc.tcb = undefined;
    if (tcb === k.curThread) rescheduleRequired(k);
  }
}

/** schedContext_updateConsumed: the microseconds consumed since the last query, which resets it. */
export function updateConsumed(sc: SchedContextObject): bigint {
  const us = BigInt(ticksToUs(sc.consumed));
  sc.consumed = 0;
  return us;
}

/** setConsumed: reply to `t` with the consumed time in MR0. */
export function setConsumed(k: KernelState, sc: SchedContextObject, t: TcbObject): void {
  const us = updateConsumed(sc);
  k.setReg(t, 0, 0n);
  k.setMR(t, k.ipcBuffer(t, true), 0, us);
  k.setReg(t, 1, messageInfoToWord({ label: 0n, capsUnwrapped: 0, extraCaps: 0, length: 1 }));
}

/** schedContext_completeYieldTo: the yielder gets the consumed time and runs again. */
export function completeYieldTo(k: KernelState, yielder: TcbObject): void {
  const sc = yielder.yieldTo;
  if (!sc) return;
  setConsumed(k, sc, yielder);
  cancelYieldTo(yielder);
  setThreadState(k, yielder, ThreadState.Running);
}

/** schedContext_cancelYieldTo. */
export function cancelYieldTo(yielder: TcbObject): void {
  if (yielder.yieldTo) {
    yielder.yieldTo.yieldFrom = undefined;
    yielder.yieldTo = undefined;
  }
}

/** Wake `t` if it may run (possibleSwitchTo with the sporadic unblock check first). */
export function wake(k: KernelState, t: TcbObject): void {
  if (t.sc?.sporadic && t.sc !== k.curSC) refillUnblockCheck(k, t.sc);
  possibleSwitchTo(k, t);
}
