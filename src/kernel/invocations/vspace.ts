import type { Cap, CapOf } from '../cap.js';
import { CapType, capRightsFromWord } from '../cap-types.js';
import { lookupEmptyTargetSlot, type Slot } from '../cspace.js';
import { maskVmRights } from '../derive.js';
import { LookupFailureType, syscallError } from '../errors.js';
import { hasChildren, insertNewCap, isFinalCapability } from '../mdb.js';
import { AsidPoolObject, type VSpaceObject } from '../objects.js';
import { ASID_LOW_BITS, isValid, isPage, lookupPTSlot, pageDescriptor, seL4_UserTop, tableDescriptor, unmapPage, unmapPageTable, type AsidTable, type DescriptorMemory, type TlbMaintenance } from '../vspace.js';
import { printfWordHex, says, type UserErrorText } from '../user-error.js';
import { fail, type Decoded, type Invocation, type KernelEnv } from './types.js';

export interface VSpaceEnv extends KernelEnv {
  memory: DescriptorMemory;
  asids: AsidTable;
  tlb: TlbMaintenance;
}

/*
 * seL4's ARM64 decoders (src/arch/arm/64/kernel/vspace.c) print a userError for few refusals:
 * ASID control's full table, a frame remapped elsewhere, and the cache maintenance calls.
 * ASID pool and page table refusals, and the other Page_Map ones, print nothing.
 */

const invalidRoot = (...userErrors: UserErrorText[]) => fail(syscallError.failedLookup(false, { type: LookupFailureType.InvalidRoot }), ...userErrors);

/** The VSpace named by extra cap 0 of a map call, or the error seL4 gives. */
function targetVSpace(env: VSpaceEnv, cap: Cap): { ok: true; asid: number; vspace: VSpaceObject } | { ok: false; decoded: Decoded } {
  if (cap.type !== CapType.VSpace || cap.asid === undefined) return { ok: false, decoded: fail(syscallError.invalidCapability(1)) };
  const found = env.asids.find(cap.asid);
  if (!found) return { ok: false, decoded: invalidRoot() };
  if (found !== cap.obj) return { ok: false, decoded: fail(syscallError.invalidCapability(1)) };
  return { ok: true, asid: cap.asid, vspace: found };
}

/** ASIDControl_MakePool: extra caps untyped (exactly 4 KiB, not device, childless) and root; MR0 index, MR1 depth. */
export function decodeASIDControlInvocation(env: VSpaceEnv, inv: Invocation): Decoded {
  if (inv.label !== env.labels.of('ARMASIDControlMakePool')) return fail(syscallError.illegalOperation());
  if (inv.args.length < 2 || inv.extraCaps.length < 2) return fail(syscallError.truncatedMessage());
  const index = env.asids.pools.indexOf(undefined);
  if (index < 0) return fail(syscallError.deleteFirst(), says('decodeARMMMUInvocation', 'ASIDControlMakePool: No unallocated pools found.'));
  const { cap: untyped, slot: parent } = inv.extraCaps[0]!;
  if (untyped.type !== CapType.Untyped || untyped.obj.sizeBits !== 12 || untyped.obj.isDevice) return fail(syscallError.invalidCapability(1));
  if (hasChildren(parent)) return fail(syscallError.revokeFirst());
  const dest = lookupEmptyTargetSlot(inv.extraCaps[1]!.cap, inv.args[0]!, inv.args[1]!);
  if (!dest.ok) return fail(dest.error);
  const destSlot = dest.slot;
  return {
    ok: true,
    invoke() {
      const pool = new AsidPoolObject(untyped.obj.paddr, 12);
      parent.cap = { type: CapType.Untyped, obj: untyped.obj, freeIndex: 4096 }; // the untyped is used up
      env.memory.zero(pool.paddr, 4096);
      insertNewCap(parent, destSlot, { type: CapType.AsidPool, obj: pool, asidBase: index << ASID_LOW_BITS });
      env.asids.setPool(index, pool);
      return [];
    },
  };
}

