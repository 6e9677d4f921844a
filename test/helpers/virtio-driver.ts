import type { Machine } from '../../src/machine/machine.js';
import { VIRTIO_STATUS } from '../../src/machine/devices/virtio/device.js';
import { VIRTIO_MMIO } from '../../src/machine/devices/virtio/mmio-transport.js';
import { VIRTQ_DESC_F } from '../../src/machine/devices/virtio/virtqueue.js';

/**
 * A virtio driver in TypeScript for the device tests: it talks to a transport through its
 * registers and lays out split virtqueues in guest RAM, as a guest driver would.
 */

export interface Buffer {
  addr: number;
  len: number;
  /** Device-writable. */
  write?: boolean;
}

export interface DriverOptions {
  legacy: boolean;
  queueSize?: number;
  /** Feature bits the driver accepts (of those offered); all offered by default. */
  accept?: bigint;
  /** Where the queues go in RAM. */
  queueArea?: number;
}

export class TestVirtioDriver {
  readonly queueSize: number;
  private readonly area: number;
  private availIdx: number[] = [];
  private nextDesc: number[] = [];
  private lastUsed: number[] = [];
  features = 0n;

  constructor(
    readonly machine: Machine,
    readonly base: number,
    readonly options: DriverOptions,
  ) {
    this.queueSize = options.queueSize ?? 8;
    this.area = options.queueArea ?? 0x4010_0000;
  }

  reg(offset: number): number {
    return this.machine.memory.readDevice32(this.base + offset);
  }

  set(offset: number, value: number): void {
    this.machine.memory.writeDevice32(this.base + offset, value);
  }

  /** Queue q's descriptor table, available ring and used ring (modern: packed in a 16 KiB area per queue). */
  layout(q: number): { desc: number; avail: number; used: number } {
    const desc = this.area + q * 0x4000;
    const avail = desc + 16 * this.queueSize;
    const used = this.options.legacy ? Math.ceil((avail + 4 + 2 * this.queueSize) / 4096) * 4096 : avail + 0x1000;
    return { desc, avail, used };
  }

  offered(): bigint {
    this.set(VIRTIO_MMIO.DeviceFeaturesSel, 0);
    const lo = BigInt(this.reg(VIRTIO_MMIO.DeviceFeatures));
    this.set(VIRTIO_MMIO.DeviceFeaturesSel, 1);
    const hi = BigInt(this.reg(VIRTIO_MMIO.DeviceFeatures));
    return (hi << 32n) | lo;
  }

  /** The initialisation sequence of virtio 1.2 §3.1 (legacy: §4.2.4), for `queues` queues; returns the status read back. */
  init(queues: number): number {
    this.set(VIRTIO_MMIO.Status, 0);
    this.set(VIRTIO_MMIO.Status, VIRTIO_STATUS.ACKNOWLEDGE);
    this.set(VIRTIO_MMIO.Status, VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER);
    this.features = this.offered() & (this.options.accept ?? ~0n);
    this.writeFeatures(this.features);
    let status = VIRTIO_STATUS.ACKNOWLEDGE | VIRTIO_STATUS.DRIVER;
    if (!this.options.legacy) {
      this.set(VIRTIO_MMIO.Status, status | VIRTIO_STATUS.FEATURES_OK);
      status = this.reg(VIRTIO_MMIO.Status);
      if (!(status & VIRTIO_STATUS.FEATURES_OK)) return status;
    } else this.set(VIRTIO_MMIO.GuestPageSize, 4096);
    for (let q = 0; q < queues; q++) this.setupQueue(q, this.queueSize);
    this.set(VIRTIO_MMIO.Status, status | VIRTIO_STATUS.DRIVER_OK);
    return this.reg(VIRTIO_MMIO.Status);
  }

  writeFeatures(f: bigint): void {
    this.set(VIRTIO_MMIO.DriverFeaturesSel, 0);
    this.set(VIRTIO_MMIO.DriverFeatures, Number(f & 0xffffffffn));
    this.set(VIRTIO_MMIO.DriverFeaturesSel, 1);
    this.set(VIRTIO_MMIO.DriverFeatures, Number(f >> 32n));
  }

