import { bit, VIRTIO_F, VIRTIO_STATUS, type VirtioDevice, type VirtioDeviceContext } from './device.js';
import { VirtioGuestError, type GuestRam } from './guest-ram.js';
import { VirtQueue } from './virtqueue.js';

/**
 * One virtio-mmio transport (virtio 1.2 §4.2) as QEMU's hw/virtio/virtio-mmio.c presents it:
 * the modern register layout (version 2) or the legacy one (version 1, QEMU's default,
 * `virtio-mmio.force-legacy=true`), with or without a device behind it (an empty transport
 * reads as device ID 0).
 */

export const VIRTIO_MMIO = {
  MagicValue: 0x000,
  Version: 0x004,
  DeviceID: 0x008,
  VendorID: 0x00c,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  /** Legacy only. */
  GuestPageSize: 0x028,
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  /** Legacy only. */
  QueueAlign: 0x03c,
  /** Legacy only. */
  QueuePFN: 0x040,
  /** Modern only, as are the queue address registers. */
  QueueReady: 0x044,
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptACK: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
  /** Modern, with VIRTIO_F_RING_RESET: reset the selected queue alone. */
  QueueReset: 0x0c0,
  ConfigGeneration: 0x0fc,
  Config: 0x100,
} as const;

/** "virt" */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
/** "QEMU", QEMU's VIRT_VENDOR. */
export const VIRTIO_MMIO_VENDOR = 0x554d4551;
/** QEMU's VIRTQUEUE_MAX_SIZE: what QueueNumMax reads for every queue a device has. */
const VIRTQUEUE_MAX_SIZE = 1024;
/** InterruptStatus bits. */
export const VIRTIO_MMIO_INT = { VRING: 1, CONFIG: 2 } as const;

export interface TransportCounters {
  interrupts: number;
  notifications: number;
}

export class VirtioMmioTransport {
  private readonly queues: VirtQueue[];
  private status = 0;
  private isr = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatures = 0n;
  private queueSel = 0;
  private guestPageSize = 4096;
  /** Legacy QueueAlign and QueuePFN of each queue. */
  private readonly align: number[];
  private readonly pfn: number[];
  /** Set on bad guest input: the device ignores its queues until the driver resets it. */
  private broken = false;
  private readonly warned = new Set<string>();
  readonly counters: TransportCounters = { interrupts: 0, notifications: 0 };
  private readonly context: VirtioDeviceContext;

  constructor(
    /** The transport's base address (for warnings). */
    readonly base: number,
    readonly intid: number,
    readonly device: VirtioDevice | undefined,
    readonly legacy: boolean,
    ram: GuestRam,
    /** The interrupt line's new level. */
    private readonly setLine: (high: boolean) => void,
    private readonly warnSink: (message: string) => void,
    /** Virtual time in nanoseconds. */
    private readonly clockNs: () => number = () => 0,
  ) {
    const n = device?.queueCount ?? 0;
    this.queues = Array.from({ length: n }, (_, i) => new VirtQueue(i, VIRTQUEUE_MAX_SIZE, ram));
    this.align = new Array<number>(n).fill(4096);
    this.pfn = new Array<number>(n).fill(0);
    const self = this;
    this.context = {
      get features() {
        return self.driverFeatures;
      },
      warn: (queue, message) => this.warnOnce(queue, message),
      nowNs: () => this.clockNs(),
    };
  }

  /** The name warnings give the device: `virtio-blk at 0xa003e00 (INTID 79)`. */
  get label(): string {
    return `${this.device?.name ?? 'virtio-mmio'} at 0x${this.base.toString(16)} (INTID ${this.intid})`;
  }

  /**
   * Device features the transport offers, as QEMU 7.2's: the device's, indirect descriptors,
   * EVENT_IDX, and VERSION_1 and RING_RESET when modern; NOTIFY_ON_EMPTY (and the device's legacy extras)
   * when legacy (test/conformance/virtio/probe-*.txt).
   */
  get offeredFeatures(): bigint {
    if (!this.device) return 0n;
    let f = this.device.features | bit(VIRTIO_F.RING_INDIRECT_DESC) | bit(VIRTIO_F.RING_EVENT_IDX);
    if (this.legacy) f |= bit(VIRTIO_F.NOTIFY_ON_EMPTY) | (this.device.legacyFeatures ?? 0n);
    else f |= bit(VIRTIO_F.VERSION_1) | bit(VIRTIO_F.RING_RESET);
    return f;
  }

  /** The features in effect (the driver's, of those offered). */
  get negotiatedFeatures(): bigint {
    return this.driverFeatures & this.offeredFeatures;
  }

  get needsReset(): boolean {
    return this.broken;
  }

