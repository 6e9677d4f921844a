import { CapType } from './cap-types.js';
import type { CNode } from './cspace.js';
import type { AsidPoolObject, EndpointObject, FrameObject, KernelObject, NotificationObject, PageTableObject, ReplyObject, SchedContextObject, TcbObject, UntypedObject, VcpuObject, VSpaceObject } from './objects.js';

/** What a frame cap lets user level do with the frame (the kernel's vm_rights). */
export type VmRights = 'kernel-only' | 'read-only' | 'read-write';

/** Where a frame or page table is mapped: in the VSpace of `asid`, at `vaddr`. */
export interface Mapping {
  asid: number;
  vaddr: number;
}

export type Cap =
  | { type: CapType.Null }
  /** `freeIndex`: the watermark in bytes from the start of the region (kept in the cap, as in seL4). */
  | { type: CapType.Untyped; obj: UntypedObject; freeIndex: number }
  | { type: CapType.Endpoint; obj: EndpointObject; badge: bigint; canSend: boolean; canReceive: boolean; canGrant: boolean; canGrantReply: boolean }
  | { type: CapType.Notification; obj: NotificationObject; badge: bigint; canSend: boolean; canReceive: boolean }
  | { type: CapType.Reply; obj: ReplyObject; canGrant: boolean }
  | { type: CapType.CNode; cnode: CNode; guard: bigint; guardSize: number }
  | { type: CapType.Thread; obj: TcbObject }
  | { type: CapType.IrqControl }
  | { type: CapType.IrqHandler; irq: number }
  | { type: CapType.Domain }
  | { type: CapType.SchedContext; obj: SchedContextObject }
  | { type: CapType.SchedControl; core: number }
  | { type: CapType.Frame; obj: FrameObject; rights: VmRights; mapping: Mapping | undefined }
  | { type: CapType.PageTable; obj: PageTableObject; mapping: Mapping | undefined }
  | { type: CapType.VSpace; obj: VSpaceObject; asid: number | undefined }
  | { type: CapType.AsidControl }
  | { type: CapType.AsidPool; obj: AsidPoolObject; asidBase: number }
  | { type: CapType.Vcpu; obj: VcpuObject };

export type CapOf<T extends CapType> = Extract<Cap, { type: T }>;

export const NULL_CAP: Cap = { type: CapType.Null };

/** The object a cap names, for the caps that name one in memory. */
export function capObject(cap: Cap): KernelObject | undefined {
  return cap.type === CapType.CNode ? cap.cnode : 'obj' in cap ? cap.obj : undefined;
}

/** The badge of an endpoint or notification cap; 0 for every other cap. */
export function capBadge(cap: Cap): bigint {
  return cap.type === CapType.Endpoint || cap.type === CapType.Notification ? cap.badge : 0n;
}

/**
 * seL4's sameRegionAs: whether `b` names `a`'s object or something inside it. An untyped
 * covers every object retyped from its memory; IRQControl covers every IRQHandler.
 */
export function sameRegionAs(a: Cap, b: Cap): boolean {
  switch (a.type) {
    case CapType.Null:
      return false;
    case CapType.Untyped: {
      const o = capObject(b);
      return o?.within(a.obj.paddr, a.obj.sizeBits) === true;
    }
    case CapType.CNode:
      return b.type === CapType.CNode && a.cnode === b.cnode; // the guard is not part of the object
    case CapType.IrqControl:
      return b.type === CapType.IrqControl || b.type === CapType.IrqHandler;
    case CapType.IrqHandler:
      return b.type === CapType.IrqHandler && a.irq === b.irq;
    case CapType.Domain:
    case CapType.AsidControl:
      return b.type === a.type;
    case CapType.SchedControl:
      return b.type === CapType.SchedControl && a.core === b.core;
    default: {
      const o = capObject(a);
      return o !== undefined && b.type === a.type && capObject(b) === o;
    }
  }
}

/**
 * seL4's sameObjectAs: like sameRegionAs, except that an untyped is only the same object as
 * an untyped of the same region, and IRQControl is not the same object as a handler.
 */
export function sameObjectAs(a: Cap, b: Cap): boolean {
  if (a.type === CapType.Untyped) return b.type === CapType.Untyped && a.obj === b.obj;
  if (a.type === CapType.IrqControl && b.type === CapType.IrqHandler) return false;
  return sameRegionAs(a, b);
}
