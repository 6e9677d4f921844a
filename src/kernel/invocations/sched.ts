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
import { printfWord, says } from '../user-error.js';
import { fail, type Decoded, type Invocation } from './types.js';

/**
 * SchedControl_ConfigureFlags and the SchedContext invocations (src/object/schedcontrol.c,
 * schedcontext.c), each refusal with seL4's userError line.
 */

const done = (effect: () => void): Decoded => ({ ok: true, invoke: () => (effect(), []) });

/** SchedControl_ConfigureFlags: extra cap the SC; MR0 budget µs, MR1 period µs, MR2 extra refills, MR3 badge, MR4 flags. */
export function decodeSchedControlInvocation(k: KernelState, inv: Invocation): Decoded {
  if (inv.label !== k.labels.of('SchedControlConfigureFlags')) return fail(syscallError.illegalOperation(), says('decodeSchedControlInvocation', 'SchedControl invocation: Illegal operation attempted.'));
  const why = (message: string) => says('decodeSchedControl_ConfigureFlags', message);
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why('SchedControl_ConfigureFlags: Truncated message.'));
  if (inv.args.length < 5) return fail(syscallError.truncatedMessage(), why('SchedControl_configureFlags: truncated message.'));
  const [budgetUs, periodUs, extraRefills, badge, flags] = inv.args as [bigint, bigint, bigint, bigint, bigint];
  const range = syscallError.rangeError(MIN_BUDGET_US, MAX_PERIOD_US);
  const budgetOutOfRange = why('SchedControl_ConfigureFlags: budget out of range.');
  const periodOutOfRange = why('SchedControl_ConfigureFlags: period out of range.');
  if (budgetUs > MAX_PERIOD_US) return fail(range, budgetOutOfRange);
  const budget = usToTicks(Number(budgetUs));
  if (periodUs > MAX_PERIOD_US) return fail(range, periodOutOfRange);
  const period = usToTicks(Number(periodUs));
  if (budget < MIN_BUDGET) return fail(range, budgetOutOfRange);
  if (period < MIN_BUDGET) return fail(range, periodOutOfRange);
  if (budget > period) return fail(syscallError.rangeError(MIN_BUDGET_US, periodUs), why('SchedControl_ConfigureFlags: budget must be <= period'));
  const target = inv.extraCaps[0]!.cap;
  if (target.type !== CapType.SchedContext) return fail(syscallError.invalidCapability(1), why('SchedControl_ConfigureFlags: target cap not a scheduling context cap'));
  const sc = target.obj;
  const maxExtra = schedContextRefills(sc.sizeBits) - MIN_REFILLS;
  if (extraRefills > BigInt(maxExtra)) return fail(syscallError.rangeError(0, maxExtra), why(`Max refills invalid, got ${printfWord(extraRefills)}, max ${printfWord(maxExtra)}`));
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
      if (sc.tcb === k.curThread) return fail(syscallError.illegalOperation(), says('decodeSchedContextInvocation', 'SchedContext UnbindObject: cannot unbind sc of current thread'));
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
      return fail(syscallError.illegalOperation(), says('decodeSchedContextInvocation', 'SchedContext invocation: Illegal operation attempted.'));
  }
}

function decodeBind(k: KernelState, inv: Invocation, sc: SchedContextObject): Decoded {
  const why = (message: string) => says('decodeSchedContext_Bind', `SchedContext_Bind: ${message}`);
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why('Truncated Message.'));
  const cap = inv.extraCaps[0]!.cap;
  if (cap.type === CapType.Thread) {
    const tcb = cap.obj;
    if (sc.tcb) return fail(syscallError.illegalOperation(), why('sched context already bound.'));
    if (tcb.sc) return fail(syscallError.illegalOperation(), why('tcb already bound.'));
    const blocked = tcb.state >= ThreadState.BlockedOnReceive && tcb.state <= ThreadState.BlockedOnNotification;
    if (blocked && !(sc.refillMax > 0 && refillReady(k, sc))) return fail(syscallError.illegalOperation(), why('tcb blocked and scheduling context not schedulable.'));
    return done(() => schedContextBindTCB(k, sc, tcb));
  }
  if (cap.type === CapType.Notification) {
    if (sc.notification) return fail(syscallError.illegalOperation(), why('sched context already bound.'));
    if (cap.obj.sc) return fail(syscallError.illegalOperation(), why('notification already bound'));
    return done(() => schedContextBindNtfn(sc, cap.obj));
  }
  return fail(syscallError.invalidCapability(1), why('invalid cap.'));
}

function decodeUnbindObject(k: KernelState, inv: Invocation, sc: SchedContextObject): Decoded {
  const why = (message: string) => says('decodeSchedContext_UnbindObject', message);
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why('SchedContext_Unbind: Truncated message.'));
  const cap = inv.extraCaps[0]!.cap;
  if (cap.type === CapType.Thread) {
    if (sc.tcb !== cap.obj) return fail(syscallError.illegalOperation(), why('SchedContext UnbindObject: object not bound'));
    if (sc.tcb === k.curThread) return fail(syscallError.illegalOperation(), why('SchedContext UnbindObject: cannot unbind sc of current thread'));
    return done(() => schedContextUnbindTCB(k, sc, cap.obj));
  }
  if (cap.type === CapType.Notification) {
    if (sc.notification !== cap.obj) return fail(syscallError.illegalOperation(), why('SchedContext UnbindObject: object not bound'));
    return done(() => schedContextUnbindNtfn(sc));
  }
  return fail(syscallError.invalidCapability(1), why('SchedContext_Unbind: invalid cap'));
}

/**
 * SchedContext_YieldTo: a higher- or equal-priority target runs now and the caller gets
 * the consumed time when it runs again; otherwise the caller gets it at once.
 */
function decodeYieldTo(k: KernelState, sc: SchedContextObject): Decoded {
  const cur = k.curThread;
  const tcb = sc.tcb;
  const why = (message: string) => says('decodeSchedContext_YieldTo', `SchedContext_YieldTo: ${message}`);
  if (!tcb) return fail(syscallError.illegalOperation(), why('cannot yield to an inactive sched context'));
  if (tcb === cur) return fail(syscallError.illegalOperation(), why('cannot seL4_SchedContext_YieldTo on self'));
  if (tcb.priority > cur.mcp) return fail(syscallError.illegalOperation(), why(`insufficient mcp (${printfWord(cur.mcp)}) to yield to a thread with prio (${printfWord(tcb.priority)})`));
  if (cur.yieldTo) return fail(syscallError.illegalOperation(), why('cannot seL4_SchedContext_YieldTo to more than on SC at a time'));
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
