/** Ethernet II frames (IEEE 802.3 with an EtherType), as virtio-net carries them: no preamble, no FCS. */

export const ETHERTYPE = { IPv4: 0x0800, ARP: 0x0806 } as const;
const ETH_HLEN = 14;
export const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export interface EthernetFrame {
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly etherType: number;
  readonly payload: Uint8Array;
}

export function parseEthernet(frame: Uint8Array): EthernetFrame | undefined {
  if (frame.length < ETH_HLEN) return undefined;
  return { dst: frame.subarray(0, 6), src: frame.subarray(6, 12), etherType: (frame[12]! << 8) | frame[13]!, payload: frame.subarray(ETH_HLEN) };
}

/** A frame of `payload`, padded with zeroes to `minLength` (slirp pads its ARP replies to 64 bytes, nothing else). */
export function ethernetFrame(dst: Uint8Array, src: Uint8Array, etherType: number, payload: Uint8Array, minLength = 0): Uint8Array {
  const f = new Uint8Array(Math.max(ETH_HLEN + payload.length, minLength));
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = etherType >> 8;
  f[13] = etherType & 0xff;
  f.set(payload, ETH_HLEN);
  return f;
}

export function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === 6 && b.length === 6 && a.every((x, i) => x === b[i]);
}

/** `52:54:00:12:34:56` → bytes, or undefined when it is not six hex pairs. */
export function parseMac(text: string): Uint8Array | undefined {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text)) return undefined;
  return new Uint8Array(text.split(':').map((h) => Number.parseInt(h, 16)));
}
