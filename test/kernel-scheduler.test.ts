import { describe, expect, it } from 'vitest';
import { SchedContextObject, TcbObject, ThreadState } from '../src/kernel/objects.js';
import {
  activateThread,
  chooseThread,
  isHighestPrio,
  isSchedulable,
  isStopped,
  possibleSwitchTo,
  rescheduleRequired,
  schedule,
  scReady,
  setThreadState,
  tcbEPAppend,
  tcbEPDequeue,
  tcbReleaseEnqueue,
  tcbReleaseRemove,
  tcbSchedAppend,
  tcbSchedDequeue,
  tcbSchedEnqueue,
} from '../src/kernel/scheduler.js';
import { type KernelState, MIN_BUDGET } from '../src/kernel/state.js';
import { kernelAt } from './helpers/kernel-state.js';

// The MCS scheduler step by step against seL4's src/kernel/thread.c and src/object/tcb.c:
// ready queues and their two-level bitmap (getHighestPrio), tcbEPAppend's priority order,
// the release queue, rescheduleRequired, possibleSwitchTo, and schedule()'s choice between the
// current thread and a candidate (fastfail, equal priorities), domains and awaken.

let nextAddress = 0x10_0000;

/** A running thread at `priority` with a round-robin context whose whole budget is ready. */
function thread(priority: number, opts: { domain?: number; release?: number; amount?: number } = {}): TcbObject {
  const t = new TcbObject((nextAddress += 0x1000), 11);
  t.name = `p${priority}`;
  t.priority = priority;
  t.domain = opts.domain ?? 0;
  t.state = ThreadState.Running;
  const sc = new SchedContextObject((nextAddress += 0x1000), 8);
  sc.refillMax = 2;
  sc.refills.push({ time: opts.release ?? 0, amount: opts.amount ?? 10_000 }, { time: opts.release ?? 0, amount: 0 });
  sc.tcb = t;
  t.sc = sc;
  return t;
}

const names = (q: readonly TcbObject[]) => q.map((t) => t.name);

describe('ready queues', () => {
  it('choose the head of the highest non-empty priority, across the bitmap words', () => {
    const { k } = kernelAt(0);
    const ts = [0, 31, 32, 40, 200, 255].map((p) => thread(p));
    for (const t of ts) tcbSchedAppend(k, t);
    const order: string[] = [];
    for (let i = 0; i < ts.length; i++) {
      chooseThread(k);
      order.push(k.curThread.name);
    }
    expect(order).toEqual(['p255', 'p200', 'p40', 'p32', 'p31', 'p0']);
    chooseThread(k);
    expect(k.curThread).toBe(k.idleThread);
  });

  it('keep a priority marked while another thread of it, or of its bitmap word, is ready', () => {
    const { k } = kernelAt(0);
    const [a, b, c, d] = [thread(40), thread(40), thread(33), thread(3)];
    for (const t of [a!, b!, c!, d!]) tcbSchedAppend(k, t);
    tcbSchedDequeue(k, a!);
    expect(isHighestPrio(k, 0, 39)).toBe(false);
    tcbSchedDequeue(k, b!);
    expect([isHighestPrio(k, 0, 32), isHighestPrio(k, 0, 33)]).toEqual([false, true]);
    tcbSchedDequeue(k, c!);
    expect([isHighestPrio(k, 0, 2), isHighestPrio(k, 0, 3)]).toEqual([false, true]);
    tcbSchedDequeue(k, d!);
    expect(isHighestPrio(k, 0, 0)).toBe(true);
    // Dequeuing a thread that is not queued changes nothing.
    tcbSchedAppend(k, d!);
    tcbSchedDequeue(k, a!);
    expect(isHighestPrio(k, 0, 2)).toBe(false);
  });

  it('enqueue puts a thread at the head, append at the tail, and neither queues it twice', () => {
    const { k } = kernelAt(0);
    const [a, b, c] = [thread(7), thread(7), thread(7)];
    tcbSchedAppend(k, a!);
    tcbSchedAppend(k, b!);
    tcbSchedEnqueue(k, c!);
    tcbSchedEnqueue(k, a!);
    tcbSchedAppend(k, c!);
    expect(names(k.readyQueues[7]!)).toEqual(['p7', 'p7', 'p7']);
    expect(k.readyQueues[7]).toEqual([c, a, b]);
    tcbSchedDequeue(k, a!);
    expect(k.readyQueues[7]).toEqual([c, b]);
    expect([a!.queued, b!.queued, c!.queued]).toEqual([false, true, true]);
  });

  it('are per domain', () => {
    const { k } = kernelAt(0, 2);
    tcbSchedAppend(k, thread(9, { domain: 1 }));
    expect([isHighestPrio(k, 0, 0), isHighestPrio(k, 1, 8)]).toEqual([true, false]);
    chooseThread(k);
    expect(k.curThread).toBe(k.idleThread);
  });
});

