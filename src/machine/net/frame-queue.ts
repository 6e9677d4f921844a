import type { TimedFrame } from '../devices/virtio/pcap.js';

/**
 * Frames for the guest, in the order they came, waiting for its receive buffers (a network
 * backend's `peek`/`take`). Beyond `limit` frames a new one is refused, and the backend counts
 * it as dropped, as QEMU's bounded queues drop.
 */
export class FrameQueue {
  private readonly frames: TimedFrame[] = [];

  constructor(private readonly limit = 1024) {}

  peek(): TimedFrame | undefined {
    return this.frames[0];
  }

  take(): void {
    this.frames.shift();
  }

  /** Queue a frame; false when the queue is full (the frame is dropped). */
  push(frame: TimedFrame): boolean {
    if (this.frames.length >= this.limit) return false;
    this.frames.push(frame);
    return true;
  }
}
