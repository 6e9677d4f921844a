import { describe, expect, it } from 'vitest';
import { CapType } from '../src/kernel/cap-types.js';
import { CNode } from '../src/kernel/cspace.js';
import { kernelDeletion } from '../src/kernel/delete.js';
import { InterruptTable } from '../src/kernel/interrupts.js';
import { decodeObjectInvocation } from '../src/kernel/invocations/decode.js';
import { decodeIRQHandlerInvocation } from '../src/kernel/invocations/irq.js';
import { ROOT_SLOT, type InvokeResult } from '../src/kernel/kernel.js';
import { invocationLabels } from '../src/kernel/labels.js';
import { NotificationObject, TcbObject } from '../src/kernel/objects.js';
import { KernelState } from '../src/kernel/state.js';
import { MICROKIT_DEBUG, ObjectType } from '../src/kernel/object-types.js';
import { printfHex, printfInt, printfUnsigned, printfWord, printfWordHex } from '../src/kernel/user-error.js';
import { ROLE, TestSystem } from './helpers/kernel-system.js';

/**
 * The reasons a debug kernel prints for refused invocations (seL4's userError), in seL4
 * 1326364's words, from the C function seL4 prints them from. The decoders are driven through
 * the root task's invocations (`Sel4Kernel.invoke`), which returns the lines a refusal prints;
 * the last tests print them end to end, and test/trace.test.ts and the conformance scenarios
 * check them against real seL4's console.
 */

const L = invocationLabels(MICROKIT_DEBUG);

/** The userError lines of a refusal, as `function: message`. */
function said(r: InvokeResult): string[] {
  if (r.ok) throw new Error('accepted');
  return (r.userErrors ?? []).map((u) => `${u.func}: ${u.message}`);
}

function setup() {
  const sys = new TestSystem();
  const inv = (cptr: number, label: string, args: (number | bigint)[] = [], extra: number[] = []) => sys.kernel.invoke(cptr, label, args, extra);
  return { sys, inv };
}

