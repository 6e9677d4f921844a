import { sameObjectAs, type Cap, type CapOf } from '../cap.js';
import { CapType } from '../cap-types.js';
import type { Slot } from '../cspace.js';
import { suspendThread } from '../delete.js';
import { deriveCap, updateCapData } from '../derive.js';
import { syscallError } from '../errors.js';
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
import { printfHex, printfInt, printfWord, refuse, says, type Refusal } from '../user-error.js';
import { fail, type Decoded, type Invocation } from './types.js';

/**
 * TCB invocations (src/object/tcb.c, MCS): each decoder checks in seL4's order and returns an
 * invoke that cannot fail. Each refusal carries the userError lines seL4 1326364 prints for
 * it, with the C function they come from.
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
      if (!tcb.boundNotification) return fail(syscallError.illegalOperation(), says('decodeUnbindNotification', 'TCB UnbindNotification: TCB already has no bound Notification.'));
      return done(() => unbindNotification(tcb));
    case 'TCBSetTimeoutEndpoint': {
      if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), says('decodeSetTimeoutEndpoint', 'TCB SetTimeoutEndpoint: Truncated message.'));
      const handler = inv.extraCaps[0]!;
      if (!isValidFaultHandler(handler.cap)) return fail(syscallError.invalidCapability(1), says('decodeSetTimeoutEndpoint', 'TCB SetTimeoutEndpoint: timeout endpoint cap invalid.'));
      return done(() => installTcbCap(k, tcb, slot, TcbSlot.TimeoutHandler, handler.cap, handler.slot));
    }
    case 'TCBSetTLSBase': {
      if (inv.args.length < 1) return fail(syscallError.truncatedMessage(), says('decodeSetTLSBase', 'TCB SetTLSBase: Truncated message.'));
      const base = inv.args[0]!;
      return done(() => {
        k.setReg(tcb, Reg.TPIDR, base);
        if (tcb === k.curThread) rescheduleRequired(k);
      });
    }
    case 'TCBSetFlags': {
      if (inv.args.length < 2) return fail(syscallError.truncatedMessage(), says('decodeSetFlags', 'TCB SetFlags: Truncated message.'));
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
      return fail(syscallError.illegalOperation(), says('decodeTCBInvocation', 'TCB: Illegal operation.'));
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
  const why = (message: string) => says('decodeReadRegisters', `TCB ReadRegisters: ${message}`);
  if (inv.args.length < 2) return fail(syscallError.truncatedMessage(), why('Truncated message.'));
  const [flags, n] = [inv.args[0]!, inv.args[1]!];
  if (n < 1n || n > BigInt(CONTEXT_LENGTH)) return fail(syscallError.rangeError(1, CONTEXT_LENGTH), why(`Attempted to read an invalid number of registers (${printfInt(n)}).`));
  if (tcb === k.curThread) return fail(syscallError.illegalOperation(), why('Attempted to read our own registers.'));
  return ok(() => {
    if (flags & 1n) suspendThread(k, tcb);
    return USER_CONTEXT_REGISTERS.slice(0, Number(n)).map((r) => k.reg(tcb, r));
  });
}

function decodeWriteRegisters(k: KernelState, inv: Invocation, tcb: TcbObject): Decoded {
  const why = (message: string) => says('decodeWriteRegisters', `TCB WriteRegisters: ${message}`);
  if (inv.args.length < 2) return fail(syscallError.truncatedMessage(), why('Truncated message.'));
  const [flags, w] = [inv.args[0]!, inv.args[1]!];
  const given = inv.args.length - 2;
  if (BigInt(given) < w) return fail(syscallError.truncatedMessage(), why(`Message too short for requested write size (${printfInt(given)}/${printfInt(w)}).`));
  if (tcb === k.curThread) return fail(syscallError.illegalOperation(), why('Attempted to write our own registers.'));
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
  if (inv.args.length < 1 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), says('decodeCopyRegisters', 'TCB CopyRegisters: Truncated message.'));
  const flags = inv.args[0]!;
  const source = inv.extraCaps[0]!.cap;
  if (source.type !== CapType.Thread) return fail(syscallError.invalidCapability(1), says('decodeCopyRegisters', 'TCB CopyRegisters: Invalid source TCB.'));
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

/** checkValidIPCBuffer (src/arch/arm/64/kernel/vspace.c): a non-device frame, 1024-aligned address. */
function checkValidIPCBuffer(vaddr: bigint, cap: Cap): Refusal | undefined {
  const why = (message: string) => says('checkValidIPCBuffer', message);
  if (cap.type !== CapType.Frame) return refuse(syscallError.illegalOperation(), why('IPC Buffer is an invalid cap.'));
  if (cap.obj.isDevice) return refuse(syscallError.illegalOperation(), why('Specifying a device frame as an IPC buffer is not permitted.'));
  if (vaddr % 1024n !== 0n) return refuse(syscallError.alignmentError(), why(`IPC Buffer vaddr 0x${printfHex(vaddr)} is not aligned.`));
  return undefined;
}

