import { allOnes, bit, type VirtioDevice, type VirtioDeviceContext } from './device.js';
import { VirtioGuestError } from './guest-ram.js';
import { BlockStore, SECTOR_SIZE, type BlockBackend } from './block-store.js';
import { totalLength, type VirtQueue } from './virtqueue.js';

/**
 * virtio-blk (virtio 1.2 §5.2) with one request queue, as QEMU's virtio-blk-device answers:
 * read, write, flush and get-id; capacity, seg_max, geometry, block size and topology in the
 * configuration space; writeback caching (VIRTIO_BLK_F_CONFIG_WCE) so flushes matter.
 */

export const VIRTIO_BLK_F = { SEG_MAX: 2n, GEOMETRY: 4n, RO: 5n, BLK_SIZE: 6n, SCSI: 7n, FLUSH: 9n, TOPOLOGY: 10n, CONFIG_WCE: 11n, DISCARD: 13n, WRITE_ZEROES: 14n } as const;
export const VIRTIO_BLK_T = { IN: 0, OUT: 1, FLUSH: 4, GET_ID: 8, DISCARD: 11, WRITE_ZEROES: 13 } as const;
export const VIRTIO_BLK_S = { OK: 0, IOERR: 1, UNSUPP: 2 } as const;
/** VIRTIO_BLK_ID_BYTES */
const ID_BYTES = 20;
/** QEMU's default queue-size property; seg_max is queue-size − 2 (seg-max-adjust). */
const QUEUE_SIZE = 256;
/** QEMU's config_len with WRITE_ZEROES offered: up to write_zeroes_may_unmap. */
const CONFIG_LENGTH = 57;
/** QEMU's max-discard-sectors and max-write-zeroes-sectors defaults; one segment per request. */
const MAX_ZERO_SECTORS = 0x3fffff;
/** QEMU's default geometry for a small disk (cyls computed from the capacity). */
const HEADS = 16;
const SECS = 63;

export interface BlockCounters {
  requests: number;
  reads: number;
  writes: number;
  flushes: number;
  bytesRead: number;
  bytesWritten: number;
  errors: number;
}

export class VirtioBlock implements VirtioDevice {
  readonly name = 'virtio-blk';
  readonly deviceId = 2;
  readonly queueCount = 1;
  readonly features: bigint;
  /** QEMU offers VIRTIO_BLK_F_SCSI on the legacy layout (and fails SCSI requests with UNSUPP, as here). */
  readonly legacyFeatures = bit(VIRTIO_BLK_F.SCSI);
  readonly store: BlockStore;
  readonly stats: BlockCounters = { requests: 0, reads: 0, writes: 0, flushes: 0, bytesRead: 0, bytesWritten: 0, errors: 0 };
  private writeback = 1;

  constructor(
    backend: BlockBackend,
    /** The serial number get-id returns (QEMU's `serial` property, empty by default). */
    private readonly serial = '',
  ) {
    this.store = new BlockStore(backend);
    let f = bit(VIRTIO_BLK_F.SEG_MAX) | bit(VIRTIO_BLK_F.GEOMETRY) | bit(VIRTIO_BLK_F.BLK_SIZE) | bit(VIRTIO_BLK_F.FLUSH) | bit(VIRTIO_BLK_F.TOPOLOGY) | bit(VIRTIO_BLK_F.CONFIG_WCE) | bit(VIRTIO_BLK_F.DISCARD) | bit(VIRTIO_BLK_F.WRITE_ZEROES);
    if (backend.readOnly) f |= bit(VIRTIO_BLK_F.RO);
    this.features = f;
  }

  /** struct virtio_blk_config, little-endian. */
  private config(): Uint8Array {
    const c = new Uint8Array(64);
    const v = new DataView(c.buffer);
    const sectors = this.store.sectors;
    v.setBigUint64(0, BigInt(sectors), true); // capacity
    v.setUint32(12, QUEUE_SIZE - 2, true); // seg_max
    // geometry.cylinders: QEMU's guess_chs_for_size, between 2 and 16383.
    v.setUint16(16, Math.min(16383, Math.max(2, Math.floor(sectors / (HEADS * SECS)))), true);
    v.setUint8(18, HEADS);
    v.setUint8(19, SECS);
    v.setUint32(20, SECTOR_SIZE, true); // blk_size
    c[32] = this.writeback; // writeback
    v.setUint16(34, 1, true); // num_queues
    v.setUint32(36, MAX_ZERO_SECTORS, true); // max_discard_sectors
    v.setUint32(40, 1, true); // max_discard_seg
    v.setUint32(44, 1, true); // discard_sector_alignment
    v.setUint32(48, MAX_ZERO_SECTORS, true); // max_write_zeroes_sectors
    v.setUint32(52, 1, true); // max_write_zeroes_seg
    c[56] = 1; // write_zeroes_may_unmap
    return c;
  }

  readConfig(offset: number, size: number): number {
    const c = this.config();
    if (offset + size > CONFIG_LENGTH) return allOnes(size);
    const v = new DataView(c.buffer);
    return size === 1 ? v.getUint8(offset) : size === 2 ? v.getUint16(offset, true) : v.getUint32(offset, true);
  }

  writeConfig(offset: number, size: number, value: number): void {
    // Only `writeback` is writable (VIRTIO_BLK_F_CONFIG_WCE).
    if (offset === 32 && size === 1) this.writeback = value & 1;
  }

  reset(): void {
    this.writeback = 1;
  }