describe('seL4’s printf, as userError arguments use it', () => {
  it('formats (int) casts and words as seL4’s printf does', () => {
    expect(printfInt(100n)).toBe('100');
    expect(printfInt(0xffff_ffffn)).toBe('-1'); // (int) keeps the low 32 bits, signed
    expect(printfUnsigned(0x1_0000_0005n)).toBe('5');
    expect(printfHex(0x12_3456_7801n)).toBe('34567801');
    expect(printfWord(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(printfWordHex(0x200fffn)).toBe('200fff');
  });
});

describe('TCB invocations (src/object/tcb.c)', () => {
  it('priorities: the value and the authority’s MCP as %lu, and each decoder’s own wording', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.spin, suspended: true });
    const ep = sys.create(ObjectType.Endpoint);
    expect(said(inv(t.tcbSlot, 'TCBSetPriority', [256], [ROOT_SLOT.tcb]))).toEqual(['decodeSetPriority: TCB SetPriority: Requested priority 256 too high (max 255).']);
    expect(said(inv(t.tcbSlot, 'TCBSetPriority', [1], [ep]))).toEqual(['decodeSetPriority: Set priority: authority cap not a TCB.']);
    expect(said(inv(t.tcbSlot, 'TCBSetPriority', [1]))).toEqual(['decodeSetPriority: TCB SetPriority: Truncated message.']);
    expect(said(inv(t.tcbSlot, 'TCBSetMCPriority', [300], [ROOT_SLOT.tcb]))).toEqual(['decodeSetMCPriority: TCB SetMCPriority: Requested maximum controlled priority 300 too high (max 255).']);
    expect(said(inv(t.tcbSlot, 'TCBSetMCPriority', [1], [ep]))).toEqual(['decodeSetMCPriority: TCB SetMCPriority: authority cap not a TCB.']);
    expect(said(inv(t.tcbSlot, 'TCBSetSchedParams', [256, 1], [ROOT_SLOT.tcb, t.scSlot, ep]))).toEqual(['decodeSetSchedParams: TCB SetSchedParams: Requested maximum controlled priority 256 too high (max 255).']);
    expect(said(inv(t.tcbSlot, 'TCBSetSchedParams', [1, 256], [ROOT_SLOT.tcb, t.scSlot, ep]))).toEqual(['decodeSetSchedParams: TCB SetSchedParams: Requested priority 256 too high (max 255).']);
    expect(said(inv(t.tcbSlot, 'TCBSetSchedParams', [1, 1], [ROOT_SLOT.tcb, ep, ep]))).toEqual(['decodeSetSchedParams: TCB Configure: sched context cap invalid.']);
    expect(said(inv(t.tcbSlot, 'TCBSetSchedParams', [1, 1], [ROOT_SLOT.tcb, ROOT_SLOT.schedContext, ep]))).toEqual(['decodeSetSchedParams: TCB Configure: tcb already has a scheduling context.']);
  });

  it('registers: counts as %d of (int), and the caller’s own registers', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.spin, suspended: true });
    expect(said(inv(t.tcbSlot, 'TCBReadRegisters', [0, 100]))).toEqual(['decodeReadRegisters: TCB ReadRegisters: Attempted to read an invalid number of registers (100).']);
    expect(said(inv(t.tcbSlot, 'TCBReadRegisters', [0, 0xffff_ffff]))).toEqual(['decodeReadRegisters: TCB ReadRegisters: Attempted to read an invalid number of registers (-1).']);
    expect(said(inv(ROOT_SLOT.tcb, 'TCBReadRegisters', [0, 1]))).toEqual(['decodeReadRegisters: TCB ReadRegisters: Attempted to read our own registers.']);
    expect(said(inv(t.tcbSlot, 'TCBWriteRegisters', [0, 5, 1, 2]))).toEqual(['decodeWriteRegisters: TCB WriteRegisters: Message too short for requested write size (2/5).']);
    expect(said(inv(t.tcbSlot, 'TCBCopyRegisters', [0], [ROOT_SLOT.cnode]))).toEqual(['decodeCopyRegisters: TCB CopyRegisters: Invalid source TCB.']);
  });

  it('spaces, IPC buffers and notifications, with checkValidIPCBuffer’s and Arch_deriveCap’s lines', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.spin, suspended: true });
    const ep = sys.create(ObjectType.Endpoint);
    const ntfn = sys.create(ObjectType.Notification);
    const frame = sys.create(ObjectType.SmallPage);
    const unassigned = sys.create(ObjectType.VSpace);
    expect(said(inv(t.tcbSlot, 'TCBSetSpace', [0, 0], [0, ep, t.vspaceSlot]))).toEqual(['decodeSetSpace: TCB SetSpace: Invalid CNode cap.']);
    expect(said(inv(t.tcbSlot, 'TCBSetSpace', [0, 0], [0, t.cnodeSlot, ep]))).toEqual(['decodeSetSpace: TCB SetSpace: Invalid VSpace cap.']);
    // deriveCap refuses an unassigned VSpace and says so; SetSpace adds nothing.
    expect(said(inv(t.tcbSlot, 'TCBSetSpace', [0, 0], [0, t.cnodeSlot, unassigned]))).toEqual(['Arch_deriveCap: Deriving a VSpace cap without an assigned ASID']);
    expect(said(inv(t.tcbSlot, 'TCBSetSpace', [0, 0], [ntfn, t.cnodeSlot, t.vspaceSlot]))).toEqual(['decodeSetSpace: TCB SetSpace: fault endpoint cap invalid.']);
    expect(said(inv(t.tcbSlot, 'TCBSetIPCBuffer', [0x1234_5200], [frame]))).toEqual(['checkValidIPCBuffer: IPC Buffer vaddr 0x12345200 is not aligned.']);
    expect(said(inv(t.tcbSlot, 'TCBSetIPCBuffer', [0x1000], [ep]))).toEqual(['checkValidIPCBuffer: IPC Buffer is an invalid cap.']);
    expect(said(inv(t.tcbSlot, 'TCBConfigure', [0, 0, 0], [ep, t.vspaceSlot, frame]))).toEqual(['decodeTCBConfigure: TCB Configure: CSpace cap is invalid.']);
    expect(said(inv(t.tcbSlot, 'TCBBindNotification', [], [ep]))).toEqual(['decodeBindNotification: TCB BindNotification: Notification is invalid.']);
    expect(said(inv(t.tcbSlot, 'TCBUnbindNotification'))).toEqual(['decodeUnbindNotification: TCB UnbindNotification: TCB already has no bound Notification.']);
    expect(said(inv(t.tcbSlot, 'TCBSetTimeoutEndpoint', [], [ntfn]))).toEqual(['decodeSetTimeoutEndpoint: TCB SetTimeoutEndpoint: timeout endpoint cap invalid.']);
    expect(said(inv(t.tcbSlot, 'TCBSetTLSBase'))).toEqual(['decodeSetTLSBase: TCB SetTLSBase: Truncated message.']);
  });

  it('the send phase of ReplyRecv may not invoke a TCB, and an unknown TCB label is an illegal operation', () => {
    const k = new KernelState(MICROKIT_DEBUG);
    const cnode = new CNode(1);
    cnode.slots[0]!.cap = { type: CapType.Thread, obj: new TcbObject(0x4000_0000, 11) };
    const firstPhase = decodeObjectInvocation(k, { label: L.of('TCBSuspend'), args: [], extraCaps: [] }, cnode.slots[0]!, true);
    expect(firstPhase).toMatchObject({ ok: false, error: { error: 2 }, userErrors: [{ func: 'decodeInvocation', message: 'Cannot invoke thread capabilities in the first phase of an invocation' }] });
    const illegal = decodeObjectInvocation(k, { label: L.of('IRQAckIRQ'), args: [], extraCaps: [] }, cnode.slots[0]!, false);
    expect(illegal).toMatchObject({ ok: false, error: { error: 3 }, userErrors: [{ func: 'decodeTCBInvocation', message: 'TCB: Illegal operation.' }] });
  });
});

