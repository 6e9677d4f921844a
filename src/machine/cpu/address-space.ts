import type { PhysPage } from '../memory/phys-page.js';

export const enum Access {
  Read = 0,
  Write = 1,
  Fetch = 2,
}

/**
 * What the CPU translates virtual addresses through: a flat user-mode space for
 * `sel4ts machine exec`, or the MMU of the machine model. Both throw `MemoryFault` for an
 * access that must fault. The CPU caches the pages it gets in its soft TLB, so an address
 * space whose mappings change must call `Cpu.flushTlb()`.
 */
export interface AddressSpace {
  translate(vaLo: number, vaHi: number, access: Access): PhysPage;
}
