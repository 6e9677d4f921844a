import { describe, expect, it } from 'vitest';
import { CapType } from '../src/kernel/cap-types.js';
import { seL4_Error } from '../src/kernel/errors.js';
import { NotModelledError } from '../src/kernel/invocations/cnode.js';
import { ROOT_SLOT, type InvokeResult } from '../src/kernel/kernel.js';
import { ObjectType } from '../src/kernel/object-types.js';
import { TcbSlot, ThreadState } from '../src/kernel/objects.js';
import { ROLE, TestSystem } from './helpers/kernel-system.js';

/** TCB invocations: the success path and every error, in seL4's order, invoked as the root task. */

function errorOf(r: InvokeResult) {
  if (r.ok) throw new Error('accepted');
  return r.error;
}

function setup() {
  const sys = new TestSystem();
  const t = sys.thread({ role: ROLE.regs, suspended: true });
  const frame = sys.create(ObjectType.SmallPage);
  const ep = sys.create(ObjectType.Endpoint);
  const ntfn = sys.create(ObjectType.Notification);
  const inv = (cptr: number, label: string, args: (number | bigint)[] = [], extra: number[] = []) => sys.kernel.invoke(cptr, label, args, extra);
  return { sys, t, frame, ep, ntfn, inv };
}

describe('TCB_Configure, SetSpace, SetIPCBuffer', () => {
  it('checks the buffer, then the CSpace root, then the VSpace root', () => {
    const { sys, t, frame, ep, inv } = setup();
    const vspace = sys.create(ObjectType.VSpace); // no ASID yet
    const cnode = t.cnodeSlot;
    expect(errorOf(inv(t.tcbSlot, 'TCBConfigure', [0, 0], [cnode, vspace, frame]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBConfigure', [0, 0, 0x1000], [cnode, vspace]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBConfigure', [0, 0, 0x1000], [cnode, vspace, ep]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(t.tcbSlot, 'TCBConfigure', [0, 0, 0x1010], [cnode, vspace, frame]))!.error).toBe(seL4_Error.AlignmentError);
    expect(errorOf(inv(t.tcbSlot, 'TCBConfigure', [0, 0, 0x1000], [ep, vspace, frame]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(t.tcbSlot, 'TCBConfigure', [0, 0, 0x1000], [cnode, vspace, frame]))!.error).toBe(seL4_Error.IllegalOperation);
    sys.invoke(ROOT_SLOT.asidPool, 'ARMASIDPoolAssign', [], [vspace]);
    expect(inv(t.tcbSlot, 'TCBConfigure', [60, 0, 0x1400], [cnode, vspace, frame]).ok).toBe(true);
    const ctes = t.tcb.ctes.slots;
    const cspace = ctes[TcbSlot.CTable]!.cap;
    expect(cspace.type === CapType.CNode && cspace.guardSize).toBe(60);
    expect(ctes[TcbSlot.VTable]!.cap.type).toBe(CapType.VSpace);
    expect(ctes[TcbSlot.Buffer]!.cap.type).toBe(CapType.Frame);
    expect(t.tcb.ipcBuffer).toBe(0x1400n);
    // Address 0: no IPC buffer at all.
    expect(inv(t.tcbSlot, 'TCBSetIPCBuffer', [0], [frame]).ok).toBe(true);
    expect(ctes[TcbSlot.Buffer]!.cap.type).toBe(CapType.Null);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetIPCBuffer', [0x2001], [frame]))!.error).toBe(seL4_Error.AlignmentError);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetIPCBuffer', []))!.error).toBe(seL4_Error.TruncatedMessage);
  });

  it('SetSpace installs a fault handler that can send and grant', () => {
    const { sys, t, ep, inv } = setup();
    const vspace = t.tcb.ctes.slots[TcbSlot.VTable]!.cap;
    expect(vspace.type).toBe(CapType.VSpace);
    const vs = sys.create(ObjectType.VSpace);
    sys.invoke(ROOT_SLOT.asidPool, 'ARMASIDPoolAssign', [], [vs]);
    const sendOnly = sys.mint(ep, 0, 0b0001);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSpace', [0, 0], [sendOnly, t.cnodeSlot, vs]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSpace', [0], [ep, t.cnodeSlot, vs]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(inv(t.tcbSlot, 'TCBSetSpace', [0, 0], [ep, t.cnodeSlot, vs]).ok).toBe(true);
    expect(t.tcb.ctes.slots[TcbSlot.FaultHandler]!.cap.type).toBe(CapType.Endpoint);
  });
});