describe('endpoint and release queues', () => {
  it('tcbEPAppend: after every thread of higher or equal priority', () => {
    const q: TcbObject[] = [];
    const ts = [5, 7, 5, 3, 7, 9].map((p, i) => Object.assign(thread(p), { name: `${p}.${i}` }));
    for (const t of ts) tcbEPAppend(t, q);
    expect(names(q)).toEqual(['9.5', '7.1', '7.4', '5.0', '5.2', '3.3']);
    for (const i of [1, 5, 3]) tcbEPDequeue(ts[i]!, q);
    expect(names(q)).toEqual(['7.4', '5.0', '5.2']);
    tcbEPDequeue(ts[1]!, q);
    expect(q.length).toBe(3);
  });

  it('tcbReleaseEnqueue: by head refill time, FIFO among equals; reprogram only for a new head', () => {
    const { k } = kernelAt(0);
    const at = (time: number, name: string) => Object.assign(thread(1, { release: time }), { name });
    const [a, b, c, d] = [at(500, 'a'), at(300, 'b'), at(500, 'c'), at(100, 'd')];
    k.reprogram = false;
    tcbReleaseEnqueue(k, a!);
    expect(k.reprogram).toBe(true);
    k.reprogram = false;
    tcbReleaseEnqueue(k, b!);
    expect(k.reprogram).toBe(true);
    k.reprogram = false;
    tcbReleaseEnqueue(k, c!);
    expect(k.reprogram).toBe(false);
    tcbReleaseEnqueue(k, d!);
    expect([names(k.releaseQueue), k.reprogram, c!.inReleaseQueue]).toEqual([['d', 'b', 'a', 'c'], true, true]);
    k.reprogram = false;
    tcbReleaseRemove(k, a!);
    expect([names(k.releaseQueue), k.reprogram, a!.inReleaseQueue]).toEqual([['d', 'b', 'c'], false, false]);
    tcbReleaseRemove(k, a!);
    expect(names(k.releaseQueue)).toEqual(['d', 'b', 'c']);
    tcbReleaseRemove(k, d!);
    expect([names(k.releaseQueue), k.reprogram]).toEqual([['b', 'c'], true]);
  });
});

