import { Access, type AddressSpace } from '../cpu/address-space.js';
import { FSC, MemoryFault } from '../cpu/fault.js';
import { LinearMemory } from './linear-memory.js';
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
  /**
   * The program's pages, in the order they are first touched (a page never touched costs
   * nothing), with the CPU's soft TLB.
   */
  readonly linear: LinearMemory;
  private readonly pages = new Map<number, Mapping>();
  /** Mapped but not yet touched ranges of pages: [first vpn, last vpn, perms]. */
  private readonly lazy: [number, number, number][] = [];
  private nextPpn = 0;
  /** Offsets of pages unmapped (reused, zeroed, before new ones). */
  private readonly free: number[] = [];

  /** `linear`: the memory to use (tests give an unshared or a small one). */
  constructor(linear = new LinearMemory()) {
    this.linear = linear;
  }

  /** A zero page of the memory. */
  private newPage(): PhysPage {
    let offset = this.free.pop();
    if (offset === undefined) offset = this.linear.allocate(4096);
    else this.linear.page(offset).fill(0);
    return new PhysPage(this.nextPpn++, this.linear.view, offset);
  }

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
        else this.pages.set(vpn, { page: this.newPage(), perms });
      }
    }
    this.lazy.push([first, last, perms]);
  }

  private mapping(vpn: number): Mapping | undefined {
    let m = this.pages.get(vpn);
    if (m) return m;
    for (const [first, last, perms] of this.lazy) {
      if (vpn >= first && vpn <= last) {
        m = { page: this.newPage(), perms };
        this.pages.set(vpn, m);
        return m;
      }
    }
    return undefined;
  }

  /**
   * Remove `[va, va + size)` (page-rounded): its pages fault from now on, and come back zeroed
   * if mapped again. The CPU's TLB must be flushed after.
   */
  unmap(va: number, size: number): void {
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    this.cutLazy(first, last);
    for (let vpn = first; vpn <= last; vpn++) {
      const m = this.pages.get(vpn);
      if (m === undefined) continue;
      this.pages.delete(vpn);
      this.free.push(m.page.base);
    }
  }

  /** Give the mapped pages of `[va, va + size)` the permissions `perms`. The CPU's TLB must be flushed after. */
  protect(va: number, size: number, perms: number): void {
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    const covered = this.cutLazy(first, last);
    for (const [a, b] of covered) this.lazy.push([a, b, perms]);
    for (let vpn = first; vpn <= last; vpn++) {
      const m = this.pages.get(vpn);
      if (m) m.perms = perms;
    }
  }

  /**
   * Move the pages of `[from, from + size)` to `to` (mremap): their contents and permissions
   * go with them; the old addresses are unmapped. The CPU's TLB must be flushed after.
   */
  move(from: number, size: number, to: number): void {
    const first = Math.floor(from / 4096);
    const last = Math.floor((from + size - 1) / 4096);
    const shift = Math.floor(to / 4096) - first;
    const moved: [number, Mapping][] = [];
    for (let vpn = first; vpn <= last; vpn++) {
      const m = this.pages.get(vpn);
      if (m) moved.push([vpn + shift, m]);
      this.pages.delete(vpn);
    }
    const covered = this.lazyPerms(first, last);
    this.cutLazy(first, last);
    for (const [a, b, perms] of covered) this.lazy.push([a + shift, b + shift, perms]);
    for (const [vpn, m] of moved) this.pages.set(vpn, m);
  }

  /** Zero the pages of `[va, va + size)` that were touched (madvise MADV_DONTNEED). */
  zero(va: number, size: number): void {
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    for (let vpn = first; vpn <= last; vpn++) {
      const m = this.pages.get(vpn);
      if (!m) continue;
      m.page.bytes.fill(0);
      m.page.code = undefined;
    }
  }

  /** The parts of the lazy ranges within pages `first..last`, with their permissions. */
  private lazyPerms(first: number, last: number): [number, number, number][] {
    return this.lazy.filter((r) => !(last < r[0] || first > r[1])).map(([a, b, perms]) => [Math.max(a, first), Math.min(b, last), perms]);
  }

  /** Whether any page of `[va, va + size)` is mapped. */
  anyMapped(va: number, size: number): boolean {
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    if (this.lazy.some((r) => !(last < r[0] || first > r[1]))) return true;
    if (last - first < this.pages.size) {
      for (let vpn = first; vpn <= last; vpn++) if (this.pages.has(vpn)) return true;
      return false;
    }
    for (const vpn of this.pages.keys()) if (vpn >= first && vpn <= last) return true;
    return false;
  }

  /** Whether every page of `[va, va + size)` is mapped. */
  allMapped(va: number, size: number): boolean {
    const first = Math.floor(va / 4096);
    const last = Math.floor((va + size - 1) / 4096);
    for (let vpn = first; vpn <= last; vpn++) {
      if (!this.pages.has(vpn) && !this.lazy.some((r) => vpn >= r[0] && vpn <= r[1])) return false;
    }
    return true;
  }

  /** Take pages `first..last` out of the lazy ranges; returns the parts that were in them. */
  private cutLazy(first: number, last: number): [number, number][] {
    const covered: [number, number][] = [];
    for (let i = this.lazy.length - 1; i >= 0; i--) {
      const [a, b, perms] = this.lazy[i]!;
      if (last < a || first > b) continue;
      this.lazy.splice(i, 1);
      // Pages of the range not yet touched stay lazy; the cut part is materialized first when
      // it was touched (it is in `pages`), so nothing is lost.
      if (a < first) this.lazy.push([a, first - 1, perms]);
      if (b > last) this.lazy.push([last + 1, b, perms]);
      covered.push([Math.max(a, first), Math.min(b, last)]);
    }
    return covered;
  }

  /** Copy bytes into mapped memory, ignoring permissions (a loader's write). */
  write(va: number, data: Uint8Array): void {
    if (!this.writeChecked(va, data, 0)) throw new Error(`write to unmapped address 0x${va.toString(16)}`);
  }

  /**
   * Copy bytes into memory the program may write (a system call's result). False, with nothing
   * written, when part of it is unmapped or read-only (the call's EFAULT).
   */
  writeUser(va: number, data: Uint8Array): boolean {
    return this.writeChecked(va, data, PERM_W);
  }

  private writeChecked(va: number, data: Uint8Array, need: number): boolean {
    for (let i = 0; i < data.length; ) {
      const m = this.mapping(Math.floor((va + i) / 4096));
      if (!m || (m.perms & need) !== need) return false;
      i += 4096 - ((va + i) % 4096);
    }
    for (let i = 0; i < data.length; ) {
      const m = this.mapping(Math.floor((va + i) / 4096))!;
      const off = (va + i) % 4096;
      const n = Math.min(4096 - off, data.length - i);
      this.linear.bytes.subarray(m.page.base + off, m.page.base + off + n).set(data.subarray(i, i + n));
      m.page.code = undefined; // written behind the CPU's back: drop decoded instructions
      i += n;
    }
    return true;
  }

  /** Read bytes from mapped memory (for syscalls such as write). Undefined if unmapped. */
  read(va: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; ) {
      const m = this.mapping(Math.floor((va + i) / 4096));
      if (!m || !(m.perms & PERM_R)) return undefined;
      const off = (va + i) % 4096;
      const n = Math.min(4096 - off, length - i);
      out.set(this.linear.bytes.subarray(m.page.base + off, m.page.base + off + n), i);
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
