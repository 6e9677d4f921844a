import { internetChecksum } from './checksum.js';

/** IPv4 (RFC 791): the header without options on output; options skipped on input; no fragments. */

export const IPPROTO = { ICMP: 1, TCP: 6, UDP: 17 } as const;

export interface Ipv4Packet {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
  readonly ttl: number;
  /** The payload, cut to the header's total length (an Ethernet frame may be padded). */
  readonly payload: Uint8Array;
}

export type Ipv4Problem = 'short' | 'not-ipv4' | 'checksum' | 'fragment';

/** An IPv4 packet whose header checksum holds, or what is wrong with it. Fragments are refused (slirp reassembles; nothing here needs them). */
export function parseIpv4(p: Uint8Array): Ipv4Packet | Ipv4Problem {
  if (p.length < 20) return 'short';
  if (p[0]! >> 4 !== 4) return 'not-ipv4';
  const ihl = (p[0]! & 0xf) * 4;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const total = v.getUint16(2);
  if (ihl < 20 || total < ihl || total > p.length) return 'short';
  if (internetChecksum(p.subarray(0, ihl)) !== 0) return 'checksum';
  // MF set or a fragment offset.
  if (v.getUint16(6) & 0x3fff) return 'fragment';
  return { src: v.getUint32(12), dst: v.getUint32(16), protocol: p[9]!, ttl: p[8]!, payload: p.subarray(ihl, total) };
}

/** A packet with a 20-byte header, DF clear, the given identification. */
export function ipv4Packet(h: { src: number; dst: number; protocol: number; ttl?: number; id?: number; tos?: number }, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(20 + payload.length);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  p[1] = h.tos ?? 0;
  v.setUint16(2, p.length);
  v.setUint16(4, h.id ?? 0);
  p[8] = h.ttl ?? 64;
  p[9] = h.protocol;
  v.setUint32(12, h.src);
  v.setUint32(16, h.dst);
  v.setUint16(10, internetChecksum(p.subarray(0, 20)));
  p.set(payload, 20);
  return p;
}

/** `10.0.2.15` → 0x0a00020f, or undefined. */
export function parseIpv4Address(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}
