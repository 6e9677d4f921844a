/**
 * A DHCP server for one network (RFC 2131, options of RFC 2132) as slirp's: it offers and
 * acknowledges one address per client MAC, with the gateway as router and server identifier,
 * the DNS address, a /24 mask and slirp's 24-hour lease.
 */

export const DHCP_PORT = { SERVER: 67, CLIENT: 68 } as const;
export const DHCP_MESSAGE = { DISCOVER: 1, OFFER: 2, REQUEST: 3, DECLINE: 4, ACK: 5, NAK: 6, RELEASE: 7, INFORM: 8 } as const;
const DHCP_OPTION = { PAD: 0, SUBNET_MASK: 1, ROUTER: 3, DNS: 6, REQUESTED_IP: 50, LEASE_TIME: 51, MESSAGE_TYPE: 53, SERVER_ID: 54, END: 255 } as const;
const MAGIC_COOKIE = 0x63825363;
/** op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr[16], sname[64], file[128]. */
const BOOTP_FIXED = 236;
/** slirp's struct bootp_t has 312 bytes of vendor options, so every reply is 548 bytes long. */
const BOOTP_VEND = 312;
/** slirp's LEASE_TIME. */
const DHCP_LEASE_SECONDS = 24 * 3600;

export interface DhcpRequest {
  readonly messageType: number;
  readonly xid: number;
  readonly flags: number;
  readonly ciaddr: number;
  readonly chaddr: Uint8Array;
  /** Option 50, when present. */
  readonly requestedIp?: number;
  /** Option 54, when present. */
  readonly serverId?: number;
}

/** A BOOTREQUEST carrying a DHCP message type, or undefined. */
export function parseDhcp(p: Uint8Array): DhcpRequest | undefined {
  if (p.length < BOOTP_FIXED + 4 || p[0] !== 1 || p[1] !== 1 || p[2] !== 6) return undefined;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (v.getUint32(BOOTP_FIXED) !== MAGIC_COOKIE) return undefined;
  let messageType: number | undefined;
  let requestedIp: number | undefined;
  let serverId: number | undefined;
  for (let i = BOOTP_FIXED + 4; i < p.length; ) {
    const code = p[i]!;
    if (code === DHCP_OPTION.END) break;
    if (code === DHCP_OPTION.PAD) {
      i++;
      continue;
    }
    const length = p[i + 1];
    if (length === undefined || i + 2 + length > p.length) break;
    if (code === DHCP_OPTION.MESSAGE_TYPE && length === 1) messageType = p[i + 2];
    if (code === DHCP_OPTION.REQUESTED_IP && length === 4) requestedIp = v.getUint32(i + 2);
    if (code === DHCP_OPTION.SERVER_ID && length === 4) serverId = v.getUint32(i + 2);
    i += 2 + length;
  }
  if (messageType === undefined) return undefined;
  return { messageType, xid: v.getUint32(4), flags: v.getUint16(10), ciaddr: v.getUint32(12), chaddr: p.slice(28, 34), requestedIp, serverId };
}

export interface DhcpNetwork {
  readonly server: number;
  readonly mask: number;
  readonly dns: number;
}

/** The BOOTREPLY (OFFER, ACK or NAK) for `request`, giving `yiaddr`. */
export function dhcpReply(request: DhcpRequest, type: number, yiaddr: number, net: DhcpNetwork): Uint8Array {
  const p = new Uint8Array(BOOTP_FIXED + BOOTP_VEND);
  const v = new DataView(p.buffer);
  p[0] = 2; // BOOTREPLY
  p[1] = 1;
  p[2] = 6;
  v.setUint32(4, request.xid);
  // secs and flags stay zero, as slirp's.
  if (type !== DHCP_MESSAGE.NAK) {
    v.setUint32(16, yiaddr);
    v.setUint32(20, net.server);
  }
  p.set(request.chaddr, 28);
  v.setUint32(BOOTP_FIXED, MAGIC_COOKIE);
  let at = BOOTP_FIXED + 4;
  const option = (code: number, bytes: number[]) => {
    p[at] = code;
    p[at + 1] = bytes.length;
    p.set(bytes, at + 2);
    at += 2 + bytes.length;
  };
  const u32 = (x: number) => [x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff];
  option(DHCP_OPTION.MESSAGE_TYPE, [type]);
  option(DHCP_OPTION.SERVER_ID, u32(net.server));
  if (type !== DHCP_MESSAGE.NAK) {
    option(DHCP_OPTION.SUBNET_MASK, u32(net.mask));
    option(DHCP_OPTION.ROUTER, u32(net.server));
    option(DHCP_OPTION.DNS, u32(net.dns));
    option(DHCP_OPTION.LEASE_TIME, u32(DHCP_LEASE_SECONDS));
  }
  p[at] = DHCP_OPTION.END;
  return p;
}
