import type { Cap, CapOf } from '../cap.js';
import { CapType } from '../cap-types.js';
import { CNode, lookupSlotForCNodeOp, type Slot } from '../cspace.js';
import { LookupFailureType, syscallError } from '../errors.js';
import { hasChildren, insertNewCap } from '../mdb.js';
import { EndpointObject, FrameObject, NotificationObject, PageTableObject, ReplyObject, SchedContextObject, TcbObject, UntypedObject, VcpuObject, VSpaceObject } from '../objects.js';
import { ObjectType, objectSizeBits, objectTypeCount, seL4_MaxUntypedBits, seL4_MinSchedContextBits, seL4_MinUntypedBits } from '../object-types.js';
import { printfInt, printfWord, says } from '../user-error.js';
import { fail, type Decoded, type Invocation, type KernelEnv } from './types.js';

/** CONFIG_RETYPE_FAN_OUT_LIMIT. */
const RETYPE_FAN_OUT_LIMIT = 256;

const FRAME_TYPES = new Set<number>([ObjectType.SmallPage, ObjectType.LargePage, ObjectType.HugePage]);

/**
 * Untyped_Retype (decodeUntypedInvocation, spec: sel4-abi.md §4.5): MR0 type, MR1 size_bits,
 * MR2 node_index, MR3 node_depth, MR4 node_offset, MR5 num_objects; extra cap 0 the root of
 * the destination CNode. Checks in the kernel's order, so the first error is seL4's, with
 * its userError line.
 */
export function decodeUntypedInvocation(env: KernelEnv, inv: Invocation, slot: Slot): Decoded {
  const cap = slot.cap as CapOf<CapType.Untyped>;
  const why = (message: string) => says('decodeUntypedInvocation', message);
  if (inv.label !== env.labels.of('UntypedRetype')) return fail(syscallError.illegalOperation(), why('Untyped cap: Illegal operation attempted.'));
  if (inv.args.length < 6 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage(), why('Untyped invocation: Truncated message.'));
  const [type, userSize, nodeIndex, nodeDepth, nodeOffset, nodeWindow] = inv.args as [bigint, bigint, bigint, bigint, bigint, bigint];
  const rootCap = inv.extraCaps[0]!.cap;

  if (type >= BigInt(objectTypeCount(env.config))) return fail(syscallError.invalidArgument(0), why('Untyped Retype: Invalid object type.'));
  const newType = Number(type);
  const objectSize = userSize >= 64n ? undefined : objectSizeBits(newType, Number(userSize), env.config);
  if (objectSize === undefined || objectSize > seL4_MaxUntypedBits) return fail(syscallError.rangeError(0, seL4_MaxUntypedBits), why('Untyped Retype: Invalid object size.'));
  const sizeBits = Number(userSize);
  if (newType === ObjectType.CapTable && sizeBits === 0) return fail(syscallError.invalidArgument(1), why('Untyped Retype: Requested CapTable size too small.'));
  if (newType === ObjectType.Untyped && sizeBits < seL4_MinUntypedBits) return fail(syscallError.invalidArgument(1), why('Untyped Retype: Requested UntypedItem size too small.'));
  if (newType === ObjectType.SchedContext && sizeBits < seL4_MinSchedContextBits) return fail(syscallError.invalidArgument(1), why('Untyped retype: Requested a scheduling context too small.'));

  let destCap: Cap;
  if (nodeDepth === 0n) destCap = rootCap;
  else {
    const r = lookupSlotForCNodeOp(false, rootCap, nodeIndex, nodeDepth);
    if (!r.ok) return fail(r.error, why('Untyped Retype: Invalid destination address.'));
    destCap = r.slot.cap;
  }
  if (destCap.type !== CapType.CNode) {
    return fail(syscallError.failedLookup(false, { type: LookupFailureType.MissingCapability, bitsLeft: Number(nodeDepth) }), why('Untyped Retype: Destination cap invalid or read-only.'));
  }
  const nodeSize = BigInt(destCap.cnode.slots.length);
  if (nodeOffset > nodeSize - 1n) return fail(syscallError.rangeError(0, nodeSize - 1n), why(`Untyped Retype: Destination node offset #${printfInt(nodeOffset)} too large.`));
  if (nodeWindow < 1n || nodeWindow > BigInt(RETYPE_FAN_OUT_LIMIT)) {
    return fail(syscallError.rangeError(1, RETYPE_FAN_OUT_LIMIT), why(`Untyped Retype: Number of requested objects (${printfInt(nodeWindow)}) too small or large.`));
  }
  if (nodeWindow > nodeSize - nodeOffset) return fail(syscallError.rangeError(1, nodeSize - nodeOffset), why('Untyped Retype: Requested destination window overruns size of node.'));
  const count = Number(nodeWindow);
  const dests = destCap.cnode.slots.slice(Number(nodeOffset), Number(nodeOffset) + count);
  const occupied = dests.find((s) => s.cap.type !== CapType.Null);
  if (occupied) return fail(syscallError.deleteFirst(), why(`Untyped Retype: Slot #${printfInt(occupied.index)} in destination window non-empty.`));

  // An untyped with no children is reset: allocation starts again from its base.
  const reset = !hasChildren(slot);
  const freeIndex = reset ? 0 : cap.freeIndex;
  const freeBytes = 2 ** cap.obj.sizeBits - freeIndex;
  if (Math.floor(freeBytes / 2 ** objectSize) < count) {
    const needed = `${printfWord(count)} * ${printfWord(2n ** BigInt(objectSize))} bytes needed`;
    return fail(syscallError.notEnoughMemory(freeBytes), why(`Untyped Retype: Insufficient memory (${needed}, ${printfWord(freeBytes)} bytes available).`));
  }
  if (cap.obj.isDevice && !FRAME_TYPES.has(newType) && newType !== ObjectType.Untyped) {
    return fail(syscallError.invalidArgument(1), why('Untyped Retype: Creating kernel objects with device untyped'));
  }

  const size = 2 ** objectSize;
  const start = Math.ceil((cap.obj.paddr + freeIndex) / size) * size;
  return {
    ok: true,
    invoke() {
      slot.cap = { type: CapType.Untyped, obj: cap.obj, freeIndex: start + count * size - cap.obj.paddr };
      for (let i = 0; i < count; i++) {
        const pa = start + i * size;
        if (!cap.obj.isDevice) env.memory.zero(pa, size);
        const created = createObject(newType, pa, sizeBits, objectSize, cap.obj.isDevice);
        insertNewCap(slot, dests[i]!, created);
        env.created?.(created);
      }
      return [];
    },
  };
}