  setupQueue(q: number, size: number): void {
    const mem = this.machine.memory;
    const { desc, avail, used } = this.layout(q);
    mem.zero(desc, 0x4000);
    this.availIdx[q] = 0;
    this.nextDesc[q] = 0;
    this.lastUsed[q] = 0;
    this.set(VIRTIO_MMIO.QueueSel, q);
    this.set(VIRTIO_MMIO.QueueNum, size);
    if (this.options.legacy) {
      this.set(VIRTIO_MMIO.QueueAlign, 4096);
      this.set(VIRTIO_MMIO.QueuePFN, desc / 4096);
    } else {
      this.set(VIRTIO_MMIO.QueueDescLow, desc);
      this.set(VIRTIO_MMIO.QueueDescHigh, 0);
      this.set(VIRTIO_MMIO.QueueDriverLow, avail);
      this.set(VIRTIO_MMIO.QueueDriverHigh, 0);
      this.set(VIRTIO_MMIO.QueueDeviceLow, used);
      this.set(VIRTIO_MMIO.QueueDeviceHigh, 0);
      this.set(VIRTIO_MMIO.QueueReady, 1);
    }
  }

  writeDesc(table: number, i: number, d: { addr: number; len: number; flags: number; next: number }): void {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, BigInt(d.addr), true);
    v.setUint32(8, d.len, true);
    v.setUint16(12, d.flags, true);
    v.setUint16(14, d.next, true);
    this.machine.memory.write(table + 16 * i, b);
  }

  /** Put a chain in the descriptor table (or in an indirect table at `indirectAt`) and make it available; returns its head. */
  offer(q: number, buffers: readonly Buffer[], opts: { indirectAt?: number; notify?: boolean } = {}): number {
    const { desc } = this.layout(q);
    const head = this.nextDesc[q]! % this.queueSize;
    if (opts.indirectAt !== undefined) {
      buffers.forEach((b, i) => this.writeDesc(opts.indirectAt!, i, { addr: b.addr, len: b.len, flags: (b.write ? VIRTQ_DESC_F.WRITE : 0) | (i + 1 < buffers.length ? VIRTQ_DESC_F.NEXT : 0), next: i + 1 }));
      this.writeDesc(desc, head, { addr: opts.indirectAt, len: 16 * buffers.length, flags: VIRTQ_DESC_F.INDIRECT, next: 0 });
      this.nextDesc[q]! += 1;
    } else {
      buffers.forEach((b, i) => {
        const at = (head + i) % this.queueSize;
        this.writeDesc(desc, at, { addr: b.addr, len: b.len, flags: (b.write ? VIRTQ_DESC_F.WRITE : 0) | (i + 1 < buffers.length ? VIRTQ_DESC_F.NEXT : 0), next: (at + 1) % this.queueSize });
      });
      this.nextDesc[q]! += buffers.length;
    }
    this.makeAvailable(q, head);
    if (opts.notify !== false) this.set(VIRTIO_MMIO.QueueNotify, q);
    return head;
  }

  makeAvailable(q: number, head: number): void {
    const { avail } = this.layout(q);
    const idx = this.availIdx[q]!;
    const mem = this.machine.memory;
    mem.write(avail + 4 + 2 * (idx % this.queueSize), new Uint8Array([head & 0xff, head >> 8]));
    this.availIdx[q] = (idx + 1) & 0xffff;
    mem.write(avail + 2, new Uint8Array([this.availIdx[q]! & 0xff, this.availIdx[q]! >> 8]));
  }

  /** The used-ring entries the device added since the last call. */
  takeUsed(q: number): { id: number; len: number }[] {
    const { used } = this.layout(q);
    const mem = this.machine.memory;
    const idx = mem.read(used + 2, 2);
    const now = idx[0]! | (idx[1]! << 8);
    const out: { id: number; len: number }[] = [];
    for (; this.lastUsed[q] !== now; this.lastUsed[q] = (this.lastUsed[q]! + 1) & 0xffff) {
      const at = used + 4 + 8 * (this.lastUsed[q]! % this.queueSize);
      out.push({ id: mem.read32(at), len: mem.read32(at + 4) });
    }
    return out;
  }

  /** Write used_event (VIRTIO_F_EVENT_IDX): interrupt when the used index passes it. */
  setUsedEvent(q: number, value: number): void {
    const { avail } = this.layout(q);
    this.machine.memory.write(avail + 4 + 2 * this.queueSize, new Uint8Array([value & 0xff, value >> 8]));
  }

  ack(): number {
    const isr = this.reg(VIRTIO_MMIO.InterruptStatus);
    this.set(VIRTIO_MMIO.InterruptACK, isr);
    return isr;
  }
}

/** A virtio-blk request header. */
export function blkHeader(type: number, sector: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setBigUint64(8, BigInt(sector), true);
  return b;
}