describe('TCB_SetSchedParams, SetPriority, SetMCPriority', () => {
  it('checks authority, MCP, the scheduling context and the fault endpoint in order', () => {
    const { sys, t, ep, ntfn, inv } = setup();
    const other = sys.thread({ role: ROLE.regs, suspended: true });
    const args = [50, 50];
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', args, [ROOT_SLOT.tcb, t.scSlot]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', args, [ep, t.scSlot, 0]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    // The authority's MCP bounds both values.
    sys.invoke(other.tcbSlot, 'TCBSetMCPriority', [40], [ROOT_SLOT.tcb]);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', [41, 10], [other.tcbSlot, t.scSlot, 0]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 40n] });
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', [10, 41], [other.tcbSlot, t.scSlot, 0]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 40n] });
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', args, [ROOT_SLOT.tcb, ntfn, 0]))).toEqual({ error: seL4_Error.InvalidCapability, words: [2n] });
    // An SC bound to another thread, or a second SC for a thread that has one.
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', args, [ROOT_SLOT.tcb, other.scSlot, 0]))!.error).toBe(seL4_Error.IllegalOperation);
    const fresh = sys.create(ObjectType.SchedContext, 8);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', args, [ROOT_SLOT.tcb, fresh, 0]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetSchedParams', args, [ROOT_SLOT.tcb, t.scSlot, sys.mint(ep, 1, 0b0011)]))).toEqual({ error: seL4_Error.InvalidCapability, words: [3n] });
    expect(inv(t.tcbSlot, 'TCBSetSchedParams', [60, 50], [ROOT_SLOT.tcb, t.scSlot, sys.mint(ep, 1, 0b1001)]).ok).toBe(true);
    expect([t.tcb.mcp, t.tcb.priority]).toEqual([60, 50]);
    // A null SC unbinds it.
    expect(inv(t.tcbSlot, 'TCBSetSchedParams', [60, 50], [ROOT_SLOT.tcb, 0, 0]).ok).toBe(true);
    expect(t.tcb.sc).toBeUndefined();
    expect(t.tcb.ctes.slots[TcbSlot.FaultHandler]!.cap.type).toBe(CapType.Null);
  });

  it('SetPriority and SetMCPriority take an authority TCB', () => {
    const { t, ep, inv } = setup();
    expect(errorOf(inv(t.tcbSlot, 'TCBSetPriority', [10]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetPriority', [10], [ep]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(errorOf(inv(t.tcbSlot, 'TCBSetPriority', [256], [ROOT_SLOT.tcb]))).toEqual({ error: seL4_Error.RangeError, words: [0n, 255n] });
    expect(inv(t.tcbSlot, 'TCBSetPriority', [7], [ROOT_SLOT.tcb]).ok).toBe(true);
    expect(inv(t.tcbSlot, 'TCBSetMCPriority', [8], [ROOT_SLOT.tcb]).ok).toBe(true);
    expect([t.tcb.priority, t.tcb.mcp]).toEqual([7, 8]);
  });
});

describe('TCB registers, Suspend, Resume', () => {
  it('writes and reads registers in seL4_UserContext order; the caller cannot name itself', () => {
    const { t, inv } = setup();
    const values = Array.from({ length: 36 }, (_, i) => BigInt(0x1000 + i * 8));
    expect(inv(t.tcbSlot, 'TCBWriteRegisters', [0, 36, ...values]).ok).toBe(true);
    const read = inv(t.tcbSlot, 'TCBReadRegisters', [0, 36]);
    // SPSR is sanitised: the flags stay, the mode becomes EL0t with F masked.
    const expected = [...values];
    expected[2] = 0x40n;
    expect(read.ok && read.words).toEqual(expected);
    expect(errorOf(inv(t.tcbSlot, 'TCBReadRegisters', [0, 37]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 36n] });
    expect(errorOf(inv(t.tcbSlot, 'TCBReadRegisters', [0, 0]))).toEqual({ error: seL4_Error.RangeError, words: [1n, 36n] });
    expect(errorOf(inv(t.tcbSlot, 'TCBReadRegisters', [0]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBWriteRegisters', [0, 3, 1, 2]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(ROOT_SLOT.tcb, 'TCBReadRegisters', [0, 1]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(ROOT_SLOT.tcb, 'TCBWriteRegisters', [0, 0]))!.error).toBe(seL4_Error.IllegalOperation);
  });

  it('CopyRegisters moves frame and integer registers; Suspend and Resume change the state', () => {
    const { sys, t, ep, inv } = setup();
    const other = sys.thread({ role: ROLE.regs, suspended: true });
    inv(t.tcbSlot, 'TCBWriteRegisters', [0, 36, ...Array.from({ length: 36 }, (_, i) => BigInt(i + 1))]);
    expect(errorOf(inv(other.tcbSlot, 'TCBCopyRegisters', [0xc]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(other.tcbSlot, 'TCBCopyRegisters', [0xc], [ep]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(inv(other.tcbSlot, 'TCBCopyRegisters', [0xc], [t.tcbSlot]).ok).toBe(true);
    const read = inv(other.tcbSlot, 'TCBReadRegisters', [0, 36]);
    expect(read.ok && read.words[35]).toBe(36n);
    expect(t.tcb.state).toBe(ThreadState.Inactive);
    expect(inv(t.tcbSlot, 'TCBResume').ok).toBe(true);
    expect(t.tcb.state).toBe(ThreadState.Restart);
    expect(inv(t.tcbSlot, 'TCBSuspend').ok).toBe(true);
    expect(t.tcb.state).toBe(ThreadState.Inactive);
  });

  it('SetTLSBase sets TPIDR_EL0; SetFlags replies with the flags', () => {
    const { t, inv } = setup();
    expect(errorOf(inv(t.tcbSlot, 'TCBSetTLSBase'))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(inv(t.tcbSlot, 'TCBSetTLSBase', [0xabc]).ok).toBe(true);
    expect(t.tcb.context.tpidr).toBe(0xabcn);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetFlags', [0]))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(inv(t.tcbSlot, 'TCBSetFlags', [0, 3])).toEqual({ ok: true, words: [1n] });
    expect(inv(t.tcbSlot, 'TCBSetFlags', [1, 0])).toEqual({ ok: true, words: [0n] });
  });

  it('hardware breakpoints are reported as not modelled', () => {
    const { t, inv } = setup();
    expect(() => inv(t.tcbSlot, 'TCBSetBreakpoint', [0, 0, 0, 0, 0])).toThrow(NotModelledError);
  });
});

describe('TCB_BindNotification, UnbindNotification, SetTimeoutEndpoint', () => {
  it('binds one receivable, unbound notification', () => {
    const { sys, t, ep, ntfn, inv } = setup();
    expect(errorOf(inv(t.tcbSlot, 'TCBUnbindNotification'))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(t.tcbSlot, 'TCBBindNotification'))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBBindNotification', [], [ep]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(errorOf(inv(t.tcbSlot, 'TCBBindNotification', [], [sys.mint(ntfn, 0, 0b0001)]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(inv(t.tcbSlot, 'TCBBindNotification', [], [ntfn]).ok).toBe(true);
    expect(errorOf(inv(t.tcbSlot, 'TCBBindNotification', [], [ntfn]))!.error).toBe(seL4_Error.IllegalOperation);
    const other = sys.thread({ role: ROLE.regs, suspended: true });
    expect(errorOf(inv(other.tcbSlot, 'TCBBindNotification', [], [ntfn]))!.error).toBe(seL4_Error.IllegalOperation);
    expect(inv(t.tcbSlot, 'TCBUnbindNotification').ok).toBe(true);
    expect(t.tcb.boundNotification).toBeUndefined();
  });

  it('the timeout endpoint must be able to send with grant', () => {
    const { sys, t, ep, inv } = setup();
    expect(errorOf(inv(t.tcbSlot, 'TCBSetTimeoutEndpoint'))!.error).toBe(seL4_Error.TruncatedMessage);
    expect(errorOf(inv(t.tcbSlot, 'TCBSetTimeoutEndpoint', [], [sys.mint(ep, 0, 0b0011)]))).toEqual({ error: seL4_Error.InvalidCapability, words: [1n] });
    expect(inv(t.tcbSlot, 'TCBSetTimeoutEndpoint', [], [ep]).ok).toBe(true);
    expect(t.tcb.ctes.slots[TcbSlot.TimeoutHandler]!.cap.type).toBe(CapType.Endpoint);
  });
});