  read(offset: number, size: number): number {
    if (offset >= VIRTIO_MMIO.Config) return this.device ? this.device.readConfig(offset - VIRTIO_MMIO.Config, size) : 0;
    if (size !== 4) return 0; // QEMU: registers are 32-bit; other sizes read 0
    switch (offset) {
      case VIRTIO_MMIO.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case VIRTIO_MMIO.Version:
        return this.legacy ? 1 : 2;
      case VIRTIO_MMIO.DeviceID:
        return this.device?.deviceId ?? 0;
      case VIRTIO_MMIO.VendorID:
        return VIRTIO_MMIO_VENDOR;
    }
    if (!this.device) return 0;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case VIRTIO_MMIO.DeviceFeatures:
        // Legacy has one 32-bit word of features (HostFeaturesSel 0); modern QEMU gives the
        // high word for every non-zero DeviceFeaturesSel.
        if (this.legacy && this.deviceFeaturesSel !== 0) return 0;
        return Number((this.offeredFeatures >> (this.deviceFeaturesSel === 0 ? 0n : 32n)) & 0xffffffffn);
      case VIRTIO_MMIO.QueueNumMax:
        return q ? q.max : 0;
      case VIRTIO_MMIO.QueuePFN:
        return this.legacy && q ? this.pfn[this.queueSel]! : 0;
      case VIRTIO_MMIO.QueueReady:
        return !this.legacy && q?.ready ? 1 : 0;
      case VIRTIO_MMIO.InterruptStatus:
        return this.isr;
      case VIRTIO_MMIO.Status:
        return this.status;
      case VIRTIO_MMIO.ConfigGeneration:
        return 0;
      default:
        return 0; // write-only registers, and those of the other layout
    }
  }

  write(offset: number, size: number, value: number): void {
    if (!this.device) return;
    if (offset >= VIRTIO_MMIO.Config) {
      this.device.writeConfig(offset - VIRTIO_MMIO.Config, size, value);
      return;
    }
    if (size !== 4) return;
    const v = value >>> 0;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case VIRTIO_MMIO.DeviceFeaturesSel:
        this.deviceFeaturesSel = v;
        break;
      case VIRTIO_MMIO.DriverFeatures: {
        const sel = this.driverFeaturesSel;
        if (sel > 1 || (this.legacy && sel !== 0)) break;
        const shift = BigInt(32 * sel);
        this.driverFeatures = (this.driverFeatures & ~(0xffffffffn << shift)) | (BigInt(v) << shift);
        // Legacy drivers have no FEATURES_OK: their features take effect as written.
        if (this.legacy) this.driverFeatures &= this.offeredFeatures;
        break;
      }
      case VIRTIO_MMIO.DriverFeaturesSel:
        this.driverFeaturesSel = v;
        break;
      case VIRTIO_MMIO.GuestPageSize:
        if (this.legacy) this.guestPageSize = v;
        break;
      case VIRTIO_MMIO.QueueSel:
        this.queueSel = v;
        break;
      case VIRTIO_MMIO.QueueNum:
        if (q) q.num = v;
        break;
      case VIRTIO_MMIO.QueueAlign:
        if (this.legacy && q) this.align[this.queueSel] = v;
        break;
      case VIRTIO_MMIO.QueuePFN:
        if (this.legacy && q) this.setLegacyPfn(q, v);
        break;
      case VIRTIO_MMIO.QueueReady:
        if (!this.legacy && q) {
          if (v & 1) this.enable(q);
          else q.ready = false;
        }
        break;
      case VIRTIO_MMIO.QueueNotify:
        this.counters.notifications++;
        this.processQueue(v & 0xffff);
        break;
      case VIRTIO_MMIO.InterruptACK:
        this.isr &= ~v;
        this.setLine(this.isr !== 0);
        break;
      case VIRTIO_MMIO.Status:
        this.setStatus(v & 0xff);
        break;
      case VIRTIO_MMIO.QueueReset:
        if (!this.legacy && q && v & 1) q.reset();
        break;
      case VIRTIO_MMIO.QueueDescLow:
      case VIRTIO_MMIO.QueueDescHigh:
      case VIRTIO_MMIO.QueueDriverLow:
      case VIRTIO_MMIO.QueueDriverHigh:
      case VIRTIO_MMIO.QueueDeviceLow:
      case VIRTIO_MMIO.QueueDeviceHigh:
        if (!this.legacy && q) setAddressHalf(q, offset, v);
        break;
    }
  }

  private setStatus(v: number): void {
    if (v === 0) {
      this.reset();
      return;
    }
    if (!this.legacy && v & VIRTIO_STATUS.FEATURES_OK && !(this.status & VIRTIO_STATUS.FEATURES_OK)) {
      // The features take effect. QEMU 7.2 drops the bits it did not offer and keeps
      // FEATURES_OK set, even without VERSION_1 (the virtio spec lets a device refuse instead).
      this.driverFeatures &= this.offeredFeatures;
    }
    // DEVICE_NEEDS_RESET is the device's to set; the driver cannot clear it but by a reset.
    this.status = (v & ~VIRTIO_STATUS.DEVICE_NEEDS_RESET) | (this.status & VIRTIO_STATUS.DEVICE_NEEDS_RESET);
    for (const q of this.queues) this.applyFeatures(q);
  }

  private reset(): void {
    this.status = 0;
    this.isr = 0;
    this.driverFeatures = 0n;
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0;
    this.guestPageSize = 4096;
    this.align.fill(4096);
    this.pfn.fill(0);
    for (const q of this.queues) q.reset();
    this.broken = false;
    this.device?.reset();
    this.setLine(false);
  }

  private setLegacyPfn(q: VirtQueue, pfn: number): void {
    this.pfn[q.index] = pfn;
    if (pfn === 0) {
      q.ready = false;
      return;
    }
    const n = q.num;
    q.desc = pfn * this.guestPageSize;
    q.avail = q.desc + 16 * n;
    const align = this.align[q.index]! || 1;
    // As QEMU's virtio_queue_update_rings: the used ring at the next QueueAlign boundary after the available ring.
    q.used = Math.ceil((q.avail + 4 + 2 * n) / align) * align;
    this.enable(q);
  }

  private enable(q: VirtQueue): void {
    const problem = q.configurationProblem();
    if (problem) {
      this.fail(q.index, problem);
      return;
    }
    this.applyFeatures(q);
    q.ready = true;
  }

  private applyFeatures(q: VirtQueue): void {
    q.eventIdx = (this.driverFeatures & bit(VIRTIO_F.RING_EVENT_IDX)) !== 0n;
    q.notifyOnEmpty = (this.driverFeatures & bit(VIRTIO_F.NOTIFY_ON_EMPTY)) !== 0n;
  }

  /** Let the device use what the driver made available on queue `index`, then interrupt if the driver wants it. */
  processQueue(index: number): void {
    const q = this.queues[index];
    if (!q?.ready || this.broken || !this.device) return;
    const before = q.usedIndex;
    try {
      this.device.process(q, this.context);
    } catch (e) {
      if (!(e instanceof VirtioGuestError)) throw e;
      this.fail(index, e.message);
      return;
    }
    if (q.usedIndex !== before) this.notifyUsed(q);
  }

  /** Input arrived for the device: give it to whichever queue takes input. */
  poll(): void {
    if (!this.device?.hasInput?.(this.clockNs()) || this.broken) return;
    for (const i of this.device.inputQueues ?? []) this.processQueue(i);
  }

  private notifyUsed(q: VirtQueue): void {
    let wanted: boolean;
    try {
      wanted = q.shouldNotify();
    } catch (e) {
      if (!(e instanceof VirtioGuestError)) throw e;
      this.fail(q.index, e.message);
      return;
    }
    if (!wanted) return;
    this.raise(VIRTIO_MMIO_INT.VRING);
  }

  private raise(bits: number): void {
    this.isr |= bits;
    this.counters.interrupts++;
    this.setLine(true);
  }

  /**
   * Bad input from the guest: the device sets DEVICE_NEEDS_RESET and tells the driver with a
   * configuration-change interrupt (virtio 1.2 §2.1.2, as QEMU's virtio_error does), and stops
   * using its queues until it is reset.
   */
  private fail(queue: number, message: string): void {
    this.broken = true;
    this.status |= VIRTIO_STATUS.DEVICE_NEEDS_RESET;
    this.warnSink(`${this.label}: queue ${queue}: ${message}; the device needs a reset (DEVICE_NEEDS_RESET)`);
    this.raise(VIRTIO_MMIO_INT.CONFIG);
  }

  private warnOnce(queue: number, message: string): void {
    const key = `${queue}:${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnSink(`${this.label}: queue ${queue}: ${message}`);
  }
}

function setAddressHalf(q: VirtQueue, offset: number, v: number): void {
  const high = (offset & 4) !== 0;
  const field = offset < VIRTIO_MMIO.QueueDriverLow ? 'desc' : offset < VIRTIO_MMIO.QueueDeviceLow ? 'avail' : 'used';
  const old = q[field];
  const lo = old % 2 ** 32;
  const hi = Math.floor(old / 2 ** 32);
  q[field] = high ? v * 2 ** 32 + lo : hi * 2 ** 32 + v;
}
