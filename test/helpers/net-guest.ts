import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { ARP_OP, arpPacket } from '../../src/machine/net/arp.js';
import { BROADCAST_MAC, ETHERTYPE, ethernetFrame, parseEthernet } from '../../src/machine/net/ethernet.js';
import { internetChecksum } from '../../src/machine/net/checksum.js';
import { IPPROTO, ipv4Packet, parseIpv4 } from '../../src/machine/net/ipv4.js';
import { parseTcp, TCP_FLAG, tcpSegment, type TcpSegment } from '../../src/machine/net/tcp.js';
import { SLIRP_NET, slirpMac } from '../../src/machine/net/slirp.js';
import { parseUdp, udpDatagram } from '../../src/machine/net/udp.js';

/**
 * A scripted guest for user networking: it speaks Ethernet frames over a `Link` (QEMU's slirp
 * through `-netdev stream`, or sel4ts's UserNetwork) and plays one fixed conversation — ARP,
 * DHCP, ping, a TCP echo through hostfwd, a UDP echo through hostfwd — recording every frame
 * the network sends. test/conformance/net/record.ts records QEMU's; test/net-user.test.ts
 * runs the same conversation against sel4ts and compares.
 */

export const GUEST_MAC = new Uint8Array([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
export const GATEWAY: number = SLIRP_NET.gateway;
const DNS: number = SLIRP_NET.dns;
export const GUEST: number = SLIRP_NET.guest;
/** The guest's ports for the hostfwd rules. */
export const GUEST_TCP_PORT = 1236;
export const GUEST_UDP_PORT = 1235;
/** The guest's initial sequence number. */
const GUEST_ISS = 0x1234_0000;

export interface Link {
  send(frame: Uint8Array): void;
  /** The next frame the network sends the guest (rejects after a while without one). */
  next(): Promise<Uint8Array>;
}

export interface Step {
  step: string;
  /** Frames the guest sent, hex. */
  sent: string[];
  /** Frames the network sent, hex, in order. */
  received: string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A BOOTREQUEST of DHCP message `type` from `mac`, with more `extra` options. */
export function dhcpMessage(type: number, xid: number, extra: number[] = [], mac: Uint8Array = GUEST_MAC): Uint8Array {
  const p = new Uint8Array(300);
  const v = new DataView(p.buffer);
  p[0] = 1;
  p[1] = 1;
  p[2] = 6;
  v.setUint32(4, xid);
  v.setUint16(10, 0x8000); // broadcast
  p.set(mac, 28);
  v.setUint32(236, 0x63825363);
  p.set([53, 1, type, ...extra, 255], 240);
  return p;
}

export function guestIp(dst: number, protocol: number, payload: Uint8Array, src = GUEST, dstMac = slirpMac(GATEWAY)): Uint8Array {
  return ethernetFrame(dstMac, GUEST_MAC, ETHERTYPE.IPv4, ipv4Packet({ src, dst, protocol, id: 0x100 }, payload));
}

export function arpRequest(target: number): Uint8Array {
  return ethernetFrame(BROADCAST_MAC, GUEST_MAC, ETHERTYPE.ARP, arpPacket({ op: ARP_OP.REQUEST, sha: GUEST_MAC, spa: GUEST, tha: new Uint8Array(6), tpa: target }));
}

export function echoRequest(dst: number, id: number, seq: number, data: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + data.length);
  m[0] = 8;
  m[4] = id >> 8;
  m[5] = id & 0xff;
  m[6] = seq >> 8;
  m[7] = seq & 0xff;
  m.set(data, 8);
  const sum = internetChecksum(m);
  m[2] = sum >> 8;
  m[3] = sum & 0xff;
  return guestIp(dst, IPPROTO.ICMP, m);
}

export function guestTcp(s: TcpSegment): Uint8Array {
  return guestIp(GATEWAY, IPPROTO.TCP, tcpSegment(GUEST, GATEWAY, s));
}

/** The TCP segment in a frame from the network, or undefined. */
function tcpOf(frame: Uint8Array): TcpSegment | undefined {
  const eth = parseEthernet(frame);
  const ip = eth && eth.etherType === ETHERTYPE.IPv4 ? parseIpv4(eth.payload) : undefined;
  return ip && typeof ip !== 'string' && ip.protocol === IPPROTO.TCP ? parseTcp(ip.src, ip.dst, ip.payload) : undefined;
}

function udpOf(frame: Uint8Array): { src: number; dst: number; srcPort: number; dstPort: number; payload: Uint8Array } | undefined {
  const eth = parseEthernet(frame);
  const ip = eth && eth.etherType === ETHERTYPE.IPv4 ? parseIpv4(eth.payload) : undefined;
  if (!ip || typeof ip === 'string' || ip.protocol !== IPPROTO.UDP) return undefined;
  const d = parseUdp(ip.src, ip.dst, ip.payload);
  return d && { src: ip.src, dst: ip.dst, ...d };
}

/** Collects what the host's end of a TCP connection receives. */
function hostClient(port: number): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    const ended = new Promise<void>((r) => socket.on('end', () => r()));
    socket.on('data', (d) => (text += d.toString()));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, received: () => text, ended }));
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/**
 * The conversation. `hostTcpPort`/`hostUdpPort` are the host ends of
 * hostfwd=tcp::HOSTTCP-:1236 and hostfwd=udp::HOSTUDP-:1235.
 */
