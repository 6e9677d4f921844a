import type { FlatSpace } from '../memory/flat-space.js';
import { EEXIST, EFAULT, EINVAL, ENOMEM, EPERM } from './errno.js';
import { PAGE_SIZE } from './initial-stack.js';

/**
 * A Linux process's memory map over a `FlatSpace`: the program's segments, the stack, the
 * brk heap just above the highest segment, and mmap regions, allocated top-down from
 * `mmapBase` as Linux's default (legacy-free) layout does, without randomization.
 */

// PROT_* and MAP_* (include/uapi/asm-generic/mman-common.h); PROT_* equal FlatSpace's PERM_*.
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
export const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;

/** Linux's default vm.mmap_min_addr: nothing is mapped below it. */
const MMAP_MIN_ADDR = 0x10000;
/** The highest user address + 1 with 48-bit virtual addresses (TASK_SIZE). */
const TASK_SIZE = 2 ** 48;

interface Vma {
  start: number;
  end: number;
  perms: number;
}

const pageAlign = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

export class ProcessMemory {
  /** Mapped ranges, sorted by start, disjoint, page-aligned. */
  private readonly vmas: Vma[] = [];
  readonly brkStart: number;
  private brkValue: number;

  constructor(
    private readonly space: FlatSpace,
    /** The program's loaded segments [start, end) (page-rounded here). */
    segments: [number, number, number][],
    /** Top-down mmap allocation starts below this address. */
    private readonly mmapBase: number,
    /** Called after mappings change or lose rights: the CPU must flush its TLB. */
    private readonly changed: () => void,
  ) {
    for (const [start, end, perms] of segments) this.insert(Math.floor(start / PAGE_SIZE) * PAGE_SIZE, pageAlign(end), perms);
    this.brkStart = pageAlign(Math.max(...segments.map((s) => s[1])));
    this.brkValue = this.brkStart;
  }

  /** Record a region the loader mapped itself (the stack). */
  reserve(start: number, end: number, perms: number): void {
    this.insert(start, end, perms);
  }

  get brk(): number {
    return this.brkValue;
  }

  /** brk(2): move the program break; returns the new break, or the old one when it cannot. */
  setBrk(want: number): number {
    if (want < this.brkStart) return this.brkValue;
    const oldTop = pageAlign(this.brkValue);
    const newTop = pageAlign(want);
    if (newTop > oldTop) {
      if (newTop > this.mmapBase || this.overlaps(oldTop, newTop)) return this.brkValue;
      this.space.map(oldTop, newTop - oldTop, PROT_READ | PROT_WRITE);
      this.insert(oldTop, newTop, PROT_READ | PROT_WRITE);
    } else if (newTop < oldTop) {
      this.remove(newTop, oldTop);
    }
    this.brkValue = want;
    return want;
  }

