import { describe, expect, it } from 'vitest';
import { ObjectType } from '../src/kernel/object-types.js';
import { ThreadState, type TcbObject } from '../src/kernel/objects.js';
import { isRunnable } from '../src/kernel/scheduler.js';
import type { KernelState } from '../src/kernel/state.js';
import { ROLE, TestSystem, type Thread } from './helpers/kernel-system.js';

/**
 * A misbehaving program never crashes or wedges the kernel: threads make random system
 * calls, with random registers, message words and cptrs, on caps to every kind of object
 * (including an untyped, their own CNode and the SchedControl cap). Whenever a thread
 * faults or blocks, the root task restarts it with a new seed, as a monitor would.
 */
const PRIORITIES = 256;

/**
 * seL4's ready-queue invariants (valid_queues, valid_bitmaps): a thread is in exactly the queue
 * of its domain and priority when its `queued` flag says so, only runnable threads with a
 * scheduling context are queued, and the bitmaps have a bit exactly for the non-empty queues and words.
 * Returns the number of queued threads, so a caller can see that the check checked something.
 */
function checkReadyQueues(k: KernelState, tcbs: readonly TcbObject[]): number {
  const seen = new Set<TcbObject>();
  k.readyQueues.forEach((q, index) => {
    const domain = Math.floor(index / PRIORITIES);
    const priority = index % PRIORITIES;
    const bit = ((k.readyBitmap[domain * 8 + (priority >>> 5)]! >>> (priority & 31)) & 1) === 1;
    expect(bit, `bitmap bit of domain ${domain} priority ${priority}`).toBe(q.length > 0);
    for (const t of q) {
      expect(seen.has(t), `${t.name} queued twice`).toBe(false);
      seen.add(t);
      expect(t.queued).toBe(true);
      expect([t.domain, t.priority]).toEqual([domain, priority]);
      expect(isRunnable(t), `${t.name} queued in state ${t.state}`).toBe(true);
      expect(t.sc, `${t.name} queued without a scheduling context`).toBeDefined();
    }
  });
  for (const t of tcbs) expect(t.queued, `${t.name}: queued flag without being in a queue`).toBe(seen.has(t));
  // The level-1 bitmap (ksReadyQueuesL1Bitmap): a bit exactly for each non-zero word.
  for (let domain = 0; domain < k.readyL1.length; domain++) {
    for (let w = 0; w < 8; w++) expect(((k.readyL1[domain]! >>> w) & 1) === 1, `L1 bit of domain ${domain} word ${w}`).toBe(k.readyBitmap[domain * 8 + w] !== 0);
  }
  return seen.size;
}

describe('random system calls', () => {
  for (const seed of process.env.SOAK ? Array.from({ length: Number(process.env.SOAK) }, (_, i) => i + 1) : [1, 2, 3]) {
    it(`seed ${seed}: the kernel survives and stays consistent`, () => {
      const sys = new TestSystem();
      const ep = sys.create(ObjectType.Endpoint);
      const ntfn = sys.create(ObjectType.Notification);
      const caps = () => ({ 1: ep, 2: ntfn, 3: { slot: ep, badge: 5 }, 5: sys.create(ObjectType.Untyped, 16), 7: sys.kernel.bootInfo.schedControl, 12: sys.create(ObjectType.SmallPage) });
      const fuzzers: Thread[] = [
        sys.thread({ role: ROLE.fuzz, param: seed, caps: caps(), priority: 100, faultEndpoint: ep }),
        sys.thread({ role: ROLE.fuzz, param: seed + 1000, caps: caps(), priority: 100 }),
        sys.thread({ role: ROLE.fuzz, param: seed + 2000, caps: caps(), priority: 90, boundNotification: ntfn }),
      ];
      const entry = BigInt(fuzzers[0]!.tcb.context.pc);
      const sp = fuzzers[0]!.tcb.context.x[31]!;
      let restarts = 0;
      // Checked at every thread switch, while threads are queued behind the one that runs.
      let queuedSeen = 0;
      const k = sys.kernel.state;
      k.trace.switchTo = () => void (queuedSeen += checkReadyQueues(k, k.debugTcbs));
      for (let round = 0; round < 150; round++) {
        const end = sys.run(1_000_000);
        if (end.reason === 'halt') {
          expect(end.message).toMatch(/not modelled/);
          break;
        }
        fuzzers.forEach((t, i) => {
          if (t.tcb.state === ThreadState.Running || t.tcb.state === ThreadState.Restart) return;
          // Only while its TCB cap still exists (a fuzzer may not reach it; the root task can).
          const r = sys.kernel.invoke(t.tcbSlot, 'TCBWriteRegisters', [1, 5, entry, sp, 0, ROLE.fuzz, seed * 7919 + round * 31 + i]);
          if (r.ok) restarts++;
        });
      }
      const syscalls = fuzzers.reduce((n, t) => n + t.tcb.stats.syscalls, 0);
      if (process.env.SOAK) console.log(seed, syscalls, restarts);
      expect(syscalls).toBeGreaterThan(300);
      expect(restarts).toBeGreaterThan(20);
      // The invariants held after every round, and the rounds had queued threads to check.
      expect(queuedSeen).toBeGreaterThan(0);
    });
  }
});
