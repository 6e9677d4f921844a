import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openUser, type OpenSockets } from '../src/cli/run/netdev-sockets.js';
import { parseUserSpec } from '../src/cli/run/netdev-options.js';
import { finishChecksum, internetChecksum, onesSum, transportChecksum } from '../src/machine/net/checksum.js';
import { parseDhcp } from '../src/machine/net/dhcp.js';
import { ARP_OP, arpPacket } from '../src/machine/net/arp.js';
import { BROADCAST_MAC, ETHERTYPE, ethernetFrame, parseEthernet } from '../src/machine/net/ethernet.js';
import { IPPROTO, parseIpv4 } from '../src/machine/net/ipv4.js';
import { SLIRP_NET, UserNetwork } from '../src/machine/net/slirp.js';
import { parseTcp, TCP_FLAG } from '../src/machine/net/tcp.js';
import { parseUdp, udpDatagram } from '../src/machine/net/udp.js';
import { Machine } from '../src/machine/machine.js';
import { VirtioNet } from '../src/machine/devices/virtio/net.js';
import { freePort } from './helpers/free-port.js';
import { TestVirtioDriver } from './helpers/virtio-driver.js';
import { backendLink, deviceLink } from './helpers/net-link.js';
import { arpRequest, converse, dhcpMessage, echoRequest, GATEWAY, GUEST, GUEST_MAC, guestIp, guestTcp, type Step } from './helpers/net-guest.js';

/**
 * User networking against QEMU 7.2's slirp: test/conformance/net/slirp.json holds what slirp
 * sent the scripted guest of test/helpers/net-guest.ts (recorded by record.ts next to it); the
 * same conversation with sel4ts's UserNetwork and its host sockets must give the same frames,
 * byte for byte, except the host client's ephemeral ports (and so the TCP/UDP checksums).
 */

const RECORDED: Step[] = JSON.parse(readFileSync(join(import.meta.dirname, 'conformance', 'net', 'slirp.json'), 'utf8'));
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** A frame from the network with the host's ephemeral port (TCP/UDP source port, not DHCP's 67) and the transport checksum zeroed, after checking that checksum. */
function normalised(hex: string): string {
  const f = bytes(hex);
  const eth = parseEthernet(f)!;
  const ip = eth.etherType === 0x0800 ? parseIpv4(eth.payload) : undefined;
  if (ip && typeof ip !== 'string' && (ip.protocol === IPPROTO.TCP || ip.protocol === IPPROTO.UDP)) {
    expect(transportChecksum(ip.src, ip.dst, ip.protocol, ip.payload), `checksum of ${hex}`).toBe(0);
    const at = 14 + 20;
    if (((f[at]! << 8) | f[at + 1]!) !== 67) f.fill(0, at, at + 2);
    const sum = at + (ip.protocol === IPPROTO.TCP ? 16 : 6);
    f.fill(0, sum, sum + 2);
  }
  return Buffer.from(f).toString('hex');
}

let sockets: OpenSockets | undefined;
afterEach(() => {
  sockets?.close();
  sockets = undefined;
});

