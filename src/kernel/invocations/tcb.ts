import { sameObjectAs, type Cap, type CapOf } from '../cap.js';
import { CapType } from '../cap-types.js';
import type { Slot } from '../cspace.js';
import { suspendThread } from '../delete.js';
import { deriveCap, updateCapData } from '../derive.js';
import { syscallError, type SyscallError } from '../errors.js';
import { FRAME_REGISTERS, GP_REGISTERS, Reg, USER_CONTEXT_REGISTERS } from '../faults.js';
import { cancelIPC, isValidFaultHandler } from '../ipc.js';
import { cteInsert } from '../mdb.js';
import { bindNotification, unbindNotification } from '../notification.js';
import { schedContextBindTCB, schedContextResume, schedContextUnbindTCB } from '../sched-context.js';
import { isSchedulable, isStopped, possibleSwitchTo, rescheduleRequired, setThreadState, tcbEPAppend, tcbEPDequeue, tcbSchedDequeue, tcbSchedEnqueue } from '../scheduler.js';
import { refillReady, refillUnblockCheck } from '../sporadic.js';
import type { KernelState } from '../state.js';
import { NotificationState, TcbSlot, ThreadState, type EndpointObject, type NotificationObject, type SchedContextObject, type TcbObject } from '../objects.js';
import { NotModelledError } from './cnode.js';
import { fail, type Decoded, type Invocation } from './types.js';

/**
 * TCB invocations (src/object/tcb.c, MCS): each decoder checks in seL4's order and returns an
 * invoke that cannot fail.
 */

const ok = (invoke: () => bigint[]): Decoded => ({ ok: true, invoke });
const done = (effect: () => void): Decoded => ok(() => (effect(), []));

/** The registers a user context has (n_frameRegisters + n_gpRegisters). */
const CONTEXT_LENGTH = USER_CONTEXT_REGISTERS.length;

export function decodeTCBInvocation(k: KernelState, inv: Invocation, slot: Slot): Decoded {
  const tcb = (slot.cap as CapOf<CapType.Thread>).obj;
  const name = k.labels.byNumber[inv.label];
  switch (name) {
    case 'TCBReadRegisters':
      return decodeReadRegisters(k, inv, tcb);
    case 'TCBWriteRegisters':
      return decodeWriteRegisters(k, inv, tcb);
    case 'TCBCopyRegisters':
      return decodeCopyRegisters(k, inv, tcb);
    case 'TCBSuspend':
      return done(() => suspendThread(k, tcb));
    case 'TCBResume':
      return done(() => restart(k, tcb));
    case 'TCBConfigure':
      return decodeConfigure(k, inv, tcb, slot);
    case 'TCBSetPriority':
    case 'TCBSetMCPriority':
      return decodeSetPriority(k, inv, tcb, name === 'TCBSetMCPriority');
    case 'TCBSetSchedParams':
      return decodeSetSchedParams(k, inv, tcb, slot);
    case 'TCBSetIPCBuffer':
      return decodeSetIPCBuffer(k, inv, tcb, slot);
    case 'TCBSetSpace':
      return decodeSetSpace(k, inv, tcb, slot);
    case 'TCBBindNotification':
      return decodeBindNotification(inv, tcb);
    case 'TCBUnbindNotification':
      if (!tcb.boundNotification) return fail(syscallError.illegalOperation());
      return done(() => unbindNotification(tcb));
    case 'TCBSetTimeoutEndpoint': {
      if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
      const handler = inv.extraCaps[0]!;
      if (!isValidFaultHandler(handler.cap)) return fail(syscallError.invalidCapability(1));
      return done(() => installTcbCap(k, tcb, slot, TcbSlot.TimeoutHandler, handler.cap, handler.slot));
    }
    case 'TCBSetTLSBase': {
      if (inv.args.length < 1) return fail(syscallError.truncatedMessage());
      const base = inv.args[0]!;
      return done(() => {
        k.setReg(tcb, Reg.TPIDR, base);
        if (tcb === k.curThread) rescheduleRequired(k);
      });
    }
    case 'TCBSetFlags': {
      if (inv.args.length < 2) return fail(syscallError.truncatedMessage());
      const [clear, set] = [inv.args[0]!, inv.args[1]!];
      // seL4_TCBFlag_fpuDisabled is the only flag; it is recorded (the CPU model has no FPU trap).
      return ok(() => {
        tcb.flags = (tcb.flags & ~clear) | (set & 1n);
        return [tcb.flags];
      });
    }
    case 'TCBSetBreakpoint':
    case 'TCBGetBreakpoint':
    case 'TCBUnsetBreakpoint':
    case 'TCBConfigureSingleStepping':
      throw new NotModelledError(`${name} (hardware breakpoints) is not modelled`);
    default:
      return fail(syscallError.illegalOperation(), { func: 'decodeTCBInvocation', message: 'TCB: Illegal operation.' });
  }
}

