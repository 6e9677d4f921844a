import { describe, expect, it } from 'vitest';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode } from '../src/kernel/cspace.js';
import { kernelDeletion } from '../src/kernel/delete.js';
import { InterruptTable } from '../src/kernel/interrupts.js';
import { decodeObjectInvocation } from '../src/kernel/invocations/decode.js';
import { decodeIRQHandlerInvocation } from '../src/kernel/invocations/irq.js';
import { invocationLabels } from '../src/kernel/labels.js';
import { NotificationObject, TcbObject } from '../src/kernel/objects.js';
import { KernelState } from '../src/kernel/state.js';
import { MICROKIT_DEBUG, ObjectType } from '../src/kernel/object-types.js';
import { ROLE, TestSystem } from './helpers/kernel-system.js';

/**
 * The reasons a debug kernel prints for refused invocations (seL4's userError), where the
 * decoders have seL4's own wording. test/trace.test.ts checks the printed lines end to end.
 */

const L = invocationLabels(MICROKIT_DEBUG);

describe('userError texts of the decoders', () => {
  it('IRQHandler: an unknown label and a SetIRQHandler cap that is not a notification or cannot send', () => {
    const env = { config: MICROKIT_DEBUG, labels: L, memory: { zero: () => {} }, irqs: new InterruptTable(), gic: { enableInterrupt: () => {}, setInterruptEdge: () => {} }, deletion: kernelDeletion(new KernelState(MICROKIT_DEBUG)) };
    const cnode = new CNode(2);
    const s = cnode.slots;
    s[0]!.cap = { type: CapType.IrqHandler, irq: 33 };
    s[1]!.cap = { type: CapType.Notification, obj: new NotificationObject(0x4000_0000, 6), badge: 0n, canSend: false, canReceive: true };
    s[2]!.cap = { type: CapType.IrqControl };
    const bad = decodeIRQHandlerInvocation(env, { label: L.of('TCBSuspend'), args: [], extraCaps: [] }, s[0]!);
    expect(bad).toMatchObject({ ok: false, userError: { func: 'decodeIRQHandlerInvocation', message: 'IRQHandler: Illegal operation.' } });
    const readOnly = decodeIRQHandlerInvocation(env, { label: L.of('IRQSetIRQHandler'), args: [], extraCaps: [{ cap: s[1]!.cap, slot: s[1]! }] }, s[0]!);
    expect(readOnly).toMatchObject({ ok: false, userError: { message: 'IRQSetHandler: caller does not have send rights on the endpoint.' } });
    const notNtfn = decodeIRQHandlerInvocation(env, { label: L.of('IRQSetIRQHandler'), args: [], extraCaps: [{ cap: s[2]!.cap, slot: s[2]! }] }, s[0]!);
    expect(notNtfn).toMatchObject({ ok: false, userError: { message: 'IRQSetHandler: provided cap is not an notification capability.' } });
  });

  it('the send phase of ReplyRecv may not invoke a TCB, and an unknown TCB label is an illegal operation', () => {
    const k = new KernelState(MICROKIT_DEBUG);
    const cnode = new CNode(1);
    cnode.slots[0]!.cap = { type: CapType.Thread, obj: new TcbObject(0x4000_0000, 11) };
    const firstPhase = decodeObjectInvocation(k, { label: L.of('TCBSuspend'), args: [], extraCaps: [] }, cnode.slots[0]!, true);
    expect(firstPhase).toMatchObject({ ok: false, error: { error: 2 }, userError: { func: 'decodeInvocation', message: 'Cannot invoke thread capabilities in the first phase of an invocation' } });
    const illegal = decodeObjectInvocation(k, { label: L.of('IRQAckIRQ'), args: [], extraCaps: [] }, cnode.slots[0]!, false);
    expect(illegal).toMatchObject({ ok: false, error: { error: 3 }, userError: { func: 'decodeTCBInvocation', message: 'TCB: Illegal operation.' } });
  });
});

describe('userError lines of a debug kernel, and none from a release kernel', () => {
  const RELEASE = { hypervisor: true, hardwareDebugApi: false, debugBuild: false, paBits: 40, smp: false };

  it('a Send on a notification cap without the Write right', () => {
    for (const release of [false, true]) {
      const sys = new TestSystem(release ? { config: RELEASE } : {});
      const ntfn = sys.create(ObjectType.Notification);
      sys.thread({ role: ROLE.sender, param: 1, caps: { 3: { slot: ntfn, rights: 0b0010 } } });
      sys.run();
      if (release) expect(sys.output).toBe('');
      else expect(sys.output).toMatch(/^<<seL4\(CPU 0\) \[decodeInvocation\/0 T0x[0-9a-f]+ "child of: 'rootserver'" @[0-9a-f]+\]: Attempted to invoke a read-only notification cap #3\.>>\n$/);
    }
  });

  it('a refusal without seL4 wording in the model: seL4’s decoder, the invocation and the error', () => {
    const sys = new TestSystem();
    const other = sys.thread({ role: ROLE.spin, priority: 1, suspended: true });
    // The client calls slot 3 with label 7 and no words: here a TCB cap.
    sys.thread({ role: ROLE.client, param: 0, priority: 100, caps: { 3: other.tcbSlot } });
    sys.run(2_000_000);
    const name = L.byNumber[7]!;
    expect(sys.output).toMatch(new RegExp(`^<<seL4\\(CPU 0\\) \\[decodeTCBInvocation/0 T0x[0-9a-f]+ "child of: 'rootserver'" @[0-9a-f]+\\]: ${name}: seL4_\\w+( \\([^)]*\\))?\\.>>\\n`));
  });
});
