/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of the
 * data as 16-bit big-endian words (an odd last byte padded with zero). IPv4 headers, ICMP, UDP
 * and TCP all use it; UDP and TCP add a pseudo-header (RFC 768, RFC 9293 §3.1).
 */

/** The ones' complement sum of `data` added to `sum` (not folded, not inverted). */
export function onesSum(data: Uint8Array, sum = 0): number {
  const n = data.length & ~1;
  for (let i = 0; i < n; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  return sum;
}

/** Fold the carries of a ones' complement sum and invert it: the checksum field's value. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(data: Uint8Array): number {
  return finishChecksum(onesSum(data));
}

/** The sum of the IPv4 pseudo-header: source, destination, protocol and the segment's length. */
function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/** The checksum of a UDP or TCP segment (its checksum field zero or, to verify, as received: 0 means valid). */
export function transportChecksum(src: number, dst: number, protocol: number, segment: Uint8Array): number {
  return finishChecksum(onesSum(segment, pseudoHeaderSum(src, dst, protocol, segment.length)));
}
