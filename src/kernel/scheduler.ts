import { commitTime, refillReady, refillSufficient, refillUnblockCheck, setNextInterrupt } from './sporadic.js';
import { completeYieldTo } from './sched-context.js';
import { NUM_PRIORITIES, type KernelState } from './state.js';
import { ThreadState, type SchedContextObject, type TcbObject } from './objects.js';

/**
 * The MCS scheduler (src/kernel/thread.c): ready queues per (domain, priority) with a
 * bitmap, the scheduler action, and schedule()/possibleSwitchTo()/rescheduleRequired() in
 * seL4's order, so ties break as seL4 breaks them.
 */

export function isRunnable(t: TcbObject): boolean {
  return t.state === ThreadState.Running || t.state === ThreadState.Restart;
}

/** isStopped: inactive or blocked. */
export function isStopped(t: TcbObject): boolean {
  return t.state === ThreadState.Inactive || (t.state >= ThreadState.BlockedOnReceive && t.state <= ThreadState.BlockedOnNotification);
}

/** Runnable, with a configured scheduling context that is not waiting for a refill. */
export function isSchedulable(t: TcbObject): boolean {
  return isRunnable(t) && t.sc !== undefined && t.sc.refillMax > 0 && !t.inReleaseQueue;
}

const queueIndex = (t: TcbObject) => t.domain * NUM_PRIORITIES + t.priority;

function markQueue(k: KernelState, t: TcbObject, nonEmpty: boolean): void {
  const word = t.domain * 8 + (t.priority >>> 5);
  const bit = 1 << (t.priority & 31);
  if (nonEmpty) {
    k.readyBitmap[word]! |= bit;
    k.readyL1[t.domain]! |= 1 << (t.priority >>> 5);
  } else if ((k.readyBitmap[word]! &= ~bit) === 0) k.readyL1[t.domain]! &= ~(1 << (t.priority >>> 5));
}

/** tcbSchedEnqueue: at the head of its ready queue (it keeps its turn). */
export function tcbSchedEnqueue(k: KernelState, t: TcbObject): void {
  if (t.queued) return;
  k.readyQueues[queueIndex(t)]!.unshift(t);
  markQueue(k, t, true);
  t.queued = true;
}

/** tcbSchedAppend: at the tail (its turn is over). */
export function tcbSchedAppend(k: KernelState, t: TcbObject): void {
  if (t.queued) return;
  k.readyQueues[queueIndex(t)]!.push(t);
  markQueue(k, t, true);
  t.queued = true;
}

export function tcbSchedDequeue(k: KernelState, t: TcbObject): void {
  if (!t.queued) return;
  const q = k.readyQueues[queueIndex(t)]!;
  removeFrom(q, t);
  if (q.length === 0) markQueue(k, t, false);
  t.queued = false;
}

/** The highest priority with a ready thread in `domain`, or −1. */
function highestPriority(k: KernelState, domain: number): number {
  const l1 = k.readyL1[domain]!;
  if (l1 === 0) return -1;
  const w = 31 - Math.clz32(l1);
  return w * 32 + 31 - Math.clz32(k.readyBitmap[domain * 8 + w]!);
}

/** isHighestPrio: no thread of `domain` above `prio` is ready. */
export function isHighestPrio(k: KernelState, domain: number, prio: number): boolean {
  return highestPriority(k, domain) <= prio;
}

/** Insert into an endpoint or notification queue: after every thread of higher or equal priority. */
export function tcbEPAppend(t: TcbObject, queue: TcbObject[]): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1]!.priority < t.priority) i--;
  // push: the usual case, and no array made for splice's result.
  if (i === queue.length) queue.push(t);
  else queue.splice(i, 0, t);
}

export function tcbEPDequeue(t: TcbObject, queue: TcbObject[]): void {
  removeFrom(queue, t);
}

/** Remove `t` from `queue` if it is there; the ends without making splice's result array. */
function removeFrom(queue: TcbObject[], t: TcbObject): void {
  const i = queue.indexOf(t);
  if (i < 0) return;
  if (i === 0) queue.shift();
  else if (i === queue.length - 1) queue.pop();
  else queue.splice(i, 1);
}

/** tcbReleaseEnqueue: the release queue is ordered by head refill time (FIFO among equals). */
export function tcbReleaseEnqueue(k: KernelState, t: TcbObject): void {
  const time = t.sc!.refills[0]!.time;
  const q = k.releaseQueue;
  let i = q.length;
  while (i > 0 && q[i - 1]!.sc!.refills[0]!.time > time) i--;
  q.splice(i, 0, t);
  t.inReleaseQueue = true;
  if (i === 0) k.reprogram = true;
}

export function tcbReleaseRemove(k: KernelState, t: TcbObject): void {
  if (!t.inReleaseQueue) return;
  const i = k.releaseQueue.indexOf(t);
  if (i === 0) k.reprogram = true;
  k.releaseQueue.splice(i, 1);
  t.inReleaseQueue = false;
}