describe('scheduler actions', () => {
  it('isSchedulable and isStopped by thread state, context and release queue', () => {
    const t = thread(1);
    expect(isSchedulable(t)).toBe(true);
    t.state = ThreadState.Restart;
    expect(isSchedulable(t)).toBe(true);
    t.inReleaseQueue = true;
    expect(isSchedulable(t)).toBe(false);
    t.inReleaseQueue = false;
    t.sc!.refillMax = 0;
    expect(isSchedulable(t)).toBe(false);
    t.sc = undefined;
    expect(isSchedulable(t)).toBe(false);
    const states = [ThreadState.Inactive, ThreadState.Running, ThreadState.Restart, ThreadState.BlockedOnReceive, ThreadState.BlockedOnSend, ThreadState.BlockedOnReply, ThreadState.BlockedOnNotification, ThreadState.IdleThreadState];
    expect(states.map((s) => isStopped(Object.assign(thread(1), { state: s })))).toEqual([true, false, false, true, true, true, true, false]);
    expect(states.map((s) => isSchedulable(Object.assign(thread(1), { state: s })))).toEqual([false, true, true, false, false, false, false, false]);
  });

  it('rescheduleRequired enqueues a schedulable candidate, and only that', () => {
    const { k } = kernelAt(0);
    const t = thread(4);
    k.action = t;
    rescheduleRequired(k);
    expect([k.action, k.readyQueues[4]]).toEqual(['choose', [t]]);
    const blocked = Object.assign(thread(5), { state: ThreadState.BlockedOnReceive });
    k.action = blocked;
    rescheduleRequired(k);
    expect([k.action, k.readyQueues[5]]).toEqual(['choose', []]);
    k.action = 'resume';
    rescheduleRequired(k);
    expect(k.action).toBe('choose');
  });

  it('setThreadState asks for a new choice when the current thread stops being schedulable', () => {
    const { k } = kernelAt(0);
    const [cur, other] = [thread(3), thread(3)];
    k.curThread = cur!;
    setThreadState(k, other!, ThreadState.BlockedOnSend);
    expect(k.action).toBe('resume');
    setThreadState(k, cur!, ThreadState.Restart);
    expect(k.action).toBe('resume');
    setThreadState(k, cur!, ThreadState.BlockedOnReply);
    expect([k.action, cur!.state]).toEqual(['choose', ThreadState.BlockedOnReply]);
    k.action = cur!;
    setThreadState(k, cur!, ThreadState.Inactive);
    expect(k.action).toBe(cur);
  });

  it('possibleSwitchTo: another domain queues, a pending action queues both, else the target is the action', () => {
    const { k } = kernelAt(0, 2);
    const none = thread(2);
    none.sc = undefined;
    possibleSwitchTo(k, none);
    const waiting = Object.assign(thread(2), { inReleaseQueue: true });
    possibleSwitchTo(k, waiting);
    expect([k.action, k.readyQueues[2]]).toEqual(['resume', []]);
    const away = thread(2, { domain: 1 });
    possibleSwitchTo(k, away);
    expect([k.action, k.readyQueues[256 + 2]]).toEqual(['resume', [away]]);
    const [t, u] = [thread(6), thread(8)];
    possibleSwitchTo(k, t!);
    expect(k.action).toBe(t);
    possibleSwitchTo(k, u!);
    expect([k.action, k.readyQueues[6], k.readyQueues[8]]).toEqual(['choose', [t], [u]]);
  });
});

