import { describe, expect, it } from 'vitest';
import { CapType } from '../src/kernel/cap-types.js';
import { FaultType } from '../src/kernel/faults.js';
import { EndpointObject, SchedContextObject, TcbObject, TcbSlot, ThreadState, type Refill } from '../src/kernel/objects.js';
import { tcbSchedAppend } from '../src/kernel/scheduler.js';
import { chargeBudget, checkBudget, commitTime, postpone, refillNew, refillReady, refillSufficient, refillUnblockCheck, refillUpdate, setNextInterrupt } from '../src/kernel/sporadic.js';
import { type KernelState, MIN_BUDGET } from '../src/kernel/state.js';
import { kernelAt } from './helpers/kernel-state.js';

// Budgets and refills, step by step against seL4's src/kernel/sporadic.c (refill_new,
// refill_update, refill_budget_check with handle_overrun, schedule_used and
// merge_nonoverlapping_head_refill, refill_unblock_check) and the MCS parts of thread.c
// (commitTime, checkBudget, chargeBudget, endTimeslice, setNextInterrupt). Times are in timer
// ticks; MIN_BUDGET is 1250 ticks (20 µs at 62.5 MHz). Each expected refill list is worked out
// by hand from the C code.

/** A scheduling context with these refills (head first); period 0 is round robin. */
function schedContext(period: number, refillMax: number, refills: [number, number][]): SchedContextObject {
  const sc = new SchedContextObject(0x1000, 8);
  sc.period = period;
  sc.refillMax = refillMax;
  sc.sporadic = period !== 0;
  sc.budget = refills.reduce((sum, [, amount]) => sum + amount, 0);
  for (const [time, amount] of refills) sc.refills.push({ time, amount });
  return sc;
}

const pairs = (refills: Refill[]): [number, number][] => refills.map((r) => [r.time, r.amount]);

/** A running thread on `sc`, current in `k`. */
function running(k: KernelState, sc: SchedContextObject): TcbObject {
  const t = new TcbObject(0x2000, 11);
  t.state = ThreadState.Running;
  t.sc = sc;
  sc.tcb = t;
  k.curThread = t;
  k.curSC = sc;
  return t;
}

describe('refill_new and refill_update', () => {
  it('refill_new: the whole budget from now; a round-robin context gets an empty tail', () => {
    const { k } = kernelAt(1000);
    const sc = new SchedContextObject(0x1000, 8);
    refillNew(k, sc, 5, 3000, 10_000);
    expect([sc.period, sc.budget, sc.refillMax, pairs(sc.refills)]).toEqual([10_000, 3000, 5, [[1000, 3000]]]);
    refillNew(k, sc, 2, 4000, 0);
    expect([sc.period, sc.budget, sc.refillMax, pairs(sc.refills)]).toEqual([
      0,
      4000,
      2,
      [
        [1000, 4000],
        [1000, 0],
      ],
    ]);
  });

  it('refill_update keeps the head: a ready head starts now and is trimmed to the new budget', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(10_000, 3, [
      [500, 4000],
      [9000, 1000],
    ]);
    refillUpdate(k, sc, 20_000, 3000, 4);
    expect([sc.period, sc.budget, sc.refillMax, pairs(sc.refills)]).toEqual([20_000, 3000, 4, [[1000, 3000]]]);
    // Made round robin: the empty tail that tracks used time.
    const rr = schedContext(10_000, 3, [
      [500, 4000],
      [9000, 1000],
    ]);
    refillUpdate(k, rr, 0, 3000, 2);
    expect(pairs(rr.refills)).toEqual([
      [1000, 3000],
      [1000, 0],
    ]);
  });

  it('refill_update: a head equal to the new budget is kept whole, a smaller one gets the rest a period later', () => {
    const { k } = kernelAt(1000);
    const equal = schedContext(10_000, 3, [[500, 3000]]);
    refillUpdate(k, equal, 20_000, 3000, 4);
    expect(pairs(equal.refills)).toEqual([[1000, 3000]]);
    // A head not yet released keeps its time; the missing 1000 comes one new period after it.
    const later = schedContext(10_000, 3, [
      [5000, 2000],
      [12_000, 1000],
    ]);
    refillUpdate(k, later, 20_000, 3000, 4);
    expect(pairs(later.refills)).toEqual([
      [5000, 2000],
      [25_000, 1000],
    ]);
  });
});

