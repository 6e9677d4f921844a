import { transportChecksum } from './checksum.js';
import { IPPROTO } from './ipv4.js';

/** TCP segments (RFC 9293 §3.1): the header, the MSS option, the checksum. */

export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
const TCP_OPTION = { END: 0, NOP: 1, MSS: 2 } as const;

export interface TcpSegment {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  /** The MSS option, when the segment carries one (a SYN). */
  readonly mss?: number;
  readonly payload: Uint8Array;
}

/** A segment whose checksum holds, or undefined. */
export function parseTcp(src: number, dst: number, segment: Uint8Array): TcpSegment | undefined {
  if (segment.length < 20) return undefined;
  const v = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const offset = (segment[12]! >> 4) * 4;
  if (offset < 20 || offset > segment.length) return undefined;
  if (transportChecksum(src, dst, IPPROTO.TCP, segment) !== 0) return undefined;
  let mss: number | undefined;
  for (let i = 20; i < offset; ) {
    const kind = segment[i]!;
    if (kind === TCP_OPTION.END) break;
    if (kind === TCP_OPTION.NOP) {
      i++;
      continue;
    }
    const length = segment[i + 1] ?? 0;
    if (length < 2 || i + length > offset) break;
    if (kind === TCP_OPTION.MSS && length === 4) mss = v.getUint16(i + 2);
    i += length;
  }
  return {
    srcPort: v.getUint16(0),
    dstPort: v.getUint16(2),
    seq: v.getUint32(4),
    ack: v.getUint32(8),
    flags: segment[13]! & 0x3f,
    window: v.getUint16(14),
    mss,
    payload: segment.subarray(offset),
  };
}

/** A segment with its checksum for the IPv4 addresses `src` → `dst` (an MSS option when `mss` is given). */
export function tcpSegment(src: number, dst: number, t: TcpSegment): Uint8Array {
  const options = t.mss === undefined ? 0 : 4;
  const s = new Uint8Array(20 + options + t.payload.length);
  const v = new DataView(s.buffer);
  v.setUint16(0, t.srcPort);
  v.setUint16(2, t.dstPort);
  v.setUint32(4, t.seq >>> 0);
  v.setUint32(8, t.ack >>> 0);
  s[12] = ((20 + options) / 4) << 4;
  s[13] = t.flags;
  v.setUint16(14, t.window);
  if (t.mss !== undefined) {
    s[20] = TCP_OPTION.MSS;
    s[21] = 4;
    v.setUint16(22, t.mss);
  }
  s.set(t.payload, 20 + options);
  v.setUint16(16, transportChecksum(src, dst, IPPROTO.TCP, s));
  return s;
}

/** a − b in sequence space (RFC 9293 §3.4): negative when a comes before b. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