export async function converse(link: Link, hostTcpPort: number, hostUdpPort: number): Promise<Step[]> {
  const steps: Step[] = [];
  const exchange = async (step: string, frames: Uint8Array[], replies: number) => {
    for (const f of frames) link.send(f);
    const received: Uint8Array[] = [];
    for (let i = 0; i < replies; i++) received.push(await link.next());
    steps.push({ step, sent: frames.map(hex), received: received.map(hex) });
    return received;
  };
  await exchange('arp gateway', [arpRequest(GATEWAY)], 1);
  await exchange('arp dns', [arpRequest(DNS)], 1);
  const xid = 0x5e14_0001;
  await exchange('dhcp discover', [guestIp(0xffffffff, IPPROTO.UDP, udpDatagram(0, 0xffffffff, { srcPort: 68, dstPort: 67, payload: dhcpMessage(1, xid) }), 0, BROADCAST_MAC)], 1);
  await exchange('dhcp request', [guestIp(0xffffffff, IPPROTO.UDP, udpDatagram(0, 0xffffffff, { srcPort: 68, dstPort: 67, payload: dhcpMessage(3, xid, [50, 4, 10, 0, 2, 15, 54, 4, 10, 0, 2, 2]) }), 0, BROADCAST_MAC)], 1);
  await exchange('ping gateway', [echoRequest(GATEWAY, 0x77, 1, new TextEncoder().encode('sel4ts ping'))], 1);

  // TCP through hostfwd: the network opens a connection to the guest's port.
  const client = await hostClient(hostTcpPort);
  const [syn] = await exchange('tcp syn from the network', [], 1);
  const s = tcpOf(syn!)!;
  const seg = (flags: number, seq: number, ack: number, payload = new Uint8Array(), mss?: number): Uint8Array => guestTcp({ srcPort: GUEST_TCP_PORT, dstPort: s.srcPort, seq, ack, flags, window: 8192, mss, payload });
  let ours = GUEST_ISS;
  let theirs = (s.seq + 1) >>> 0;
  await exchange('tcp syn-ack, the ack', [seg(TCP_FLAG.SYN | TCP_FLAG.ACK, ours, theirs, undefined, 1460)], 1);
  ours++;
  client.socket.write('hello\n');
  const [data] = await exchange('tcp data from the host', [], 1);
  const d = tcpOf(data!)!;
  theirs = (d.seq + d.payload.length) >>> 0;
  const echo = new TextEncoder().encode('hello\n');
  await exchange('tcp the guest echoes', [seg(TCP_FLAG.ACK | TCP_FLAG.PSH, ours, theirs, echo)], 1);
  ours += echo.length;
  await until('the echo at the host', () => client.received() === 'hello\n');
  client.socket.end();
  const [fin] = await exchange('tcp fin from the network', [], 1);
  theirs = (tcpOf(fin!)!.seq + 1) >>> 0;
  await exchange('tcp the guest closes', [seg(TCP_FLAG.FIN | TCP_FLAG.ACK, ours, theirs)], 1);
  await client.ended;
  client.socket.destroy();

  // UDP through hostfwd, both ways.
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const reply = new Promise<string>((r) => udp.once('message', (m) => r(m.toString())));
  udp.send('ping\n', hostUdpPort, '127.0.0.1');
  const [dgram] = await exchange('udp from the host', [], 1);
  const u = udpOf(dgram!)!;
  steps.push({ step: 'udp the guest replies', sent: [hex(guestIp(GATEWAY, IPPROTO.UDP, udpDatagram(GUEST, GATEWAY, { srcPort: GUEST_UDP_PORT, dstPort: u.srcPort, payload: new TextEncoder().encode('pong\n') })))], received: [] });
  link.send(Buffer.from(steps.at(-1)!.sent[0]!, 'hex'));
  const answer = await reply;
  udp.close();
  if (answer !== 'pong\n') throw new Error(`the host got ${JSON.stringify(answer)}`);
  return steps;
}
