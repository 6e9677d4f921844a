import type { PhysicalMemory } from '../../memory/physical-memory.js';

/**
 * Device DMA on the `virt` board: no IOMMU, so a virtio device reads and writes guest physical
 * RAM directly. An address range that is not wholly RAM is the guest's mistake: it throws a
 * `VirtioGuestError`, which the transport turns into DEVICE_NEEDS_RESET, never a host exception.
 */
export class VirtioGuestError extends Error {}

export class GuestRam {
  constructor(private readonly memory: PhysicalMemory) {}

  /** Throws unless [pa, pa + length) is RAM (a zero-length range at a RAM address is fine). */
  check(pa: number, length: number, what: string): void {
    const m = this.memory;
    if (!Number.isSafeInteger(pa) || !m.isRam(pa) || (length > 0 && !m.isRam(pa + length - 1))) {
      throw new VirtioGuestError(`${what} at 0x${pa.toString(16)} (${length} bytes) is outside RAM`);
    }
  }

  read(pa: number, length: number, what: string): Uint8Array {
    this.check(pa, length, what);
    return this.memory.read(pa, length);
  }

  write(pa: number, data: Uint8Array, what: string): void {
    this.check(pa, data.length, what);
    this.memory.write(pa, data);
  }

  read16(pa: number, what: string): number {
    const b = this.read(pa, 2, what);
    return b[0]! | (b[1]! << 8);
  }

  read32(pa: number, what: string): number {
    const b = this.read(pa, 4, what);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  /** A 64-bit little-endian value as a number (exact below 2^53; larger ones are never RAM). */
  read64(pa: number, what: string): number {
    return this.read32(pa + 4, what) * 2 ** 32 + this.read32(pa, what);
  }

  write16(pa: number, value: number, what: string): void {
    this.write(pa, new Uint8Array([value & 0xff, (value >>> 8) & 0xff]), what);
  }

  write32(pa: number, value: number, what: string): void {
    this.write(pa, new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]), what);
  }
}