describe('CNode invocations (src/object/cnode.c)', () => {
  it('says which step failed, after the callee’s own line', () => {
    const { sys, inv } = setup();
    const ep = sys.create(ObjectType.Endpoint);
    const pt = sys.create(ObjectType.PageTable);
    const free = sys.create(ObjectType.Endpoint) + 1;
    expect(said(inv(ROOT_SLOT.cnode, 'TCBSuspend'))).toEqual(['decodeCNodeInvocation: CNodeCap: Illegal Operation attempted.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeDelete', [1]))).toEqual(['decodeCNodeInvocation: CNode operation: Truncated message.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeDelete', [1, 65]))).toEqual(['decodeCNodeInvocation: CNode operation: Target slot invalid.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeCopy', [ep, 64, ep, 64, 15], [ROOT_SLOT.cnode]))).toEqual(['decodeCNodeInvocation: CNode Copy/Mint/Move/Mutate: Destination not empty.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeCopy', [free, 64, free + 1, 64, 15], [ROOT_SLOT.cnode]))).toEqual(['decodeCNodeInvocation: CNode Copy/Mint/Move/Mutate: Source slot invalid or empty.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeCopy', [free, 64, ep, 64], [ROOT_SLOT.cnode]))).toEqual(['decodeCNodeInvocation: Truncated message for CNode Copy operation.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeCopy', [free, 64, pt, 64, 15], [ROOT_SLOT.cnode]))).toEqual(['Arch_deriveCap: Deriving a PT cap without an assigned ASID', 'decodeCNodeInvocation: Error deriving cap for CNode Copy operation.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeMutate', [free, 64, ep, 64, 5], [ROOT_SLOT.cnode]))).toEqual(['decodeCNodeInvocation: CNode Copy/Mint/Move/Mutate: Mutated cap would be invalid.']);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeCancelBadgedSends', [ROOT_SLOT.tcb, 64]))).toEqual(['decodeCNodeInvocation: CNode CancelBadgedSends: Target cap invalid.']);
    // Rotate's lookups print nothing, its pivot check does.
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeRotate', [free, 64, 0, free + 1, 64, 0, free + 2, 64], [ROOT_SLOT.cnode, ROOT_SLOT.cnode]))).toEqual([]);
    expect(said(inv(ROOT_SLOT.cnode, 'CNodeRotate', [free, 64, 0, ep, 64, 0, ep, 64], [ROOT_SLOT.cnode, ROOT_SLOT.cnode]))).toEqual(['decodeCNodeInvocation: CNode Rotate: Pivot slot the same as source or dest slot.']);
  });
});

