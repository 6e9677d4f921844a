import type { CapOf } from '../cap.js';
import { CapType } from '../cap-types.js';
import type { Slot } from '../cspace.js';
import { syscallError } from '../errors.js';
import { schedContextRefills } from '../object-types.js';
import { completeYieldTo, schedContextBindNtfn, schedContextBindTCB, schedContextResume, schedContextUnbindNtfn, schedContextUnbindTCB, setConsumed, updateConsumed } from '../sched-context.js';
import { isRunnable, isSchedulable, possibleSwitchTo, rescheduleRequired, tcbReleaseRemove, tcbSchedDequeue, tcbSchedEnqueue } from '../scheduler.js';
import { commitTime, MIN_REFILLS, refillNew, refillReady, refillUpdate } from '../sporadic.js';
import { MAX_PERIOD_US, MIN_BUDGET, MIN_BUDGET_US, usToTicks, type KernelState } from '../state.js';
import { ThreadState, type SchedContextObject } from '../objects.js';
import { fail, type Decoded, type Invocation } from './types.js';

/** SchedControl_ConfigureFlags and the SchedContext invocations (src/object/schedcontrol.c, schedcontext.c). */

const done = (effect: () => void): Decoded => ({ ok: true, invoke: () => (effect(), []) });

/** SchedControl_ConfigureFlags: extra cap the SC; MR0 budget µs, MR1 period µs, MR2 extra refills, MR3 badge, MR4 flags. */
export function decodeSchedControlInvocation(k: KernelState, inv: Invocation): Decoded {
  if (inv.label !== k.labels.of('SchedControlConfigureFlags')) return fail(syscallError.illegalOperation());
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  if (inv.args.length < 5) return fail(syscallError.truncatedMessage());
  const [budgetUs, periodUs, extraRefills, badge, flags] = inv.args as [bigint, bigint, bigint, bigint, bigint];
  const range = syscallError.rangeError(MIN_BUDGET_US, MAX_PERIOD_US);
  if (budgetUs > MAX_PERIOD_US || periodUs > MAX_PERIOD_US) return fail(range);
  const budget = usToTicks(Number(budgetUs));
  const period = usToTicks(Number(periodUs));
  if (budget < MIN_BUDGET || period < MIN_BUDGET) return fail(range);
  if (budget > period) return fail(syscallError.rangeError(MIN_BUDGET_US, periodUs));
  const target = inv.extraCaps[0]!.cap;
  if (target.type !== CapType.SchedContext) return fail(syscallError.invalidCapability(1));
  const sc = target.obj;
  const maxExtra = schedContextRefills(sc.sizeBits) - MIN_REFILLS;
  if (extraRefills > BigInt(maxExtra)) return fail(syscallError.rangeError(0, maxExtra));
  return done(() => {
    const t = sc.tcb;
    if (t) {
      tcbReleaseRemove(k, t);
      tcbSchedDequeue(k, t);
      if (k.curSC === sc) commitTime(k);
    }
    if (budget === period) refillNew(k, sc, MIN_REFILLS, budget, 0);
    else if (sc.refillMax > 0 && t && isRunnable(t)) refillUpdate(k, sc, period, budget, Number(extraRefills) + MIN_REFILLS);
    else refillNew(k, sc, Number(extraRefills) + MIN_REFILLS, budget, period);
    if (t) {
      schedContextResume(k, sc);
      if (isRunnable(t) && t !== k.curThread) possibleSwitchTo(k, t);
      if (t === k.curThread) rescheduleRequired(k);
    }
    sc.badge = badge;
    sc.sporadic = (flags & 1n) !== 0n;
  });
}

export function decodeSchedContextInvocation(k: KernelState, inv: Invocation, slot: Slot): Decoded {
  const sc = (slot.cap as CapOf<CapType.SchedContext>).obj;
  switch (k.labels.byNumber[inv.label]) {
    case 'SchedContextConsumed':
      return { ok: true, invoke: () => [updateConsumed(sc)] };
    case 'SchedContextBind':
      return decodeBind(k, inv, sc);
    case 'SchedContextUnbindObject':
      return decodeUnbindObject(k, inv, sc);
    case 'SchedContextUnbind':
      if (sc.tcb === k.curThread) return fail(syscallError.illegalOperation());
      return done(() => {
        if (sc.tcb) schedContextUnbindTCB(k, sc, sc.tcb);
        schedContextUnbindNtfn(sc);
        if (sc.reply) {
          sc.reply.next = undefined;
          sc.reply = undefined;
        }
      });
    case 'SchedContextYieldTo':
      return decodeYieldTo(k, sc);
    default:
      return fail(syscallError.illegalOperation(), { func: 'decodeSchedContextInvocation', message: 'SchedContext invocation: Illegal operation attempted.' });
  }
}

function decodeBind(k: KernelState, inv: Invocation, sc: SchedContextObject): Decoded {
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const cap = inv.extraCaps[0]!.cap;
  if (cap.type === CapType.Thread) {
    const tcb = cap.obj;
    if (sc.tcb || tcb.sc) return fail(syscallError.illegalOperation());
    const blocked = tcb.state >= ThreadState.BlockedOnReceive && tcb.state <= ThreadState.BlockedOnNotification;
    if (blocked && !(sc.refillMax > 0 && refillReady(k, sc))) return fail(syscallError.illegalOperation());
    return done(() => schedContextBindTCB(k, sc, tcb));
  }
  if (cap.type === CapType.Notification) {
    if (sc.notification || cap.obj.sc) return fail(syscallError.illegalOperation());
    return done(() => schedContextBindNtfn(sc, cap.obj));
  }
  return fail(syscallError.invalidCapability(1));
}

function decodeUnbindObject(k: KernelState, inv: Invocation, sc: SchedContextObject): Decoded {
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const cap = inv.extraCaps[0]!.cap;
  if (cap.type === CapType.Thread) {
    if (sc.tcb !== cap.obj || sc.tcb === k.curThread) return fail(syscallError.illegalOperation());
    return done(() => schedContextUnbindTCB(k, sc, cap.obj));
  }
  if (cap.type === CapType.Notification) {
    if (sc.notification !== cap.obj) return fail(syscallError.illegalOperation());
    return done(() => schedContextUnbindNtfn(sc));
  }
  return fail(syscallError.invalidCapability(1));
}

/**
 * SchedContext_YieldTo: a higher- or equal-priority target runs now and the caller gets
 * the consumed time when it runs again; otherwise the caller gets it at once.
 */
function decodeYieldTo(k: KernelState, sc: SchedContextObject): Decoded {
  const cur = k.curThread;
  const tcb = sc.tcb;
  if (!tcb || tcb === cur || tcb.priority > cur.mcp || cur.yieldTo) return fail(syscallError.illegalOperation());
  return {
    ok: true,
    invoke() {
      if (sc.yieldFrom) completeYieldTo(k, sc.yieldFrom);
      schedContextResume(k, sc);
      if (isSchedulable(tcb) && tcb.priority >= cur.priority) {
        cur.yieldTo = sc;
        sc.yieldFrom = cur;
        tcbSchedDequeue(k, tcb);
        tcbSchedEnqueue(k, cur);
        tcbSchedEnqueue(k, tcb);
        rescheduleRequired(k);
        return [];
      }
      if (isSchedulable(tcb)) {
        tcbSchedDequeue(k, tcb);
        tcbSchedEnqueue(k, tcb);
      }
      setConsumed(k, sc, cur);
      cur.state = ThreadState.Running; // the reply is written: no empty kernel reply after it
      return [];
    },
  };
}
