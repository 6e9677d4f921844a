import type { TimedFrame } from '../devices/virtio/pcap.js';
import { ARP_OP, arpPacket, parseArp } from './arp.js';
import { DHCP_MESSAGE, DHCP_PORT, dhcpReply, parseDhcp } from './dhcp.js';
import { DhcpLeases } from './dhcp-leases.js';
import { BROADCAST_MAC, ETHERTYPE, ethernetFrame, macEqual, parseEthernet } from './ethernet.js';
import { HostInbox } from './host-inbox.js';
import { echoReply } from './icmp.js';
import { IPPROTO, ipv4Packet, parseIpv4 } from './ipv4.js';
import { parseTcp, TCP_FLAG, tcpSegment, type TcpSegment } from './tcp.js';
import { TcpConnection, type TcpSink } from './tcp-connection.js';
import { parseUdp, udpDatagram } from './udp.js';
import { FrameQueue } from './frame-queue.js';

/**
 * QEMU's user networking (slirp) seen from the guest: a gateway at 10.0.2.2 that answers
 * ARP (for itself and the DNS address, with slirp's MACs 52:55:0a:00:02:02 and …:03), ICMP
 * echo, and DHCP (the guest gets 10.0.2.15, router 10.0.2.2, DNS 10.0.2.3, mask
 * 255.255.255.0); and the guest's end of host forwarding: a host client's TCP connection
 * becomes one from 10.0.2.2 to the guest (tcp-connection.ts), a host datagram one from
 * 10.0.2.2, and the guest's replies go back. Guest connections to the outside world (slirp's
 * NAT) and DNS are not provided: a SYN to anywhere else is answered with RST, other
 * datagrams are dropped and counted.
 *
 * Everything here runs in virtual time: guest frames arrive with the time they were sent, host
 * events through the inbox at the next poll, and replies queue stamped with the time they were
 * made. The queue is bounded (the guest may not post receive buffers): beyond it, frames drop.
 */

export const SLIRP_NET = {
  network: 0x0a000200,
  mask: 0xffffff00,
  gateway: 0x0a000202,
  dns: 0x0a000203,
  /** slirp's first DHCP address, and hostfwd's default guest address. */
  guest: 0x0a00020f,
} as const;

/** slirp's special_ethaddr prefix; the last four bytes are the IPv4 address it answers for. */
export function slirpMac(ip: number): Uint8Array {
  return new Uint8Array([0x52, 0x55, ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff]);
}
/** slirp pads its ARP replies to 64 bytes, other frames to ETH_ZLEN (60). */
const ARP_FRAME_LENGTH = 64;
const ETH_ZLEN = 60;
/** slirp's ICMP replies go out with MAXTTL; its DHCP replies with IPTOS_LOWDELAY. */
const MAXTTL = 255;
const IPTOS_LOWDELAY = 0x10;
/**
 * slirp's first ISS is 1 (tcp_init), and each connection adds TCP_ISSINCR / 2 (125 × 1024 / 2);
 * slirp also adds to it as wall-clock time passes, which sel4ts does not (its runs repeat).
 */
const FIRST_ISS = 1;
const ISS_INCREMENT = (125 * 1024) / 2;

/** The host's half of forwarded datagrams. */
export interface UserNetworkHost {
  /** A datagram the guest sent from `guestPort` to 10.0.2.2:`dstPort`. */
  udpFromGuest(guestPort: number, dstPort: number, payload: Uint8Array): void;
}

export class UserNetwork {
  readonly stats = { dhcp: 0, arpReplies: 0, echoReplies: 0, tcpConnections: 0, tcpResets: 0, udpToGuest: 0, udpFromGuest: 0, dropped: 0 };
  readonly inbox = new HostInbox();
  readonly gatewayMac = slirpMac(SLIRP_NET.gateway);
  private readonly queue = new FrameQueue();
  private readonly connections: TcpConnection[] = [];
  private nextIss = FIRST_ISS;
  private ipId = 0;
  /** The virtual time of what is being handled (a connection's segments are stamped with it). */
  private now = 0;
  /** Retransmissions of connections already forgotten. */
  private pastRetransmissions = 0;
  host: UserNetworkHost | undefined;
  private readonly leases = new DhcpLeases(SLIRP_NET.guest);
  /** slirp's ARP table: the guest's addresses and their MACs, from DHCP and the guest's ARP. */
  private readonly arpTable = new Map<number, Uint8Array>();

