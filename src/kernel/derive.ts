import { NULL_CAP, type Cap, type VmRights } from './cap.js';
import { CapType, type CapRights } from './cap-types.js';
import type { Slot } from './cspace.js';
import { syscallError } from './errors.js';
import { hasChildren } from './mdb.js';
import { refuse, says, type Refusal } from './user-error.js';

/**
 * The three transformations a cap goes through when it is copied, minted, mutated or sent:
 * maskCapRights, updateCapData and deriveCap (spec: sel4-abi.md §4.3–4.4).
 */

export function maskVmRights(rights: VmRights, mask: CapRights): VmRights {
  if (rights === 'read-write' && mask.read && mask.write) return 'read-write';
  if ((rights === 'read-write' || rights === 'read-only') && mask.read) return 'read-only';
  return 'kernel-only';
}

/** The cap with only the rights `mask` leaves (maskCapRights). */
export function maskCapRights(mask: CapRights, cap: Cap): Cap {
  switch (cap.type) {
    case CapType.Endpoint:
      return {
        type: CapType.Endpoint,
        obj: cap.obj,
        badge: cap.badge,
        canSend: cap.canSend && mask.write,
        canReceive: cap.canReceive && mask.read,
        canGrant: cap.canGrant && mask.grant,
        canGrantReply: cap.canGrantReply && mask.grantReply,
      };
    case CapType.Notification:
      return { type: CapType.Notification, obj: cap.obj, badge: cap.badge, canSend: cap.canSend && mask.write, canReceive: cap.canReceive && mask.read };
    case CapType.Reply:
      return { type: CapType.Reply, obj: cap.obj, canGrant: cap.canGrant && mask.grant };
    case CapType.Frame:
      return { type: CapType.Frame, obj: cap.obj, rights: maskVmRights(cap.rights, mask), mapping: cap.mapping };
    default:
      return cap;
  }
}

/**
 * The cap with a data word applied (updateCapData): a badge for an unbadged endpoint or
 * notification cap (Mint; `preserve` — Mutate, Rotate — refuses), a guard for a CNode cap.
 * The null cap means the data cannot be applied.
 */
export function updateCapData(preserve: boolean, data: bigint, cap: Cap): Cap {
  switch (cap.type) {
    case CapType.Endpoint:
      if (preserve || cap.badge !== 0n) return NULL_CAP;
      return { type: CapType.Endpoint, obj: cap.obj, badge: data, canSend: cap.canSend, canReceive: cap.canReceive, canGrant: cap.canGrant, canGrantReply: cap.canGrantReply };
    case CapType.Notification:
      if (preserve || cap.badge !== 0n) return NULL_CAP;
      return { type: CapType.Notification, obj: cap.obj, badge: data, canSend: cap.canSend, canReceive: cap.canReceive };
    case CapType.CNode: {
      const guardSize = Number(data & 0x3fn);
      if (guardSize + cap.cnode.radix > 64) return NULL_CAP;
      const guard = (data >> 6n) & ((1n << BigInt(guardSize)) - 1n);
      return { type: CapType.CNode, cnode: cap.cnode, guard, guardSize };
    }
    default:
      return cap;
  }
}

/**
 * The cap a copy of `cap` (from `slot`) gets (deriveCap), or the error: an untyped with
 * children must be revoked first (ensureNoChildren, silently); IRQControl does not copy; an
 * unmapped page table or an unassigned VSpace cannot be copied (Arch_deriveCap says so); a
 * frame copy starts unmapped.
 */
export function deriveCap(slot: Slot, cap: Cap): { ok: true; cap: Cap } | Refusal {
  switch (cap.type) {
    case CapType.Untyped:
      return hasChildren(slot) ? refuse(syscallError.revokeFirst()) : { ok: true, cap };
    case CapType.IrqControl:
      return { ok: true, cap: NULL_CAP }; // as a zombie would, had the model any (deletion is atomic here)
    case CapType.PageTable:
      return cap.mapping ? { ok: true, cap } : refuse(syscallError.illegalOperation(), says('Arch_deriveCap', 'Deriving a PT cap without an assigned ASID'));
    case CapType.VSpace:
      return cap.asid !== undefined ? { ok: true, cap } : refuse(syscallError.illegalOperation(), says('Arch_deriveCap', 'Deriving a VSpace cap without an assigned ASID'));
    case CapType.Frame:
      return { ok: true, cap: { type: CapType.Frame, obj: cap.obj, rights: cap.rights, mapping: undefined } };
    default:
      return { ok: true, cap };
  }
}
