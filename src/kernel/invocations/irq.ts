import type { CapOf } from '../cap.js';
import { CapType } from '../cap-types.js';
import { lookupSlotForCNodeOp, type Slot } from '../cspace.js';
import { syscallError } from '../errors.js';
import { IrqState, type InterruptController, type InterruptTable } from '../interrupts.js';
import { cteInsert } from '../mdb.js';
import { NotModelledError } from './cnode.js';
import { printfUnsigned, printfWord, says } from '../user-error.js';
import { fail, type Decoded, type Deletion, type Invocation, type KernelEnv } from './types.js';

export interface IrqEnv extends KernelEnv {
  irqs: InterruptTable;
  gic: InterruptController;
  deletion: Deletion;
}

/**
 * IRQControl_Get (IRQIssueIRQHandler: MR0 irq, MR1 index, MR2 depth) and
 * IRQControl_GetTrigger (ARMIRQIssueIRQHandlerTrigger: MR0 irq, MR1 trigger, MR2 index,
 * MR3 depth); extra cap 0 is the destination's root CNode. The first is seL4's
 * decodeIRQControlInvocation, the second its Arch_decodeIRQControlInvocation: their userError
 * lines are the same but for the function; truncated messages and unknown labels print none.
 */
export function decodeIRQControlInvocation(env: IrqEnv, inv: Invocation, controlSlot: Slot): Decoded {
  const L = env.labels;
  const withTrigger = inv.label === L.of('ARMIRQIssueIRQHandlerTrigger');
  if (L.byNumber[inv.label] === 'ARMIRQIssueSGISignal') throw new NotModelledError('IRQControl_IssueSGISignal is not modelled yet');
  if (inv.label !== L.of('IRQIssueIRQHandler') && !withTrigger) return fail(syscallError.illegalOperation());
  const n = withTrigger ? 4 : 3;
  if (inv.args.length < n || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const why = (message: string) => says(withTrigger ? 'Arch_decodeIRQControlInvocation' : 'decodeIRQControlInvocation', message);
  const irqWord = inv.args[0]!;
  const edge = withTrigger && inv.args[1]! !== 0n;
  const [index, depth] = withTrigger ? [inv.args[2]!, inv.args[3]!] : [inv.args[1]!, inv.args[2]!];
  if (irqWord > BigInt(env.irqs.maxIrq)) {
    return fail(syscallError.rangeError(0, env.irqs.maxIrq), says('Arch_checkIRQ', `Rejecting request for IRQ ${printfUnsigned(irqWord)}. IRQ is out of range [0..${env.irqs.maxIrq}].`));
  }
  const irq = Number(irqWord);
  if (env.irqs.isActive(irq)) return fail(syscallError.revokeFirst(), why(`Rejecting request for IRQ ${irq}. Already active.`));
  // getExtraCPtr(buffer, 0): the cptr of the destination's root, as the message named it.
  const root = inv.extraCaps[0]!;
  const dest = lookupSlotForCNodeOp(false, root.cap, index, depth);
  if (!dest.ok) return fail(dest.error, why(`Target slot for new IRQ Handler cap invalid: cap ${printfWord(root.cptr ?? 0n)}, IRQ ${irq}.`));
  const destSlot = dest.slot;
  if (destSlot.cap.type !== CapType.Null) return fail(syscallError.deleteFirst(), why(`Target slot for new IRQ Handler cap not empty: cap ${printfWord(root.cptr ?? 0n)}, IRQ ${irq}.`));
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
      if (cap.type !== CapType.Notification) return fail(syscallError.invalidCapability(0), says('decodeIRQHandlerInvocation', 'IRQSetHandler: provided cap is not an notification capability.'));
      if (!cap.canSend) return fail(syscallError.invalidCapability(0), says('decodeIRQHandlerInvocation', 'IRQSetHandler: caller does not have send rights on the endpoint.'));
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
      return fail(syscallError.illegalOperation(), says('decodeIRQHandlerInvocation', 'IRQHandler: Illegal operation.'));
  }
}
