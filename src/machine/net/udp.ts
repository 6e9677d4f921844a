import { transportChecksum } from './checksum.js';
import { IPPROTO } from './ipv4.js';

/** UDP (RFC 768) over IPv4. */

export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

/** A datagram whose length and checksum hold (a zero checksum means none was computed), or undefined. */
export function parseUdp(src: number, dst: number, segment: Uint8Array): UdpDatagram | undefined {
  if (segment.length < 8) return undefined;
  const v = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const length = v.getUint16(4);
  if (length < 8 || length > segment.length) return undefined;
  const datagram = segment.subarray(0, length);
  if (v.getUint16(6) !== 0 && transportChecksum(src, dst, IPPROTO.UDP, datagram) !== 0) return undefined;
  return { srcPort: v.getUint16(0), dstPort: v.getUint16(2), payload: datagram.subarray(8) };
}

export function udpDatagram(src: number, dst: number, d: UdpDatagram): Uint8Array {
  const s = new Uint8Array(8 + d.payload.length);
  const v = new DataView(s.buffer);
  v.setUint16(0, d.srcPort);
  v.setUint16(2, d.dstPort);
  v.setUint16(4, s.length);
  s.set(d.payload, 8);
  // A computed zero is sent as all ones (RFC 768).
  v.setUint16(6, transportChecksum(src, dst, IPPROTO.UDP, s) || 0xffff);
  return s;
}
