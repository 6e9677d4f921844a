import type { PhysicalMemory } from '../memory/physical-memory.js';
import { S2_ADDRESS_MASK, S2_AF, S2_AP_READ, S2_AP_WRITE, S2_BLOCK, S2_DEVICE, S2_NORMAL, S2_TYPE_MASK, S2_VALID_TABLE, S2_XN } from './stage2.js';

/** Builds stage-2 page tables in a machine's RAM from a bump allocator: for tests, benchmarks and tools. */
export class TableBuilder {
  readonly root: number;
  private next: number;

  constructor(
    private readonly memory: PhysicalMemory,
    base = 0x4800_0000,
  ) {
    this.next = base;
    this.root = this.alloc(8192);
  }

  alloc(size: number): number {
    const pa = this.next;
    this.next += size;
    this.memory.zero(pa, size);
    return pa;
  }

  /** Map [va, va + size) to pa with one descriptor; size 4 KiB (level 3), 2 MiB (2) or 1 GiB (1). */
  map(va: number, pa: number, size: number, perms: { read?: boolean; write?: boolean; exec?: boolean; device?: boolean; af?: boolean } = {}): number {
    const level = size === 4096 ? 3 : size === 2 ** 21 ? 2 : 1;
    let desc = BigInt(pa) | (level === 3 ? S2_VALID_TABLE : S2_BLOCK);
    if (perms.read ?? true) desc |= S2_AP_READ;
    if (perms.write ?? true) desc |= S2_AP_WRITE;
    if (!(perms.exec ?? true)) desc |= S2_XN;
    if (perms.af ?? true) desc |= S2_AF;
    desc |= perms.device ? S2_DEVICE : S2_NORMAL;
    const entry = this.entry(va, level);
    this.memory.write64(entry, desc);
    return entry;
  }

  /** The physical address of the descriptor for va at `level`, creating tables above it. */
  entry(va: number, level: number): number {
    let table = this.root;
    for (let l = 1; l < level; l++) {
      const e = table + this.index(va, l) * 8;
      let desc = this.memory.read64(e);
      if ((desc & S2_TYPE_MASK) !== S2_VALID_TABLE) {
        desc = BigInt(this.alloc(4096)) | S2_VALID_TABLE;
        this.memory.write64(e, desc);
      }
      table = Number(desc & S2_ADDRESS_MASK);
    }
    return table + this.index(va, level) * 8;
  }

  private index(va: number, level: number): number {
    const shift = 39 - 9 * level;
    return Math.floor(va / 2 ** shift) % (level === 1 ? 1024 : 512);
  }
}
