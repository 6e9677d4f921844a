import type { Cap, CapOf } from '../cap.js';
import { CapType, capRightsFromWord } from '../cap-types.js';
import { lookupSlotForCNodeOp, type Slot } from '../cspace.js';
import { deriveCap, maskCapRights, updateCapData } from '../derive.js';
import { LookupFailureType, syscallError } from '../errors.js';
import { cteInsert, cteMove, cteSwap } from '../mdb.js';
import { andSays, says } from '../user-error.js';
import { fail, type Decoded, type Deletion, type Invocation, type KernelEnv } from './types.js';

/** A kernel operation the model does not implement: loud, never a silent wrong answer. */
export class NotModelledError extends Error {}

export interface CNodeEnv extends KernelEnv {
  deletion: Deletion;
}

/** A userError line of decodeCNodeInvocation, where all of the CNode decoder's come from. */
const why = (message: string) => says('decodeCNodeInvocation', message);

/**
 * CNode invocations (decodeCNodeInvocation, spec: sel4-abi.md §4.4). Every operation names
 * its destination with MR0 (index) and MR1 (depth) under the invoked CNode cap. Refusals
 * carry seL4's userError lines (all printed from decodeCNodeInvocation; Rotate's lookups and
 * its DeleteFirst print nothing, nor does Rotate's truncated message).
 */
export function decodeCNodeInvocation(env: CNodeEnv, inv: Invocation, slot: Slot): Decoded {
  const cnodeCap = slot.cap as CapOf<CapType.CNode>;
  const L = env.labels;
  const label = inv.label;
  if (label < L.of('CNodeRevoke') || label > L.of('CNodeRotate')) return fail(syscallError.illegalOperation(), why('CNodeCap: Illegal Operation attempted.'));
  const args = inv.args;
  if (args.length < 2) return fail(syscallError.truncatedMessage(), why('CNode operation: Truncated message.'));
  const dest = lookupSlotForCNodeOp(false, cnodeCap, args[0]!, args[1]!);
  if (!dest.ok) return fail(dest.error, why('CNode operation: Target slot invalid.'));
  const destSlot = dest.slot;

  if (label >= L.of('CNodeCopy') && label <= L.of('CNodeMutate')) return decodeCopyFamily(env, inv, destSlot);
  if (label === L.of('CNodeRotate')) return decodeRotate(inv, destSlot);
  if (label === L.of('CNodeRevoke')) return { ok: true, invoke: () => (env.deletion.revoke(destSlot), []) };
  if (label === L.of('CNodeDelete')) return { ok: true, invoke: () => (env.deletion.deleteCap(destSlot), []) };
  // CancelBadgedSends: the cap must be an endpoint cap with every right; badge 0 does nothing.
  const cap = destSlot.cap;
  if (cap.type !== CapType.Endpoint || !(cap.canSend && cap.canReceive && cap.canGrant && cap.canGrantReply)) return fail(syscallError.illegalOperation(), why('CNode CancelBadgedSends: Target cap invalid.'));
  return { ok: true, invoke: () => (cap.badge !== 0n && env.deletion.cancelBadgedSends(cap.obj, cap.badge), []) };
}