/** The cap to a new object of `type` at `pa` (createObject). */
function createObject(type: number, pa: number, userSize: number, objectSize: number, isDevice: boolean): Cap {
  switch (type) {
    case ObjectType.Untyped:
      return { type: CapType.Untyped, obj: new UntypedObject(pa, userSize, isDevice), freeIndex: 0 };
    case ObjectType.TCB:
      return { type: CapType.Thread, obj: new TcbObject(pa, objectSize) };
    case ObjectType.Endpoint:
      return { type: CapType.Endpoint, obj: new EndpointObject(pa, objectSize), badge: 0n, canSend: true, canReceive: true, canGrant: true, canGrantReply: true };
    case ObjectType.Notification:
      return { type: CapType.Notification, obj: new NotificationObject(pa, objectSize), badge: 0n, canSend: true, canReceive: true };
    case ObjectType.CapTable:
      return { type: CapType.CNode, cnode: new CNode(userSize, pa), guard: 0n, guardSize: 0 };
    case ObjectType.SchedContext:
      return { type: CapType.SchedContext, obj: new SchedContextObject(pa, objectSize) };
    case ObjectType.Reply:
      return { type: CapType.Reply, obj: new ReplyObject(pa, objectSize), canGrant: true };
    case ObjectType.SmallPage:
    case ObjectType.LargePage:
    case ObjectType.HugePage:
      return { type: CapType.Frame, obj: new FrameObject(pa, objectSize, isDevice), rights: 'read-write', mapping: undefined };
    case ObjectType.VSpace:
      return { type: CapType.VSpace, obj: new VSpaceObject(pa, objectSize), asid: undefined };
    case ObjectType.PageTable:
      return { type: CapType.PageTable, obj: new PageTableObject(pa, objectSize), mapping: undefined };
    case ObjectType.VCPU:
      return { type: CapType.Vcpu, obj: new VcpuObject(pa, objectSize) };
    default:
      throw new RangeError(`object type ${type} passed decoding`); // decoding refuses it first
  }
}
