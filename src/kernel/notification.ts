import { cancelIPC } from './ipc.js';
import { maybeDonateSchedContext, maybeReturnSchedContext, wake } from './sched-context.js';
import { isSchedulable, rescheduleRequired, scheduleTCB, setThreadState, tcbEPAppend, tcbEPDequeue } from './scheduler.js';
import { refillUnblockCheck } from './sporadic.js';
import type { KernelState } from './state.js';
import { NotificationState, ThreadState, type NotificationObject, type TcbObject } from './objects.js';

/**
 * Notifications (src/object/notification.c, MCS): a word of badges ORed together, a queue
 * of waiters, an optional bound thread that also receives signals while it waits on an
 * endpoint, and an optional scheduling context lent to whoever it wakes.
 */

const BADGE_REGISTER = 0;

/** sendSignal. */
export function sendSignal(k: KernelState, ntfn: NotificationObject, badge: bigint): void {
  switch (ntfn.state) {
    case NotificationState.Idle: {
      const tcb = ntfn.boundTcb;
      if (tcb && tcb.state === ThreadState.BlockedOnReceive) {
        cancelIPC(k, tcb);
        setThreadState(k, tcb, ThreadState.Running);
        k.setReg(tcb, BADGE_REGISTER, badge);
        maybeDonateSchedContext(k, tcb, ntfn);
        if (isSchedulable(tcb)) wake(k, tcb);
      } else {
        // Idle: the word is replaced, not ORed (it meant nothing).
        ntfn.state = NotificationState.Active;
        ntfn.word = badge;
      }
      return;
    }
    case NotificationState.Waiting: {
      const dest = ntfn.queue[0]!;
      tcbEPDequeue(dest, ntfn.queue);
      if (ntfn.queue.length === 0) ntfn.state = NotificationState.Idle;
      setThreadState(k, dest, ThreadState.Running);
      k.setReg(dest, BADGE_REGISTER, badge);
      maybeDonateSchedContext(k, dest, ntfn);
      if (isSchedulable(dest)) wake(k, dest);
      return;
    }
    case NotificationState.Active:
      ntfn.word |= badge;
      return;
  }
}

/** receiveSignal: Wait/NBWait (or Recv) on a notification cap. */
export function receiveSignal(k: KernelState, thread: TcbObject, ntfn: NotificationObject, isBlocking: boolean): void {
  if (ntfn.state === NotificationState.Active) {
    completeSignal(k, ntfn, thread);
    return;
  }
  if (!isBlocking) {
    k.setReg(thread, BADGE_REGISTER, 0n); // doNBRecvFailedTransfer
    return;
  }
  thread.state = ThreadState.BlockedOnNotification;
  thread.blockingObject = ntfn;
  scheduleTCB(k, thread);
  tcbEPAppend(thread, ntfn.queue);
  ntfn.state = NotificationState.Waiting;
  maybeReturnSchedContext(k, ntfn, thread);
}

/** completeSignal: deliver the pending word to `tcb`. */
export function completeSignal(k: KernelState, ntfn: NotificationObject, tcb: TcbObject): void {
  k.setReg(tcb, BADGE_REGISTER, ntfn.word);
  ntfn.state = NotificationState.Idle;
  ntfn.word = 0n;
  maybeDonateSchedContext(k, tcb, ntfn);
  if (tcb.sc && tcb.sc !== k.curSC && tcb.sc.sporadic) refillUnblockCheck(k, tcb.sc);
}

/** cancelSignal: a waiter leaves the queue and becomes inactive. */
export function cancelSignal(k: KernelState, tcb: TcbObject, ntfn: NotificationObject): void {
  tcbEPDequeue(tcb, ntfn.queue);
  if (ntfn.queue.length === 0) ntfn.state = NotificationState.Idle;
  setThreadState(k, tcb, ThreadState.Inactive);
}

/** cancelAllSignals: every waiter restarts its system call (the notification is going). */
export function cancelAllSignals(k: KernelState, ntfn: NotificationObject): void {
  if (ntfn.state !== NotificationState.Waiting) return;
  const waiters = ntfn.queue.splice(0);
  ntfn.state = NotificationState.Idle;
  for (const t of waiters) {
    setThreadState(k, t, ThreadState.Restart);
    wake(k, t);
  }
  rescheduleRequired(k);
}

export function bindNotification(tcb: TcbObject, ntfn: NotificationObject): void {
  ntfn.boundTcb = tcb;
  tcb.boundNotification = ntfn;
}

export function unbindNotification(tcb: TcbObject): void {
  const ntfn = tcb.boundNotification;
  if (ntfn) {
    ntfn.boundTcb = undefined;
    tcb.boundNotification = undefined;
  }
}

/** unbindMaybeNotification: when a notification goes, its bound thread loses it. */
export function unbindMaybeNotification(ntfn: NotificationObject): void {
  if (ntfn.boundTcb) unbindNotification(ntfn.boundTcb);
}
