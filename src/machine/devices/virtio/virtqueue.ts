import { VirtioGuestError, type GuestRam } from './guest-ram.js';

/**
 * A split virtqueue (virtio 1.2 §2.7), the device's side: the descriptor table, the available
 * ring the driver fills and the used ring the device fills, all in guest RAM. Every fact read
 * from guest memory is checked before it is used; a bad one throws `VirtioGuestError` (the
 * transport then sets DEVICE_NEEDS_RESET) and nothing has been written to the used ring for
 * that chain.
 */

/** virtq_desc.flags */
export const VIRTQ_DESC_F = { NEXT: 1, WRITE: 2, INDIRECT: 4 } as const;
/** virtq_avail.flags: the driver does not want interrupts (without VIRTIO_F_EVENT_IDX). */
const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

/** One guest buffer of a chain. */
export interface Segment {
  readonly addr: number;
  readonly len: number;
}

/** A descriptor chain taken from the available ring: device-readable buffers, then device-writable ones. */
export interface Chain {
  readonly head: number;
  readonly readable: readonly Segment[];
  readonly writable: readonly Segment[];
}

export function totalLength(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) n += s.len;
  return n;
}

export class VirtQueue {
  /** QueueNum: the size the driver chose (0: not set up). */
  num = 0;
  /** Guest physical addresses of the descriptor table, the available ring and the used ring. */
  desc = 0;
  avail = 0;
  used = 0;
  /** Modern QueueReady, or a non-zero legacy QueuePFN. */
  ready = false;
  /** VIRTIO_F_EVENT_IDX was negotiated. */
  eventIdx = false;
  /** VIRTIO_F_NOTIFY_ON_EMPTY was negotiated (legacy). */
  notifyOnEmpty = false;
  private lastAvail = 0;
  private usedIdx = 0;
  private signalledUsed: number | undefined = undefined;

  constructor(
    readonly index: number,
    /** QueueNumMax. */
    readonly max: number,
    private readonly ram: GuestRam,
  ) {}

  reset(): void {
    this.num = 0;
    this.desc = this.avail = this.used = 0;
    this.ready = false;
    this.eventIdx = false;
    this.notifyOnEmpty = false;
    this.lastAvail = this.usedIdx = 0;
    this.signalledUsed = undefined;
  }

  /** Why the queue's configuration cannot be used, or undefined when it can (checked when the driver enables it). */
  configurationProblem(): string | undefined {
    const n = this.num;
    if (n === 0 || n > this.max || (n & (n - 1)) !== 0) return `queue size ${n} is not a power of two between 1 and ${this.max}`;
    try {
      this.ram.check(this.desc, 16 * n, 'the descriptor table');
      this.ram.check(this.avail, 6 + 2 * n, 'the available ring');
      this.ram.check(this.used, 6 + 8 * n, 'the used ring');
    } catch (e) {
      if (e instanceof VirtioGuestError) return e.message;
      throw e;
    }
    return undefined;
  }

  /** The used ring's index as the device last wrote it. */
  get usedIndex(): number {
    return this.usedIdx;
  }

  /** Whether the driver has made a chain available that the device has not taken. */
  get hasAvailable(): boolean {
    return this.ready && this.ram.read16(this.avail + 2, 'the available ring') !== this.lastAvail;
  }

  /** The next available chain, or undefined when there is none. */
  pop(): Chain | undefined {
    if (!this.ready) return undefined;
    const availIdx = this.ram.read16(this.avail + 2, 'the available ring');
    const pending = (availIdx - this.lastAvail) & 0xffff;
    if (pending === 0) return undefined;
    if (pending > this.num) throw new VirtioGuestError(`the driver moved the available index from ${this.lastAvail} to ${availIdx}, more than the queue's ${this.num} entries`);
    const head = this.ram.read16(this.avail + 4 + 2 * (this.lastAvail % this.num), 'the available ring');
    const chain = this.walk(head);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    // avail_event: notify the device again as soon as anything more is made available.
    if (this.eventIdx) this.ram.write16(this.used + 4 + 8 * this.num, this.lastAvail, 'the used ring');
    return chain;
  }

