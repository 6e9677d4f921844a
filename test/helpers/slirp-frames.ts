import { ARP_OP, arpPacket } from '../../src/machine/net/arp.js';
import { BROADCAST_MAC, ETHERTYPE, ethernetFrame } from '../../src/machine/net/ethernet.js';
import { IPPROTO } from '../../src/machine/net/ipv4.js';
import { SLIRP_NET, UserNetwork } from '../../src/machine/net/slirp.js';
import { udpDatagram } from '../../src/machine/net/udp.js';
import { dhcpMessage, guestIp } from './net-guest.js';

/**
 * The frames QEMU's user network (slirp) sends a guest, made ahead of time for pcap replay: the
 * answers of sel4ts's UserNetwork, whose frames test/net-user.test.ts checks byte for byte
 * against what QEMU 7.2's slirp sent (test/conformance/net/slirp.json). One network hands out
 * the leases, so two clients get slirp's 10.0.2.15 and 10.0.2.16.
 */
export class SlirpFrames {
  private readonly net = new UserNetwork(new Uint8Array(6));
  readonly gatewayMac = this.net.gatewayMac;

  /** The answer to `mac`'s DHCPDISCOVER (an OFFER) or DHCPREQUEST of `requested` (an ACK), transaction `xid`. */
  dhcp(mac: Uint8Array, xid: number, requested?: number): Uint8Array {
    const options = requested === undefined ? [] : [50, 4, requested >>> 24, (requested >>> 16) & 0xff, (requested >>> 8) & 0xff, requested & 0xff];
    const message = dhcpMessage(requested === undefined ? 1 : 3, xid, options, mac);
    return this.answer(guestIp(0xffffffff, IPPROTO.UDP, udpDatagram(0, 0xffffffff, { srcPort: 68, dstPort: 67, payload: message }), 0));
  }

  /** The gateway's ARP reply to `mac` (at `ip`) asking for 10.0.2.2. */
  arp(mac: Uint8Array, ip: number): Uint8Array {
    return this.answer(ethernetFrame(BROADCAST_MAC, mac, ETHERTYPE.ARP, arpPacket({ op: ARP_OP.REQUEST, sha: mac, spa: ip, tha: new Uint8Array(6), tpa: SLIRP_NET.gateway })));
  }

  /** A datagram from a host client (port `srcPort`, through hostfwd) to the guest at `ip`. */
  udpToGuest(ip: number, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
    this.net.udpToGuest(0, ip, dstPort, srcPort, data);
    return this.take();
  }

  private answer(frame: Uint8Array): Uint8Array {
    this.net.send({ timeNs: 0, bytes: frame });
    return this.take();
  }

  private take(): Uint8Array {
    const f = this.net.peek();
    if (!f) throw new Error('the user network sent nothing');
    this.net.take();
    return f.bytes;
  }
}