describe('schedule()', () => {
  /** The current thread `cur` (running, not queued), a candidate as the action, other ready threads. */
  function scene(curPrio: number | 'idle', candidatePrio: number, ready: number[] = []) {
    const { k, timer } = kernelAt(0);
    const cur = curPrio === 'idle' ? k.idleThread : thread(curPrio);
    k.curThread = cur;
    k.curSC = cur.sc!;
    const candidate = Object.assign(thread(candidatePrio), { name: 'candidate' });
    for (const p of ready) tcbSchedAppend(k, thread(p));
    k.action = candidate;
    schedule(k);
    return { k, cur, candidate, timer };
  }

  it('switches to a candidate of higher priority and keeps the current thread at the head of its queue', () => {
    const { k, cur, candidate } = scene(10, 20, [10]);
    expect([k.curThread, k.action, k.readyQueues[10]![0], candidate.queued]).toEqual([candidate, 'resume', cur, false]);
  });

  it('fastfail: a candidate below the current thread goes to its queue when something above it is ready', () => {
    const { k, cur, candidate } = scene(10, 5);
    expect([k.curThread, k.readyQueues[5], cur.queued]).toEqual([cur, [candidate], false]);
  });

  it('a candidate of the current thread’s priority goes behind it', () => {
    const { k, cur, candidate } = scene(10, 10);
    expect([k.curThread, k.readyQueues[10]]).toEqual([cur, [candidate]]);
  });

  it('from idle: the candidate unless a thread above it is ready', () => {
    const up = scene('idle', 5, [3]);
    expect(up.k.curThread).toBe(up.candidate);
    const over = scene('idle', 5, [6]);
    expect([over.k.curThread.name, over.k.readyQueues[5]]).toEqual(['p6', [over.candidate]]);
    // Equal priority is not above it: the candidate runs.
    const equal = scene('idle', 5, [5]);
    expect(equal.k.curThread).toBe(equal.candidate);
  });

  it('a current thread that is not schedulable is not queued again', () => {
    const { k } = kernelAt(0);
    const cur = Object.assign(thread(10), { state: ThreadState.BlockedOnReceive });
    k.curThread = cur;
    const other = thread(10);
    k.action = other;
    schedule(k);
    expect([k.curThread, cur.queued, k.readyQueues[10]]).toEqual([other, false, []]);
  });

  it('switches scheduling context, charges the time consumed and programs the timer once', () => {
    const { k, timer } = kernelAt(1000);
    const cur = thread(10);
    k.curThread = cur;
    k.curSC = cur.sc!;
    k.consumed = 400;
    k.reprogram = false;
    const next = thread(20, { amount: 3000 });
    k.action = next;
    schedule(k);
    expect([k.curSC, k.reprogram, k.consumed, cur.sc!.refills.map((r) => r.amount)]).toEqual([next.sc, false, 0, [9600, 400]]);
    expect(timer).toEqual([[1, 4000]]);
    // Resuming the same thread and context: no charge, no timer write.
    k.consumed = 100;
    schedule(k);
    expect([k.consumed, timer.length]).toEqual([100, 1]);
  });

  it('awaken: every thread whose refill is ready leaves the release queue; the others stay', () => {
    const { k } = kernelAt(1000);
    k.curThread = k.idleThread;
    const [a, b, c] = [thread(3, { release: 500 }), thread(4, { release: 1000 }), thread(5, { release: 1001 })];
    for (const t of [a!, b!, c!]) tcbReleaseEnqueue(k, t);
    schedule(k);
    expect([names(k.releaseQueue), a!.inReleaseQueue, b!.inReleaseQueue, c!.inReleaseQueue]).toEqual([['p5'], false, false, true]);
    expect([k.curThread, k.readyQueues[3]]).toEqual([b, [a]]);
  });

  it('at the end of a domain’s slot, chooses in the next domain of the schedule, wrapping around', () => {
    const { k } = kernelAt(0, 2);
    k.domainSchedule = [
      { domain: 0, length: 100 },
      { domain: 1, length: 200 },
    ];
    const [zero, one] = [thread(1, { domain: 0 }), thread(1, { domain: 1 })];
    tcbSchedAppend(k, zero!);
    tcbSchedAppend(k, one!);
    k.domainTime = 0;
    schedule(k);
    expect([k.domainIndex, k.curDomain, k.domainTime, k.curThread]).toEqual([1, 1, 200, one]);
    k.domainTime = 0;
    schedule(k);
    expect([k.domainIndex, k.curDomain, k.domainTime, k.curThread]).toEqual([0, 0, 100, zero]);
  });

  it('activateThread: a restarted thread resumes at its fault IP, running', () => {
    const { k } = kernelAt(0);
    const t = Object.assign(thread(1), { state: ThreadState.Restart });
    t.faultIP = 0x4000_1234n;
    k.curThread = t;
    activateThread(k);
    expect([t.state, t.context.pc]).toEqual([ThreadState.Running, 0x4000_1234n]);
    t.faultIP = 0x4000_2000n;
    activateThread(k);
    expect(t.context.pc).toBe(0x4000_1234n);
  });

  it('scReady: released and holding at least MIN_BUDGET', () => {
    const { k } = kernelAt(1000);
    expect(scReady(k, thread(1, { release: 1000, amount: MIN_BUDGET }).sc!)).toBe(true);
    expect(scReady(k, thread(1, { release: 1001, amount: MIN_BUDGET }).sc!)).toBe(false);
    expect(scReady(k, thread(1, { release: 0, amount: MIN_BUDGET - 1 }).sc!)).toBe(false);
  });
});

