import { CapType } from '../cap-types.js';
import { syscallError } from '../errors.js';
import { isSchedulable, rescheduleRequired, tcbSchedDequeue, tcbSchedEnqueue } from '../scheduler.js';
import type { KernelState } from '../state.js';
import { printfWord, says } from '../user-error.js';
import { fail, type Decoded, type Invocation } from './types.js';

/** The size of the domain schedule the model keeps (CONFIG_NUM_DOMAIN_SCHEDULES). */
const DOMAIN_SCHEDULE_LENGTH = 256;

/**
 * DomainSet_Set (MR0 domain, extra cap the TCB), DomainSet_ScheduleConfigure (MR0 index,
 * MR1 domain, MR2 duration in ticks) and DomainSet_ScheduleSetStart (MR0 index), with seL4's
 * userError lines. The model's schedule has no end markers, so seL4's checks about them (and
 * about durations) have no counterpart here; an unknown label prints nothing, as in seL4.
 */
export function decodeDomainInvocation(k: KernelState, inv: Invocation): Decoded {
  const name = k.labels.byNumber[inv.label];
  const args = inv.args;
  switch (name) {
    case 'DomainSetSet': {
      const why = (message: string) => says('decodeDomainSetSetInvocation', `Domain Configure: ${message}`);
      if (args.length < 1) return fail(syscallError.truncatedMessage(), why('Truncated message.'));
      if (args[0]! >= BigInt(k.numDomains)) return fail(syscallError.invalidArgument(0), why(`invalid domain (${printfWord(args[0]!)} >= ${k.numDomains}).`));
      if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why('Truncated message.'));
      const cap = inv.extraCaps[0]!.cap;
      if (cap.type !== CapType.Thread) return fail(syscallError.invalidArgument(1), why('thread cap required.'));
      const tcb = cap.obj;
      const domain = Number(args[0]!);
      return {
        ok: true,
        invoke() {
          tcbSchedDequeue(k, tcb);
          tcb.domain = domain;
          if (isSchedulable(tcb) && tcb !== k.curThread) tcbSchedEnqueue(k, tcb);
          if (tcb === k.curThread) rescheduleRequired(k);
          return [];
        },
      };
    }
    case 'DomainScheduleConfigure': {
      const why = (message: string) => says('decodeDomainScheduleConfigure', `Domain Schedule Configure: ${message}`);
      if (args.length < 3) return fail(syscallError.truncatedMessage(), why('Truncated message.'));
      if (args[0]! >= BigInt(DOMAIN_SCHEDULE_LENGTH)) return fail(syscallError.rangeError(0, DOMAIN_SCHEDULE_LENGTH - 1), why('Invalid index.'));
      if (args[1]! >= BigInt(k.numDomains)) return fail(syscallError.rangeError(0, k.numDomains - 1), why('Invalid domain.'));
      const [index, domain, length] = [Number(args[0]!), Number(args[1]!), Number(args[2]!)];
      return {
        ok: true,
        invoke() {
          while (k.domainSchedule.length <= index) k.domainSchedule.push({ domain: 0, length: 0 });
          k.domainSchedule[index] = { domain, length };
          return [];
        },
      };
    }
    case 'DomainScheduleSetStart': {
      // seL4 words the truncated message as Configure's.
      if (args.length < 1) return fail(syscallError.truncatedMessage(), says('decodeDomainScheduleSetStart', 'Domain Schedule Configure: Truncated message.'));
      if (args[0]! >= BigInt(k.domainSchedule.length)) {
        return fail(syscallError.rangeError(0, k.domainSchedule.length - 1), says('decodeDomainScheduleSetStart', 'Domain Schedule Set Start: Invalid index.'));
      }
      const index = Number(args[0]!);
      return {
        ok: true,
        invoke() {
          k.domainIndex = index;
          k.curDomain = k.domainSchedule[index]!.domain;
          k.domainTime = k.domainSchedule[index]!.length;
          k.reprogram = true;
          rescheduleRequired(k);
          return [];
        },
      };
    }
    default:
      return fail(syscallError.illegalOperation());
  }
}
