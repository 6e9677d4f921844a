import { describe, expect, it } from 'vitest';
import { ObjectType } from '../src/kernel/object-types.js';
import { ThreadState } from '../src/kernel/objects.js';
import { ROLE, TestSystem, type Thread } from './helpers/kernel-system.js';

/**
 * A misbehaving program never crashes or wedges the kernel: threads make random system
 * calls, with random registers, message words and cptrs, on caps to every kind of object
 * (including an untyped, their own CNode and the SchedControl cap). Whenever a thread
 * faults or blocks, the root task restarts it with a new seed, as a monitor would.
 */
describe('random system calls', () => {
  for (const seed of (process.env.SOAK ? Array.from({ length: Number(process.env.SOAK) }, (_, i) => i + 1) : [1, 2, 3])) {
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
      // The scheduler's queues hold only schedulable, queued threads.
      for (const t of sys.kernel.state.readyQueues.flat()) expect(t.queued).toBe(true);
    });
  }
});
