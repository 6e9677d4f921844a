import { ByteQueue } from './byte-queue.js';

/**
 * The framing of QEMU's `-netdev stream` (and `-netdev socket`): each Ethernet frame is sent
 * as a 4-byte big-endian length, then the frame. QEMU refuses lengths beyond its receive
 * buffer (NET_BUFSIZE, 4096 + 65536 bytes) and drops the connection; so does the decoder.
 */

const STREAM_MAX_FRAME = 4096 + 65536;

export function encodeStreamFrame(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length);
  out.set(frame, 4);
  return out;
}

/** Splits a byte stream into frames, however the bytes were chunked. */
export class StreamFrameDecoder {
  private readonly bytes = new ByteQueue();

  /** The frames `chunk` completes, or a message when a length is impossible (the connection must go). */
  push(chunk: Uint8Array): Uint8Array[] | string {
    this.bytes.append(chunk);
    const frames: Uint8Array[] = [];
    while (this.bytes.length >= 4) {
      const head = this.bytes.read(0, 4);
      const length = new DataView(head.buffer).getUint32(0);
      if (length > STREAM_MAX_FRAME) return `a frame length of ${length} bytes (more than ${STREAM_MAX_FRAME}): not a QEMU netdev stream`;
      if (this.bytes.length - 4 < length) break;
      frames.push(this.bytes.read(4, length));
      this.bytes.consume(4 + length);
    }
    return frames;
  }
}
