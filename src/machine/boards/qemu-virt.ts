/**
 * The memory map and interrupt assignment of QEMU's `virt` board (hw/arm/virt.c) as seL4's
 * qemu_virt_aarch64 platform uses it.
 */
export const QEMU_VIRT = {
  ram: { base: 0x4000_0000, size: 0x8000_0000 },
  gicDistributor: { base: 0x0800_0000, size: 0x1_0000 },
  gicCpuInterface: { base: 0x0801_0000, size: 0x1_0000 },
  uart: { base: 0x0900_0000, size: 0x1000 },
  /** PL011 interrupt: SPI 1. */
  uartIntid: 33,
  /**
   * 32 virtio-mmio transports, 0x200 apart, transport n on SPI 16 + n (INTID 48 + n); the first
   * device created takes the highest transport (test/fixtures/virtio/qemu-virt-mmio.json).
   */
  virtioMmio: { base: 0x0a00_0000, stride: 0x200, count: 32, firstIntid: 48 },
} as const;