  constructor(private guestMac: Uint8Array) {}

  // ---------------------------------------------------------------- NetBackend

  peek(): TimedFrame | undefined {
    return this.queue.peek();
  }

  take(): void {
    this.queue.take();
  }

  /** Host events posted since the last poll, then the TCP timers due. */
  poll(nowNs: number): void {
    this.now = nowNs;
    this.inbox.drain(nowNs);
    for (const c of this.connections) c.timer(nowNs);
    this.forgetClosed();
  }

  nextTimerNs(): number {
    let next = Infinity;
    for (const c of this.connections) next = Math.min(next, c.timerNs);
    return next;
  }

  get hostIo(): HostInbox {
    return this.inbox;
  }

  /** A frame the guest sent. */
  send(frame: TimedFrame): void {
    const now = frame.timeNs;
    this.now = now;
    const eth = parseEthernet(frame.bytes);
    if (!eth || !(macEqual(eth.dst, this.gatewayMac) || macEqual(eth.dst, BROADCAST_MAC) || macEqual(eth.dst, slirpMac(SLIRP_NET.dns)))) return;
    if (!macEqual(eth.src, BROADCAST_MAC)) this.guestMac = eth.src.slice();
    if (eth.etherType === ETHERTYPE.ARP) this.arp(eth.payload, now);
    else if (eth.etherType === ETHERTYPE.IPv4) this.ip(eth.payload, now);
  }

  /** Counters for `run --stats`. */
  counters(): ReadonlyArray<readonly [string, number]> {
    const s = this.stats;
    const retransmissions = this.connections.reduce((n, c) => n + c.stats.retransmissions, this.pastRetransmissions);
    return [
      ['dhcp replies', s.dhcp],
      ['arp replies', s.arpReplies],
      ['echo replies', s.echoReplies],
      ['tcp connections', s.tcpConnections],
      ['tcp resets', s.tcpResets],
      ['tcp retransmissions', retransmissions],
      ['udp to guest', s.udpToGuest],
      ['udp from guest', s.udpFromGuest],
      ['dropped by slirp', s.dropped],
    ];
  }

  // ---------------------------------------------------------------- the host's side

  /** A host client connected to a TCP hostfwd: open a connection to the guest from 10.0.2.2:`srcPort` (another port if that one is in use). */
  tcpConnect(nowNs: number, guestAddr: number, guestPort: number, srcPort: number, sink: TcpSink): TcpConnection {
    let port = srcPort;
    while (this.connections.some((c) => c.ourPort === port && c.guestPort === guestPort)) port = port >= 65535 ? 1024 : port + 1;
    const iss = this.nextIss;
    this.nextIss = (this.nextIss + ISS_INCREMENT) >>> 0;
    this.stats.tcpConnections++;
    const counted: TcpSink = {
      data: (b) => sink.data(b),
      end: () => sink.end(),
      reset: () => {
        this.stats.tcpResets++;
        sink.reset();
      },
    };
    this.now = nowNs;
    const c = new TcpConnection(port, guestPort, iss, (s) => this.toGuest(this.now, SLIRP_NET.gateway, guestAddr, IPPROTO.TCP, tcpSegment(SLIRP_NET.gateway, guestAddr, s)), counted, nowNs);
    this.connections.push(c);
    return c;
  }

