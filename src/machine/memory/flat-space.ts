import { Access, type AddressSpace } from '../cpu/address-space.js';
import { FSC, MemoryFault } from '../cpu/fault.js';
import { PhysPage } from './phys-page.js';

export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;

interface Mapping {
  page: PhysPage;
  perms: number;
}

/**
 * A user-mode address space without page tables, as `qemu-aarch64` gives a Linux program:
 * pages mapped with read/write/execute permissions, anything else faults. Used by
 * `sel4ts machine exec`.
 */
export class FlatSpace implements AddressSpace {
  private readonly pages = new Map<number, Mapping>();
  /** Mapped but not yet touched ranges of pages: [first vpn, last vpn, perms]. */
  private readonly lazy: [number, number, number][] = [];
  private nextPpn = 0;

  /** Map `[va, va + size)` (page-rounded) with `perms`; pages are zero-filled when first used. */
  map(va: number, size: number, perms: number): void {
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    const overlaps = this.lazy.some((r) => !(last < r[0] || first > r[1]));
    if (overlaps) {
      // Pages shared with an earlier mapping (segments meeting in one page) get both rights.
      for (let vpn = first; vpn <= last; vpn++) {
        const m = this.mapping(vpn);
        if (m) m.perms |= perms;
        else this.pages.set(vpn, { page: new PhysPage(this.nextPpn++, new DataView(new ArrayBuffer(4096)), 0), perms });
      }
    }
    this.lazy.push([first, last, perms]);
  }

  private mapping(vpn: number): Mapping | undefined {
    let m = this.pages.get(vpn);
    if (m) return m;
    for (const [first, last, perms] of this.lazy) {
      if (vpn >= first && vpn <= last) {
        m = { page: new PhysPage(this.nextPpn++, new DataView(new ArrayBuffer(4096)), 0), perms };
        this.pages.set(vpn, m);
        return m;
      }
    }
    return undefined;
  }

  /** Copy bytes into mapped memory, ignoring permissions (a loader's write). */
  write(va: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; ) {
      const m = this.mapping(Math.floor((va + i) / 4096));
      if (!m) throw new Error(`write to unmapped address 0x${(va + i).toString(16)}`);
      const off = (va + i) % 4096;
      const n = Math.min(4096 - off, data.length - i);
      new Uint8Array(m.page.view.buffer, m.page.base + off, n).set(data.subarray(i, i + n));
      i += n;
    }
  }

  /** Read bytes from mapped memory (for syscalls such as write). Undefined if unmapped. */
  read(va: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; ) {
      const m = this.mapping(Math.floor((va + i) / 4096));
      if (!m || !(m.perms & PERM_R)) return undefined;
      const off = (va + i) % 4096;
      const n = Math.min(4096 - off, length - i);
      out.set(new Uint8Array(m.page.view.buffer, m.page.base + off, n), i);
      i += n;
    }
    return out;
  }

  translate(vaLo: number, vaHi: number, access: Access): PhysPage {
    const vpn = (vaHi >>> 0) * 1048576 + (vaLo >>> 12);
    const m = this.mapping(vpn);
    const write = access === Access.Write;
    const fetch = access === Access.Fetch;
    if (!m) throw new MemoryFault(FSC.translation(3), vaLo, vaHi, write, fetch);
    const need = fetch ? PERM_X : write ? PERM_W : PERM_R;
    if (!(m.perms & need)) throw new MemoryFault(FSC.permission(3), vaLo, vaHi, write, fetch);
    return m.page;
  }
}
