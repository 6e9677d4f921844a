import { CapType } from './cap-types.js';
import { lookupSlot } from './cspace.js';
import { describeFault, kernelPointer, Reg } from './faults.js';
import type { KernelState } from './state.js';
import { IPC_BUFFER, Syscall } from './syscalls.js';
import { TcbSlot, THREAD_STATE_NAMES, type TcbObject } from './objects.js';
import { tcbPointer, userErrorLine } from './user-error.js';
import { isPage, descriptorAddress, lookupPTSlot } from './vspace.js';

/**
 * The debug system calls (handleUnknownSyscall's debug cases) and the kernel's own reports:
 * the scheduler dump and the message for a fault nobody handles. They bypass time
 * accounting and scheduling, as in seL4; the thread resumes after its SVC.
 */

/** The longest name DebugNameThread reads (120 message words), and what a TCB keeps. */
const NAME_READ_LIMIT = 960;
const TCB_NAME_LENGTH = 848;

/** Run a debug call. */
export function handleDebugSyscall(k: KernelState, syscall: Syscall): void {
  const t = k.curThread;
  const x0 = k.reg(t, 0);
  switch (syscall) {
    case Syscall.DebugPutChar:
      k.port.putChar(Number(x0 & 0xffn));
      return;
    case Syscall.DebugDumpScheduler:
      k.printAlways(dumpScheduler(k));
      return;
    case Syscall.DebugHalt:
      k.printAlways(`Debug halt syscall from user thread ${kernelPointer(tcbPointer(t))} "${t.name}"\n`);
      k.port.halt(`seL4_DebugHalt from thread "${k.threadName(t)}"`);
      return;
    case Syscall.DebugSnapshot:
      // The capDL dump of the whole kernel state is not modelled: the header is printed and the thread continues.
      k.printAlways(`Debug snapshot syscall from user thread ${kernelPointer(tcbPointer(t))} "${t.name}"\n`);
      return;
    case Syscall.DebugCapIdentify: {
      const r = lookupSlot(t.ctes.slots[TcbSlot.CTable]!.cap, x0);
      k.setReg(t, 0, r.ok ? BigInt(r.slot.cap.type) : 0n);
      return;
    }
    case Syscall.DebugNameThread:
      nameThread(k, t, x0);
      return;
    default:
  }
}

function nameThread(k: KernelState, t: TcbObject, cptr: bigint): void {
  const r = lookupSlot(t.ctes.slots[TcbSlot.CTable]!.cap, cptr);
  const halt = (why: string) => {
    // Printed on every kernel that has this call (debug calls exist only where printing does).
    k.printAlways(userErrorLine(k, t, { func: 'handleUnknownSyscall', message: `SysDebugNameThread: ${why}, halting` }));
    k.port.halt(`seL4_DebugNameThread from thread "${k.threadName(t)}": ${why}`);
  };
  if (!r.ok || r.slot.cap.type !== CapType.Thread) return halt('cap is not a TCB');
  const buffer = k.ipcBuffer(t, true);
  if (buffer === undefined) return halt('Failed to lookup IPC buffer');
  const bytes = k.memory.read(buffer + IPC_BUFFER.msg, NAME_READ_LIMIT);
  const len = bytes.indexOf(0);
  if (len < 0) return halt('Name too long');
  r.slot.cap.obj.name = new TextDecoder().decode(bytes.subarray(0, Math.min(len, TCB_NAME_LENGTH - 1)));
}

/** DebugDumpScheduler's table: every TCB, newest first. */
function dumpScheduler(k: KernelState): string {
  const lines = ['Dumping all tcbs!', `${'Name'.padEnd(40)}   ${'State'.padEnd(16)}   ${'IP'.padEnd(18)}   ${'Prio'.padEnd(4)}   ${'InReleaseQueue'.padEnd(14)}`, '-'.repeat(105)];
  for (const t of k.debugTcbs) {
    const ip = kernelPointer(k.reg(t, Reg.FaultIP));
    lines.push(`${t.name.padEnd(40)}   ${THREAD_STATE_NAMES[t.state]!.padEnd(16)}   ${ip.padEnd(18)}   ${String(t.priority).padStart(4)}   ${(t.inReleaseQueue ? 'yes' : 'no').padEnd(14)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Read a word of user memory through the thread's VSpace (readWordFromVSpace), if mapped. */
function readUserWord(k: KernelState, t: TcbObject, va: bigint): bigint | undefined {
  const cap = t.ctes.slots[TcbSlot.VTable]!.cap;
  if (cap.type !== CapType.VSpace || cap.asid === undefined || va > 0xff_ffff_ffffn) return undefined;
  const { slot, bitsLeft } = lookupPTSlot(k.memory, cap.obj.paddr, Number(va));
  const d = k.memory.read64(slot);
  if (!isPage(d)) return undefined;
  return k.memory.read64(descriptorAddress(d) + (Number(va) % 2 ** bitsLeft));
}

/** handleNoFaultHandler's report: the fault, the thread, and its stack. */
export function noFaultHandlerReport(k: KernelState, t: TcbObject): string {
  const lines = ['Found thread has no fault handler while trying to handle:', describeFault(t.fault!)];
  lines.push(`in thread ${kernelPointer(tcbPointer(t))} "${t.name}" at address ${kernelPointer(k.reg(t, Reg.FaultIP))}`);
  lines.push('With stack:');
  const vspace = t.ctes.slots[TcbSlot.VTable]!.cap;
  const sp = k.reg(t, Reg.SP);
  if (vspace.type !== CapType.VSpace) lines.push('Invalid vspace');
  else if (sp % 8n !== 0n) lines.push('SP not aligned');
  else
    for (let i = 0n; i < 16n; i++) {
      const at = sp + 8n * i;
      const word = readUserWord(k, t, at);
      lines.push(`0x${at.toString(16)}: ${word === undefined ? 'INVALID' : `0x${word.toString(16)}`}`);
    }
  return `${lines.join('\n')}\n`;
}
