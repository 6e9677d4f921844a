import { macEqual } from './ethernet.js';

/** slirp's NB_BOOTP_CLIENTS: the addresses it hands out, from its first DHCP address on. */
const NB_BOOTP_CLIENTS = 16;

/**
 * The addresses slirp's DHCP server hands out (its bootp_clients table): slot i is the first
 * DHCP address + i, allocated to the MAC that took it. Leases never expire within a run.
 */
export class DhcpLeases {
  private readonly macs: (Uint8Array | undefined)[] = new Array(NB_BOOTP_CLIENTS).fill(undefined);

  constructor(private readonly first: number) {}

  /** slirp's request_addr: `address` for `mac` if it is one of ours and free or already `mac`'s. */
  request(address: number, mac: Uint8Array): number | undefined {
    const i = address - this.first;
    if (i < 0 || i >= NB_BOOTP_CLIENTS) return undefined;
    const holder = this.macs[i];
    if (holder !== undefined && !macEqual(holder, mac)) return undefined;
    this.macs[i] = mac.slice();
    return address;
  }

  /** slirp's get_new_addr: the first slot that is free or already `mac`'s; undefined when all are taken. */
  newAddress(mac: Uint8Array): number | undefined {
    const i = this.macs.findIndex((m) => m === undefined || macEqual(m, mac));
    if (i < 0) return undefined;
    this.macs[i] = mac.slice();
    return this.first + i;
  }

  /** slirp's find_addr: the address `mac` holds. */
  find(mac: Uint8Array): number | undefined {
    const i = this.macs.findIndex((m) => m !== undefined && macEqual(m, mac));
    return i < 0 ? undefined : this.first + i;
  }
}