type NewCap = { cap: Cap; slot: Slot };

/** The derived IPC buffer cap (or none for address 0), or the refusal. */
function ipcBufferArgument(vaddr: bigint, source: NewCap): { ok: true; buffer: NewCap | undefined } | Refusal {
  if (vaddr === 0n) return { ok: true, buffer: undefined };
  const derived = deriveCap(source.slot, source.cap);
  if (!derived.ok) return derived;
  return checkValidIPCBuffer(vaddr, derived.cap) ?? { ok: true, buffer: { cap: derived.cap, slot: source.slot } };
}

/**
 * The CSpace and VSpace roots of Configure and SetSpace, with their data words applied and
 * derived; `invalid` says what the decoder (`func`) prints for a root of the wrong kind.
 */
function spaceArguments(cRootData: bigint, cRoot: NewCap, vRootData: bigint, vRoot: NewCap, func: string, invalid: { cspace: string; vspace: string }): { ok: true; cRoot: NewCap; vRoot: NewCap } | Refusal {
  let cCap = cRootData !== 0n ? updateCapData(false, cRootData, cRoot.cap) : cRoot.cap;
  const dc = deriveCap(cRoot.slot, cCap);
  if (!dc.ok) return dc;
  cCap = dc.cap;
  if (cCap.type !== CapType.CNode) return refuse(syscallError.illegalOperation(), says(func, invalid.cspace));
  let vCap = vRootData !== 0n ? updateCapData(false, vRootData, vRoot.cap) : vRoot.cap;
  const dv = deriveCap(vRoot.slot, vCap);
  if (!dv.ok) return dv;
  vCap = dv.cap;
  if (vCap.type !== CapType.VSpace || vCap.asid === undefined) return refuse(syscallError.illegalOperation(), says(func, invalid.vspace));
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
  if (inv.args.length < 3 || inv.extraCaps.length < 3) return fail(syscallError.truncatedMessage(), says('decodeTCBConfigure', 'TCB Configure: Truncated message.'));
  const [cRootData, vRootData, bufferAddr] = [inv.args[0]!, inv.args[1]!, inv.args[2]!];
  const [cRoot, vRoot, bufferSource] = [inv.extraCaps[0]!, inv.extraCaps[1]!, inv.extraCaps[2]!];
  const buffer = ipcBufferArgument(bufferAddr, bufferSource);
  if (!buffer.ok) return buffer;
  const space = spaceArguments(cRootData, cRoot, vRootData, vRoot, 'decodeTCBConfigure', { cspace: 'TCB Configure: CSpace cap is invalid.', vspace: 'TCB Configure: VSpace cap is invalid.' });
  if (!space.ok) return space;
  return done(() => {
    setSpace(k, tcb, tcbSlot, space.cRoot, space.vRoot);
    setIPCBuffer(k, tcb, tcbSlot, bufferAddr, buffer.buffer);
  });
}

/** TCB_SetSpace (MCS): extra caps fault endpoint, CSpace root, VSpace root; MR0–MR1 their data words. */
function decodeSetSpace(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  if (inv.args.length < 2 || inv.extraCaps.length < 3) return fail(syscallError.truncatedMessage(), says('decodeSetSpace', 'TCB SetSpace: Truncated message.'));
  const [handler, cRoot, vRoot] = [inv.extraCaps[0]!, inv.extraCaps[1]!, inv.extraCaps[2]!];
  const space = spaceArguments(inv.args[0]!, cRoot, inv.args[1]!, vRoot, 'decodeSetSpace', { cspace: 'TCB SetSpace: Invalid CNode cap.', vspace: 'TCB SetSpace: Invalid VSpace cap.' });
  if (!space.ok) return space;
  if (!isValidFaultHandler(handler.cap)) return fail(syscallError.invalidCapability(1), says('decodeSetSpace', 'TCB SetSpace: fault endpoint cap invalid.'));
  return done(() => {
    installTcbCap(k, tcb, tcbSlot, TcbSlot.FaultHandler, handler.cap, handler.slot);
    setSpace(k, tcb, tcbSlot, space.cRoot, space.vRoot);
  });
}

function decodeSetIPCBuffer(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  if (inv.args.length < 1 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), says('decodeSetIPCBuffer', 'TCB SetIPCBuffer: Truncated message.'));
  const vaddr = inv.args[0]!;
  const buffer = ipcBufferArgument(vaddr, inv.extraCaps[0]!);
  if (!buffer.ok) return buffer;
  return done(() => setIPCBuffer(k, tcb, tcbSlot, vaddr, buffer.buffer));
}