describe('schedule(): what seL4 leaves as it is', () => {
  it('switches to a candidate above the current thread without looking at the bitmap (fastfail is false)', () => {
    // seL4 skips the bitmap when the current thread is of lower priority, to match the fast
    // path: a ready thread above the candidate does not run yet.
    const { k } = kernelAt(0);
    const cur = thread(10);
    k.curThread = cur;
    k.curSC = cur.sc!;
    tcbSchedAppend(k, thread(30));
    const candidate = thread(20);
    k.action = candidate;
    schedule(k);
    expect(k.curThread).toBe(candidate);
  });

  it('an equal-priority candidate goes behind the current thread even when a higher thread is chosen', () => {
    const { k } = kernelAt(0);
    const cur = thread(10);
    k.curThread = cur;
    k.curSC = cur.sc!;
    const high = thread(30);
    tcbSchedAppend(k, high);
    const candidate = thread(10);
    k.action = candidate;
    schedule(k);
    expect([k.curThread, k.readyQueues[10]]).toEqual([high, [cur, candidate]]);
  });

  /** The current thread resumes; `before` prepares the kernel. Returns the timer writes. */
  function resume(numDomains: number, before: (k: KernelState) => void) {
    const { k, timer } = kernelAt(1000, numDomains);
    const cur = thread(10);
    k.curThread = cur;
    k.curSC = cur.sc!;
    k.reprogram = false;
    k.consumed = 100;
    before(k);
    schedule(k);
    return { k, timer, cur };
  }

  it('neither charges nor reprograms when nothing asks for it', () => {
    // One domain: seL4 never reaches nextDomain (ksDomainTime is not counted down).
    const one = resume(1, (k) => {
      k.action = 'choose';
    });
    expect([one.k.curThread, one.k.consumed, one.timer, one.k.domainIndex]).toEqual([one.cur, 100, [], 0]);
    // Two domains with time left in the slot: the same domain, nothing charged.
    const two = resume(2, (k) => {
      k.domainSchedule = [
        { domain: 0, length: 100 },
        { domain: 1, length: 200 },
      ];
      k.domainTime = 50;
    });
    expect([two.k.consumed, two.timer, two.k.domainIndex, two.k.domainTime]).toEqual([100, [], 0, 50]);
    const chosen = resume(2, (k) => {
      k.domainSchedule = [
        { domain: 0, length: 100 },
        { domain: 1, length: 200 },
      ];
      k.domainTime = 50;
      k.action = 'choose';
    });
    expect([chosen.k.curThread, chosen.k.domainIndex, chosen.k.domainTime]).toEqual([chosen.cur, 0, 50]);
    // The time moved on, but without reprogram the timer keeps its deadline.
    const later = resume(1, (k) => {
      k.curTime = 5000;
    });
    expect(later.timer).toEqual([]);
  });

  it('awaken reprograms the timer even when the current thread goes on', () => {
    const { k, timer, cur } = resume(1, (k) => {
      const waking = thread(5, { release: 900 });
      tcbReleaseEnqueue(k, waking);
      k.reprogram = false;
    });
    // Reprogramming charges the 100 ticks consumed first: the head has 9900 left at 1000.
    expect([k.curThread, k.releaseQueue, timer]).toEqual([cur, [], [[1, 10_900]]]);
  });

  it('merges the ready refills of a constant-bandwidth context it switches to, not of a sporadic one', () => {
    for (const sporadic of [false, true]) {
      const { k } = kernelAt(1000);
      k.curThread = k.idleThread;
      const t = thread(10);
      const sc = t.sc!;
      sc.period = 10_000;
      sc.sporadic = sporadic;
      sc.refills.length = 0;
      sc.refills.push({ time: 500, amount: 1500 }, { time: 1200, amount: 1000 });
      k.action = t;
      schedule(k);
      expect([sporadic, k.curSC === sc, sc.refills.map((r) => [r.time, r.amount])]).toEqual([
        sporadic,
        true,
        sporadic
          ? [
              [500, 1500],
              [1200, 1000],
            ]
          : [[1000, 2500]],
      ]);
    }
  });
});