  /** A host datagram for the guest, from 10.0.2.2:`srcPort`. */
  udpToGuest(nowNs: number, guestAddr: number, guestPort: number, srcPort: number, payload: Uint8Array): void {
    this.now = nowNs;
    this.stats.udpToGuest++;
    this.toGuest(nowNs, SLIRP_NET.gateway, guestAddr, IPPROTO.UDP, udpDatagram(SLIRP_NET.gateway, guestAddr, { srcPort, dstPort: guestPort, payload }));
  }

  // ---------------------------------------------------------------- inside

  private arp(payload: Uint8Array, now: number): void {
    const a = parseArp(payload);
    if (!a) return;
    // slirp's arp_input learns the sender of a reply, of a gratuitous ARP, and of a request it answers.
    const answered = a.op === ARP_OP.REQUEST && (a.tpa === SLIRP_NET.gateway || a.tpa === SLIRP_NET.dns);
    if (a.op === ARP_OP.REPLY || (a.op === ARP_OP.REQUEST && a.tpa === a.spa) || answered) this.learn(a.spa, a.sha);
    if (!answered) return;
    this.stats.arpReplies++;
    const mac = slirpMac(a.tpa);
    const reply = arpPacket({ op: ARP_OP.REPLY, sha: mac, spa: a.tpa, tha: a.sha, tpa: a.spa });
    this.enqueue(now, ethernetFrame(a.sha, mac, ETHERTYPE.ARP, reply, ARP_FRAME_LENGTH));
  }

  /** slirp's arp_table_add: only addresses of the guest network, not its broadcast address. */
  private learn(ip: number, mac: Uint8Array): void {
    if ((ip & SLIRP_NET.mask) >>> 0 !== SLIRP_NET.network || (ip | SLIRP_NET.mask) >>> 0 === 0xffffffff || ip === SLIRP_NET.network) return;
    this.arpTable.set(ip, mac.slice());
  }

  private ip(payload: Uint8Array, now: number): void {
    const p = parseIpv4(payload);
    if (typeof p === 'string') {
      this.stats.dropped++;
      return;
    }
    if (p.protocol === IPPROTO.ICMP && (p.dst === SLIRP_NET.gateway || p.dst === SLIRP_NET.dns)) {
      const reply = echoReply(p.payload);
      if (!reply) return;
      this.stats.echoReplies++;
      this.toGuest(now, p.dst, p.src, IPPROTO.ICMP, reply, MAXTTL);
    } else if (p.protocol === IPPROTO.UDP) {
      const d = parseUdp(p.src, p.dst, p.payload);
      if (!d) this.stats.dropped++;
      else if (d.dstPort === DHCP_PORT.SERVER) this.dhcp(d.payload, now);
      else if (p.dst === SLIRP_NET.gateway && this.host) {
        this.stats.udpFromGuest++;
        this.host.udpFromGuest(d.srcPort, d.dstPort, d.payload.slice());
      } else this.stats.dropped++;
    } else if (p.protocol === IPPROTO.TCP) {
      const s = parseTcp(p.src, p.dst, p.payload);
      if (!s) {
        this.stats.dropped++;
        return;
      }
      const c = p.dst === SLIRP_NET.gateway ? this.connections.find((x) => x.ourPort === s.dstPort && x.guestPort === s.srcPort) : undefined;
      if (c) {
        c.segment(s, now);
        this.forgetClosed();
      } else this.refuse(p.src, p.dst, s, now);
    } else this.stats.dropped++;
  }

  /** RFC 9293 §3.10.7.1: a segment for no connection gets a reset (unless it is one). */
  private refuse(src: number, dst: number, s: TcpSegment, now: number): void {
    if (s.flags & TCP_FLAG.RST) return;
    this.stats.dropped++;
    const length = s.payload.length + (s.flags & TCP_FLAG.SYN ? 1 : 0) + (s.flags & TCP_FLAG.FIN ? 1 : 0);
    const reply: TcpSegment =
      s.flags & TCP_FLAG.ACK
        ? { srcPort: s.dstPort, dstPort: s.srcPort, seq: s.ack, ack: 0, flags: TCP_FLAG.RST, window: 0, payload: new Uint8Array() }
        : { srcPort: s.dstPort, dstPort: s.srcPort, seq: 0, ack: (s.seq + length) >>> 0, flags: TCP_FLAG.RST | TCP_FLAG.ACK, window: 0, payload: new Uint8Array() };
    this.toGuest(now, dst, src, IPPROTO.TCP, tcpSegment(dst, src, reply));
  }

