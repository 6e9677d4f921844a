import type { LinearMemory } from '../memory/linear-memory.js';
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
  /**
   * How many 4 KiB pages the mapping used by the last `translate` covers: 512 for a 2 MiB
   * block, 262144 for a 1 GiB block; 1 (or absent) for a page. The soft TLB keeps blocks as
   * 4 KiB entries, and an invalidation by address must drop every entry of the block, as a
   * hardware TLB drops its one block entry.
   */
  readonly lastMappingPages?: number;
  /**
   * True when its faults are stage-2 faults taken to EL2, as seL4's are on qemu_virt_aarch64:
   * their data aborts carry the instruction syndrome (`data-abort-syndrome.ts`).
   */
  readonly stage2Faults?: boolean;
  /**
   * The linear memory its RAM pages live in: the CPU keeps its soft TLB there, and only pages
   * of it (`page.view === linear.view`) enter the TLB's fast path. Without one, the CPU makes
   * a memory for its TLB alone and every access takes the slow path.
   */
  readonly linear?: LinearMemory;
}
