import { parseIpv4Address } from '../../machine/net/ipv4.js';
import { SLIRP_NET } from '../../machine/net/slirp.js';
import { UsageError } from '../io.js';
import { keyValuePairs, onOff } from './key-values.js';

/**
 * `--netdev stream,…` and `--netdev user,…`, spelled as QEMU 7.2's `-netdev` (qapi/net.json:
 * NetdevStreamOptions with a SocketAddress `addr`; NetdevUserOptions' `hostfwd`):
 *
 *   stream,server=on|off,addr.type=inet,addr.host=HOST,addr.port=PORT
 *   stream,server=on|off,addr.type=unix,addr.path=PATH
 *   user[,hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...
 *
 * plus `id=` (ignored, as sel4ts pairs each netdev with its own device) and `mac=` (the
 * device's, QEMU's `-device virtio-net-device,mac=`).
 */

export type StreamAddress = { type: 'inet'; host: string; port: number } | { type: 'unix'; path: string };

export interface StreamSpec {
  kind: 'stream';
  server: boolean;
  addr: StreamAddress;
}

export interface HostForward {
  protocol: 'tcp' | 'udp';
  /** Where the host listens (QEMU's default: every address, 0.0.0.0). */
  hostAddr: string;
  hostPort: number;
  /** The guest's address (default 10.0.2.15, the address DHCP gives it). */
  guestAddr: number;
  guestPort: number;
}

export interface UserSpec {
  kind: 'user';
  hostfwd: HostForward[];
}

/** The `key=value` parts after the backend, in order (a key may repeat: hostfwd). */
function parts(spec: string): [string, string][] {
  return keyValuePairs('--netdev', spec, 'backend').slice(1);
}

function port(spec: string, key: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new UsageError(`--netdev '${spec}': ${key}=${text} is not a port number (1 to 65535)`);
  return Number(text);
}

export function parseStreamSpec(spec: string): StreamSpec {
  const kv = new Map<string, string>();
  for (const [k, v] of parts(spec)) {
    if (!['id', 'mac', 'server', 'addr.type', 'addr.host', 'addr.port', 'addr.path'].includes(k)) {
      throw new UsageError(`--netdev '${spec}': unknown key '${k}' (known: server, addr.type, addr.host, addr.port, addr.path, mac)`);
    }
    kv.set(k, v);
  }
  const server = onOff('--netdev', 'server', kv.get('server'));
  const type = kv.get('addr.type');
  if (type === 'inet') {
    const host = kv.get('addr.host');
    const portText = kv.get('addr.port');
    if (host === undefined || portText === undefined) throw new UsageError(`--netdev '${spec}': addr.type=inet needs addr.host=HOST and addr.port=PORT`);
    return { kind: 'stream', server, addr: { type: 'inet', host, port: port(spec, 'addr.port', portText) } };
  }
  if (type === 'unix') {
    const path = kv.get('addr.path');
    if (!path) throw new UsageError(`--netdev '${spec}': addr.type=unix needs addr.path=PATH`);
    return { kind: 'stream', server, addr: { type: 'unix', path } };
  }
  throw new UsageError(`--netdev '${spec}': give addr.type=inet,addr.host=HOST,addr.port=PORT or addr.type=unix,addr.path=PATH`);
}

export function parseUserSpec(spec: string): UserSpec {
  const hostfwd: HostForward[] = [];
  for (const [k, v] of parts(spec)) {
    if (k === 'id' || k === 'mac') continue;
    if (k !== 'hostfwd') throw new UsageError(`--netdev '${spec}': unknown key '${k}' (sel4ts's user networking has hostfwd and mac; the network is QEMU's default 10.0.2.0/24)`);
    const m = /^(tcp|udp|):([^:]*):([^-]*)-([^:]*):(.*)$/.exec(v);
    if (!m) throw new UsageError(`--netdev '${spec}': hostfwd=${v} is not [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (e.g. tcp::1236-:1236)`);
    const guestAddr = m[4] === '' ? SLIRP_NET.guest : parseIpv4Address(m[4]!);
    if (guestAddr === undefined || (guestAddr & SLIRP_NET.mask) !== SLIRP_NET.network) throw new UsageError(`--netdev '${spec}': hostfwd=${v}: the guest address ${m[4]} is not in 10.0.2.0/24`);
    if (m[2] !== '' && parseIpv4Address(m[2]!) === undefined) throw new UsageError(`--netdev '${spec}': hostfwd=${v}: the host address ${m[2]} is not an IPv4 address`);
    hostfwd.push({ protocol: m[1] === 'udp' ? 'udp' : 'tcp', hostAddr: m[2] || '0.0.0.0', hostPort: port(spec, 'hostfwd host port', m[3]!), guestAddr, guestPort: port(spec, 'hostfwd guest port', m[5]!) });
  }
  return { kind: 'user', hostfwd };
}
