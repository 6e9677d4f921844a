import { Access, type AddressSpace } from '../cpu/address-space.js';
import { FSC, MemoryFault } from '../cpu/fault.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import { PhysPage, NO_STORAGE } from '../memory/phys-page.js';

/**
 * VMSAv8-64 stage-2 translation with a 4 KiB granule and a 40-bit input address, starting at
 * level 1 with a 1024-entry (8 KiB) root table: the format seL4 uses for the address spaces of
 * user threads on qemu_virt_aarch64 when it runs as a hypervisor (ARM DDI 0487, D8).
 *
 * Descriptors: bits[1:0] 0b11 table (levels 1–2) or page (level 3), 0b01 block (levels 1–2);
 * MemAttr[5:2] (0b00xx device), S2AP[7:6] (bit 6 read, bit 7 write), AF[10], XN[54]; the output
 * address is bits[39:12] of a 40-bit physical address space.
 */

export const IPA_BITS = 40;
const TOP = 2 ** IPA_BITS;

export const S2_VALID_TABLE = 3n;
export const S2_BLOCK = 1n;
export const S2_AP_READ = 1n << 6n;
export const S2_AP_WRITE = 1n << 7n;
export const S2_AF = 1n << 10n;
export const S2_XN = 1n << 54n;
/** MemAttr = 0b1111: normal, write-back cacheable. 0b0001: device nGnRE. */
export const S2_NORMAL = 0xfn << 2n;
export const S2_DEVICE = 0x1n << 2n;
export const S2_SH_INNER = 3n << 8n;

export interface WalkResult {
  pa: number;
  device: boolean;
  level: number;
}

export class Stage2Mmu implements AddressSpace {
  /** Physical address of the root table, or −1 for no address space (everything faults). */
  root = -1;
  private readonly deviceViews = new Map<number, PhysPage>();

  constructor(private readonly memory: PhysicalMemory) {}

  /** Walk the tables for an input address; throws MemoryFault for a fault. */
  walk(ipa: number, access: Access, vaLo: number, vaHi: number): WalkResult {
    const write = access === Access.Write;
    const fetch = access === Access.Fetch;
    const fault = (fsc: number): never => {
      throw new MemoryFault(fsc, vaLo, vaHi, write, fetch);
    };
    if (this.root < 0 || ipa >= TOP) fault(FSC.translation(this.root < 0 ? 1 : 0));
    let table = this.root;
    for (let level = 1; level <= 3; level++) {
      const shift = 39 - 9 * level; // 30, 21, 12
      const bits = level === 1 ? 10 : 9;
      const index = Math.floor(ipa / 2 ** shift) % 2 ** bits;
      const entryPa = table + index * 8;
      if (!this.memory.isRam(entryPa)) fault(FSC.SYNC_EXTERNAL);
      const desc = this.memory.read64(entryPa);
      const type = desc & 3n;
      if ((type & 1n) === 0n) fault(FSC.translation(level));
      const out = Number(desc & 0xff_ffff_f000n);
      if (Number((desc >> 40n) & 0xffn) !== 0) fault(FSC.addressSize(level));
      if (type === S2_VALID_TABLE && level < 3) {
        table = out;
        continue;
      }
      if (type === S2_BLOCK && level === 3) fault(FSC.translation(3));
      // A block (levels 1–2) or page (level 3).
      if ((desc & S2_AF) === 0n) fault(FSC.accessFlag(level));
      const canRead = (desc & S2_AP_READ) !== 0n;
      const canWrite = (desc & S2_AP_WRITE) !== 0n;
      const exec = (desc & S2_XN) === 0n;
      if ((access === Access.Read && !canRead) || (write && !canWrite) || (fetch && !exec)) fault(FSC.permission(level));
      const size = 2 ** shift;
      const base = out - (out % size);
      const device = ((desc >> 4n) & 3n) === 0n;
      return { pa: base + (ipa % size), device, level };
    }
    return fault(FSC.translation(3));
  }

  translate(vaLo: number, vaHi: number, access: Access): PhysPage {
    const ipa = (vaHi >>> 0) * 4294967296 + (vaLo >>> 0);
    const { pa, device } = this.walk(ipa, access, vaLo, vaHi);
    const ppn = Math.floor(pa / 4096);
    const page = this.memory.page(ppn);
    if (!page) throw new MemoryFault(FSC.SYNC_EXTERNAL, vaLo, vaHi, access === Access.Write, access === Access.Fetch);
    if (device && !page.mmio) return this.deviceView(page);
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
