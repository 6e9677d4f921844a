/**
 * One 4 KiB page of the physical address space, as the CPU's soft TLB caches it.
 *
 * A RAM page is a window onto its `LinearMemory`: `view` is the memory's RAM DataView (from
 * RAM_START) and `base` the page's offset in it (what the soft TLB caches). A device page has
 * `mmio` instead and is never entered in the TLB's fast path. `code` is owned by the CPU: the decoded
 * instructions of this page, dropped when the page is written.
 */
export interface MmioHandler {
  /** Read `size` bytes (1, 2, 4 or 8) at `offset` within the device's page. */
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

export class PhysPage {
  /** Opaque to memory: the CPU's decoded-instruction cache for this page. */
  code: unknown = undefined;

  constructor(
    /** Physical page number (PA >> 12). */
    readonly ppn: number,
    readonly view: DataView,
    readonly base: number,
    readonly mmio: MmioHandler | undefined = undefined,
  ) {}

  get bytes(): Uint8Array {
    return new Uint8Array(this.view.buffer, this.view.byteOffset + this.base, 4096);
  }
}

/** A page of zeroes with no storage behind it: for MMIO pages. */
export const NO_STORAGE = new DataView(new ArrayBuffer(8));