describe('checksums against known packets', () => {
  it("the IPv4 header checksum of RFC 1071's kind: a textbook header (0xb861) and every header QEMU's slirp sent", () => {
    const header = bytes('450000730000400040110000c0a80001c0a800c7');
    expect(internetChecksum(header)).toBe(0xb861);
    header.set([0xb8, 0x61], 10);
    expect(internetChecksum(header)).toBe(0);
    // An odd length pads with zero; carries fold more than once.
    expect(internetChecksum(new Uint8Array([0x01]))).toBe(0xfeff);
    expect(finishChecksum(onesSum(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00, 0x02])))).toBe(0xfffd);
  });

  it('the ICMP, UDP and TCP checksums of the recorded frames verify, and recomputing them gives the same values', () => {
    let checked = 0;
    for (const step of RECORDED) {
      for (const hex of [...step.received, ...step.sent]) {
        const eth = parseEthernet(bytes(hex))!;
        if (eth.etherType !== 0x0800) continue;
        const ip = parseIpv4(eth.payload);
        expect(typeof ip, hex).toBe('object');
        if (typeof ip === 'string') continue;
        const p = ip.payload.slice();
        if (ip.protocol === IPPROTO.ICMP) {
          const field = (p[2]! << 8) | p[3]!;
          p.fill(0, 2, 4);
          expect(internetChecksum(p)).toBe(field);
        } else {
          const at = ip.protocol === IPPROTO.TCP ? 16 : 6;
          const field = (p[at]! << 8) | p[at + 1]!;
          p.fill(0, at, at + 2);
          expect(transportChecksum(ip.src, ip.dst, ip.protocol, p) || 0xffff).toBe(field);
          expect(ip.protocol === IPPROTO.TCP ? parseTcp(ip.src, ip.dst, ip.payload) : parseUdp(ip.src, ip.dst, ip.payload)).toBeDefined();
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});

describe('user networking: the conversation QEMU 7.2 recorded', () => {
  it("ARP, DHCP, ping, a TCP echo and a UDP echo through hostfwd: slirp's frames, byte for byte", async () => {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    const net = new UserNetwork(GUEST_MAC);
    sockets = await openUser(parseUserSpec(`user,hostfwd=tcp:127.0.0.1:${tcpPort}-:1236,hostfwd=udp:127.0.0.1:${udpPort}-:1235`).hostfwd, net);
    const steps = await converse(backendLink(net), tcpPort, udpPort);
    expect(steps.map((s) => s.step)).toEqual(RECORDED.map((s) => s.step));
    for (const [i, s] of steps.entries()) {
      expect(s.received.map(normalised), s.step).toEqual(RECORDED[i]!.received.map(normalised));
    }
    expect(net.counters()).toEqual([
      ['dhcp replies', 2],
      ['arp replies', 2],
      ['echo replies', 1],
      ['tcp connections', 1],
      ['tcp resets', 0],
      ['tcp retransmissions', 0],
      ['udp to guest', 1],
      ['udp from guest', 1],
      ['dropped by slirp', 0],
    ]);
  });
});

describe('user networking through the virtio-net device', () => {
  it('the same conversation through a driver on the device (receive buffers, transmit queue, virtio_net_hdr): the same frames; the counters', async () => {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    const net = new UserNetwork(GUEST_MAC);
    const device = new VirtioNet(net, GUEST_MAC);
    const machine = new Machine({ virtio: { devices: [device], forceLegacy: false } });
    const driver = new TestVirtioDriver(machine, 0x0a003e00, { legacy: false });
    driver.init(2);
    sockets = await openUser(parseUserSpec(`user,hostfwd=tcp:127.0.0.1:${tcpPort}-:1236,hostfwd=udp:127.0.0.1:${udpPort}-:1235`).hostfwd, net);
    expect(device.hostIo?.open).toBe(true);
    const steps = await converse(deviceLink(driver, net.inbox), tcpPort, udpPort);
    for (const [i, s] of steps.entries()) expect(s.received.map(normalised), s.step).toEqual(RECORDED[i]!.received.map(normalised));
    const counters = Object.fromEntries(device.counters());
    expect(counters).toMatchObject({ 'frames in': 12, 'frames out': 9, 'dhcp replies': 2, 'tcp connections': 1, dropped: 0 });
    sockets.close();
    sockets = undefined;
    expect(device.hostIo?.open).toBe(false);
  });
});

describe('user networking: DHCP, ARP and what the gateway leaves alone', () => {
  const take = (net: UserNetwork) => {
    const f = net.peek();
    net.take();
    return f;
  };

  it('a REQUEST for another address gets a NAK; one for another server is not answered', () => {
    const net = new UserNetwork(GUEST_MAC);
    const request = (extra: number[]) => guestIp(0xffffffff, IPPROTO.UDP, udpDatagram(0, 0xffffffff, { srcPort: 68, dstPort: 67, payload: dhcpMessage(3, 7, extra) }), 0);
    net.send({ timeNs: 5, bytes: request([50, 4, 10, 0, 2, 99]) });
    const nak = take(net)!;
    expect(nak.timeNs).toBe(5);
    const eth = parseEthernet(nak.bytes)!;
    const ip = parseIpv4(eth.payload);
    if (typeof ip === 'string') throw new Error(ip);
    const reply = parseUdp(ip.src, ip.dst, ip.payload)!.payload;
    expect(reply[242]).toBe(6); // option 53 = DHCPNAK
    expect(reply.subarray(16, 20)).toEqual(new Uint8Array(4)); // no yiaddr
    net.send({ timeNs: 6, bytes: request([50, 4, 10, 0, 2, 15, 54, 4, 10, 0, 2, 9]) });
    expect(net.peek()).toBeUndefined();
    expect(parseDhcp(dhcpMessage(3, 7, [50, 4, 10, 0, 2, 15]))).toMatchObject({ messageType: 3, xid: 7, requestedIp: SLIRP_NET.guest });
  });

  it("two clients on one link (sDDF's echo_server has two lwIP clients) get slirp's 10.0.2.15 and 10.0.2.16, and frames for each go to its MAC", () => {
    const net = new UserNetwork(GUEST_MAC);
    const SECOND_MAC = new Uint8Array([0x52, 0x54, 0x01, 0x00, 0x00, 0x01]);
    const dhcp = (mac: Uint8Array, type: number, extra: number[] = []) => {
      const m = dhcpMessage(type, 7, extra);
      m.set(mac, 28);
      net.send({ timeNs: 0, bytes: guestIp(0xffffffff, IPPROTO.UDP, udpDatagram(0, 0xffffffff, { srcPort: 68, dstPort: 67, payload: m }), 0) });
      const reply = take(net)!;
      const ip = parseIpv4(parseEthernet(reply.bytes)!.payload);
      if (typeof ip === 'string') throw new Error(ip);
      const p = parseUdp(ip.src, ip.dst, ip.payload)!.payload;
      return { type: p[242], yiaddr: new DataView(p.buffer, p.byteOffset).getUint32(16) };
    };
    expect(dhcp(GUEST_MAC, 1)).toEqual({ type: 2, yiaddr: 0x0a00020f });
    expect(dhcp(SECOND_MAC, 1)).toEqual({ type: 2, yiaddr: 0x0a000210 });
    expect(dhcp(SECOND_MAC, 3, [50, 4, 10, 0, 2, 16])).toEqual({ type: 5, yiaddr: 0x0a000210 });
    // The first client's address is taken: a NAK, as slirp's request_addr gives.
    expect(dhcp(SECOND_MAC, 3, [50, 4, 10, 0, 2, 15]).type).toBe(6);
    // A REQUEST naming no address (and no ciaddr) gets the address the MAC holds.
    expect(dhcp(GUEST_MAC, 3)).toEqual({ type: 5, yiaddr: 0x0a00020f });
    // Asking again is stable; a third MAC gets the next free slot.
    expect(dhcp(SECOND_MAC, 1).yiaddr).toBe(0x0a000210);
    expect(dhcp(new Uint8Array([2, 0, 0, 0, 0, 3]), 1).yiaddr).toBe(0x0a000211);
    // Host datagrams to each address go to that client's MAC.
    net.udpToGuest(1, 0x0a000210, 1235, 5000, new Uint8Array([1]));
    expect(parseEthernet(take(net)!.bytes)!.dst).toEqual(SECOND_MAC);
    net.udpToGuest(1, 0x0a00020f, 1235, 5000, new Uint8Array([1]));
    expect(parseEthernet(take(net)!.bytes)!.dst).toEqual(GUEST_MAC);
  });

  it("learns a MAC from the guest's ARP (a gratuitous announcement, a reply), as slirp's ARP table does", () => {
    const net = new UserNetwork(GUEST_MAC);
    const mac = new Uint8Array([0x52, 0x54, 0x02, 0, 0, 9]);
    const announce = ethernetFrame(BROADCAST_MAC, mac, ETHERTYPE.ARP, arpPacket({ op: ARP_OP.REQUEST, sha: mac, spa: 0x0a000220, tha: new Uint8Array(6), tpa: 0x0a000220 }));
    net.send({ timeNs: 0, bytes: announce });
    expect(net.peek()).toBeUndefined();
    // Another client speaks last: the announced address still goes to its own MAC.
    net.send({ timeNs: 0, bytes: echoRequest(GATEWAY, 1, 1, new Uint8Array(4)) });
    expect(parseEthernet(take(net)!.bytes)!.dst).toEqual(GUEST_MAC);
    net.udpToGuest(1, 0x0a000220, 7, 5000, new Uint8Array([1]));
    expect(parseEthernet(take(net)!.bytes)!.dst).toEqual(mac);
    // An address nobody announced goes to the last MAC that sent anything.
    net.udpToGuest(1, 0x0a000230, 7, 5000, new Uint8Array([1]));
    expect(parseEthernet(take(net)!.bytes)!.dst).toEqual(GUEST_MAC);
  });

  it('ARP for other addresses, frames for other MACs, bad checksums and a ping with a bad checksum get nothing', () => {
    const net = new UserNetwork(GUEST_MAC);
    net.send({ timeNs: 0, bytes: arpRequest(0x0a000209) });
    const ping = echoRequest(GATEWAY, 1, 1, new Uint8Array(4));
    const other = ping.slice();
    other[0] = 0x02;
    net.send({ timeNs: 0, bytes: other });
    const badIp = ping.slice();
    badIp[24] = badIp[24]! ^ 1;
    net.send({ timeNs: 0, bytes: badIp });
    const badIcmp = ping.slice();
    badIcmp[42] = badIcmp[42]! ^ 1;
    net.send({ timeNs: 0, bytes: badIcmp });
    expect(net.peek()).toBeUndefined();
    expect(net.stats.dropped).toBe(1);
  });

  it('a SYN to a port with no forwarding is refused with RST (no outbound NAT)', () => {
    const net = new UserNetwork(GUEST_MAC);
    net.send({ timeNs: 0, bytes: guestTcp({ srcPort: 40000, dstPort: 80, seq: 1000, ack: 0, flags: TCP_FLAG.SYN, window: 1000, payload: new Uint8Array() }) });
    const rst = net.peek()!;
    const ip = parseIpv4(parseEthernet(rst.bytes)!.payload);
    if (typeof ip === 'string') throw new Error(ip);
    expect(ip.dst).toBe(GUEST);
    expect(parseTcp(ip.src, ip.dst, ip.payload)).toMatchObject({ srcPort: 80, dstPort: 40000, flags: TCP_FLAG.RST | TCP_FLAG.ACK, ack: 1001 });
  });
});