  process(queue: VirtQueue, context: VirtioDeviceContext): void {
    for (let chain = queue.pop(); chain; chain = queue.pop()) {
      const inLength = totalLength(chain.writable);
      if (totalLength(chain.readable) < 16 || inLength < 1) throw new VirtioGuestError(`request ${chain.head} has no header or no status byte (QEMU: virtio-blk missing headers)`);
      const out = queue.gather(chain);
      const header = new DataView(out.buffer, out.byteOffset, 16);
      const type = header.getUint32(0, true);
      const sector = Number(header.getBigUint64(8, true));
      const dataIn = inLength - 1;
      this.stats.requests++;
      let status: number;
      let reply: Uint8Array = new Uint8Array(0);
      switch (type) {
        case VIRTIO_BLK_T.IN: {
          status = this.checkRange(sector, dataIn, queue.index, context, 'read');
          if (status === VIRTIO_BLK_S.OK) {
            reply = this.store.read(sector, dataIn);
            this.stats.reads++;
            this.stats.bytesRead += dataIn;
          }
          break;
        }
        case VIRTIO_BLK_T.OUT: {
          const data = out.subarray(16);
          status = this.checkRange(sector, data.length, queue.index, context, 'write');
          if (status === VIRTIO_BLK_S.OK && this.store.backend.readOnly) {
            context.warn(queue.index, 'a write to a read-only drive (readonly=on) fails with VIRTIO_BLK_S_IOERR');
            status = VIRTIO_BLK_S.IOERR;
          }
          if (status === VIRTIO_BLK_S.OK) {
            this.store.write(sector, data);
            this.stats.writes++;
            this.stats.bytesWritten += data.length;
            // Write-through when the driver turned the write cache off.
            if (!this.writeback) this.store.flush();
          }
          break;
        }
        case VIRTIO_BLK_T.DISCARD:
        case VIRTIO_BLK_T.WRITE_ZEROES:
          status = this.zero(out.subarray(16), type === VIRTIO_BLK_T.DISCARD ? 'discard' : 'write-zeroes', queue.index, context);
          break;
        case VIRTIO_BLK_T.FLUSH:
          this.store.flush();
          this.stats.flushes++;
          status = VIRTIO_BLK_S.OK;
          break;
        case VIRTIO_BLK_T.GET_ID: {
          // As QEMU: the serial and its terminating zero, cut to the buffer and to 20 bytes.
          const id = new TextEncoder().encode(`${this.serial}\0`);
          reply = id.subarray(0, Math.min(id.length, dataIn, ID_BYTES));
          status = VIRTIO_BLK_S.OK;
          break;
        }
        default:
          status = VIRTIO_BLK_S.UNSUPP;
      }
      if (status !== VIRTIO_BLK_S.OK) this.stats.errors++;
      queue.scatter(chain, reply);
      queue.scatter(chain, new Uint8Array([status]), inLength - 1);
      // QEMU reports the whole device-writable length as used.
      queue.push(chain, inLength);
    }
  }

  /**
   * DISCARD and WRITE_ZEROES: one segment (sector u64, num_sectors u32, flags u32), as QEMU
   * accepts (max_*_seg 1); the sectors read as zeroes afterwards (a discarded range of a raw
   * file reads as zeroes on QEMU too, once the hole is punched).
   */
  private zero(segments: Uint8Array, what: string, queue: number, context: VirtioDeviceContext): number {
    if (segments.length !== 16) {
      context.warn(queue, `a ${what} request with ${segments.length} bytes of segments (one 16-byte segment is supported) fails with VIRTIO_BLK_S_UNSUPP`);
      return VIRTIO_BLK_S.UNSUPP;
    }
    const v = new DataView(segments.buffer, segments.byteOffset, 16);
    const sector = Number(v.getBigUint64(0, true));
    const count = v.getUint32(8, true);
    const flags = v.getUint32(12, true);
    // Only WRITE_ZEROES knows a flag (UNMAP, bit 0).
    if (flags & ~(what === 'write-zeroes' ? 1 : 0) || count > MAX_ZERO_SECTORS) return VIRTIO_BLK_S.UNSUPP;
    const status = this.checkRange(sector, count * SECTOR_SIZE, queue, context, what);
    if (status !== VIRTIO_BLK_S.OK) return status;
    if (this.store.backend.readOnly) {
      context.warn(queue, `a ${what} on a read-only drive (readonly=on) fails with VIRTIO_BLK_S_IOERR`);
      return VIRTIO_BLK_S.IOERR;
    }
    this.store.write(sector, new Uint8Array(count * SECTOR_SIZE));
    this.stats.writes++;
    if (!this.writeback) this.store.flush();
    return VIRTIO_BLK_S.OK;
  }

  /** VIRTIO_BLK_S_IOERR for a transfer that is not whole sectors or runs past the end of the disk (as QEMU's virtio_blk_sect_range_ok). */
  private checkRange(sector: number, length: number, queue: number, context: VirtioDeviceContext, what: string): number {
    if (length % SECTOR_SIZE !== 0) {
      context.warn(queue, `a ${what} of ${length} bytes, not a multiple of ${SECTOR_SIZE}, fails with VIRTIO_BLK_S_IOERR`);
      return VIRTIO_BLK_S.IOERR;
    }
    if (!Number.isSafeInteger(sector) || sector + length / SECTOR_SIZE > this.store.sectors) {
      context.warn(queue, `a ${what} at sector ${sector} runs past the end of the disk (${this.store.sectors} sectors) and fails with VIRTIO_BLK_S_IOERR`);
      return VIRTIO_BLK_S.IOERR;
    }
    return VIRTIO_BLK_S.OK;
  }

  counters(): ReadonlyArray<readonly [string, number]> {
    const s = this.stats;
    return [
      ['requests', s.requests],
      ['reads', s.reads],
      ['writes', s.writes],
      ['flushes', s.flushes],
      ['bytes read', s.bytesRead],
      ['bytes written', s.bytesWritten],
      ['errors', s.errors],
    ];
  }
}
