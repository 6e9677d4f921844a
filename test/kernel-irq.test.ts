import { describe, expect, it } from 'vitest';
import type { Cap } from '../src/kernel/cap.js';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode } from '../src/kernel/cspace.js';
import { seL4_Error } from '../src/kernel/errors.js';
import { InterruptTable, IrqState } from '../src/kernel/interrupts.js';
import { NotModelledError } from '../src/kernel/invocations/cnode.js';
import { decodeIRQControlInvocation, decodeIRQHandlerInvocation, type IrqEnv } from '../src/kernel/invocations/irq.js';
import { invocationLabels } from '../src/kernel/labels.js';
import { descendants } from '../src/kernel/mdb.js';
import { MICROKIT_DEBUG } from '../src/kernel/object-types.js';
import { NotificationObject } from '../src/kernel/objects.js';
import { kernelDeletion } from '../src/kernel/delete.js';
import { KernelState } from '../src/kernel/state.js';

const L = invocationLabels(MICROKIT_DEBUG);

function setup() {
  const gic: string[] = [];
  const env: IrqEnv = {
    config: MICROKIT_DEBUG,
    labels: L,
    memory: { zero: () => {} },
    irqs: new InterruptTable(),
    gic: { enableInterrupt: (i, e) => void gic.push(`enable ${i} ${e}`), setInterruptEdge: (i, e) => void gic.push(`edge ${i} ${e}`) },
    deletion: kernelDeletion(new KernelState(MICROKIT_DEBUG)),
  };
  const cnode = new CNode(4);
  const rootCap: Cap = { type: CapType.CNode, cnode, guard: 0n, guardSize: 0 };
  const s = cnode.slots;
  s[0]!.cap = { type: CapType.IrqControl };
  s[1]!.cap = { type: CapType.Notification, obj: new NotificationObject(0x4000_0000, 6), badge: 0x20n, canSend: true, canReceive: false };
  s[2]!.cap = { type: CapType.Notification, obj: new NotificationObject(0x4000_0040, 6), badge: 0n, canSend: false, canReceive: true };
  s[15]!.cap = rootCap;
  // Boot-time caps and minted caps are revocable, as seL4 writes them.
  for (const i of [0, 1]) s[i]!.mdbRevocable = s[i]!.mdbFirstBadged = true;
  const control = (label: string, args: number[], extra = true) => decodeIRQControlInvocation(env, { label: L.of(label), args: args.map(BigInt), extraCaps: extra ? [{ cap: rootCap, slot: s[15]! }] : [] }, s[0]!);
  const handler = (slot: number, label: string, extra: number[] = []) => decodeIRQHandlerInvocation(env, { label: L.of(label), args: [], extraCaps: extra.map((i) => ({ cap: s[i]!.cap, slot: s[i]! })) }, s[slot]!);
  return { env, s, gic, control, handler };
}

type D = ReturnType<ReturnType<typeof setup>['control']>;
const run = (d: D) => {
  if (!d.ok) throw new Error(`refused with ${d.error.error}`);
  d.invoke();
};
const errorOf = (d: D) => {
  if (d.ok) throw new Error('accepted');
  return d.error;
};

describe('IRQControl', () => {
  it('issues a handler cap as a child of IRQControl and marks the line as signalling', () => {
    const { s, env, control } = setup();
    run(control('IRQIssueIRQHandler', [33, 4, 4]));
    expect(s[4]!.cap).toEqual({ type: CapType.IrqHandler, irq: 33 });
    expect(env.irqs.state[33]).toBe(IrqState.Signal);
    expect(descendants(s[0]!)).toEqual([s[4]]);
  });

  it('sets the trigger with GetTrigger', () => {
    const { gic, control } = setup();
    run(control('ARMIRQIssueIRQHandlerTrigger', [40, 1, 5, 4]));
    run(control('ARMIRQIssueIRQHandlerTrigger', [41, 0, 6, 4]));
    expect(gic).toEqual(['edge 40 true', 'enable 40 true', 'edge 41 false', 'enable 41 true']);
  });

  it('checks length, range, use, destination in seL4 order', () => {
    const { control } = setup();
    expect(errorOf(control('IRQIssueIRQHandler', [33, 4])).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(control('IRQIssueIRQHandler', [33, 4, 4], false)).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(control('IRQIssueIRQHandler', [160, 4, 4]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 159n] });
    expect(errorOf(control('IRQIssueIRQHandler', [26, 4, 4])).error).toBe(seL4_Error.RevokeFirst); // the kernel's timer
    run(control('IRQIssueIRQHandler', [33, 4, 4]));
    expect(errorOf(control('IRQIssueIRQHandler', [33, 5, 4])).error).toBe(seL4_Error.RevokeFirst);
    expect(errorOf(control('IRQIssueIRQHandler', [34, 5, 0]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 64n] });
    expect(errorOf(control('IRQIssueIRQHandler', [34, 1, 4])).error).toBe(seL4_Error.DeleteFirst);
    expect(errorOf(control('TCBSuspend', [34, 5, 4])).error).toBe(seL4_Error.IllegalOperation);
    expect(() => control('ARMIRQIssueSGISignal', [1, 0, 5, 4])).toThrow(NotModelledError);
  });
});

describe('IRQHandler', () => {
  it('unmasks the line when the handler is issued, and again on every acknowledgement', () => {
    const { gic, control, handler } = setup();
    run(control('IRQIssueIRQHandler', [33, 4, 4]));
    run(handler(4, 'IRQAckIRQ'));
    expect(gic).toEqual(['enable 33 true', 'enable 33 true']);
  });

  it('binds a notification cap with CanSend, replacing the previous one, and clears it', () => {
    const { env, s, control, handler } = setup();
    run(control('IRQIssueIRQHandler', [33, 4, 4]));
    expect(errorOf(handler(4, 'IRQSetIRQHandler')).error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(handler(4, 'IRQSetIRQHandler', [2]))).toEqual({ error: seL4_Error.InvalidCapability, words: [0n] });
    expect(errorOf(handler(4, 'IRQSetIRQHandler', [0]))).toEqual({ error: seL4_Error.InvalidCapability, words: [0n] });
    run(handler(4, 'IRQSetIRQHandler', [1]));
    const bound = env.irqs.slot(33).cap;
    expect(bound.type === CapType.Notification && bound.badge).toBe(0x20n);
    run(handler(4, 'IRQSetIRQHandler', [1])); // again: the old copy goes first
    expect(descendants(s[1]!)).toEqual([env.irqs.slot(33)]);
    run(handler(4, 'IRQClearIRQHandler'));
    expect(env.irqs.slot(33).cap.type).toBe(CapType.Null);
    expect(errorOf(handler(4, 'CNodeCopy')).error).toBe(seL4_Error.IllegalOperation);
  });
});