/** checkPrio: the value must be within the authority's MCP (the caller's userError says which value). */
function checkPrio(value: bigint, auth: TcbObject, func: string, what: string): Refusal | undefined {
  if (value <= BigInt(auth.mcp)) return undefined;
  return refuse(syscallError.rangeError(0, auth.mcp), says(func, `${what} ${printfWord(value)} too high (max ${printfWord(auth.mcp)}).`));
}

/** TCB_SetPriority and TCB_SetMCPriority (decodeSetPriority, decodeSetMCPriority): MR0 the value, extra cap the authority TCB. */
function decodeSetPriority(k: KernelState, inv: Invocation, tcb: TcbObject, mcp: boolean): Decoded {
  const [func, name] = mcp ? ['decodeSetMCPriority', 'TCB SetMCPriority'] : ['decodeSetPriority', 'TCB SetPriority'];
  if (inv.args.length < 1 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), says(func, `${name}: Truncated message.`));
  const value = inv.args[0]!;
  const auth = inv.extraCaps[0]!.cap;
  // seL4's two decoders word this one differently.
  if (auth.type !== CapType.Thread) return fail(syscallError.invalidCapability(1), says(func, mcp ? 'TCB SetMCPriority: authority cap not a TCB.' : 'Set priority: authority cap not a TCB.'));
  const refused = checkPrio(value, auth.obj, func, mcp ? `${name}: Requested maximum controlled priority` : `${name}: Requested priority`);
  if (refused) return refused;
  return done(() => (mcp ? (tcb.mcp = Number(value)) : setPriority(k, tcb, Number(value))));
}

const isBlocked = (t: TcbObject) => t.state >= ThreadState.BlockedOnReceive && t.state <= ThreadState.BlockedOnNotification;

/** TCB_SetSchedParams (MCS): extra caps authority, scheduling context (or null), fault endpoint (or null); MR0 mcp, MR1 priority. */
function decodeSetSchedParams(k: KernelState, inv: Invocation, tcb: TcbObject, tcbSlot: Slot): Decoded {
  // seL4 words some of these refusals as TCB Configure's (the code they were moved from).
  const why = (message: string) => says('decodeSetSchedParams', message);
  if (inv.args.length < 2 || inv.extraCaps.length < 3) return fail(syscallError.truncatedMessage(), why('TCB SetSchedParams: Truncated message.'));
  const [newMcp, newPrio] = [inv.args[0]!, inv.args[1]!];
  const [auth, scArg, handler] = [inv.extraCaps[0]!.cap, inv.extraCaps[1]!.cap, inv.extraCaps[2]!];
  if (auth.type !== CapType.Thread) return fail(syscallError.invalidCapability(1), why('TCB SetSchedParams: authority cap not a TCB.'));
  const refused = checkPrio(newMcp, auth.obj, 'decodeSetSchedParams', 'TCB SetSchedParams: Requested maximum controlled priority') ?? checkPrio(newPrio, auth.obj, 'decodeSetSchedParams', 'TCB SetSchedParams: Requested priority');
  if (refused) return refused;
  let sc: SchedContextObject | undefined;
  if (scArg.type === CapType.SchedContext) {
    sc = scArg.obj;
    if (tcb.sc !== sc) {
      if (tcb.sc) return fail(syscallError.illegalOperation(), why('TCB Configure: tcb already has a scheduling context.'));
      if (sc.tcb) return fail(syscallError.illegalOperation(), why('TCB Configure: sched context already bound.'));
    }
    if (isBlocked(tcb) && !(sc.refillMax > 0 && refillReady(k, sc))) return fail(syscallError.illegalOperation(), why('TCB Configure: tcb blocked and scheduling context not schedulable.'));
  } else if (scArg.type === CapType.Null) {
    if (tcb === k.curThread) return fail(syscallError.illegalOperation(), why('TCB SetSchedParams: Cannot change sched_context of current thread'));
  } else return fail(syscallError.invalidCapability(2), why('TCB Configure: sched context cap invalid.'));
  if (!isValidFaultHandler(handler.cap)) return fail(syscallError.invalidCapability(3), why('TCB Configure: fault endpoint cap invalid.'));
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
  const why = (message: string) => says('decodeBindNotification', `TCB BindNotification: ${message}`);
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why('Truncated message.'));
  if (tcb.boundNotification) return fail(syscallError.illegalOperation(), why('TCB already has a bound notification.'));
  const cap = inv.extraCaps[0]!.cap;
  if (cap.type !== CapType.Notification) return fail(syscallError.illegalOperation(), why('Notification is invalid.'));
  if (!cap.canReceive) return fail(syscallError.illegalOperation(), why('Insufficient access rights'));
  const ntfn = cap.obj;
  if (ntfn.state === NotificationState.Waiting || ntfn.boundTcb) return fail(syscallError.illegalOperation(), why('Notification cannot be bound.'));
  return done(() => bindNotification(tcb, ntfn));
}