describe('commitTime and refill_budget_check', () => {
  it('charges a partial use to the head and schedules it a period after the head released', () => {
    const { k } = kernelAt(1500);
    const sc = schedContext(10_000, 4, [[0, 4000]]);
    running(k, sc);
    k.consumed = 1500;
    commitTime(k);
    expect([pairs(sc.refills), sc.consumed, k.consumed]).toEqual([
      [
        [1500, 2500],
        [10_000, 1500],
      ],
      1500,
      0,
    ]);
    // schedule_used: a used chunk that starts exactly where the tail ends merges into it.
    k.curTime = 2500;
    k.consumed = 1000;
    commitTime(k);
    expect(pairs(sc.refills)).toEqual([
      [2500, 1500],
      [10_000, 2500],
    ]);
    // merge_nonoverlapping_head_refill: a head below MIN_BUDGET joins the next refill, which
    // moves earlier by the head's amount so that it ends no later.
    k.curTime = 3000;
    k.consumed = 500;
    commitTime(k);
    expect(pairs(sc.refills)).toEqual([[9000, 4000]]);
    expect(sc.consumed).toBe(3000);
  });

  it('handle_overrun: a used-up head moves a period on; a full list delays its tail to merge', () => {
    const { k } = kernelAt(2500);
    const sc = schedContext(10_000, 2, [
      [0, 2000],
      [5000, 2000],
    ]);
    running(k, sc);
    k.consumed = 2500;
    commitTime(k);
    // The head (0, 2000) is used up: it comes back at 10000 behind (5000, 2000); the remaining
    // 500 is charged to the new head, and the list being full, the tail moves to 15000 − 2000.
    expect(pairs(sc.refills)).toEqual([
      [5500, 1500],
      [13_000, 2500],
    ]);
    // A single refill used up exactly: it moves a period on, whole.
    const single = schedContext(10_000, 1, [[0, 3000]]);
    running(k, single);
    k.consumed = 3000;
    commitTime(k);
    expect(pairs(single.refills)).toEqual([[10_000, 3000]]);
  });

  it('a round-robin context moves used time from the head to the tail; the idle and unconfigured contexts charge nothing', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(0, 2, [
      [0, 3000],
      [0, 0],
    ]);
    running(k, sc);
    k.consumed = 1000;
    commitTime(k);
    expect([pairs(sc.refills), sc.consumed, k.consumed]).toEqual([
      [
        [0, 2000],
        [0, 1000],
      ],
      1000,
      0,
    ]);
    k.curSC = k.idleSC;
    k.consumed = 700;
    commitTime(k);
    expect([k.idleSC.consumed, k.consumed]).toEqual([0, 0]);
    const unconfigured = schedContext(10_000, 0, [[0, 3000]]);
    k.curSC = unconfigured;
    k.consumed = 700;
    commitTime(k);
    expect([pairs(unconfigured.refills), unconfigured.consumed, k.consumed]).toEqual([[[0, 3000]], 0, 0]);
  });
});

describe('refill_unblock_check', () => {
  it('starts a ready head now and merges every refill that begins by the end of the head', () => {
    const { k } = kernelAt(3000);
    const sc = schedContext(10_000, 5, [
      [1000, 1500],
      [2000, 1000],
      [5500, 500],
      [9000, 500],
    ]);
    k.reprogram = false;
    refillUnblockCheck(k, sc);
    // (3000, 1500) overlaps (2000, 1000): (3000, 2500), which ends at 5500 where the next starts.
    expect(pairs(sc.refills)).toEqual([
      [3000, 3000],
      [9000, 500],
    ]);
    expect(k.reprogram).toBe(true);
  });

  it('leaves a head not yet released, and round-robin contexts, alone', () => {
    const { k } = kernelAt(3000);
    const sc = schedContext(10_000, 5, [
      [4000, 1500],
      [4500, 1000],
    ]);
    k.reprogram = false;
    refillUnblockCheck(k, sc);
    expect([pairs(sc.refills), k.reprogram]).toEqual([
      [
        [4000, 1500],
        [4500, 1000],
      ],
      false,
    ]);
    const rr = schedContext(0, 2, [
      [1000, 1500],
      [1000, 1000],
    ]);
    refillUnblockCheck(k, rr);
    expect([pairs(rr.refills), k.reprogram]).toEqual([
      [
        [1000, 1500],
        [1000, 1000],
      ],
      false,
    ]);
  });

  it('refill_ready and refill_sufficient at their boundaries', () => {
    const { k } = kernelAt(3000);
    expect(refillReady(k, schedContext(10_000, 2, [[3000, 2000]]))).toBe(true);
    expect(refillReady(k, schedContext(10_000, 2, [[3001, 2000]]))).toBe(false);
    const sc = schedContext(10_000, 2, [[0, MIN_BUDGET + 100]]);
    expect(refillSufficient(sc, 100)).toBe(true);
    expect(refillSufficient(sc, 101)).toBe(false);
    // Usage beyond the head leaves no capacity (not a negative one).
    expect(refillSufficient(schedContext(10_000, 2, [[0, MIN_BUDGET]]), MIN_BUDGET + 1)).toBe(false);
  });
});

