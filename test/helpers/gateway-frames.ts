/**
 * Ethernet frames that QEMU's user network (slirp) would send a guest, built by hand for pcap
 * replay: a DHCP server's OFFER and ACK, the gateway's ARP reply, a UDP datagram from the host.
 * Addresses are slirp's defaults: gateway and DHCP server 10.0.2.2 (MAC 52:55:0a:00:02:02),
 * DNS 10.0.2.3, guests from 10.0.2.15 on.
 */

export const GATEWAY_MAC = Uint8Array.of(0x52, 0x55, 0x0a, 0x00, 0x02, 0x02);
const GATEWAY_IP = Uint8Array.of(10, 0, 2, 2);
const DNS_IP = Uint8Array.of(10, 0, 2, 3);
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;

function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** The Internet checksum (RFC 1071) of `bytes`. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ethernet(dst: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...dst, ...GATEWAY_MAC, ...be16(type), ...payload]);
}

/** An IPv4 UDP datagram from the gateway, UDP checksum 0 (none, which IPv4 allows). */
function udpFromGateway(dstMac: Uint8Array, dstIp: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  const udp = [...be16(srcPort), ...be16(dstPort), ...be16(8 + data.length), 0, 0, ...data];
  const ip = Uint8Array.from([0x45, 0, ...be16(20 + udp.length), 0, 0, 0, 0, 64, 17, 0, 0, ...GATEWAY_IP, ...dstIp]);
  ip.set(be16(checksum(ip)), 10);
  return ethernet(dstMac, ETHERTYPE_IPV4, Uint8Array.from([...ip, ...udp]));
}

export const DHCPOFFER = 2;
export const DHCPACK = 5;

/** The DHCP server's OFFER or ACK of `ip` to the client `mac`, for its transaction `xid`. */
export function dhcpReply(type: typeof DHCPOFFER | typeof DHCPACK, mac: Uint8Array, xid: number, ip: Uint8Array): Uint8Array {
  const bootp = new Uint8Array(236);
  bootp.set([2, 1, 6, 0, ...be32(xid)]); // op BOOTREPLY, Ethernet, 6-byte addresses, no hops
  bootp.set(ip, 16); // yiaddr
  bootp.set(GATEWAY_IP, 20); // siaddr
  bootp.set(mac, 28); // chaddr
  const options = [0x63, 0x82, 0x53, 0x63, 53, 1, type, 54, 4, ...GATEWAY_IP, 51, 4, ...be32(86400), 1, 4, 255, 255, 255, 0, 3, 4, ...GATEWAY_IP, 6, 4, ...DNS_IP, 255];
  return udpFromGateway(mac, ip, 67, 68, Uint8Array.from([...bootp, ...options]));
}

/** The gateway's ARP reply to the guest `mac`/`ip`: 10.0.2.2 is at GATEWAY_MAC. */
export function arpReply(mac: Uint8Array, ip: Uint8Array): Uint8Array {
  return ethernet(mac, ETHERTYPE_ARP, Uint8Array.from([0, 1, ...be16(ETHERTYPE_IPV4), 6, 4, 0, 2, ...GATEWAY_MAC, ...GATEWAY_IP, ...mac, ...ip]));
}

/** A UDP datagram from the host (through the gateway) to the guest. */
export function udpToGuest(mac: Uint8Array, ip: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  return udpFromGateway(mac, ip, srcPort, dstPort, data);
}