/** restart: a stopped thread runs again from its restart PC. */
function restart(k: KernelState, t: TcbObject): void {
  if (!isStopped(t)) return;
  cancelIPC(k, t);
  setThreadState(k, t, ThreadState.Restart);
  if (t.sc?.sporadic && t.sc !== k.curSC) refillUnblockCheck(k, t.sc);
  schedContextResume(k, t.sc);
  if (isSchedulable(t)) possibleSwitchTo(k, t);
}

function decodeReadRegisters(k: KernelState, inv: Invocation, tcb: TcbObject): Decoded {
  if (inv.args.length < 2) return fail(syscallError.truncatedMessage());
  const [flags, n] = [inv.args[0]!, inv.args[1]!];
  if (n < 1n || n > BigInt(CONTEXT_LENGTH)) return fail(syscallError.rangeError(1, CONTEXT_LENGTH));
  if (tcb === k.curThread) return fail(syscallError.illegalOperation());
  return ok(() => {
    if (flags & 1n) suspendThread(k, tcb);
    return USER_CONTEXT_REGISTERS.slice(0, Number(n)).map((r) => k.reg(tcb, r));
  });
}

function decodeWriteRegisters(k: KernelState, inv: Invocation, tcb: TcbObject): Decoded {
  if (inv.args.length < 2) return fail(syscallError.truncatedMessage());
  const [flags, w] = [inv.args[0]!, inv.args[1]!];
  if (BigInt(inv.args.length - 2) < w) return fail(syscallError.truncatedMessage());
  if (tcb === k.curThread) return fail(syscallError.illegalOperation());
  const n = Math.min(Number(w), CONTEXT_LENGTH);
  const values = inv.args.slice(2, 2 + n);
  return done(() => {
    values.forEach((v, i) => k.setReg(tcb, USER_CONTEXT_REGISTERS[i]!, v));
    k.setReg(tcb, Reg.NextIP, k.reg(tcb, Reg.FaultIP));
    if (flags & 1n) restart(k, tcb);
    if (tcb === k.curThread) rescheduleRequired(k);
  });
}

