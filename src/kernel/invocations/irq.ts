import type { CapOf } from '../cap.js';
import { CapType } from '../cap-types.js';
import { lookupEmptyTargetSlot, type Slot } from '../cspace.js';
import { syscallError } from '../errors.js';
import { IrqState, type InterruptController, type InterruptTable } from '../interrupts.js';
import { cteInsert } from '../mdb.js';
import { NotModelledError } from './cnode.js';
import { fail, type Decoded, type Deletion, type Invocation, type KernelEnv } from './types.js';

export interface IrqEnv extends KernelEnv {
  irqs: InterruptTable;
  gic: InterruptController;
  deletion: Deletion;
}

/**
 * IRQControl_Get (IRQIssueIRQHandler: MR0 irq, MR1 index, MR2 depth) and
 * IRQControl_GetTrigger (ARMIRQIssueIRQHandlerTrigger: MR0 irq, MR1 trigger, MR2 index,
 * MR3 depth); extra cap 0 is the destination's root CNode.
 */
export function decodeIRQControlInvocation(env: IrqEnv, inv: Invocation, controlSlot: Slot): Decoded {
  const L = env.labels;
  const withTrigger = inv.label === L.of('ARMIRQIssueIRQHandlerTrigger');
  if (L.byNumber[inv.label] === 'ARMIRQIssueSGISignal') throw new NotModelledError('IRQControl_IssueSGISignal is not modelled yet');
  if (inv.label !== L.of('IRQIssueIRQHandler') && !withTrigger) return fail(syscallError.illegalOperation());
  const n = withTrigger ? 4 : 3;
  if (inv.args.length < n || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const irqWord = inv.args[0]!;
  const edge = withTrigger && inv.args[1]! !== 0n;
  const [index, depth] = withTrigger ? [inv.args[2]!, inv.args[3]!] : [inv.args[1]!, inv.args[2]!];
  if (irqWord > BigInt(env.irqs.maxIrq)) return fail(syscallError.rangeError(0, env.irqs.maxIrq));
  const irq = Number(irqWord);
  if (env.irqs.isActive(irq)) return fail(syscallError.revokeFirst());
  const dest = lookupEmptyTargetSlot(inv.extraCaps[0]!.cap, index, depth);
  if (!dest.ok) return fail(dest.error);
  const destSlot = dest.slot;
  return {
    ok: true,
    invoke() {
      if (withTrigger) env.gic.setInterruptEdge(irq, edge);
      env.irqs.state[irq] = IrqState.Signal;
      env.gic.enableInterrupt(irq, true); // setIRQState unmasks a line that is no longer inactive
      cteInsert({ type: CapType.IrqHandler, irq }, controlSlot, destSlot);
      return [];
    },
  };
}

/** IRQHandler_Ack, IRQHandler_SetNotification (extra cap 0: a notification cap with CanSend), IRQHandler_Clear. */
export function decodeIRQHandlerInvocation(env: IrqEnv, inv: Invocation, handlerSlot: Slot): Decoded {
  const L = env.labels;
  const irq = (handlerSlot.cap as CapOf<CapType.IrqHandler>).irq;
  const irqSlot = env.irqs.slot(irq);
  switch (inv.label) {
    case L.of('IRQAckIRQ'):
      return { ok: true, invoke: () => (env.gic.enableInterrupt(irq, true), []) };
    case L.of('IRQSetIRQHandler'): {
      if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
      const { cap, slot } = inv.extraCaps[0]!;
      if (cap.type !== CapType.Notification) return fail(syscallError.invalidCapability(0), { func: 'decodeIRQHandlerInvocation', message: 'IRQSetHandler: provided cap is not an notification capability.' });
      if (!cap.canSend) return fail(syscallError.invalidCapability(0), { func: 'decodeIRQHandlerInvocation', message: 'IRQSetHandler: caller does not have send rights on the endpoint.' });
      return {
        ok: true,
        invoke() {
          env.deletion.deleteOne(irqSlot);
          cteInsert(cap, slot, irqSlot);
          return [];
        },
      };
    }
    case L.of('IRQClearIRQHandler'):
      return { ok: true, invoke: () => (env.deletion.deleteOne(irqSlot), []) };
    default:
      return fail(syscallError.illegalOperation(), { func: 'decodeIRQHandlerInvocation', message: 'IRQHandler: Illegal operation.' });
  }
}