describe('checkBudget and chargeBudget', () => {
  it('a round-robin thread whose head is used up gets its tail back and goes to the end of its queue', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(0, 2, [
      [0, 1000],
      [0, 2000],
    ]);
    const t = running(k, sc);
    k.consumed = 1000;
    k.reprogram = false;
    expect(checkBudget(k)).toBe(false);
    expect([pairs(sc.refills), sc.consumed, k.consumed]).toEqual([
      [
        [0, 3000],
        [0, 0],
      ],
      1000,
      0,
    ]);
    expect([t.queued, k.readyQueues[t.priority], k.action, k.reprogram]).toEqual([true, [t], 'choose', true]);
  });

  it('a sporadic thread without a timeout handler whose refill is not ready waits in the release queue', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(10_000, 4, [[0, 1500]]);
    const t = running(k, sc);
    k.consumed = 1000;
    expect(checkBudget(k)).toBe(false);
    // 1000 used: (1000, 500) and (10000, 1000); the head is below MIN_BUDGET: (9500, 1500).
    expect(pairs(sc.refills)).toEqual([[9500, 1500]]);
    expect([t.queued, t.inReleaseQueue, k.releaseQueue, k.action]).toEqual([false, true, [t], 'choose']);
  });

  it('goes on while the head covers the consumed time plus MIN_BUDGET, and always on the idle context', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(10_000, 4, [[0, MIN_BUDGET + 500]]);
    running(k, sc);
    k.consumed = 500;
    expect(checkBudget(k)).toBe(true);
    expect([pairs(sc.refills), k.consumed, k.action]).toEqual([[[0, MIN_BUDGET + 500]], 500, 'resume']);
    k.curSC = k.idleSC;
    k.consumed = 1e9;
    expect(checkBudget(k)).toBe(true);
  });

  it('with domains, stops at the end of the domain slot even with budget left', () => {
    const { k } = kernelAt(1000, 2);
    const sc = schedContext(10_000, 4, [[0, 5000]]);
    running(k, sc);
    k.domainTime = 0;
    k.reprogram = false;
    expect(checkBudget(k)).toBe(false);
    expect([k.action, k.reprogram, pairs(sc.refills)]).toEqual(['choose', true, [[0, 5000]]]);
  });
});

describe('setNextInterrupt', () => {
  const ENABLE = 1;

  it('programs the end of the head refill, or the next release if earlier', () => {
    const { k, timer } = kernelAt(1000);
    running(k, schedContext(10_000, 2, [[0, 2000]]));
    setNextInterrupt(k);
    const waiting = new TcbObject(0x3000, 11);
    waiting.sc = schedContext(10_000, 2, [[2500, 1000]]);
    k.releaseQueue.push(waiting);
    setNextInterrupt(k);
    waiting.sc.refills[0]!.time = 3500;
    setNextInterrupt(k);
    expect(timer).toEqual([
      [ENABLE, 3000],
      [ENABLE, 2500],
      [ENABLE, 3000],
    ]);
  });

  it('switches the timer off for the idle thread with no release pending, and stops at the end of a domain slot', () => {
    const { k, timer } = kernelAt(1000, 2);
    k.domainTime = 10_000;
    setNextInterrupt(k);
    running(k, schedContext(10_000, 2, [[0, 2000]]));
    k.domainTime = 500;
    setNextInterrupt(k);
    expect(timer).toEqual([
      [ENABLE, 11_000],
      [ENABLE, 1500],
    ]);
    const single = kernelAt(1000);
    setNextInterrupt(single.k);
    expect(single.timer).toEqual([[0, 0]]);
  });
});