function decodeCopyFamily(env: KernelEnv, inv: Invocation, destSlot: Slot): Decoded {
  const L = env.labels;
  const args = inv.args;
  const family = 'CNode Copy/Mint/Move/Mutate';
  if (args.length < 4 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why(`${family}: Truncated message.`));
  if (destSlot.cap.type !== CapType.Null) return fail(syscallError.deleteFirst(), why(`${family}: Destination not empty.`));
  const src = lookupSlotForCNodeOp(true, inv.extraCaps[0]!.cap, args[2]!, args[3]!);
  if (!src.ok) return fail(src.error, why(`${family}: Invalid source slot.`));
  const srcSlot = src.slot;
  if (srcSlot.cap.type === CapType.Null) {
    return fail(syscallError.failedLookup(true, { type: LookupFailureType.MissingCapability, bitsLeft: Number(args[3]!) }), why(`${family}: Source slot invalid or empty.`));
  }

  let newCap: Cap;
  let isMove = false;
  switch (inv.label) {
    case L.of('CNodeCopy'): {
      if (args.length < 5) return fail(syscallError.truncatedMessage(), why('Truncated message for CNode Copy operation.'));
      const derived = deriveCap(srcSlot, maskCapRights(capRightsFromWord(args[4]!), srcSlot.cap));
      if (!derived.ok) return andSays(derived, why('Error deriving cap for CNode Copy operation.'));
      newCap = derived.cap;
      break;
    }
    case L.of('CNodeMint'): {
      if (args.length < 6) return fail(syscallError.truncatedMessage(), why('CNode Mint: Truncated message.'));
      const masked = maskCapRights(capRightsFromWord(args[4]!), srcSlot.cap);
      const derived = deriveCap(srcSlot, updateCapData(false, args[5]!, masked));
      if (!derived.ok) return andSays(derived, why('Error deriving cap for CNode Mint operation.'));
      newCap = derived.cap;
      break;
    }
    case L.of('CNodeMove'):
      newCap = srcSlot.cap;
      isMove = true;
      break;
    default: // CNodeMutate
      if (args.length < 5) return fail(syscallError.truncatedMessage(), why('CNode Mutate: Truncated message.'));
      newCap = updateCapData(true, args[4]!, srcSlot.cap);
      isMove = true;
  }
  if (newCap.type === CapType.Null) return fail(syscallError.illegalOperation(), why(`${family}: Mutated cap would be invalid.`));
  return {
    ok: true,
    invoke() {
      if (isMove) cteMove(newCap, srcSlot, destSlot);
      else cteInsert(newCap, srcSlot, destSlot);
      return [];
    },
  };
}

/**
 * Rotate: MR2 is applied to the pivot's cap as it moves to the destination, MR5 to the
 * source's cap as it moves to the pivot; extra caps: the pivot's root, the source's root.
 */
function decodeRotate(inv: Invocation, destSlot: Slot): Decoded {
  const args = inv.args;
  if (args.length < 8 || inv.extraCaps.length < 2) return fail(syscallError.truncatedMessage());
  const pivotNewData = args[2]!;
  const pivotDepth = args[4]!;
  const srcNewData = args[5]!;
  const srcDepth = args[7]!;
  const src = lookupSlotForCNodeOp(true, inv.extraCaps[1]!.cap, args[6]!, srcDepth);
  if (!src.ok) return fail(src.error);
  const pivot = lookupSlotForCNodeOp(true, inv.extraCaps[0]!.cap, args[3]!, pivotDepth);
  if (!pivot.ok) return fail(pivot.error);
  const srcSlot = src.slot;
  const pivotSlot = pivot.slot;
  if (pivotSlot === srcSlot || pivotSlot === destSlot) return fail(syscallError.illegalOperation(), why('CNode Rotate: Pivot slot the same as source or dest slot.'));
  if (srcSlot !== destSlot && destSlot.cap.type !== CapType.Null) return fail(syscallError.deleteFirst());
  if (srcSlot.cap.type === CapType.Null) return fail(syscallError.failedLookup(true, { type: LookupFailureType.MissingCapability, bitsLeft: Number(srcDepth) }));
  if (pivotSlot.cap.type === CapType.Null) return fail(syscallError.failedLookup(false, { type: LookupFailureType.MissingCapability, bitsLeft: Number(pivotDepth) }));
  const newSrcCap = updateCapData(true, srcNewData, srcSlot.cap);
  const newPivotCap = updateCapData(true, pivotNewData, pivotSlot.cap);
  if (newSrcCap.type === CapType.Null) return fail(syscallError.illegalOperation(), why('CNode Rotate: Source cap invalid.'));
  if (newPivotCap.type === CapType.Null) return fail(syscallError.illegalOperation(), why('CNode Rotate: Pivot cap invalid.'));
  return {
    ok: true,
    invoke() {
      if (srcSlot === destSlot) cteSwap(newSrcCap, srcSlot, newPivotCap, pivotSlot);
      else {
        cteMove(newPivotCap, pivotSlot, destSlot);
        cteMove(newSrcCap, srcSlot, pivotSlot);
      }
      return [];
    },
  };
}