export function rescheduleRequired(k: KernelState): void {
  const a = k.action;
  if (a !== 'resume' && a !== 'choose' && isSchedulable(a)) tcbSchedEnqueue(k, a);
  k.action = 'choose';
}

/** scheduleTCB: if the current thread stopped being schedulable, choose again. */
export function scheduleTCB(k: KernelState, t: TcbObject): void {
  if (t === k.curThread && k.action === 'resume' && !isSchedulable(t)) rescheduleRequired(k);
}

export function setThreadState(k: KernelState, t: TcbObject, state: ThreadState): void {
  t.state = state;
  scheduleTCB(k, t);
}

export function possibleSwitchTo(k: KernelState, target: TcbObject): void {
  if (target.sc === undefined || target.inReleaseQueue) return;
  if (k.curDomain !== target.domain) tcbSchedEnqueue(k, target);
  else if (k.action !== 'resume') {
    rescheduleRequired(k);
    tcbSchedEnqueue(k, target);
  } else k.action = target;
}

/** awaken: release every thread whose head refill is now ready. */
function awaken(k: KernelState): void {
  while (k.releaseQueue.length > 0 && refillReady(k, k.releaseQueue[0]!.sc!)) {
    const t = k.releaseQueue.shift()!;
    t.inReleaseQueue = false;
    possibleSwitchTo(k, t);
    k.reprogram = true;
  }
}

/** checkDomainTime: the current domain's slot is over; choose in the next one. */
function checkDomainTime(k: KernelState): void {
  if (k.numDomains > 1 && k.domainTime === 0) {
    k.reprogram = true;
    rescheduleRequired(k);
  }
}

function nextDomain(k: KernelState): void {
  k.domainIndex = (k.domainIndex + 1) % k.domainSchedule.length;
  const entry = k.domainSchedule[k.domainIndex]!;
  k.curDomain = entry.domain;
  k.domainTime = entry.length;
  k.reprogram = true;
}

function switchToThread(k: KernelState, t: TcbObject): void {
  tcbSchedDequeue(k, t);
  k.curThread = t;
}

/** chooseThread: the head of the highest non-empty ready queue of the current domain, or idle. */
export function chooseThread(k: KernelState): void {
  const prio = highestPriority(k, k.curDomain);
  if (prio < 0) k.curThread = k.idleThread;
  else switchToThread(k, k.readyQueues[k.curDomain * NUM_PRIORITIES + prio]![0]!);
}

function scheduleChooseNewThread(k: KernelState): void {
  if (k.numDomains > 1 && k.domainTime === 0) nextDomain(k);
  chooseThread(k);
}

/** schedule(): act on the scheduler action, then switch scheduling context and reprogram the timer. */
export function schedule(k: KernelState): void {
  awaken(k);
  checkDomainTime(k);
  if (k.action !== 'resume') {
    const cur = k.curThread;
    const wasRunnable = cur !== k.idleThread && isSchedulable(cur);
    if (wasRunnable) tcbSchedEnqueue(k, cur);
    const candidate = k.action;
    if (candidate === 'choose') scheduleChooseNewThread(k);
    else {
      const fastfail = cur === k.idleThread || candidate.priority < cur.priority;
      if (fastfail && highestPriority(k, k.curDomain) > candidate.priority) {
        tcbSchedEnqueue(k, candidate);
        k.action = 'choose';
        scheduleChooseNewThread(k);
      } else if (wasRunnable && candidate.priority === cur.priority) {
        tcbSchedAppend(k, candidate);
        k.action = 'choose';
        scheduleChooseNewThread(k);
      } else switchToThread(k, candidate);
    }
  }
  k.action = 'resume';
  switchSchedContext(k);
  if (k.reprogram) {
    setNextInterrupt(k);
    k.reprogram = false;
  }
}

function switchSchedContext(k: KernelState): void {
  const sc: SchedContextObject = k.curThread.sc ?? k.idleSC;
  if (sc !== k.curSC) {
    k.reprogram = true;
    if (!sc.sporadic) refillUnblockCheck(k, sc);
  }
  if (k.reprogram) commitTime(k);
  k.curSC = sc;
}

/** activateThread: a restarted thread re-executes the instruction it stopped at. */
export function activateThread(k: KernelState): void {
  const t = k.curThread;
  if (t.yieldTo) completeYieldTo(k, t);
  if (t.state === ThreadState.Restart) {
    k.setReg(t, 33 /* NextIP */, t.faultIP);
    t.state = ThreadState.Running;
  }
}

/** Whether `sc` can run now: its head refill is released and big enough. */
export function scReady(k: KernelState, sc: SchedContextObject): boolean {
  return refillReady(k, sc) && refillSufficient(sc, 0);
}