describe('boundaries, the idle context and timeout handlers', () => {
  it('handle_overrun: a head used up exactly leaves the list before schedule_used, so a full list has room', () => {
    const { k } = kernelAt(2000);
    const sc = schedContext(10_000, 2, [
      [0, 2000],
      [5000, 2000],
    ]);
    running(k, sc);
    k.consumed = 2000;
    commitTime(k);
    expect(pairs(sc.refills)).toEqual([
      [5000, 2000],
      [10_000, 2000],
    ]);
  });

  it('merge_nonoverlapping_head_refill leaves a head of exactly MIN_BUDGET alone', () => {
    const { k } = kernelAt(500);
    const sc = schedContext(10_000, 4, [[0, MIN_BUDGET + 500]]);
    running(k, sc);
    k.consumed = 500;
    commitTime(k);
    expect(pairs(sc.refills)).toEqual([
      [500, MIN_BUDGET],
      [10_000, 500],
    ]);
  });

  it('charges nothing to the idle context, configured as seL4 boots it (refill_new with MIN_REFILLS, round robin)', () => {
    const { k } = kernelAt(1000);
    refillNew(k, k.idleSC, 2, 1_000_000, 0);
    k.consumed = 700;
    commitTime(k);
    const untouched = [
      [
        [1000, 1_000_000],
        [1000, 0],
      ],
      0,
      0,
    ];
    expect([pairs(k.idleSC.refills), k.idleSC.consumed, k.consumed]).toEqual(untouched);
    chargeBudget(k, 700, true);
    expect([pairs(k.idleSC.refills), k.idleSC.consumed, k.consumed]).toEqual(untouched);
  });

  it('with domains, goes on while the domain slot has time left', () => {
    const { k } = kernelAt(1000, 2);
    running(k, schedContext(10_000, 4, [[0, 5000]]));
    k.domainTime = 300;
    expect(checkBudget(k)).toBe(true);
    expect(k.action).toBe('resume');
  });

  it('postpone: from the ready queue to the release queue, and the timer is reprogrammed', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(10_000, 4, [[5000, 2000]]);
    const t = running(k, sc);
    tcbSchedAppend(k, t);
    k.reprogram = false;
    postpone(k, sc);
    expect([t.queued, k.readyQueues[t.priority], k.releaseQueue, k.reprogram]).toEqual([false, [], [t], true]);
  });

  /** Give `t` a timeout handler: an endpoint cap in its TCB's timeout-handler slot. */
  function withTimeoutHandler(t: TcbObject): EndpointObject {
    const ep = new EndpointObject(0x9000, 4);
    t.ctes.slots[TcbSlot.TimeoutHandler]!.cap = { type: CapType.Endpoint, obj: ep, badge: 0n, canSend: true, canReceive: false, canGrant: false, canGrantReply: false };
    return ep;
  }

  it('a sporadic thread with a timeout handler sends it a Timeout fault with its context’s badge', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(10_000, 4, [[0, 1500]]);
    sc.badge = 0x77n;
    const t = running(k, sc);
    const ep = withTimeoutHandler(t);
    k.consumed = 1000;
    expect(checkBudget(k)).toBe(false);
    expect([t.state, t.fault, ep.queue, t.inReleaseQueue, k.action]).toEqual([ThreadState.BlockedOnSend, { type: FaultType.Timeout, badge: 0x77n }, [t], false, 'choose']);
  });

  it('no Timeout fault for a round-robin thread, nor where the charge may not fault (Yield)', () => {
    const { k } = kernelAt(1000);
    const rr = schedContext(0, 2, [
      [0, 1000],
      [0, 2000],
    ]);
    const t = running(k, rr);
    const ep = withTimeoutHandler(t);
    k.consumed = 1000;
    expect(checkBudget(k)).toBe(false);
    expect([t.fault, ep.queue, t.queued]).toEqual([undefined, [], true]);
    // handleYield: chargeBudget(head amount, false); the head moves a period on, so the thread waits.
    const sporadic = schedContext(10_000, 4, [[0, 1500]]);
    const u = running(k, sporadic);
    const uep = withTimeoutHandler(u);
    chargeBudget(k, 1500, false);
    expect([u.fault, uep.queue, u.inReleaseQueue, pairs(sporadic.refills)]).toEqual([undefined, [], true, [[10_000, 1500]]]);
  });

  it('charges a current thread that is no longer schedulable without queueing it', () => {
    const { k } = kernelAt(1000);
    const sc = schedContext(10_000, 4, [[0, 4000]]);
    const t = running(k, sc);
    t.state = ThreadState.BlockedOnReceive;
    chargeBudget(k, 1000, false);
    expect([pairs(sc.refills), sc.consumed, t.queued, t.inReleaseQueue, k.action]).toEqual([
      [
        [1000, 3000],
        [10_000, 1000],
      ],
      1000,
      false,
      false,
      'resume',
    ]);
  });
});
