import type { Cap } from './cap.js';
import { CapType } from './cap-types.js';
import type { CNode, Slot } from './cspace.js';
import { IrqState } from './interrupts.js';
import { cancelAllIPC, cancelBadgedSends, cancelIPC, replyRemove, replyUnlink } from './ipc.js';
import { descendants, emptySlot, isFinalCapability } from './mdb.js';
import { cancelAllSignals, unbindMaybeNotification, unbindNotification } from './notification.js';
import { cancelYieldTo, completeYieldTo, schedContextUnbindNtfn, schedContextUnbindTCB } from './sched-context.js';
import { rescheduleRequired, setThreadState, tcbReleaseRemove, tcbSchedDequeue } from './scheduler.js';
import type { KernelState } from './state.js';
import { ThreadState, type TcbObject } from './objects.js';
import { unmapPage, unmapPageTable } from './vspace.js';
import type { Deletion } from './invocations/types.js';

/**
 * Deleting caps and finalising objects (src/object/objecttype.c finaliseCap, src/kernel/cspace
 * cteDelete/cteRevoke). seL4 deletes in preemptible steps through zombie caps; the model
 * deletes atomically, which is observably the same apart from timing. A CNode that is being
 * finalised is remembered so a cap cycle (a CNode holding a cap to itself) ends.
 */

export function kernelDeletion(k: KernelState): Deletion {
  const finalising = new Set<CNode>();

  function cteDelete(slot: Slot): void {
    const cap = slot.cap;
    if (cap.type === CapType.Null) return;
    const final = isFinalCapability(slot);
    // The cap leaves its slot first, so finalising the object cannot reach this slot again.
    emptySlot(slot);
    finaliseCap(cap, final);
  }

  function finaliseCap(cap: Cap, final: boolean): void {
    switch (cap.type) {
      case CapType.Frame:
        if (cap.mapping) unmapPage(k, cap.mapping.asid, cap.mapping.vaddr, cap.obj.sizeBits, cap.obj.paddr);
        return;
      case CapType.PageTable:
        if (final && cap.mapping) unmapPageTable(k, cap.mapping.asid, cap.mapping.vaddr, cap.obj.paddr);
        return;
      case CapType.VSpace:
        if (final && cap.asid !== undefined) deleteASID(k, cap.asid, cap.obj);
        return;
      case CapType.AsidPool:
        if (final) deleteASIDPool(k, cap.asidBase, cap.obj);
        return;
      default:
    }
    if (!final) return;
    switch (cap.type) {
      case CapType.Endpoint:
        cancelAllIPC(k, cap.obj);
        return;
      case CapType.Notification:
        unbindMaybeNotification(cap.obj);
        if (cap.obj.sc) schedContextUnbindNtfn(cap.obj.sc);
        cancelAllSignals(k, cap.obj);
        return;
      case CapType.Reply: {
        const t = cap.obj.tcb;
        if (t?.state === ThreadState.BlockedOnReply) replyRemove(k, cap.obj, t);
        else if (t) {
          cancelIPC(k, t);
          if (cap.obj.tcb === t) replyUnlink(k, cap.obj, t);
        }
        return;
      }
      case CapType.CNode:
        if (finalising.has(cap.cnode)) return;
        finalising.add(cap.cnode);
        for (const s of cap.cnode.slots) cteDelete(s);
        finalising.delete(cap.cnode);
        return;
      case CapType.Thread:
        finaliseThread(cap.obj);
        return;
      case CapType.SchedContext: {
        const sc = cap.obj;
        if (sc.tcb) schedContextUnbindTCB(k, sc, sc.tcb);
        schedContextUnbindNtfn(sc);
        if (sc.reply) {
          sc.reply.next = undefined;
          sc.reply = undefined;
        }
        if (sc.yieldFrom) completeYieldTo(k, sc.yieldFrom);
        sc.refillMax = 0;
        return;
      }
      case CapType.IrqHandler:
        deleteOne(k.irqs.slot(cap.irq));
        k.irqs.state[cap.irq] = IrqState.Inactive;
        k.port.enableInterrupt(cap.irq, false);
        return;
      default:
    }
  }

  function finaliseThread(t: TcbObject): void {
    unbindNotification(t);
    if (t.sc) schedContextUnbindTCB(k, t.sc, t);
    if (t.yieldTo) cancelYieldTo(t);
    suspendThread(k, t);
    t.state = ThreadState.Inactive;
    if (k.loaded === t) k.unload();
    for (const s of t.ctes.slots) cteDelete(s);
    const listed = k.debugTcbs.indexOf(t);
    if (listed >= 0) k.debugTcbs.splice(listed, 1);
    if (t === k.curThread) rescheduleRequired(k);
  }

  /** cteDeleteOne: delete one cap whose object cannot contain caps (notification, reply). */
  function deleteOne(slot: Slot): void {
    cteDelete(slot);
  }

  return {
    deleteCap: cteDelete,
    revoke(slot: Slot) {
      // Deepest first; a slot emptied on the way (a CNode's contents) is skipped by cteDelete.
      for (const d of descendants(slot).reverse()) cteDelete(d);
    },
    deleteOne,
    cancelBadgedSends: (ep, badge) => cancelBadgedSends(k, ep, badge),
  };
}

/** suspend: the thread stops; a running thread will later continue after its last instruction. */
export function suspendThread(k: KernelState, t: TcbObject): void {
  cancelIPC(k, t);
  if (t.state === ThreadState.Running) k.setReg(t, 32 /* FaultIP */, k.reg(t, 33 /* NextIP */));
  setThreadState(k, t, ThreadState.Inactive);
  tcbSchedDequeue(k, t);
  tcbReleaseRemove(k, t);
  cancelYieldTo(t);
}

function deleteASID(k: KernelState, asid: number, vspace: object): void {
  const pool = k.asids.pools[asid >>> 9];
  if (!pool || pool.entries[asid & 511] !== vspace) return;
  k.asids.setEntry(pool, asid & 511, undefined);
  k.port.invalidateTlb(asid);
  if (k.loaded) k.setVMRoot(k.loaded);
}

function deleteASIDPool(k: KernelState, base: number, pool: object): void {
  const index = base >>> 9;
  if (k.asids.pools[index] !== pool) return;
  const entries = k.asids.pools[index]!.entries;
  for (let i = 0; i < 512; i++) if (entries[i]) k.port.invalidateTlb(base + i);
  k.asids.setPool(index, undefined);
  if (k.loaded) k.setVMRoot(k.loaded);
}
