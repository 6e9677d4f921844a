import type { TimedFrame } from '../devices/virtio/pcap.js';
import { FrameQueue } from './frame-queue.js';
import { HostInbox } from './host-inbox.js';
import { encodeStreamFrame, StreamFrameDecoder } from './stream-framing.js';

/**
 * The `stream` network backend's machine side: frames from the peer (a QEMU `-netdev stream`,
 * another sel4ts, any program speaking the framing) enter virtual time at the poll after they
 * arrived; the guest's frames go to the peer at once, or are dropped (and counted) while there
 * is none, as QEMU drops them. The socket itself is the host's (src/cli/run/netdev-sockets.ts).
 */

export class StreamNetwork {
  readonly stats = { framesFromPeer: 0, framesToPeer: 0, droppedNoPeer: 0, droppedQueueFull: 0, connections: 0 };
  readonly inbox = new HostInbox();
  private readonly queue = new FrameQueue();
  private decoder = new StreamFrameDecoder();
  /** Writes to the connected peer; undefined while there is none. */
  private peer: ((bytes: Uint8Array) => void) | undefined;

  get hostIo(): HostInbox {
    return this.inbox;
  }

  peek(): TimedFrame | undefined {
    return this.queue.peek();
  }

  take(): void {
    this.queue.take();
  }

  poll(nowNs: number): void {
    this.inbox.drain(nowNs);
  }

  send(frame: TimedFrame): void {
    if (!this.peer) {
      this.stats.droppedNoPeer++;
      return;
    }
    this.stats.framesToPeer++;
    this.peer(encodeStreamFrame(frame.bytes));
  }

  // ---------------------------------------------------------------- the host's side (wall-clock time)

  /** A peer connected; `write` sends it bytes. */
  connected(write: (bytes: Uint8Array) => void): void {
    this.stats.connections++;
    this.peer = write;
    this.decoder = new StreamFrameDecoder();
  }

  disconnected(): void {
    this.peer = undefined;
    this.inbox.wake();
  }

  /** Bytes from the peer; a message when they break the framing (the connection must be dropped). */
  received(chunk: Uint8Array): string | undefined {
    const frames = this.decoder.push(chunk);
    if (typeof frames === 'string') return frames;
    for (const bytes of frames) {
      this.inbox.post((nowNs) => {
        if (this.queue.push({ timeNs: nowNs, bytes })) this.stats.framesFromPeer++;
        else this.stats.droppedQueueFull++;
      });
    }
    return undefined;
  }

  counters(): ReadonlyArray<readonly [string, number]> {
    const s = this.stats;
    return [
      ['connections', s.connections],
      ['frames from peer', s.framesFromPeer],
      ['frames to peer', s.framesToPeer],
      ['dropped without peer', s.droppedNoPeer],
      ['dropped queue full', s.droppedQueueFull],
    ];
  }
}
