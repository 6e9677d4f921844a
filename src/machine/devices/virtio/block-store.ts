/**
 * The backing store of a virtio-blk device: an interface, so that the machine needs no file
 * system (it also runs in a browser); `src/cli/` gives it a file.
 *
 * Writes go to an overlay of whole sectors held in memory; `flush` hands the overlay to the
 * store's `commit` (the file, unless snapshot=on) in one piece, so the file only ever holds
 * the results of complete requests.
 */
export interface BlockBackend {
  /** Size in bytes (a multiple of 512; a file of another size is rounded down, as QEMU does). */
  readonly size: number;
  /** readonly=on: writes fail with VIRTIO_BLK_S_IOERR and VIRTIO_BLK_F_RO is offered. */
  readonly readOnly: boolean;
  /** Bytes [offset, offset + length) as stored (before any write of this run). */
  readBase(offset: number, length: number): Uint8Array;
  /** Write the given sectors (offset, 512 bytes each) to the storage, all or nothing. */
  commit?(sectors: ReadonlyMap<number, Uint8Array>): void;
}

export const SECTOR_SIZE = 512;

/** A backend in memory: a disk image given as bytes (tests, the browser). */
export function memoryBackend(bytes: Uint8Array, readOnly = false): BlockBackend & { readonly bytes: Uint8Array } {
  const size = bytes.length - (bytes.length % SECTOR_SIZE);
  return {
    bytes,
    size,
    readOnly,
    readBase: (offset, length) => bytes.slice(offset, offset + length),
    commit(sectors) {
      for (const [sector, data] of sectors) bytes.set(data, sector * SECTOR_SIZE);
    },
  };
}

/** The sectors written in this run, over a backend. */
export class BlockStore {
  private readonly dirty = new Map<number, Uint8Array>();
  flushes = 0;

  constructor(readonly backend: BlockBackend) {}

  get sectors(): number {
    return Math.floor(this.backend.size / SECTOR_SIZE);
  }

  read(sector: number, length: number): Uint8Array {
    const out = this.backend.readBase(sector * SECTOR_SIZE, length);
    for (let s = 0; s < length / SECTOR_SIZE; s++) {
      const d = this.dirty.get(sector + s);
      if (d) out.set(d, s * SECTOR_SIZE);
    }
    return out;
  }

  write(sector: number, data: Uint8Array): void {
    for (let s = 0; s < data.length / SECTOR_SIZE; s++) this.dirty.set(sector + s, data.slice(s * SECTOR_SIZE, (s + 1) * SECTOR_SIZE));
  }

  /** Hand what was written since the last flush to the storage (nothing with snapshot=on, whose backend has no commit). */
  flush(): void {
    this.flushes++;
    if (!this.backend.commit || this.dirty.size === 0) return;
    const sorted = new Map([...this.dirty].sort((a, b) => a[0] - b[0]));
    this.backend.commit(sorted);
    this.dirty.clear();
  }
}