describe('Untyped_Retype (src/object/untyped.c)', () => {
  it('numbers as seL4’s printf prints them', () => {
    const { sys, inv } = setup();
    const small = sys.create(ObjectType.Untyped, 12);
    const device = sys.kernel.bootInfo.untyped.find((u) => u.isDevice)!.slot;
    const ep = sys.create(ObjectType.Endpoint);
    const retype = (slot: number, args: number[]) => said(inv(slot, 'UntypedRetype', args, [ROOT_SLOT.cnode]));
    expect(said(inv(small, 'CNodeCopy', [0, 0, 0, 0, 0, 1], [ROOT_SLOT.cnode]))).toEqual(['decodeUntypedInvocation: Untyped cap: Illegal operation attempted.']);
    expect(retype(small, [99, 0, 0, 0, ep + 1, 1])).toEqual(['decodeUntypedInvocation: Untyped Retype: Invalid object type.']);
    expect(retype(small, [ObjectType.Untyped, 2, 0, 0, ep + 1, 1])).toEqual(['decodeUntypedInvocation: Untyped Retype: Requested UntypedItem size too small.']);
    expect(retype(small, [ObjectType.Endpoint, 0, 0, 0, 1 << 20, 1])).toEqual(['decodeUntypedInvocation: Untyped Retype: Destination node offset #1048576 too large.']);
    expect(retype(small, [ObjectType.Endpoint, 0, 0, 0, ep + 1, 257])).toEqual(['decodeUntypedInvocation: Untyped Retype: Number of requested objects (257) too small or large.']);
    expect(retype(small, [ObjectType.Endpoint, 0, 0, 0, ep - 1, 3])).toEqual([`decodeUntypedInvocation: Untyped Retype: Slot #${ep - 1} in destination window non-empty.`]);
    expect(retype(small, [ObjectType.Untyped, 13, 0, 0, ep + 1, 1])).toEqual(['decodeUntypedInvocation: Untyped Retype: Insufficient memory (1 * 8192 bytes needed, 4096 bytes available).']);
    expect(retype(device, [ObjectType.Endpoint, 0, 0, 0, ep + 1, 1])).toEqual(['decodeUntypedInvocation: Untyped Retype: Creating kernel objects with device untyped']);
  });
});

