/** ARP for IPv4 over Ethernet (RFC 826): the 28-byte packet. */

export const ARP_OP = { REQUEST: 1, REPLY: 2 } as const;
const ARP_LENGTH = 28;

export interface ArpPacket {
  readonly op: number;
  /** Sender hardware and protocol address, target hardware and protocol address. */
  readonly sha: Uint8Array;
  readonly spa: number;
  readonly tha: Uint8Array;
  readonly tpa: number;
}

/** An Ethernet/IPv4 ARP packet (htype 1, ptype 0x0800, hlen 6, plen 4), or undefined. */
export function parseArp(p: Uint8Array): ArpPacket | undefined {
  if (p.length < ARP_LENGTH) return undefined;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (v.getUint16(0) !== 1 || v.getUint16(2) !== 0x0800 || p[4] !== 6 || p[5] !== 4) return undefined;
  return { op: v.getUint16(6), sha: p.slice(8, 14), spa: v.getUint32(14), tha: p.slice(18, 24), tpa: v.getUint32(24) };
}

export function arpPacket(a: ArpPacket): Uint8Array {
  const p = new Uint8Array(ARP_LENGTH);
  const v = new DataView(p.buffer);
  v.setUint16(0, 1);
  v.setUint16(2, 0x0800);
  p[4] = 6;
  p[5] = 4;
  v.setUint16(6, a.op);
  p.set(a.sha, 8);
  v.setUint32(14, a.spa);
  p.set(a.tha, 18);
  v.setUint32(24, a.tpa);
  return p;
}
