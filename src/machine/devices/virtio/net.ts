import { allOnes, bit, type HostIo, VIRTIO_F, type VirtioDevice, type VirtioDeviceContext } from './device.js';
import type { TimedFrame } from './pcap.js';
import { totalLength, type VirtQueue } from './virtqueue.js';

/**
 * virtio-net (virtio 1.2 §5.1) with one queue pair and no offloads: receiveq (0) takes frames
 * from the backend when their time has come, transmitq (1) hands the driver's frames to it.
 * Each buffer starts with struct virtio_net_hdr: 12 bytes with VIRTIO_F_VERSION_1 or
 * VIRTIO_NET_F_MRG_RXBUF, 10 on a legacy device without it; received frames get a header of
 * zeroes (no checksum or segmentation offload), with num_buffers 1.
 */

export const VIRTIO_NET_F = { MAC: 5n, MRG_RXBUF: 15n, STATUS: 16n } as const;
const VIRTIO_NET_QUEUE = { RECEIVE: 0, TRANSMIT: 1 } as const;
const VIRTIO_NET_S_LINK_UP = 1;
/** mac, status, max_virtqueue_pairs. */
const CONFIG_LENGTH = 10;

/** Where frames come from and go to: the pcap backend, a stream socket, user networking. */
export interface NetBackend {
  /** The next frame to receive, if any (its time may lie in the future). */
  peek(): TimedFrame | undefined;
  take(): void;
  /** A frame the guest sent, at virtual time `timeNs`. */
  send(frame: TimedFrame): void;
  /** A live backend takes in what the host delivered, and runs its timers due, at `nowNs` (between CPU batches). */
  poll?(nowNs: number): void;
  /** When the backend's next timer is due (a TCP retransmission), in virtual nanoseconds; Infinity: none. */
  nextTimerNs?(): number;
  /** The host sockets behind a live backend. */
  readonly hostIo?: HostIo;
  /** The backend's own counters for `run --stats`. */
  counters?(): ReadonlyArray<readonly [string, number]>;
}

/** QEMU's default MAC address for the first NIC. */
export const DEFAULT_MAC = new Uint8Array([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

export class VirtioNet implements VirtioDevice {
  readonly name = 'virtio-net';
  readonly deviceId = 1;
  readonly queueCount = 2;
  readonly features = bit(VIRTIO_NET_F.MAC) | bit(VIRTIO_NET_F.MRG_RXBUF) | bit(VIRTIO_NET_F.STATUS);
  readonly legacyFeatures = bit(VIRTIO_F.ANY_LAYOUT);
  readonly inputQueues = [VIRTIO_NET_QUEUE.RECEIVE] as const;
  readonly stats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, dropped: 0 };

  constructor(
    private readonly backend: NetBackend,
    readonly mac: Uint8Array = DEFAULT_MAC,
  ) {}

  readConfig(offset: number, size: number): number {
    if (offset + size > CONFIG_LENGTH) return allOnes(size);
    const c = new Uint8Array(CONFIG_LENGTH);
    c.set(this.mac, 0);
    c[6] = VIRTIO_NET_S_LINK_UP;
    c[8] = 1; // max_virtqueue_pairs
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + c[offset + i]!;
    return v;
  }

  writeConfig(): void {}

  reset(): void {}

  get hostIo(): HostIo | undefined {
    return this.backend.hostIo;
  }

  /** When the next frame (or the backend's next timer) is due, in nanoseconds of virtual time (Infinity: none). */
  nextInputNs(): number {
    return Math.min(this.backend.peek()?.timeNs ?? Infinity, this.backend.nextTimerNs?.() ?? Infinity);
  }

  hasInput(nowNs: number): boolean {
    this.backend.poll?.(nowNs);
    const f = this.backend.peek();
    return f !== undefined && f.timeNs <= nowNs;
  }

  private headerLength(features: bigint): number {
    return features & (bit(VIRTIO_F.VERSION_1) | bit(VIRTIO_NET_F.MRG_RXBUF)) ? 12 : 10;
  }

  process(queue: VirtQueue, context: VirtioDeviceContext): void {
    const hdr = this.headerLength(context.features);
    if (queue.index === VIRTIO_NET_QUEUE.TRANSMIT) {
      for (let chain = queue.pop(); chain; chain = queue.pop()) {
        const bytes = queue.gather(chain);
        const frame = bytes.subarray(Math.min(hdr, bytes.length));
        this.stats.framesOut++;
        this.stats.bytesOut += frame.length;
        this.backend.send({ timeNs: context.nowNs(), bytes: frame.slice() });
        queue.push(chain, 0);
      }
      return;
    }
    if (queue.index !== VIRTIO_NET_QUEUE.RECEIVE) return;
    for (let f = this.backend.peek(); f !== undefined && f.timeNs <= context.nowNs(); f = this.backend.peek()) {
      const chain = queue.pop();
      if (!chain) return; // no buffer yet: the frame waits
      this.backend.take();
      const room = totalLength(chain.writable);
      if (room < hdr + f.bytes.length) {
        this.stats.dropped++;
        context.warn(queue.index, `a ${f.bytes.length}-byte frame does not fit a ${room}-byte receive buffer and is dropped`);
        queue.push(chain, 0);
        continue;
      }
      const data = new Uint8Array(hdr + f.bytes.length);
      if (hdr === 12) data[10] = 1; // num_buffers
      data.set(f.bytes, hdr);
      queue.scatter(chain, data);
      queue.push(chain, data.length);
      this.stats.framesIn++;
      this.stats.bytesIn += f.bytes.length;
    }
  }

  counters(): ReadonlyArray<readonly [string, number]> {
    const s = this.stats;
    return [['frames in', s.framesIn], ['frames out', s.framesOut], ['bytes in', s.bytesIn], ['bytes out', s.bytesOut], ['dropped', s.dropped], ...(this.backend.counters?.() ?? [])];
  }
}

/** A backend over recorded frames: replays `input` at its timestamps, collects what is sent. */
export function pcapBackend(input: readonly TimedFrame[], onSend: (frame: TimedFrame) => void): NetBackend {
  let next = 0;
  return {
    peek: () => input[next],
    take: () => void next++,
    send: onSend,
  };
}
