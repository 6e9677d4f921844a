import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lstatSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { StreamNetwork } from '../../machine/net/stream.js';
import type { UserNetwork } from '../../machine/net/slirp.js';
import type { TcpConnection } from '../../machine/net/tcp-connection.js';
import { InputError } from '../io.js';
import type { HostForward, StreamAddress, StreamSpec } from './netdev-options.js';

/**
 * The host sockets behind `--netdev stream` and `--netdev user` (hostfwd). Everything that
 * can fail at the start fails here, before the run, as an InputError naming the option: a
 * port in use, a peer that refuses or does not answer. Socket callbacks run in wall-clock
 * time and reach the machine through the backend's inbox (src/machine/net/host-inbox.ts).
 */

/** How long a stream client waits for its peer before the run is refused. */
const CONNECT_TIMEOUT_MS = 5000;

export interface OpenSockets {
  close(): void;
}

function describe(addr: StreamAddress): string {
  return addr.type === 'inet' ? `${addr.host}:${addr.port}` : addr.path;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return 'the address is in use (another program, or another run, listens there)';
  if (code === 'ECONNREFUSED') return 'the connection was refused (nothing listens there; start the server side first)';
  if (code === 'ENOENT') return 'no such socket (start the server side first)';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EADDRNOTAVAIL') return 'the address is not one of this host';
  if (code === 'ENOTFOUND') return 'the host name is not known';
  return code ?? (e instanceof Error ? e.message : String(e));
}

function listen(server: Server | UdpSocket, what: string, bind: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => reject(new InputError(`${what}: cannot listen: ${errnoText(e)}`));
    server.once('error', fail);
    server.once('listening', () => {
      server.off('error', fail);
      resolve();
    });
    bind();
  });
}

/** Feed a connected socket's bytes to the stream backend, and the guest's frames to it. */
function attachPeer(net: StreamNetwork, socket: Socket, warn: (m: string) => void, onClose: () => void): void {
  net.inbox.openSockets++;
  socket.setNoDelay(true);
  net.connected((bytes) => socket.write(bytes));
  socket.on('data', (chunk: Buffer) => {
    const problem = net.received(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (problem !== undefined) {
      warn(`--netdev stream: ${problem}; the connection is dropped`);
      socket.destroy();
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    net.inbox.openSockets--;
    net.disconnected();
    onClose();
  });
}

/** `stream,server=on`: listen, one peer at a time (as QEMU, which stops listening while connected); `server=off`: connect now. */
export async function openStream(spec: StreamSpec, net: StreamNetwork, warn: (m: string) => void): Promise<OpenSockets> {
  const what = `--netdev stream ${spec.server ? 'server' : 'client'} ${describe(spec.addr)}`;
  if (spec.server) {
    const server = createServer();
    let peer: Socket | undefined;
    server.on('connection', (socket) => {
      if (peer) {
        socket.destroy();
        return;
      }
      peer = socket;
      attachPeer(net, socket, warn, () => (peer = undefined));
    });
    const addr = spec.addr;
    if (addr.type === 'unix') removeStaleSocket(addr.path, what);
    await listen(server, what, () => (addr.type === 'inet' ? server.listen(addr.port, addr.host) : server.listen(addr.path)));
    net.inbox.openSockets++;
    return {
      close() {
        peer?.destroy();
        server.close();
        net.inbox.openSockets--;
      },
    };
  }
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = spec.addr.type === 'inet' ? connect(spec.addr.port, spec.addr.host) : connect(spec.addr.path);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new InputError(`${what}: the peer did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`));
    }, CONNECT_TIMEOUT_MS);
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new InputError(`${what}: cannot connect: ${errnoText(e)}`));
    });
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
  });
  attachPeer(net, socket, warn, () => {});
  return { close: () => socket.destroy() };
}

/** QEMU removes a stale Unix socket before it listens; anything else at the path is an error. */
function removeStaleSocket(path: string, what: string): void {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new InputError(`${what}: ${path} exists and is not a socket`);
  unlinkSync(path);
}

/** hostfwd: listen on every rule's host port; connections and datagrams are forwarded to the guest. */
export async function openUser(rules: readonly HostForward[], net: UserNetwork): Promise<OpenSockets> {
  const closers: (() => void)[] = [];
  const close = () => {
    for (const c of closers.splice(0)) c();
  };
  const udpRules: { rule: HostForward; socket: UdpSocket; peers: Map<number, { address: string; port: number }> }[] = [];
  net.host = {
    udpFromGuest(guestPort, dstPort, payload) {
      for (const r of udpRules) {
        const peer = r.rule.guestPort === guestPort ? r.peers.get(dstPort) : undefined;
        if (peer) r.socket.send(payload, peer.port, peer.address);
      }
    },
  };
  try {
    for (const rule of rules) {
      const what = `--netdev user hostfwd=${rule.protocol}:${rule.hostAddr}:${rule.hostPort}`;
      if (rule.protocol === 'tcp') {
        // Half-open allowed: after the host client's FIN the guest's reply still reaches it.
        const server = createServer({ allowHalfOpen: true }, (socket) => forwardTcp(socket, rule, net));
        await listen(server, what, () => server.listen(rule.hostPort, rule.hostAddr));
        net.inbox.openSockets++;
        closers.push(() => {
          server.close();
          net.inbox.openSockets--;
        });
      } else {
        const socket = createSocket('udp4');
        const peers = new Map<number, { address: string; port: number }>();
        socket.on('message', (msg, rinfo) => {
          // The guest sees the datagram come from 10.0.2.2 and the sender's port (as slirp), another port if two senders share it.
          let srcPort = rinfo.port;
          for (let p = peers.get(srcPort); p && (p.address !== rinfo.address || p.port !== rinfo.port); p = peers.get(srcPort)) srcPort = srcPort >= 65535 ? 1024 : srcPort + 1;
          peers.set(srcPort, { address: rinfo.address, port: rinfo.port });
          const payload = new Uint8Array(msg);
          net.inbox.post((now) => net.udpToGuest(now, rule.guestAddr, rule.guestPort, srcPort, payload));
        });
        await listen(socket, what, () => socket.bind(rule.hostPort, rule.hostAddr));
        udpRules.push({ rule, socket, peers });
        net.inbox.openSockets++;
        closers.push(() => {
          socket.close();
          net.inbox.openSockets--;
        });
      }
    }
  } catch (e) {
    close();
    throw e;
  }
  return { close };
}

/** One host client of a TCP hostfwd: a connection from 10.0.2.2 to the guest, bytes both ways. */
function forwardTcp(socket: Socket, rule: HostForward, net: UserNetwork): void {
  net.inbox.openSockets++;
  socket.setNoDelay(true);
  let connection: TcpConnection | undefined;
  net.inbox.post((now) => {
    connection = net.tcpConnect(now, rule.guestAddr, rule.guestPort, socket.remotePort ?? 1024, {
      data: (bytes) => socket.write(bytes),
      end: () => socket.end(),
      reset: () => socket.resetAndDestroy(),
    });
  });
  socket.on('data', (chunk: Buffer) => {
    const bytes = new Uint8Array(chunk);
    net.inbox.post((now) => connection?.write(bytes, now));
  });
  socket.on('end', () => net.inbox.post((now) => connection?.end(now)));
  socket.on('error', () => {});
  // A Node socket emits 'close' once.
  socket.on('close', (hadError) => {
    net.inbox.openSockets--;
    if (hadError) net.inbox.post(() => connection?.abort());
    net.inbox.wake();
  });
}