  /** Follow a chain from `head`, through at most one indirect table, checking everything. */
  private walk(head: number): Chain {
    if (head >= this.num) throw new VirtioGuestError(`the available ring names descriptor ${head}, beyond the queue size ${this.num}`);
    const readable: Segment[] = [];
    const writable: Segment[] = [];
    let table = this.desc;
    let tableSize = this.num;
    let where = 'descriptor';
    let i = head;
    let seen = 0;
    let indirect = false;
    for (;;) {
      // A chain can hold each descriptor of its table once: one more is a loop.
      if (++seen > tableSize) throw new VirtioGuestError(`the descriptor chain from descriptor ${head} loops (more than ${tableSize} descriptors)`);
      const at = table + 16 * i;
      const addr = this.ram.read64(at, `${where} ${i}`);
      const len = this.ram.read32(at + 8, `${where} ${i}`);
      const flags = this.ram.read16(at + 12, `${where} ${i}`);
      const next = this.ram.read16(at + 14, `${where} ${i}`);
      if (flags & VIRTQ_DESC_F.INDIRECT) {
        if (indirect) throw new VirtioGuestError(`indirect ${where} ${i} of the chain from descriptor ${head} points to another indirect table`);
        if (flags & VIRTQ_DESC_F.NEXT) throw new VirtioGuestError(`descriptor ${i} has both INDIRECT and NEXT set`);
        if (len === 0 || len % 16 !== 0) throw new VirtioGuestError(`indirect descriptor ${i} has a table length of ${len} bytes, not a multiple of 16`);
        this.ram.check(addr, len, `the indirect table of descriptor ${i}`);
        table = addr;
        tableSize = len / 16;
        where = `indirect descriptor`;
        indirect = true;
        i = 0;
        seen = 0;
        continue;
      }
      this.ram.check(addr, len, `the buffer of ${where} ${i}`);
      if (flags & VIRTQ_DESC_F.WRITE) writable.push({ addr, len });
      else if (writable.length > 0) throw new VirtioGuestError(`${where} ${i} is device-readable but follows a device-writable one`);
      else readable.push({ addr, len });
      if (!(flags & VIRTQ_DESC_F.NEXT)) break;
      if (next >= tableSize) throw new VirtioGuestError(`${where} ${i} chains to descriptor ${next}, beyond the table's ${tableSize} entries`);
      i = next;
    }
    return { head, readable, writable };
  }

  /** Return a chain to the driver with `written` bytes written into its writable buffers. */
  push(chain: Chain, written: number): void {
    const slot = this.used + 4 + 8 * (this.usedIdx % this.num);
    this.ram.write32(slot, chain.head, 'the used ring');
    this.ram.write32(slot + 4, written, 'the used ring');
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    this.ram.write16(this.used + 2, this.usedIdx, 'the used ring');
  }

  /**
   * Whether the driver wants an interrupt for the buffers used since the last time this was
   * asked: always when the available ring ran empty with VIRTIO_F_NOTIFY_ON_EMPTY; else
   * used_event with VIRTIO_F_EVENT_IDX (vring_need_event), else the available ring's
   * NO_INTERRUPT flag.
   */
  shouldNotify(): boolean {
    // As QEMU's virtio_should_notify: the device has taken everything (it completes at once).
    if (this.notifyOnEmpty && !this.hasAvailable) return true;
    if (this.eventIdx) {
      const old = this.signalledUsed;
      const now = this.usedIdx;
      this.signalledUsed = now;
      if (old === undefined) return true;
      const usedEvent = this.ram.read16(this.avail + 4 + 2 * this.num, 'the available ring');
      return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }
    return (this.ram.read16(this.avail, 'the available ring') & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }

  /** Copy the chain's readable buffers, in order, into one array. */
  gather(chain: Chain): Uint8Array {
    const out = new Uint8Array(totalLength(chain.readable));
    let at = 0;
    for (const s of chain.readable) {
      out.set(this.ram.read(s.addr, s.len, 'a buffer'), at);
      at += s.len;
    }
    return out;
  }

  /** Write `data` across the chain's writable buffers from byte `offset` of them; returns the bytes written. */
  scatter(chain: Chain, data: Uint8Array, offset = 0): number {
    let skip = offset;
    let from = 0;
    for (const s of chain.writable) {
      if (from >= data.length) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const n = Math.min(s.len - skip, data.length - from);
      this.ram.write(s.addr + skip, data.subarray(from, from + n), 'a buffer');
      from += n;
      skip = 0;
    }
    return from;
  }
}
