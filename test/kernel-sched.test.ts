import { describe, expect, it } from 'vitest';
import { seL4_Error } from '../src/kernel/errors.js';
import { ROOT_SLOT, type InvokeResult } from '../src/kernel/kernel.js';
import { ObjectType } from '../src/kernel/object-types.js';
import { ThreadState } from '../src/kernel/objects.js';
import { MAX_PERIOD_US, MIN_BUDGET_US, usToTicks } from '../src/kernel/state.js';
import { ROLE, TestSystem } from './helpers/kernel-system.js';

/** SchedControl, SchedContext, DomainSet and VSpace invocations: success and every error. */

function errorOf(r: InvokeResult) {
  if (r.ok) throw new Error('accepted');
  return r.error;
}

function setup() {
  const sys = new TestSystem();
  const inv = (cptr: number, label: string, args: (number | bigint)[] = [], extra: number[] = []) => sys.kernel.invoke(cptr, label, args, extra);
  return { sys, inv, control: sys.kernel.bootInfo.schedControl };
}

describe('SchedControl_ConfigureFlags', () => {
  it('checks the arguments in seL4 order', () => {
    const { sys, inv, control } = setup();
    const sc = sys.create(ObjectType.SchedContext, 8);
    const ep = sys.create(ObjectType.Endpoint);
    const range = { error: seL4_Error.RangeError, words: [BigInt(MIN_BUDGET_US), MAX_PERIOD_US] };
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [1000, 1000, 0, 0, 0]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [1000, 1000, 0, 0], [sc]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [MAX_PERIOD_US + 1n, 1000, 0, 0, 0], [sc]))).toEqual(range);
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [1000, MAX_PERIOD_US + 1n, 0, 0, 0], [sc]))).toEqual(range);
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [19, 1000, 0, 0, 0], [sc]))).toEqual(range);
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [1000, 19, 0, 0, 0], [sc]))).toEqual(range);
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [2000, 1000, 0, 0, 0], [sc]))).toEqual({ error: seL4_Error.RangeError, words: [20n, 1000n] });
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [1000, 1000, 0, 0, 0], [ep]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    // A 256-byte SC holds 10 refills: at most 8 extra.
    expect(errorOf(inv(control, 'SchedControlConfigureFlags', [1000, 2000, 9, 0, 0], [sc]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 8n] });
    expect(errorOf(inv(ROOT_SLOT.cnode, 'SchedControlConfigureFlags', [1000, 1000, 0, 0, 0], [sc]))!.error).toBe(seL4_Error.IllegalOperation);
  });

  it('makes round-robin contexts when budget equals period, sporadic ones otherwise', () => {
    const { sys, inv, control } = setup();
    const sc = sys.create(ObjectType.SchedContext, 8);
    const obj = (sys.kernel.rootCNode.slots[sc]!.cap as { obj: import('../src/kernel/objects.js').SchedContextObject }).obj;
    expect(inv(control, 'SchedControlConfigureFlags', [1000, 1000, 5, 0x77, 0], [sc]).ok).toBe(true);
    expect([obj.period, obj.refillMax, obj.refills.length, obj.refills[0]!.amount, obj.badge]).toEqual([0, 2, 2, usToTicks(1000), 0x77n]);
    expect(inv(control, 'SchedControlConfigureFlags', [1000, 4000, 3, 0, 1], [sc]).ok).toBe(true);
    expect([obj.period, obj.refillMax, obj.refills.length, obj.sporadic]).toEqual([usToTicks(4000), 5, 1, true]);
  });
});

