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
  private buffer = new Uint8Array(0);

  /** The frames `chunk` completes, or a message when a length is impossible (the connection must go). */
  push(chunk: Uint8Array): Uint8Array[] | string {
    const data = new Uint8Array(this.buffer.length + chunk.length);
    data.set(this.buffer, 0);
    data.set(chunk, this.buffer.length);
    const frames: Uint8Array[] = [];
    let at = 0;
    while (data.length - at >= 4) {
      const length = new DataView(data.buffer, at, 4).getUint32(0);
      if (length > STREAM_MAX_FRAME) return `a frame length of ${length} bytes (more than ${STREAM_MAX_FRAME}): not a QEMU netdev stream`;
      if (data.length - at - 4 < length) break;
      frames.push(data.slice(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.buffer = data.slice(at);
    return frames;
  }
}