  /**
   * mmap(2) of anonymous memory, or of `contents` (a file's bytes from the mapping's offset,
   * copied: private mappings of read-only files). Returns the address or −errno.
   */
  mmap(addr: number, length: number, prot: number, flags: number, contents?: Uint8Array): number {
    if (length <= 0 || length > TASK_SIZE) return -EINVAL;
    const len = pageAlign(length);
    let start: number;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
      if (addr % PAGE_SIZE !== 0 || addr + len > TASK_SIZE) return -EINVAL;
      if (addr < MMAP_MIN_ADDR) return -EPERM; // as Linux does below mmap_min_addr
      if (flags & MAP_FIXED_NOREPLACE && this.overlaps(addr, addr + len)) return -EEXIST;
      start = addr;
      this.remove(start, start + len);
    } else {
      const hint = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
      if (hint >= MMAP_MIN_ADDR && hint + len <= this.mmapBase && !this.overlaps(hint, hint + len)) start = hint;
      else {
        const found = this.findFree(len);
        if (found === undefined) return -ENOMEM;
        start = found;
      }
    }
    this.space.map(start, len, prot & 7);
    if (contents && contents.length > 0) this.space.write(start, contents.subarray(0, len));
    this.insert(start, start + len, prot & 7);
    return start;
  }

  /** munmap(2). */
  munmap(addr: number, length: number): number {
    if (addr % PAGE_SIZE !== 0 || length <= 0 || addr + length > TASK_SIZE) return -EINVAL;
    this.remove(addr, addr + pageAlign(length));
    return 0;
  }

  /** mprotect(2): every page of the range must be mapped. */
  mprotect(addr: number, length: number, prot: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const end = addr + pageAlign(length);
    if (length === 0) return 0;
    if (!this.covered(addr, end)) return -ENOMEM;
    this.split(addr);
    this.split(end);
    for (const v of this.vmas) if (v.start >= addr && v.end <= end) v.perms = prot & 7;
    this.space.protect(addr, end - addr, prot & 7);
    this.changed();
    return 0;
  }

  /** mremap(2): shrink, grow in place, or move (MREMAP_MAYMOVE). */
  mremap(oldAddr: number, oldLength: number, newLength: number, flags: number): number {
    if (oldAddr % PAGE_SIZE !== 0 || newLength <= 0 || flags & MREMAP_FIXED || flags & ~MREMAP_MAYMOVE) return -EINVAL;
    const oldEnd = oldAddr + pageAlign(oldLength);
    const newLen = pageAlign(newLength);
    if (!this.covered(oldAddr, oldEnd)) return -EFAULT;
    if (oldAddr + newLen <= oldEnd) {
      this.remove(oldAddr + newLen, oldEnd);
      return oldAddr;
    }
    const perms = this.vmas.find((v) => v.start <= oldAddr && v.end > oldAddr)!.perms;
    if (!this.overlaps(oldEnd, oldAddr + newLen) && oldAddr + newLen <= TASK_SIZE) {
      this.space.map(oldEnd, oldAddr + newLen - oldEnd, perms);
      this.insert(oldEnd, oldAddr + newLen, perms);
      return oldAddr;
    }
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
    const to = this.findFree(newLen);
    if (to === undefined) return -ENOMEM;
    const oldLen = oldEnd - oldAddr;
    this.split(oldAddr);
    this.split(oldEnd);
    const moved = this.vmas.filter((v) => v.start >= oldAddr && v.end <= oldEnd);
    this.space.move(oldAddr, oldLen, to);
    this.space.map(to + oldLen, newLen - oldLen, perms);
    this.drop(oldAddr, oldEnd);
    for (const v of moved) this.insert(v.start - oldAddr + to, v.end - oldAddr + to, v.perms);
    this.insert(to + oldLen, to + newLen, perms);
    this.changed();
    return to;
  }

  /** madvise(MADV_DONTNEED): private anonymous pages read as zero afterwards. */
  dontNeed(addr: number, length: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const end = addr + pageAlign(length);
    if (!this.covered(addr, end)) return -ENOMEM;
    this.space.zero(addr, end - addr);
    return 0;
  }

  /** The highest free range of `len` bytes below `mmapBase` (top-down allocation). */
  private findFree(len: number): number | undefined {
    let top = this.mmapBase;
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = this.vmas[i];
      if (v && v.start >= top) continue;
      const bottom = v ? v.end : MMAP_MIN_ADDR;
      if (top - bottom >= len) return top - len;
      if (!v) return undefined;
      top = v.start;
    }
    return undefined;
  }

  private overlaps(start: number, end: number): boolean {
    return this.vmas.some((v) => v.start < end && v.end > start);
  }

  /** Whether `[start, end)` is mapped throughout. */
  private covered(start: number, end: number): boolean {
    let at = start;
    for (const v of this.vmas) {
      if (v.end <= at) continue;
      if (v.start > at) return false;
      at = v.end;
      if (at >= end) return true;
    }
    return at >= end;
  }

  private insert(start: number, end: number, perms: number): void {
    const i = this.vmas.findIndex((v) => v.start >= end);
    this.vmas.splice(i < 0 ? this.vmas.length : i, 0, { start, end, perms });
  }

  /** Cut the region containing `addr` in two at `addr`. */
  private split(addr: number): void {
    const i = this.vmas.findIndex((v) => v.start < addr && v.end > addr);
    if (i < 0) return;
    const v = this.vmas[i]!;
    this.vmas.splice(i, 1, { start: v.start, end: addr, perms: v.perms }, { start: addr, end: v.end, perms: v.perms });
  }

  /** Forget `[start, end)` in the region list. */
  private drop(start: number, end: number): void {
    this.split(start);
    this.split(end);
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const v = this.vmas[i]!;
      if (v.start >= start && v.end <= end) this.vmas.splice(i, 1);
    }
  }

  /** Unmap `[start, end)`. */
  private remove(start: number, end: number): void {
    if (!this.overlaps(start, end)) return;
    this.drop(start, end);
    this.space.unmap(start, end - start);
    this.changed();
  }
}