  private dhcp(payload: Uint8Array, now: number): void {
    const r = parseDhcp(payload);
    if (!r) return;
    // slirp's bootp_reply: a DISCOVER is offered the address it asks for if that one is free
    // (or its own), else the first free one; a REQUEST gets the address it names (option 50,
    // or ciaddr) if free or its own, else a NAK; one naming none gets its own (or a new one).
    let type: number;
    let yiaddr: number | undefined;
    const wanted = r.requestedIp ?? (r.messageType === DHCP_MESSAGE.REQUEST ? r.ciaddr : 0);
    if (r.messageType === DHCP_MESSAGE.DISCOVER) {
      type = DHCP_MESSAGE.OFFER;
      yiaddr = (wanted !== 0 ? this.leases.request(wanted, r.chaddr) : undefined) ?? this.leases.newAddress(r.chaddr);
      if (yiaddr === undefined) return;
    } else if (r.messageType === DHCP_MESSAGE.REQUEST) {
      // A request for another server's offer is not ours to answer.
      if (r.serverId !== undefined && r.serverId !== SLIRP_NET.gateway) return;
      yiaddr = wanted !== 0 ? this.leases.request(wanted, r.chaddr) : (this.leases.find(r.chaddr) ?? this.leases.newAddress(r.chaddr));
      type = yiaddr === undefined ? DHCP_MESSAGE.NAK : DHCP_MESSAGE.ACK;
    } else return;
    if (yiaddr !== undefined) this.arpTable.set(yiaddr, r.chaddr.slice());
    this.stats.dhcp++;
    const reply = dhcpReply(r, type, yiaddr ?? 0, { server: SLIRP_NET.gateway, mask: SLIRP_NET.mask, dns: SLIRP_NET.dns });
    const udp = udpDatagram(SLIRP_NET.gateway, 0xffffffff, { srcPort: DHCP_PORT.SERVER, dstPort: DHCP_PORT.CLIENT, payload: reply });
    // To the broadcast address, in a broadcast frame, as slirp's.
    this.enqueue(now, ethernetFrame(BROADCAST_MAC, this.gatewayMac, ETHERTYPE.IPv4, ipv4Packet({ src: SLIRP_NET.gateway, dst: 0xffffffff, protocol: IPPROTO.UDP, id: this.nextId(), tos: IPTOS_LOWDELAY }, udp), ETH_ZLEN));
  }

  private toGuest(now: number, src: number, dst: number, protocol: number, payload: Uint8Array, ttl = 64): void {
    // From the gateway's MAC whatever the source address (slirp's if_encap), to the MAC that
    // address was leased to or announced by (slirp's ARP table); else to the last one seen.
    this.enqueue(now, ethernetFrame(this.arpTable.get(dst) ?? this.guestMac, this.gatewayMac, ETHERTYPE.IPv4, ipv4Packet({ src, dst, protocol, id: this.nextId(), ttl }, payload), ETH_ZLEN));
  }

  private enqueue(timeNs: number, bytes: Uint8Array): void {
    if (!this.queue.push({ timeNs, bytes })) this.stats.dropped++;
  }

  /** slirp's ip_id: 0 first, one more for every packet. */
  private nextId(): number {
    const id = this.ipId;
    this.ipId = (this.ipId + 1) & 0xffff;
    return id;
  }

  private forgetClosed(): void {
    for (let i = this.connections.length - 1; i >= 0; i--) {
      const c = this.connections[i]!;
      if (c.done) {
        this.pastRetransmissions += c.stats.retransmissions;
        this.connections.splice(i, 1);
      }
    }
  }
}
