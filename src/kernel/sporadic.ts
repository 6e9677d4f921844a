import { CNT_CTL } from '../machine/devices/generic-timer.js';
import { FaultType } from './faults.js';
import { hasTimeoutHandler, sendTimeoutFault } from './ipc.js';
import { isSchedulable, rescheduleRequired, tcbReleaseEnqueue, tcbSchedAppend, tcbSchedDequeue } from './scheduler.js';
import { MIN_BUDGET, type KernelState } from './state.js';
import type { Refill, SchedContextObject } from './objects.js';

/**
 * Budgets and refills (src/kernel/sporadic.c and the MCS parts of thread.c). Time is in
 * timer ticks. A round-robin context (period 0) has two refills: the budget left (head) and
 * the budget used (tail). A sporadic context charges what it uses back as a new refill one
 * period after the used time was released (the sporadic-server rule).
 */

export const MIN_REFILLS = 2;

const isRoundRobin = (sc: SchedContextObject): boolean => sc.period === 0;

const head = (sc: SchedContextObject): Refill => sc.refills[0]!;

export function refillReady(k: KernelState, sc: SchedContextObject): boolean {
  return head(sc).time <= k.curTime;
}

function refillCapacity(sc: SchedContextObject, usage: number): number {
  const h = head(sc);
  return usage > h.amount ? 0 : h.amount - usage;
}

export function refillSufficient(sc: SchedContextObject, usage: number): boolean {
  return refillCapacity(sc, usage) >= MIN_BUDGET;
}

function maybeAddEmptyTail(sc: SchedContextObject): void {
  if (isRoundRobin(sc)) sc.refills.push({ time: head(sc).time, amount: 0 });
}

/** refill_new: the whole budget is available from now. */
export function refillNew(k: KernelState, sc: SchedContextObject, maxRefills: number, budget: number, period: number): void {
  sc.period = period;
  sc.budget = budget;
  sc.refillMax = maxRefills;
  sc.refills.length = 0;
  sc.refills.push({ time: k.curTime, amount: budget });
  maybeAddEmptyTail(sc);
}

/**
 * refill_update: new parameters for a context in use, keeping the sliding-window
 * constraint: what the head had left carries over, the rest of the budget comes a period later.
 */
export function refillUpdate(k: KernelState, sc: SchedContextObject, period: number, budget: number, maxRefills: number): void {
  const h = { time: head(sc).time, amount: head(sc).amount };
  sc.refills.length = 0;
  sc.refills.push(h);
  sc.refillMax = maxRefills;
  sc.period = period;
  sc.budget = budget;
  if (refillReady(k, sc)) h.time = k.curTime;
  if (h.amount >= budget) {
    h.amount = budget;
    maybeAddEmptyTail(sc);
  } else sc.refills.push({ time: h.time + period, amount: budget - h.amount });
}

/** schedule_used: add a used chunk as a refill at the tail, merging when it touches the tail or the list is full. */
function scheduleUsed(sc: SchedContextObject, used: Refill): void {
  const tail = sc.refills[sc.refills.length - 1]!;
  if (tail.time + tail.amount >= used.time) tail.amount += used.amount;
  else if (sc.refills.length < sc.refillMax) sc.refills.push(used);
  else {
    tail.time = used.time - tail.amount;
    tail.amount += used.amount;
  }
}

/** refill_budget_check: charge `usage` to the head refills of the current sporadic context. */
function refillBudgetCheck(k: KernelState, usage: number): void {
  const sc = k.curSC;
  // handle_overrun: whole refills used up move a period on.
  while (head(sc).amount <= usage) {
    usage -= head(sc).amount;
    if (sc.refills.length === 1) head(sc).time += sc.period;
    else {
      const old = sc.refills.shift()!;
      scheduleUsed(sc, { time: old.time + sc.period, amount: old.amount });
    }
  }
  if (usage > 0) {
    const h = head(sc);
    const used = { time: h.time + sc.period, amount: usage };
    h.amount -= usage;
    h.time += usage;
    scheduleUsed(sc, used);
  }
  // merge_nonoverlapping_head_refill: the head must be worth running on.
  while (head(sc).amount < MIN_BUDGET) {
    const h = sc.refills.shift()!;
    head(sc).amount += h.amount;
    head(sc).time -= h.amount;
  }
}