describe('IRQ control and handlers (src/object/interrupt.c, src/arch/arm/object/interrupt.c)', () => {
  it('IRQControl: the IRQ as %u, the root cptr as %lu; truncated messages print nothing', () => {
    const { sys, inv } = setup();
    const ep = sys.create(ObjectType.Endpoint);
    const irqs = sys.kernel.state.irqs;
    expect(said(inv(ROOT_SLOT.irqControl, 'IRQIssueIRQHandler', [40, ep + 1]))).toEqual([]);
    expect(said(inv(ROOT_SLOT.irqControl, 'IRQIssueIRQHandler', [5000, ep + 1, 64], [ROOT_SLOT.cnode]))).toEqual([`Arch_checkIRQ: Rejecting request for IRQ 5000. IRQ is out of range [0..${irqs.maxIrq}].`]);
    expect(said(inv(ROOT_SLOT.irqControl, 'IRQIssueIRQHandler', [40, ep, 64], [ROOT_SLOT.cnode]))).toEqual(['decodeIRQControlInvocation: Target slot for new IRQ Handler cap not empty: cap 2, IRQ 40.']);
    expect(said(inv(ROOT_SLOT.irqControl, 'ARMIRQIssueIRQHandlerTrigger', [40, 1, ep + 1, 65], [ROOT_SLOT.cnode]))).toEqual(['Arch_decodeIRQControlInvocation: Target slot for new IRQ Handler cap invalid: cap 2, IRQ 40.']);
    expect(inv(ROOT_SLOT.irqControl, 'IRQIssueIRQHandler', [40, ep + 1, 64], [ROOT_SLOT.cnode]).ok).toBe(true);
    expect(said(inv(ROOT_SLOT.irqControl, 'IRQIssueIRQHandler', [40, ep + 2, 64], [ROOT_SLOT.cnode]))).toEqual(['decodeIRQControlInvocation: Rejecting request for IRQ 40. Already active.']);
    expect(said(inv(ROOT_SLOT.irqControl, 'TCBSuspend'))).toEqual([]);
  });

  it('IRQHandler: an unknown label and a SetIRQHandler cap that is not a notification or cannot send', () => {
    const env = { config: MICROKIT_DEBUG, labels: L, memory: { zero: () => {} }, irqs: new InterruptTable(), gic: { enableInterrupt: () => {}, setInterruptEdge: () => {} }, deletion: kernelDeletion(new KernelState(MICROKIT_DEBUG)) };
    const cnode = new CNode(2);
    const s = cnode.slots;
    s[0]!.cap = { type: CapType.IrqHandler, irq: 33 };
    s[1]!.cap = { type: CapType.Notification, obj: new NotificationObject(0x4000_0000, 6), badge: 0n, canSend: false, canReceive: true };
    s[2]!.cap = { type: CapType.IrqControl };
    const bad = decodeIRQHandlerInvocation(env, { label: L.of('TCBSuspend'), args: [], extraCaps: [] }, s[0]!);
    expect(bad).toMatchObject({ ok: false, userErrors: [{ func: 'decodeIRQHandlerInvocation', message: 'IRQHandler: Illegal operation.' }] });
    const readOnly = decodeIRQHandlerInvocation(env, { label: L.of('IRQSetIRQHandler'), args: [], extraCaps: [{ cap: s[1]!.cap, slot: s[1]! }] }, s[0]!);
    expect(readOnly).toMatchObject({ ok: false, userErrors: [{ message: 'IRQSetHandler: caller does not have send rights on the endpoint.' }] });
    const notNtfn = decodeIRQHandlerInvocation(env, { label: L.of('IRQSetIRQHandler'), args: [], extraCaps: [{ cap: s[2]!.cap, slot: s[2]! }] }, s[0]!);
    expect(notNtfn).toMatchObject({ ok: false, userErrors: [{ message: 'IRQSetHandler: provided cap is not an notification capability.' }] });
    const truncated = decodeIRQHandlerInvocation(env, { label: L.of('IRQSetIRQHandler'), args: [], extraCaps: [] }, s[0]!);
    expect(truncated).toMatchObject({ ok: false, userErrors: [] });
  });
});

