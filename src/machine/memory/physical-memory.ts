import { LinearMemory } from './linear-memory.js';
import { PhysPage, NO_STORAGE, type MmioHandler } from './phys-page.js';

/**
 * The physical address space of a board: RAM in a `LinearMemory`, allocated lazily in 2 MiB
 * chunks (in the order they are first touched), and MMIO devices dispatched by page. Any other
 * address has nothing behind it: `page()` returns undefined and the access becomes a
 * synchronous external abort.
 */

const CHUNK = 2 * 1024 * 1024;

export interface MmioDevice extends MmioHandler {
  readonly name: string;
}

interface MmioRange {
  base: number;
  size: number;
  device: MmioDevice;
}

export class PhysicalMemory {
  /** Guest RAM (and the CPU's soft TLB): shared with compiled code. */
  readonly linear: LinearMemory;
  /** The offset in `linear` of each 2 MiB chunk of RAM, or −1 while it is not allocated. */
  private readonly chunks: Int32Array;
  private chunkCount = 0;
  private readonly pages = new Map<number, PhysPage>();
  private readonly mmio: MmioRange[] = [];

  constructor(
    readonly ramBase: number,
    readonly ramSize: number,
  ) {
    this.linear = new LinearMemory(Math.ceil(ramSize / CHUNK) * CHUNK);
    this.chunks = new Int32Array(Math.ceil(ramSize / CHUNK)).fill(-1);
  }

  /** Place a device at [base, base + size) (whole pages). */
  addDevice(base: number, size: number, device: MmioDevice): void {
    this.mmio.push({ base, size, device });
  }

  isRam(pa: number): boolean {
    return pa >= this.ramBase && pa < this.ramBase + this.ramSize;
  }

  /** The page at physical page number ppn, or undefined when nothing is there. */
  page(ppn: number): PhysPage | undefined {
    let p = this.pages.get(ppn);
    if (p) return p;
    const pa = ppn * 4096;
    if (this.isRam(pa)) {
      const chunkIndex = Math.floor((pa - this.ramBase) / CHUNK);
      let chunk = this.chunks[chunkIndex]!;
      if (chunk < 0) {
        chunk = this.linear.allocate(CHUNK);
        this.chunks[chunkIndex] = chunk;
        this.chunkCount++;
      }
      p = new PhysPage(ppn, this.linear.view, chunk + (((pa - this.ramBase) % CHUNK) & ~0xfff));
    } else {
      const r = this.mmio.find((m) => pa >= m.base && pa < m.base + m.size);
      if (!r) return undefined;
      const pageBase = pa - r.base;
      const dev = r.device;
      p = new PhysPage(ppn, NO_STORAGE, 0, {
        read: (off, size) => dev.read(pageBase + off, size),
        write: (off, size, v) => dev.write(pageBase + off, size, v),
      });
    }
    this.pages.set(ppn, p);
    return p;
  }

  /** The RAM page at physical page number ppn, or undefined when that is not RAM. */
  ramPage(ppn: number): PhysPage | undefined {
    return this.isRam(ppn * 4096) ? this.page(ppn) : undefined;
  }

  /** RAM bytes allocated so far (the rest reads as zero when first touched). */
  get allocatedBytes(): number {
    return this.chunkCount * CHUNK;
  }

  // -------------------------------------------------------------- access for loaders and the kernel

  private ramPageAt(pa: number): PhysPage {
    const p = this.ramPage(Math.floor(pa / 4096));
    if (!p) throw new RangeError(`physical address 0x${pa.toString(16)} is not RAM`);
    return p;
  }

  /** Call `fn` with the bytes of each page-bounded piece of [pa, pa + length), its offset in the range, and its page. */
  private eachPiece(pa: number, length: number, fn: (bytes: Uint8Array, at: number, page: PhysPage) => void): void {
    for (let i = 0; i < length; ) {
      const p = this.ramPageAt(pa + i);
      const off = (pa + i) % 4096;
      const n = Math.min(4096 - off, length - i);
      fn(new Uint8Array(p.view.buffer, p.view.byteOffset + p.base + off, n), i, p);
      i += n;
    }
  }

  read(pa: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.eachPiece(pa, length, (bytes, at) => out.set(bytes, at));
    return out;
  }

  write(pa: number, data: Uint8Array): void {
    this.eachPiece(pa, data.length, (bytes, at, page) => {
      bytes.set(data.subarray(at, at + bytes.length));
      page.code = undefined; // written behind the CPU's back: drop decoded instructions
    });
  }

  read64(pa: number): bigint {
    const p = this.ramPageAt(pa);
    return p.view.getBigUint64(p.base + (pa % 4096), true);
  }

  write64(pa: number, value: bigint): void {
    const p = this.ramPageAt(pa);
    p.view.setBigUint64(p.base + (pa % 4096), BigInt.asUintN(64, value), true);
    p.code = undefined;
  }

  read32(pa: number): number {
    const p = this.ramPageAt(pa);
    return p.view.getUint32(p.base + (pa % 4096), true);
  }

  write32(pa: number, value: number): void {
    const p = this.ramPageAt(pa);
    p.view.setUint32(p.base + (pa % 4096), value >>> 0, true);
    p.code = undefined;
  }

  /** Zero [pa, pa + length): what seL4 does to memory it retypes. Untouched chunks stay unallocated. */
  zero(pa: number, length: number): void {
    for (let i = 0; i < length; ) {
      // One 2 MiB chunk at a time: a chunk never written is zero already.
      const chunkIndex = Math.floor((pa + i - this.ramBase) / CHUNK);
      const n = this.isRam(pa + i) ? Math.min(length - i, this.ramBase + (chunkIndex + 1) * CHUNK - (pa + i)) : length - i;
      if (!this.isRam(pa + i) || this.chunks[chunkIndex]! >= 0) {
        this.eachPiece(pa + i, n, (bytes, _at, page) => {
          bytes.fill(0);
          page.code = undefined;
        });
      }
      i += n;
    }
  }

  /** A 32-bit register read of the device at `pa`, as a kernel does it. */
  readDevice32(pa: number): number {
    return this.devicePage(pa).mmio!.read(pa % 4096, 4) >>> 0;
  }

  writeDevice32(pa: number, value: number): void {
    this.devicePage(pa).mmio!.write(pa % 4096, 4, value | 0);
  }

  private devicePage(pa: number): PhysPage {
    const p = this.isRam(pa) || pa % 4 !== 0 ? undefined : this.page(Math.floor(pa / 4096));
    if (!p?.mmio) throw new RangeError(`physical address 0x${pa.toString(16)} is not an aligned device register`);
    return p;
  }
}
