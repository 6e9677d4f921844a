import type { MmioDevice } from '../../memory/physical-memory.js';
import type { VirtioMmioTransport } from './mmio-transport.js';

/**
 * QEMU `virt`'s virtio-mmio transports, 0x200 bytes each, side by side: one MMIO device for
 * the pages they share (the physical memory dispatches whole pages).
 */
export class VirtioMmioBank implements MmioDevice {
  readonly name = 'virtio-mmio';

  constructor(
    private readonly transports: readonly VirtioMmioTransport[],
    private readonly stride: number,
  ) {}

  read(offset: number, size: number): number {
    return this.transports[Math.floor(offset / this.stride)]?.read(offset % this.stride, size) ?? 0;
  }

  write(offset: number, size: number, value: number): void {
    this.transports[Math.floor(offset / this.stride)]?.write(offset % this.stride, size, value);
  }
}