describe('scheduling (src/object/schedcontrol.c, schedcontext.c)', () => {
  it('SchedControl_ConfigureFlags and the SchedContext invocations', () => {
    const { sys, inv } = setup();
    const control = sys.kernel.bootInfo.schedControl;
    const sc = sys.create(ObjectType.SchedContext, 8);
    const ep = sys.create(ObjectType.Endpoint);
    const t = sys.thread({ role: ROLE.spin, suspended: true });
    const configure = (args: (number | bigint)[], extra = [sc]) => said(inv(control, 'SchedControlConfigureFlags', args, extra));
    expect(configure([1000, 1000, 0, 0, 0], [])).toEqual(['decodeSchedControl_ConfigureFlags: SchedControl_ConfigureFlags: Truncated message.']);
    expect(configure([1000, 1000, 0, 0])).toEqual(['decodeSchedControl_ConfigureFlags: SchedControl_configureFlags: truncated message.']);
    expect(configure([19, 1000, 0, 0, 0])).toEqual(['decodeSchedControl_ConfigureFlags: SchedControl_ConfigureFlags: budget out of range.']);
    expect(configure([1000, 19, 0, 0, 0])).toEqual(['decodeSchedControl_ConfigureFlags: SchedControl_ConfigureFlags: period out of range.']);
    expect(configure([2000, 1000, 0, 0, 0])).toEqual(['decodeSchedControl_ConfigureFlags: SchedControl_ConfigureFlags: budget must be <= period']);
    expect(configure([1000, 1000, 0, 0, 0], [ep])).toEqual(['decodeSchedControl_ConfigureFlags: SchedControl_ConfigureFlags: target cap not a scheduling context cap']);
    expect(configure([1000, 2000, 9, 0, 0])).toEqual(['decodeSchedControl_ConfigureFlags: Max refills invalid, got 9, max 8']);
    expect(said(inv(control, 'TCBSuspend'))).toEqual(['decodeSchedControlInvocation: SchedControl invocation: Illegal operation attempted.']);
    expect(said(inv(sc, 'SchedContextBind', [], [ep]))).toEqual(['decodeSchedContext_Bind: SchedContext_Bind: invalid cap.']);
    expect(said(inv(t.scSlot, 'SchedContextBind', [], [t.tcbSlot]))).toEqual(['decodeSchedContext_Bind: SchedContext_Bind: sched context already bound.']);
    expect(said(inv(sc, 'SchedContextBind', [], [t.tcbSlot]))).toEqual(['decodeSchedContext_Bind: SchedContext_Bind: tcb already bound.']);
    expect(said(inv(sc, 'SchedContextUnbindObject', [], [t.tcbSlot]))).toEqual(['decodeSchedContext_UnbindObject: SchedContext UnbindObject: object not bound']);
    expect(said(inv(sc, 'SchedContextYieldTo'))).toEqual(['decodeSchedContext_YieldTo: SchedContext_YieldTo: cannot yield to an inactive sched context']);
    expect(said(inv(ROOT_SLOT.schedContext, 'SchedContextUnbind'))).toEqual(['decodeSchedContextInvocation: SchedContext UnbindObject: cannot unbind sc of current thread']);
  });

  it('DomainSet: the domain as %lu', () => {
    const sys = new TestSystem({ numDomains: 4 });
    expect(said(sys.kernel.invoke(ROOT_SLOT.domain, 'DomainSetSet', [7], [ROOT_SLOT.tcb]))).toEqual(['decodeDomainSetSetInvocation: Domain Configure: invalid domain (7 >= 4).']);
    expect(said(sys.kernel.invoke(ROOT_SLOT.domain, 'DomainSetSet', [1], [ROOT_SLOT.cnode]))).toEqual(['decodeDomainSetSetInvocation: Domain Configure: thread cap required.']);
  });
});

