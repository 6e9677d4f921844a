import { Access, type AddressSpace } from '../cpu/address-space.js';
import { FSC, MemoryFault } from '../cpu/fault.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { LinearMemory } from '../memory/linear-memory.js';
import { PhysPage, NO_STORAGE } from '../memory/phys-page.js';

/**
 * VMSAv8-64 stage-2 translation with a 4 KiB granule and a 40-bit input address, starting at
 * level 1 with a 1024-entry (8 KiB) root table: the format seL4 uses for the address spaces of
 * user threads on qemu_virt_aarch64 when it runs as a hypervisor (ARM DDI 0487, D8).
 *
 * Descriptors: bits[1:0] 0b11 table (levels 1–2) or page (level 3), 0b01 block (levels 1–2);
 * MemAttr[5:2] (0b00xx device), S2AP[7:6] (bit 6 read, bit 7 write), AF[10], XN[54]; the output
 * address is bits[39:12] of a 40-bit physical address space.
 *
 * The descriptor format is defined here once: the kernel model writes descriptors with these
 * constants (kernel/vspace.ts, seL4's makeUserPagePTE), the table builder too, and `walk` reads them.
 */

/** Descriptor bits[1:0]: a table (levels 1–2) or a page (level 3); a block (levels 1–2). */
export const S2_TYPE_MASK = 3n;
export const S2_VALID_TABLE = 3n;
export const S2_BLOCK = 1n;
/** The output address field, bits[47:12] (bits above 39 must be zero: an address-size fault). */
export const S2_ADDRESS_MASK = 0xffff_ffff_f000n;
/** S2AP[7:6]: bit 6 allows reads, bit 7 writes. */
export const S2_AP_READ = 1n << 6n;
export const S2_AP_WRITE = 1n << 7n;
export const S2_AF = 1n << 10n;
export const S2_XN = 1n << 54n;
/**
 * MemAttr[5:2] values: the two seL4 uses (its `mair_s2_types`), Normal inner and outer
 * write-back cacheable for cacheable mappings and Device-nGnRnE for the others.
 */
const S2_MEMATTR_NORMAL = 0b1111;
const S2_MEMATTR_DEVICE_nGnRnE = 0b0000;
export const S2_NORMAL = BigInt(S2_MEMATTR_NORMAL) << 2n;
export const S2_DEVICE = BigInt(S2_MEMATTR_DEVICE_nGnRnE) << 2n;

export class Stage2Mmu implements AddressSpace {
  /** Physical address of the root table, or −1 for no address space (everything faults). */
  root = -1;
  private readonly deviceViews = new Map<number, PhysPage>();

  /** The memory of RAM pages, where the CPU keeps its soft TLB. */
  readonly linear: LinearMemory;

  constructor(private readonly memory: PhysicalMemory) {
    this.linear = memory.linear;
  }

  /** Set by `walk`: the mapping's MemAttr[3:0] (0b00xx is a device memory type). */
  lastMemAttr = S2_MEMATTR_NORMAL;
  /** Set by `walk`: the 4 KiB pages of the block or page it found (see `AddressSpace`). */
  lastMappingPages = 1;
  readonly stage2Faults = true;

  /**
   * Walk the tables for the input address vaHi:vaLo: returns the output page number, or
   * throws the MemoryFault the access must raise. Everything is int32 arithmetic on address
   * halves and page numbers (output addresses are below 2^40, so page numbers below 2^28).
   */
  walk(vaLo: number, vaHi: number, access: Access): number {
    if (this.root < 0 || vaHi >>> 8 !== 0) throw this.fault(FSC.translation(this.root < 0 ? 1 : 0), vaLo, vaHi, access);
    let tablePpn = Math.floor(this.root / 4096);
    for (let level = 1; level <= 3; level++) {
      const index = level === 1 ? ((vaHi & 0xff) << 2) | (vaLo >>> 30) : level === 2 ? (vaLo >>> 21) & 511 : (vaLo >>> 12) & 511;
      const page = this.memory.ramPage(tablePpn + (index >>> 9));
      if (page === undefined) throw this.fault(FSC.SYNC_EXTERNAL, vaLo, vaHi, access);
      // The descriptor as two 32-bit halves: no BigInt on the walk.
      const off = page.base + (index & 511) * 8;
      const lo = page.view.getInt32(off, true);
      const hi = page.view.getInt32(off + 4, true);
      const type = lo & 3;
      if ((type & 1) === 0) throw this.fault(FSC.translation(level), vaLo, vaHi, access);
      if ((hi & 0xff00) !== 0) throw this.fault(FSC.addressSize(level), vaLo, vaHi, access); // OA bits [47:40]
      const outPpn = ((hi & 0xff) << 20) | (lo >>> 12);
      if (type === 3 && level < 3) {
        tablePpn = outPpn;
        continue;
      }
      if (type === 1 && level === 3) throw this.fault(FSC.translation(3), vaLo, vaHi, access);
      // A block (levels 1–2) or page (level 3): AF is bit 10, S2AP bits 7:6, XN bit 54.
      if ((lo & (1 << 10)) === 0) throw this.fault(FSC.accessFlag(level), vaLo, vaHi, access);
      const allowed = access === Access.Read ? lo & (1 << 6) : access === Access.Write ? lo & (1 << 7) : ~hi & (1 << 22);
      if (allowed === 0) throw this.fault(FSC.permission(level), vaLo, vaHi, access);
      this.lastMemAttr = (lo >>> 2) & 0xf;
      // Pages inside the block: 2^18 in 1 GiB, 2^9 in 2 MiB.
      const inBlock = level === 1 ? 0x3ffff : level === 2 ? 0x1ff : 0;
      this.lastMappingPages = inBlock + 1;
      return (outPpn & ~inBlock) | ((vaLo >>> 12) & inBlock);
    }
    throw this.fault(FSC.translation(3), vaLo, vaHi, access);
  }

  private fault(fsc: number, vaLo: number, vaHi: number, access: Access): MemoryFault {
    return new MemoryFault(fsc, vaLo, vaHi, access === Access.Write, access === Access.Fetch);
  }

  translate(vaLo: number, vaHi: number, access: Access): PhysPage {
    const ppn = this.walk(vaLo, vaHi, access);
    const page = this.memory.page(ppn);
    if (!page) throw this.fault(FSC.SYNC_EXTERNAL, vaLo, vaHi, access);
    if ((this.lastMemAttr & 0b1100) === 0 && !page.mmio) return this.deviceView(page);
    return page;
  }

  /**
   * RAM mapped with a device memory type: accesses go through a handler, so they are never in
   * the TLB's fast path and the CPU checks their alignment as it does for any device.
   */
  private deviceView(page: PhysPage): PhysPage {
    let v = this.deviceViews.get(page.ppn);
    if (v) return v;
    const view = page.view;
    const base = page.base;
    v = new PhysPage(page.ppn, NO_STORAGE, 0, {
      read(off, size) {
        return size === 1 ? view.getUint8(base + off) : size === 2 ? view.getUint16(base + off, true) : view.getInt32(base + off, true);
      },
      write(off, size, value) {
        if (size === 1) view.setUint8(base + off, value);
        else if (size === 2) view.setUint16(base + off, value, true);
        else view.setInt32(base + off, value, true);
        page.code = undefined;
      },
    });
    this.deviceViews.set(page.ppn, v);
    return v;
  }
}