/** refill_unblock_check: a context that was blocked may use its ready refills from now. */
export function refillUnblockCheck(k: KernelState, sc: SchedContextObject): void {
  if (isRoundRobin(sc) || !refillReady(k, sc)) return;
  head(sc).time = k.curTime;
  k.reprogram = true;
  while (sc.refills.length > 1 && sc.refills[1]!.time <= head(sc).time + head(sc).amount) {
    const old = sc.refills.shift()!;
    head(sc).time = old.time;
    head(sc).amount += old.amount;
  }
}

/** commitTime: charge the time consumed since the last commit to the current context. */
export function commitTime(k: KernelState): void {
  const sc = k.curSC;
  if (sc.refillMax > 0 && sc !== k.idleSC) {
    if (k.consumed > 0) {
      if (isRoundRobin(sc)) {
        head(sc).amount -= k.consumed;
        sc.refills[1]!.amount += k.consumed;
      } else refillBudgetCheck(k, k.consumed);
    }
    sc.consumed += k.consumed;
  }
  k.consumed = 0;
}

/** postpone: the context's thread waits in the release queue for its next refill. */
export function postpone(k: KernelState, sc: SchedContextObject): void {
  const t = sc.tcb!;
  tcbSchedDequeue(k, t);
  tcbReleaseEnqueue(k, t);
  k.reprogram = true;
}

/** endTimeslice: a timeout fault, the tail of the ready queue, or the release queue. */
function endTimeslice(k: KernelState, canTimeoutFault: boolean): void {
  const t = k.curThread;
  const sc = k.curSC;
  if (canTimeoutFault && !isRoundRobin(sc) && hasTimeoutHandler(t)) {
    t.fault = { type: FaultType.Timeout, badge: sc.badge };
    sendTimeoutFault(k, t);
  } else if (refillReady(k, sc) && refillSufficient(sc, 0)) tcbSchedAppend(k, t);
  else postpone(k, sc);
}

/** chargeBudget: the current context's head refill is used up. */
export function chargeBudget(k: KernelState, consumed: number, canTimeoutFault: boolean): void {
  const sc = k.curSC;
  if (sc !== k.idleSC) {
    if (isRoundRobin(sc)) {
      head(sc).amount += sc.refills[1]!.amount;
      sc.refills[1]!.amount = 0;
    } else refillBudgetCheck(k, consumed);
    sc.consumed += consumed;
  }
  k.consumed = 0;
  if (isSchedulable(k.curThread) && k.curThread.sc === sc) {
    endTimeslice(k, canTimeoutFault);
    rescheduleRequired(k);
    k.reprogram = true;
  }
}

/** checkBudget: whether the current thread may go on; if not, its budget is charged. */
export function checkBudget(k: KernelState): boolean {
  if (k.curSC === k.idleSC) return true;
  if (refillSufficient(k.curSC, k.consumed)) {
    if (k.numDomains > 1 && k.domainTime === 0) {
      k.reprogram = true;
      rescheduleRequired(k);
      return false;
    }
    return true;
  }
  chargeBudget(k, k.consumed, true);
  return false;
}

/** setNextInterrupt: the end of the current budget, the next release, or the domain's end. */
export function setNextInterrupt(k: KernelState): void {
  let next = Infinity;
  if (k.curThread !== k.idleThread && k.curSC !== k.idleSC) next = k.curTime + head(k.curSC).amount;
  if (k.numDomains > 1) next = Math.min(next, k.curTime + k.domainTime);
  const first = k.releaseQueue[0];
  if (first) next = Math.min(next, head(first.sc!).time);
  if (next === Infinity) k.programTimer(0, 0);
  else k.programTimer(CNT_CTL.ENABLE, Math.max(0, Math.floor(next)));
}