describe('VSpace invocations (src/arch/arm/64/kernel/vspace.c)', () => {
  it('frames, page tables, ASID pools and VSpaces: few refusals print, and those say why', () => {
    const { sys, inv } = setup();
    const t = sys.thread({ role: ROLE.regs, suspended: true });
    const other = sys.thread({ role: ROLE.regs, suspended: true });
    const frame = sys.create(ObjectType.SmallPage);
    const pt = sys.create(ObjectType.PageTable);
    const vspace = sys.create(ObjectType.VSpace);
    // Page tables and ASID pools: seL4 only sets the error.
    expect(said(inv(pt, 'ARMPageTableMap', [0x4000_0000]))).toEqual([]);
    expect(said(inv(ROOT_SLOT.asidPool, 'ARMASIDPoolAssign', [], [t.vspaceSlot]))).toEqual([]);
    expect(said(inv(frame, 'ARMPageMap', [0x123, 3, 0], [t.vspaceSlot]))).toEqual([]); // misaligned
    expect(inv(ROOT_SLOT.asidPool, 'ARMASIDPoolAssign', [], [vspace]).ok).toBe(true);
    expect(said(inv(frame, 'ARMPageMap', [0x7000_0000, 3, 0], [t.vspaceSlot]))).toEqual([]); // no page table there
    // The page table of the IPC buffer's 2 MiB covers this page.
    expect(inv(frame, 'ARMPageMap', [0xff_fff0_0000, 3, 0], [t.vspaceSlot]).ok).toBe(true);
    expect(said(inv(frame, 'ARMPageMap', [0xff_fff0_0000, 3, 0], [other.vspaceSlot]))).toEqual(['decodeARMFrameInvocation: ARMPageMap: Attempting to remap a frame that does not belong to the passed address space']);
    expect(said(inv(frame, 'ARMPageMap', [0xff_fff0_1000, 3, 0], [t.vspaceSlot]))).toEqual(['decodeARMFrameInvocation: ARMPageMap: Attempting to map frame into multiple addresses']);
    expect(said(inv(frame, 'ARMPageClean_Data', [0x10, 0x8]))).toEqual(['decodeARMFrameInvocation: PageFlush: Invalid range']);
    expect(said(inv(frame, 'ARMPageClean_Data', [0x10, 0x2000]))).toEqual(['decodeARMFrameInvocation: Page Flush: Requested range not inside page']);
    expect(said(inv(sys.create(ObjectType.SmallPage), 'ARMPageClean_Data', [0, 8]))).toEqual(['decodeARMFrameInvocation: Page Flush: Frame is not mapped.']);
    expect(said(inv(t.vspaceSlot, 'ARMVSpaceClean_Data', [0x200000, 0x202000]))).toEqual(['decodeARMVSpaceRootInvocation: VSpaceRoot Flush: cannot cross page boundary, valid range is [0x200000..0x200fff)']);
    expect(said(inv(t.vspaceSlot, 'ARMVSpaceClean_Data', [0, 0x100_0000_0000]))).toEqual(['decodeARMVSpaceRootInvocation: VSpaceRoot Flush: Exceed the user addressable region.']);
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

  it('a refused TCB invocation prints seL4’s line for it', () => {
    const sys = new TestSystem();
    const other = sys.thread({ role: ROLE.spin, priority: 1, suspended: true });
    // The client calls slot 3 with label 7 (TCBSetMCPriority) and no words: too short.
    expect(L.byNumber[7]).toBe('TCBSetMCPriority');
    sys.thread({ role: ROLE.client, param: 0, priority: 100, caps: { 3: other.tcbSlot } });
    sys.run(2_000_000);
    expect(sys.output).toMatch(/^<<seL4\(CPU 0\) \[decodeSetMCPriority\/0 T0x[0-9a-f]+ "child of: 'rootserver'" @[0-9a-f]+\]: TCB SetMCPriority: Truncated message\.>>\nclient: reply label 7 /);
  });

  it('a cap that cannot be derived stops a cap transfer, and Arch_deriveCap says why', () => {
    const sys = new TestSystem();
    const ep = sys.create(ObjectType.Endpoint);
    const pt = sys.create(ObjectType.PageTable);
    sys.thread({ role: ROLE.capServer, priority: 120, caps: { 1: ep } });
    const client = sys.thread({ role: ROLE.capClient, priority: 100, suspended: true, caps: { 3: { slot: ep, badge: 0x21 } } });
    // Moving does not derive: the unmapped page table reaches the client's slot 2, which it sends.
    sys.invoke(client.cnodeSlot, 'CNodeMove', [2, 4, pt, 64], [ROOT_SLOT.cnode]);
    sys.invoke(client.tcbSlot, 'TCBResume');
    sys.run(2_000_000);
    const lines = sys.output.split('\n');
    expect(lines[0]).toMatch(/^<<seL4\(CPU 0\) \[Arch_deriveCap\/0 T0x[0-9a-f]+ "child of: 'rootserver'" @[0-9a-f]+\]: Deriving a PT cap without an assigned ASID>>$/);
    expect(lines[1]).toBe('cap server: extraCaps 0 unwrapped 0 badge[1] 0 slot 12 type 0');
  });

  it('a refusal seL4 does not explain prints nothing, but the caller still gets the error', () => {
    const sys = new TestSystem();
    // Label 7 means nothing to an ASID pool: seL4_IllegalOperation, without a userError.
    sys.thread({ role: ROLE.client, param: 0, priority: 100, caps: { 3: ROOT_SLOT.asidPool } });
    sys.run(2_000_000);
    expect(sys.output).toBe('client: reply label 3 length 0 sum 0 badge 0\n');
  });
});
