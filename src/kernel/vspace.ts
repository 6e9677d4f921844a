import { S2_ADDRESS_MASK, S2_AF, S2_AP_READ, S2_AP_WRITE, S2_BLOCK, S2_DEVICE, S2_NORMAL, S2_TYPE_MASK, S2_VALID_TABLE, S2_XN } from '../machine/mmu/stage2.js';
import type { VmRights } from './cap.js';
import type { AsidPoolObject, VSpaceObject } from './objects.js';

/**
 * Address spaces as seL4 builds them on this configuration (hypervisor support, 40-bit PA):
 * stage-2 tables starting at level 1, with a 1024-entry VSpace root and 512-entry page
 * tables; 16-bit ASIDs in 128 pools of 512.
 */

/** seL4_UserTop: the highest user virtual address. */
export const seL4_UserTop = 0xff_ffff_ffff;
export const ASID_LOW_BITS = 9;
const ASID_POOLS = 128;

/** armKSASIDTable: the pool of each ASID high part. */
export class AsidTable {
  private readonly table: (AsidPoolObject | undefined)[] = new Array<AsidPoolObject | undefined>(ASID_POOLS).fill(undefined);
  /**
   * Counts the changes of the pools and of their entries, so that an answer of `find` can be
   * kept until the next one (`KernelState.hasValidVSpace`). Only `setPool` and `setEntry`
   * change them, and both count.
   */
  generation = 0;

  /** The pool of each ASID high part (read-only: write through `setPool`). */
  get pools(): readonly (AsidPoolObject | undefined)[] {
    return this.table;
  }

  setPool(index: number, pool: AsidPoolObject | undefined): void {
    this.table[index] = pool;
    this.generation++;
  }

  /** Entry `index` of `pool` (one of this table's pools, or one about to be). */
  setEntry(pool: AsidPoolObject, index: number, vspace: VSpaceObject | undefined): void {
    pool.entries[index] = vspace;
    this.generation++;
  }

  /** findVSpaceForASID. */
  find(asid: number): VSpaceObject | undefined {
    return this.pools[asid >>> ASID_LOW_BITS]?.entries[asid & ((1 << ASID_LOW_BITS) - 1)];
  }
}

/** Physical memory as the VSpace code reads and writes descriptors. */
export interface DescriptorMemory {
  read64(pa: number): bigint;
  write64(pa: number, value: bigint): void;
  zero(pa: number, length: number): void;
}

/** The TLB maintenance the kernel does (by ASID; the model's TLB is tagged by ASID directly). */
export interface TlbMaintenance {
  invalidateTlb(asid?: number, va?: number): void;
}

// The descriptor format is the machine's (machine/mmu/stage2.ts); seL4's pte_t adds a software
// bit the hardware ignores, pte_sw_type, that tells a 4 KiB page from a table (both type 0b11).
const SW_4K_PAGE = 1n << 58n;

/** seL4_ARM_VMAttributes bits. */
const VM_ATTR = { PageCacheable: 1n, ParityEnabled: 2n, ExecuteNever: 4n } as const;

export function tableDescriptor(pa: number): bigint {
  return BigInt(pa) | S2_VALID_TABLE;
}

/** A page (4 KiB, with seL4's software tag) or block (2 MiB, 1 GiB) descriptor (makeUserPagePTE). */
export function pageDescriptor(pa: number, sizeBits: number, rights: VmRights, attributes: bigint): bigint {
  const type = sizeBits === 12 ? S2_VALID_TABLE | SW_4K_PAGE : S2_BLOCK;
  const memAttr = attributes & VM_ATTR.PageCacheable ? S2_NORMAL : S2_DEVICE;
  const s2ap = rights === 'read-write' ? S2_AP_READ | S2_AP_WRITE : rights === 'read-only' ? S2_AP_READ : 0n;
  return BigInt(pa) | type | memAttr | s2ap | S2_AF | (attributes & VM_ATTR.ExecuteNever ? S2_XN : 0n);
}

export const isValid = (d: bigint): boolean => d !== 0n;
const isTable = (d: bigint): boolean => (d & S2_TYPE_MASK) === S2_VALID_TABLE && (d & SW_4K_PAGE) === 0n;
export const isPage = (d: bigint): boolean => (d & S2_TYPE_MASK) === S2_BLOCK || (d & (S2_TYPE_MASK | SW_4K_PAGE)) === (S2_VALID_TABLE | SW_4K_PAGE);
export const descriptorAddress = (d: bigint): number => Number(d & S2_ADDRESS_MASK);

/**
 * lookupPTSlot: from the root, descend through table descriptors as far as they go; returns
 * the slot where the walk stopped and the address bits it still covers (30, 21 or 12).
 */
export function lookupPTSlot(memory: DescriptorMemory, root: number, vaddr: number): { slot: number; bitsLeft: number } {
  let bitsLeft = 30;
  let slot = root + (Math.floor(vaddr / 2 ** 30) % 1024) * 8;
  while (bitsLeft > 12) {
    const d = memory.read64(slot);
    if (!isTable(d)) break;
    bitsLeft -= 9;
    slot = descriptorAddress(d) + (Math.floor(vaddr / 2 ** bitsLeft) % 512) * 8;
  }
  return { slot, bitsLeft };
}

/** What unmapping needs: descriptors in memory, the ASID table, TLB maintenance. */
export interface AddressSpaces {
  memory: DescriptorMemory;
  asids: AsidTable;
  tlb: TlbMaintenance;
}

/** unmapPageTable: remove the table descriptor that points at `pt`, if it is still there. */
export function unmapPageTable(env: AddressSpaces, asid: number, vaddr: number, pt: number): void {
  const vspace = env.asids.find(asid);
  if (!vspace) return;
  let slot = vspace.paddr + (Math.floor(vaddr / 2 ** 30) % 1024) * 8;
  for (let bitsLeft = 30; bitsLeft > 12; bitsLeft -= 9) {
    const d = env.memory.read64(slot);
    if (!isTable(d)) return;
    if (descriptorAddress(d) === pt) {
      env.memory.write64(slot, 0n);
      env.tlb.invalidateTlb(asid);
      return;
    }
    slot = descriptorAddress(d) + (Math.floor(vaddr / 2 ** (bitsLeft - 9)) % 512) * 8;
  }
}

/** unmapPage: remove the mapping if the descriptor there is still this frame's. */
export function unmapPage(env: AddressSpaces, asid: number, vaddr: number, sizeBits: number, pa: number): void {
  const vspace = env.asids.find(asid);
  if (!vspace) return;
  const { slot, bitsLeft } = lookupPTSlot(env.memory, vspace.paddr, vaddr);
  if (bitsLeft !== sizeBits) return;
  const d = env.memory.read64(slot);
  if (!isPage(d) || descriptorAddress(d) !== pa) return;
  env.memory.write64(slot, 0n);
  env.tlb.invalidateTlb(asid, vaddr);
}