describe('SchedContext invocations', () => {
  it('Bind and UnbindObject for threads and notifications, with their errors', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.regs, suspended: true });
    const sc = sys.create(ObjectType.SchedContext, 8);
    const ntfn = sys.create(ObjectType.Notification);
    const ep = sys.create(ObjectType.Endpoint);
    expect(errorOf(inv(sc, 'SchedContextBind'))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(sc, 'SchedContextBind', [], [ep]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(errorOf(inv(sc, 'SchedContextBind', [], [t.tcbSlot]))!.error).toBe(seL4_Error.IllegalOperation); // the TCB has one
    expect(inv(sc, 'SchedContextBind', [], [ntfn]).ok).toBe(true);
    expect(errorOf(inv(sc, 'SchedContextBind', [], [ntfn]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(t.scSlot, 'SchedContextBind', [], [ntfn]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(sc, 'SchedContextUnbindObject'))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(sc, 'SchedContextUnbindObject', [], [t.tcbSlot]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(sc, 'SchedContextUnbindObject', [], [ep]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(inv(sc, 'SchedContextUnbindObject', [], [ntfn]).ok).toBe(true);
    expect(inv(t.scSlot, 'SchedContextUnbindObject', [], [t.tcbSlot]).ok).toBe(true);
    expect(t.tcb.sc).toBeUndefined();
    expect(inv(sc, 'SchedContextBind', [], [t.tcbSlot]).ok).toBe(true);
    expect(t.tcb.sc).toBeDefined();
    expect(inv(sc, 'SchedContextUnbind').ok).toBe(true);
    expect(t.tcb.sc).toBeUndefined();
  });

  it('Consumed replies with the microseconds used since the last query', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.spin, param: 0x2e, priority: 10 });
    sys.run(5_000_000); // 5 ms at 1 GHz
    const first = inv(t.scSlot, 'SchedContextConsumed');
    expect(first.ok && Number(first.words[0])).toBeGreaterThan(3900);
    const second = inv(t.scSlot, 'SchedContextConsumed');
    expect(second).toEqual({ ok: true, words: [0n] });
  });

  it('YieldTo needs a bound context of a thread within the caller’s MCP, not the caller’s own', () => {
    const { sys, inv } = setup();
    const sc = sys.create(ObjectType.SchedContext, 8);
    expect(errorOf(inv(sc, 'SchedContextYieldTo'))!.error).toBe(seL4_Error.IllegalOperation);
    const t = sys.thread({ role: ROLE.regs, priority: 100, suspended: true });
    expect(inv(t.scSlot, 'SchedContextYieldTo')).toEqual({ ok: true, words: [] });
    expect(errorOf(inv(ROOT_SLOT.schedContext, 'SchedContextYieldTo'))!.error).toBe(seL4_Error.IllegalOperation);
  });
});

describe('DomainSet', () => {
  it('sets a thread’s domain within the configured number', () => {
    const sys = new TestSystem({ numDomains: 4 });
    const t = sys.thread({ role: ROLE.regs, suspended: true });
    const inv = (label: string, args: number[], extra: number[] = []) => sys.kernel.invoke(ROOT_SLOT.domain, label, args, extra);
    expect(errorOf(inv('DomainSetSet', []))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv('DomainSetSet', [4], [t.tcbSlot]))).toEqual({ error: seL4_Error.InvalidArgument, words: [0n] });
    expect(errorOf(inv('DomainSetSet', [3]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv('DomainSetSet', [3], [t.scSlot]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
    expect(inv('DomainSetSet', [3], [t.tcbSlot]).ok).toBe(true);
    expect(t.tcb.domain).toBe(3);
  });

  it('runs only the current domain’s threads, switching domains as the schedule says', () => {
    const sys = new TestSystem({ numDomains: 2 });
    const a = sys.thread({ role: ROLE.spin, param: 'a'.charCodeAt(0), priority: 10 });
    const b = sys.thread({ role: ROLE.spin, param: 'b'.charCodeAt(0), priority: 200 });
    sys.invoke(ROOT_SLOT.domain, 'DomainSetSet', [1], [b.tcbSlot]);
    // Domain 0 for 2 ms, domain 1 for 2 ms.
    sys.invoke(ROOT_SLOT.domain, 'DomainScheduleConfigure', [0, 0, usToTicks(2000)]);
    sys.invoke(ROOT_SLOT.domain, 'DomainScheduleConfigure', [1, 1, usToTicks(2000)]);
    sys.invoke(ROOT_SLOT.domain, 'DomainScheduleSetStart', [0]);
    sys.run(20_000_000);
    expect(a.tcb.state).toBe(ThreadState.Running);
    // Despite b's higher priority, a gets about half the time.
    const runs = sys.output.match(/a+|b+/g)!;
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(Math.abs(a.sc.consumed - b.sc.consumed)).toBeLessThan(usToTicks(2500));
  });
});

describe('VSpace cache maintenance', () => {
  it('checks the range against the page mapped at its start', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.regs, suspended: true });
    const vspaceSlot = t.vspaceSlot;
    expect(errorOf(inv(vspaceSlot, 'ARMVSpaceClean_Data', [0x200000]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(vspaceSlot, 'ARMVSpaceClean_Data', [0x200000, 0x200000]))).toEqual({ error: seL4_Error.InvalidArgument, words: [1n] });
    expect(errorOf(inv(vspaceSlot, 'ARMVSpaceClean_Data', [0, 0x100_0000_0000]))!.error).toBe(seL4_Error.IllegalOperation);
    // seL4's range: from the start asked for to the end of its page.
    expect(errorOf(inv(vspaceSlot, 'ARMVSpaceClean_Data', [0x200000, 0x202000]))).toEqual({ error: seL4_Error.RangeError, words: [0x200000n, 0x200fffn] });
    expect(inv(vspaceSlot, 'ARMVSpaceUnify_Instruction', [0x200010, 0x200020]).ok).toBe(true);
    expect(inv(vspaceSlot, 'ARMVSpaceInvalidate_Data', [0x7000_0000, 0x7000_2000]).ok).toBe(true); // unmapped: nothing to do
    expect(errorOf(inv(vspaceSlot, 'ARMPageMap', []))!.error).toBe(seL4_Error.IllegalOperation);
  });
});