/** ASIDPool_Assign: give the VSpace of extra cap 0 the pool's lowest free ASID (never 0). */
export function decodeASIDPoolInvocation(env: VSpaceEnv, inv: Invocation, poolSlot: Slot): Decoded {
  const poolCap = poolSlot.cap as CapOf<CapType.AsidPool>;
  if (inv.label !== env.labels.of('ARMASIDPoolAssign')) return fail(syscallError.illegalOperation());
  if (inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  const { cap: vsCap, slot: vsSlot } = inv.extraCaps[0]!;
  if (vsCap.type !== CapType.VSpace || vsCap.asid !== undefined) return fail(syscallError.invalidCapability(1));
  const table = env.asids.pools[poolCap.asidBase >>> ASID_LOW_BITS];
  if (!table) return invalidRoot();
  if (table !== poolCap.obj) return fail(syscallError.invalidCapability(0));
  const i = table.entries.findIndex((e, k) => e === undefined && poolCap.asidBase + k !== 0);
  if (i < 0) return fail(syscallError.deleteFirst());
  return {
    ok: true,
    invoke() {
      env.asids.setEntry(table, i, vsCap.obj);
      vsSlot.cap = { type: CapType.VSpace, obj: vsCap.obj, asid: poolCap.asidBase + i };
      return [];
    },
  };
}

/** PageTable_Map (extra cap VSpace, MR0 vaddr, MR1 attributes, ignored) and PageTable_Unmap. */
export function decodePageTableInvocation(env: VSpaceEnv, inv: Invocation, slot: Slot): Decoded {
  const L = env.labels;
  const cap = slot.cap as CapOf<CapType.PageTable>;
  if (inv.label === L.of('ARMPageTableUnmap')) {
    if (!isFinalCapability(slot)) return fail(syscallError.revokeFirst());
    return {
      ok: true,
      invoke() {
        if (cap.mapping) {
          unmapPageTable(env, cap.mapping.asid, cap.mapping.vaddr, cap.obj.paddr);
          env.memory.zero(cap.obj.paddr, 4096);
        }
        slot.cap = { type: CapType.PageTable, obj: cap.obj, mapping: undefined };
        return [];
      },
    };
  }
  if (inv.label !== L.of('ARMPageTableMap')) return fail(syscallError.illegalOperation());
  if (inv.args.length < 2 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
  if (cap.mapping) return fail(syscallError.invalidCapability(0));
  const vsCap = inv.extraCaps[0]!.cap;
  if (vsCap.type !== CapType.VSpace || vsCap.asid === undefined) return fail(syscallError.invalidCapability(1));
  const vaddrWord = inv.args[0]!;
  if (vaddrWord > BigInt(seL4_UserTop)) return fail(syscallError.invalidArgument(0));
  const target = targetVSpace(env, vsCap);
  if (!target.ok) return target.decoded;
  const vaddr = Number(vaddrWord);
  const { slot: ptSlot, bitsLeft } = lookupPTSlot(env.memory, target.vspace.paddr, vaddr);
  if (bitsLeft === 12 || isValid(env.memory.read64(ptSlot))) return fail(syscallError.deleteFirst());
  return {
    ok: true,
    invoke() {
      const covered = 2 ** bitsLeft;
      slot.cap = { type: CapType.PageTable, obj: cap.obj, mapping: { asid: target.asid, vaddr: vaddr - (vaddr % covered) } };
      env.memory.write64(ptSlot, tableDescriptor(cap.obj.paddr));
      return [];
    },
  };
}

/** Page_Map (extra cap VSpace; MR0 vaddr, MR1 rights, MR2 attributes), Page_Unmap, Page_GetAddress. */
export function decodeFrameInvocation(env: VSpaceEnv, inv: Invocation, slot: Slot): Decoded {
  const L = env.labels;
  const cap = slot.cap as CapOf<CapType.Frame>;
  const size = 2 ** cap.obj.sizeBits;
  switch (L.byNumber[inv.label]) {
    case 'ARMPageMap': {
      if (inv.args.length < 3 || inv.extraCaps.length < 1) return fail(syscallError.truncatedMessage());
      const rights = maskVmRights(cap.rights, capRightsFromWord(inv.args[1]!));
      const attributes = inv.args[2]!;
      const target = targetVSpace(env, inv.extraCaps[0]!.cap);
      if (!target.ok) return target.decoded;
      const vaddrWord = inv.args[0]!;
      if (vaddrWord % BigInt(size) !== 0n) return fail(syscallError.alignmentError());
      if (cap.mapping) {
        if (cap.mapping.asid !== target.asid) {
          return fail(syscallError.invalidCapability(1), says('decodeARMFrameInvocation', 'ARMPageMap: Attempting to remap a frame that does not belong to the passed address space'));
        }
        if (BigInt(cap.mapping.vaddr) !== vaddrWord) return fail(syscallError.invalidArgument(0), says('decodeARMFrameInvocation', 'ARMPageMap: Attempting to map frame into multiple addresses'));
      } else if (vaddrWord + BigInt(size) - 1n > BigInt(seL4_UserTop)) return fail(syscallError.invalidArgument(0));
      const vaddr = Number(vaddrWord);
      const { slot: pteSlot, bitsLeft } = lookupPTSlot(env.memory, target.vspace.paddr, vaddr);
      if (bitsLeft !== cap.obj.sizeBits) return fail(syscallError.failedLookup(false, { type: LookupFailureType.MissingCapability, bitsLeft }));
      return {
        ok: true,
        invoke() {
          slot.cap = { type: CapType.Frame, obj: cap.obj, rights: cap.rights, mapping: { asid: target.asid, vaddr } };
          const old = env.memory.read64(pteSlot);
          env.memory.write64(pteSlot, pageDescriptor(cap.obj.paddr, cap.obj.sizeBits, rights, attributes));
          if (isValid(old)) env.tlb.invalidateTlb(target.asid, vaddr);
          return [];
        },
      };
    }
    case 'ARMPageUnmap':
      return {
        ok: true,
        invoke() {
          if (cap.mapping) unmapPage(env, cap.mapping.asid, cap.mapping.vaddr, cap.obj.sizeBits, cap.obj.paddr);
          slot.cap = { type: CapType.Frame, obj: cap.obj, rights: cap.rights, mapping: undefined };
          return [];
        },
      };
    case 'ARMPageGetAddress':
      return { ok: true, invoke: () => [BigInt(cap.obj.paddr)] };
    case 'ARMPageClean_Data':
    case 'ARMPageInvalidate_Data':
    case 'ARMPageCleanInvalidate_Data':
    case 'ARMPageUnify_Instruction': {
      // MR0 start, MR1 end: offsets into the frame. The machine has no caches, and the CPU
      // keeps decoded instructions coherent with memory itself, so after the checks nothing
      // is left to do. (The hypervisor kernel's check that the range is in the kernel window
      // is not modelled.)
      const why = (message: string) => says('decodeARMFrameInvocation', message);
      if (inv.args.length < 2) return fail(syscallError.truncatedMessage(), why('Page Flush: Truncated message.'));
      if (!cap.mapping) return fail(syscallError.illegalOperation(), why('Page Flush: Frame is not mapped.'));
      if (!env.asids.find(cap.mapping.asid)) return invalidRoot(why('Page Flush: No PGD for ASID'));
      const [start, end] = [inv.args[0]!, inv.args[1]!];
      if (end <= start) return fail(syscallError.invalidArgument(1), why('PageFlush: Invalid range'));
      if (start >= BigInt(size) || end > BigInt(size)) return fail(syscallError.invalidArgument(0), why('Page Flush: Requested range not inside page'));
      return { ok: true, invoke: () => [] };
    }
    default:
      return fail(syscallError.illegalOperation());
  }
}

/**
 * VSpace cache maintenance (ARMVSpaceClean_Data…Unify_Instruction): MR0 start, MR1 end,
 * within one page. The machine has no caches, so after the checks nothing is left to do; a
 * range that is not mapped is silently accepted, as seL4 does.
 */
export function decodeVSpaceInvocation(env: VSpaceEnv, inv: Invocation, slot: Slot): Decoded {
  const cap = slot.cap as CapOf<CapType.VSpace>;
  const name = env.labels.byNumber[inv.label] ?? '';
  if (!/^ARMVSpace(Clean|Invalidate|CleanInvalidate)_Data$|^ARMVSpaceUnify_Instruction$/.test(name)) return fail(syscallError.illegalOperation());
  const why = (message: string) => says('decodeARMVSpaceRootInvocation', message);
  if (inv.args.length < 2) return fail(syscallError.truncatedMessage(), why('VSpaceRoot Flush: Truncated message.'));
  const [start, end] = [inv.args[0]!, inv.args[1]!];
  if (end <= start) return fail(syscallError.invalidArgument(1), why('VSpaceRoot Flush: Invalid range.'));
  if (end > BigInt(seL4_UserTop)) return fail(syscallError.illegalOperation(), why('VSpaceRoot Flush: Exceed the user addressable region.'));
  if (cap.asid === undefined) return fail(syscallError.invalidCapability(0));
  const found = env.asids.find(cap.asid);
  if (!found) return invalidRoot(why('VSpaceRoot Flush: No VSpace for ASID'));
  if (found !== cap.obj) return fail(syscallError.invalidCapability(0), why('VSpaceRoot Flush: Invalid VSpace Cap'));
  const { slot: pte, bitsLeft } = lookupPTSlot(env.memory, found.paddr, Number(start));
  if (!isPage(env.memory.read64(pte))) return { ok: true, invoke: () => [] };
  const pageSize = 2n ** BigInt(bitsLeft);
  const base = start - (start % pageSize);
  if (base !== end - 1n - ((end - 1n) % pageSize)) {
    // seL4's range is [start, the page's last byte], and it prints it so.
    const last = base + pageSize - 1n;
    return fail(syscallError.rangeError(start, last), why(`VSpaceRoot Flush: cannot cross page boundary, valid range is [0x${printfWordHex(start)}..0x${printfWordHex(last)})`));
  }
  return { ok: true, invoke: () => [] };
}