function decodeCopyRegisters(k: KernelState, inv: Invocation, dest: TcbObject): Decoded {
  if (inv.args.length < 1 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const flags = inv.args[0]!;
  const source = inv.extraCaps[0]!.cap;
  if (source.type !== CapType.Thread) return fail(syscallError.invalidCapability(1));
  const src = source.obj;
  return done(() => {
    if (flags & 1n) suspendThread(k, src);
    if (flags & 2n) restart(k, dest);
    if (flags & 4n) {
      for (const r of FRAME_REGISTERS) k.setReg(dest, r, k.reg(src, r));
      k.setReg(dest, Reg.NextIP, k.reg(dest, Reg.FaultIP));
    }
    if (flags & 8n) for (const r of GP_REGISTERS) k.setReg(dest, r, k.reg(src, r));
    if (dest === k.curThread) rescheduleRequired(k);
  });
}

/** checkValidIPCBuffer: a non-device frame, 1024-aligned address. */
function checkValidIPCBuffer(vaddr: bigint, cap: Cap): SyscallError | undefined {
  if (cap.type !== CapType.Frame || cap.obj.isDevice) return syscallError.illegalOperation();
  if (vaddr % 1024n !== 0n) return syscallError.alignmentError();
  return undefined;
}

type NewCap = { cap: Cap; slot: Slot };

/** The derived IPC buffer cap (or none for address 0), or the error. */
function ipcBufferArgument(vaddr: bigint, source: NewCap): { ok: true; buffer: NewCap | undefined } | { ok: false; error: SyscallError } {
  if (vaddr === 0n) return { ok: true, buffer: undefined };
  const derived = deriveCap(source.slot, source.cap);
  if (!derived.ok) return derived;
  const error = checkValidIPCBuffer(vaddr, derived.cap);
  return error ? { ok: false, error } : { ok: true, buffer: { cap: derived.cap, slot: source.slot } };
}

/** The CSpace and VSpace roots of Configure and SetSpace, with their data words applied and derived. */
function spaceArguments(cRootData: bigint, cRoot: NewCap, vRootData: bigint, vRoot: NewCap): { ok: true; cRoot: NewCap; vRoot: NewCap } | { ok: false; error: SyscallError } {
  let cCap = cRootData !== 0n ? updateCapData(false, cRootData, cRoot.cap) : cRoot.cap;
  const dc = deriveCap(cRoot.slot, cCap);
  if (!dc.ok) return dc;
  cCap = dc.cap;
  if (cCap.type !== CapType.CNode) return { ok: false, error: syscallError.illegalOperation() };
  let vCap = vRootData !== 0n ? updateCapData(false, vRootData, vRoot.cap) : vRoot.cap;
  const dv = deriveCap(vRoot.slot, vCap);
  if (!dv.ok) return dv;
  vCap = dv.cap;
  if (vCap.type !== CapType.VSpace || vCap.asid === undefined) return { ok: false, error: syscallError.illegalOperation() };
  return { ok: true, cRoot: { cap: cCap, slot: cRoot.slot }, vRoot: { cap: vCap, slot: vRoot.slot } };
}

/**
 * installTCBCap: replace one of the TCB's caps with a copy of `cap` from `src`, unless
 * deleting the old one removed the source or the TCB itself (seL4's sameObjectAs checks).
 */
function installTcbCap(k: KernelState, tcb: TcbObject, tcbSlot: Slot, index: number, cap: Cap, src: Slot | undefined): void {
  const dest = tcb.ctes.slots[index]!;
  const tcbCap = tcbSlot.cap;
  k.deletion.deleteCap(dest);
  if (cap.type !== CapType.Null && src && sameObjectAs(cap, src.cap) && sameObjectAs(tcbCap, tcbSlot.cap)) cteInsert(cap, src, dest);
}

function setSpace(k: KernelState, tcb: TcbObject, tcbSlot: Slot, cRoot: NewCap, vRoot: NewCap): void {
  installTcbCap(k, tcb, tcbSlot, TcbSlot.CTable, cRoot.cap, cRoot.slot);
  installTcbCap(k, tcb, tcbSlot, TcbSlot.VTable, vRoot.cap, vRoot.slot);
  if (tcb === k.loaded) k.setVMRoot(tcb);
}

function setIPCBuffer(k: KernelState, tcb: TcbObject, tcbSlot: Slot, vaddr: bigint, buffer: NewCap | undefined): void {
  k.deletion.deleteCap(tcb.ctes.slots[TcbSlot.Buffer]!);
  tcb.ipcBuffer = vaddr;
  tcb.ipcBufferLow = Number(vaddr & 0xffff_ffffn);
  if (buffer) installTcbCap(k, tcb, tcbSlot, TcbSlot.Buffer, buffer.cap, buffer.slot);
  if (tcb === k.curThread) rescheduleRequired(k);
}

/** TCB_Configure (MCS): extra caps CSpace root, VSpace root, IPC buffer frame; MR0–MR2 cspace data, vspace data, buffer address. */
function decodeConfigure(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  if (inv.args.length < 3 || inv.extraCaps.length < 3) return fail(syscallError.truncatedMessage());
  const [cRootData, vRootData, bufferAddr] = [inv.args[0]!, inv.args[1]!, inv.args[2]!];
  const [cRoot, vRoot, bufferSource] = [inv.extraCaps[0]!, inv.extraCaps[1]!, inv.extraCaps[2]!];
  const buffer = ipcBufferArgument(bufferAddr, bufferSource);
  if (!buffer.ok) return fail(buffer.error);
  const space = spaceArguments(cRootData, cRoot, vRootData, vRoot);
  if (!space.ok) return fail(space.error);
  return done(() => {
    setSpace(k, tcb, tcbSlot, space.cRoot, space.vRoot);
    setIPCBuffer(k, tcb, tcbSlot, bufferAddr, buffer.buffer);
  });
}

/** TCB_SetSpace (MCS): extra caps fault endpoint, CSpace root, VSpace root; MR0–MR1 their data words. */
function decodeSetSpace(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  if (inv.args.length < 2 || inv.extraCaps.length < 3) return fail(syscallError.truncatedMessage());
  const [handler, cRoot, vRoot] = [inv.extraCaps[0]!, inv.extraCaps[1]!, inv.extraCaps[2]!];
  const space = spaceArguments(inv.args[0]!, cRoot, inv.args[1]!, vRoot);
  if (!space.ok) return fail(space.error);
  if (!isValidFaultHandler(handler.cap)) return fail(syscallError.invalidCapability(1));
  return done(() => {
    installTcbCap(k, tcb, tcbSlot, TcbSlot.FaultHandler, handler.cap, handler.slot);
    setSpace(k, tcb, tcbSlot, space.cRoot, space.vRoot);
  });
}

function decodeSetIPCBuffer(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  if (inv.args.length < 1 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const vaddr = inv.args[0]!;
  const buffer = ipcBufferArgument(vaddr, inv.extraCaps[0]!);
  if (!buffer.ok) return fail(buffer.error);
  return done(() => setIPCBuffer(k, tcb, tcbSlot, vaddr, buffer.buffer));
}

/** The authority TCB of a priority change, and the check that the value is within its MCP. */
function checkPrio(value: bigint, auth: TcbObject): SyscallError | undefined {
  return value > BigInt(auth.mcp) ? syscallError.rangeError(0, auth.mcp) : undefined;
}

function decodeSetPriority(k: KernelState, inv: Invocation, tcb: TcbObject, mcp: boolean): Decoded {
  if (inv.args.length < 1 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const value = inv.args[0]!;
  const auth = inv.extraCaps[0]!.cap;
  if (auth.type !== CapType.Thread) return fail(syscallError.invalidCapability(1));
  const error = checkPrio(value, auth.obj);
  if (error) return fail(error);
  return done(() => (mcp ? (tcb.mcp = Number(value)) : setPriority(k, tcb, Number(value))));
}

const isBlocked = (t: TcbObject) => t.state >= ThreadState.BlockedOnReceive && t.state <= ThreadState.BlockedOnNotification;

/** TCB_SetSchedParams (MCS): extra caps authority, scheduling context (or null), fault endpoint (or null); MR0 mcp, MR1 priority. */
function decodeSetSchedParams(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  if (inv.args.length < 2 || inv.extraCaps.length < 3) return fail(syscallError.truncatedMessage());
  const [newMcp, newPrio] = [inv.args[0]!, inv.args[1]!];
  const [auth, scArg, handler] = [inv.extraCaps[0]!.cap, inv.extraCaps[1]!.cap, inv.extraCaps[2]!];
  if (auth.type !== CapType.Thread) return fail(syscallError.invalidCapability(1));
  const error = checkPrio(newMcp, auth.obj) ?? checkPrio(newPrio, auth.obj);
  if (error) return fail(error);
  let sc: SchedContextObject | undefined;
  if (scArg.type === CapType.SchedContext) {
    sc = scArg.obj;
    if (tcb.sc && tcb.sc !== sc) return fail(syscallError.illegalOperation());
    if (sc.tcb && sc.tcb !== tcb) return fail(syscallError.illegalOperation());
    if (isBlocked(tcb) && !(sc.refillMax > 0 && refillReady(k, sc))) return fail(syscallError.illegalOperation());
  } else if (scArg.type === CapType.Null) {
    if (tcb === k.curThread) return fail(syscallError.illegalOperation());
  } else return fail(syscallError.invalidCapability(2));
  if (!isValidFaultHandler(handler.cap)) return fail(syscallError.invalidCapability(3));
  return done(() => {
    installTcbCap(k, tcb, tcbSlot, TcbSlot.FaultHandler, handler.cap, handler.slot);
    tcb.mcp = Number(newMcp);
    if (sc && sc !== tcb.sc) schedContextBindTCB(k, sc, tcb);
    else if (!sc && tcb.sc) schedContextUnbindTCB(k, tcb.sc, tcb);
    setPriority(k, tcb, Number(newPrio));
  });
}

/** setPriority: a queued thread moves to its new queue; a blocked one is reordered in its IPC queue. */
function setPriority(k: KernelState, t: TcbObject, prio: number): void {
  switch (t.state) {
    case ThreadState.Running:
    case ThreadState.Restart:
      if (t.queued || t === k.curThread) {
        tcbSchedDequeue(k, t);
        t.priority = prio;
        if (isSchedulable(t)) tcbSchedEnqueue(k, t);
        rescheduleRequired(k);
      } else t.priority = prio;
      return;
    case ThreadState.BlockedOnReceive:
    case ThreadState.BlockedOnSend:
    case ThreadState.BlockedOnNotification: {
      t.priority = prio;
      const queue = (t.blockingObject as EndpointObject | NotificationObject).queue;
      tcbEPDequeue(t, queue);
      tcbEPAppend(t, queue);
      return;
    }
    default:
      t.priority = prio;
  }
}

function decodeBindNotification(inv: Invocation, tcb: TcbObject): Decoded {
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  if (tcb.boundNotification) return fail(syscallError.illegalOperation());
  const cap = inv.extraCaps[0]!.cap;
  if (cap.type !== CapType.Notification || !cap.canReceive) return fail(syscallError.illegalOperation());
  const ntfn = cap.obj;
  if (ntfn.state === NotificationState.Waiting || ntfn.boundTcb) return fail(syscallError.illegalOperation());
  return done(() => bindNotification(tcb, ntfn));
}
