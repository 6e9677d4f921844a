import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStream, type OpenSockets } from '../src/cli/run/netdev-sockets.js';
import { parseStreamSpec } from '../src/cli/run/netdev-options.js';
import { StreamNetwork } from '../src/machine/net/stream.js';
import { freePort } from './helpers/free-port.js';
import { converse, GUEST_TCP_PORT, GUEST_UDP_PORT, type Step } from './helpers/net-guest.js';
import { backendLink } from './helpers/net-link.js';
import { oracle } from './helpers/oracles.js';

/**
 * `--netdev stream`: two sel4ts backends wired together (TCP and Unix sockets, either side the
 * server), the errors before a run, and against QEMU 7.2's `-netdev stream` (both ways round):
 * QEMU's user networking behind it answers the scripted guest as test/conformance/net/slirp.json
 * recorded.
 */

const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-stream-'));
const open: OpenSockets[] = [];
const others: (Server | ChildProcess)[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
  for (const o of others.splice(0)) 'kill' in o ? o.kill() : o.close();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const warnings: string[] = [];
const warn = (m: string) => warnings.push(m);
const text = (s: string) => new TextEncoder().encode(s);

async function stream(spec: string): Promise<StreamNetwork> {
  const net = new StreamNetwork();
  open.push(await openStream(parseStreamSpec(spec), net, warn));
  return net;
}

/** The frames a backend has received by now (polled at virtual time `now`). */
async function received(net: StreamNetwork, count: number, now = 0): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < 300 && out.length < count; i++) {
    net.poll(now);
    for (let f = net.peek(); f; f = net.peek()) {
      expect(f.timeNs).toBe(now);
      out.push(new TextDecoder().decode(f.bytes));
      net.take();
    }
    if (out.length < count) await Promise.race([net.inbox.wait(), new Promise((r) => setTimeout(r, 10))]);
  }
  return out;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('--netdev stream between two sel4ts backends', () => {
  it('TCP: frames both ways, stamped with the virtual time of the poll that took them in; the counters', async () => {
    const port = await freePort();
    const server = await stream(`stream,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=${port}`);
    expect(server.hostIo.open).toBe(true);
    server.send({ timeNs: 0, bytes: text('lost') });
    const client = await stream(`stream,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=${port}`);
    await until(() => server.stats.connections === 1);
    client.send({ timeNs: 0, bytes: text('one') });
    client.send({ timeNs: 0, bytes: text('two') });
    expect(await received(server, 2, 5000)).toEqual(['one', 'two']);
    server.send({ timeNs: 0, bytes: text('three') });
    expect(await received(client, 1, 7000)).toEqual(['three']);
    expect(server.counters()).toEqual([
      ['connections', 1],
      ['frames from peer', 2],
      ['frames to peer', 1],
      ['dropped without peer', 1],
      ['dropped queue full', 0],
    ]);
    // The server goes away: the client's backend is closed (an idle run may end), the server's listener was open until then.
    open.shift()!.close();
    await until(() => !client.hostIo.open);
    expect(client.hostIo.open).toBe(false);
  });

  it('Unix socket: a stale socket file is replaced; one peer at a time; a bad frame length drops the connection with a warning', async () => {
    const path = join(tmp, 'net.sock');
    // A stale socket, as a killed QEMU leaves: a process listens there and dies without cleaning up.
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(lstatSync(path).isSocket()).toBe(true);
    const server = await stream(`stream,server=on,addr.type=unix,addr.path=${path}`);
    const client = await stream(`stream,server=off,addr.type=unix,addr.path=${path}`);
    const second = await stream(`stream,server=off,addr.type=unix,addr.path=${path}`);
    await until(() => !second.hostIo.open);
    expect(second.hostIo.open).toBe(false);
    client.send({ timeNs: 0, bytes: text('via unix') });
    expect(await received(server, 1)).toEqual(['via unix']);
    const { connect } = await import('node:net');
    open.splice(1, 1)[0]!.close();
    await until(() => server.stats.connections === 1 && !client.hostIo.open);
    const rogue = connect(path);
    await until(() => server.stats.connections === 2);
    rogue.write(new Uint8Array([0xff, 0, 0, 0]));
    await until(() => warnings.length > 0);
    expect(warnings).toEqual(['--netdev stream: a frame length of 4278190080 bytes (more than 69632): not a QEMU netdev stream; the connection is dropped']);
    rogue.destroy();
  });
});

describe('--netdev stream: errors before the run', () => {
  it('a busy port, a refused connection, a missing socket, a path that is not a socket', async () => {
    const busy = createServer();
    others.push(busy);
    const port = await new Promise<number>((r) => busy.listen(0, '127.0.0.1', () => r((busy.address() as { port: number }).port)));
    await expect(stream(`stream,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=${port}`)).rejects.toThrow(`--netdev stream server 127.0.0.1:${port}: cannot listen: the address is in use (another program, or another run, listens there)`);
    const free = await freePort();
    await expect(stream(`stream,addr.type=inet,addr.host=127.0.0.1,addr.port=${free}`)).rejects.toThrow(`--netdev stream client 127.0.0.1:${free}: cannot connect: the connection was refused (nothing listens there; start the server side first)`);
    await expect(stream(`stream,addr.type=unix,addr.path=${join(tmp, 'none.sock')}`)).rejects.toThrow(`cannot connect: no such socket (start the server side first)`);
    writeFileSync(join(tmp, 'file'), 'x');
    await expect(stream(`stream,server=on,addr.type=unix,addr.path=${join(tmp, 'file')}`)).rejects.toThrow(`${join(tmp, 'file')} exists and is not a socket`);
  });

  it('option spellings as QEMU 7.2: server=on|off, addr.type=inet|unix and their keys', () => {
    expect(parseStreamSpec('stream,id=n0,server=on,addr.type=inet,addr.host=localhost,addr.port=1234')).toEqual({ kind: 'stream', server: true, addr: { type: 'inet', host: 'localhost', port: 1234 } });
    expect(parseStreamSpec('stream,addr.type=unix,addr.path=/tmp/s')).toEqual({ kind: 'stream', server: false, addr: { type: 'unix', path: '/tmp/s' } });
    expect(() => parseStreamSpec('stream,addr.type=inet,addr.port=1')).toThrow('addr.type=inet needs addr.host=HOST and addr.port=PORT');
    expect(() => parseStreamSpec('stream,addr.type=fd,addr.str=3')).toThrow("unknown key 'addr.str'");
    expect(() => parseStreamSpec('stream,addr.type=vsock')).toThrow('give addr.type=inet,addr.host=HOST,addr.port=PORT or addr.type=unix,addr.path=PATH');
    expect(() => parseStreamSpec('stream,server=yes,addr.type=unix,addr.path=x')).toThrow('server=yes: give on or off');
    expect(() => parseStreamSpec('stream,addr.type=inet,addr.host=h,addr.port=70000')).toThrow('addr.port=70000 is not a port number');
  });
});

const qemu = spawnSync('qemu-system-aarch64', ['--version']).status === 0;
const RECORDED: Step[] = JSON.parse(readFileSync(join(import.meta.dirname, 'conformance', 'net', 'slirp.json'), 'utf8'));

/** QEMU without a machine: its user networking (two hostfwd rules) and a stream netdev on one hub. */
function startQemu(stream: string, tcpPort: number, udpPort: number): ChildProcess {
  const q = spawn(
    'qemu-system-aarch64',
    [
      ...['-M', 'none', '-display', 'none', '-monitor', 'none', '-serial', 'none'],
      ...['-netdev', `user,id=u,hostfwd=tcp:127.0.0.1:${tcpPort}-:${GUEST_TCP_PORT},hostfwd=udp:127.0.0.1:${udpPort}-:${GUEST_UDP_PORT}`],
      ...['-netdev', `stream,id=s,${stream}`, '-netdev', 'hubport,id=h0,hubid=0,netdev=u', '-netdev', 'hubport,id=h1,hubid=0,netdev=s'],
    ],
    { stdio: 'ignore' },
  );
  others.push(q);
  return q;
}

/** The steps' frames with the host's ephemeral ports and the transport checksums left out (as test/net-user.test.ts). */
function shape(steps: Step[]): string[][] {
  return steps.map((s) =>
    s.received.map((h) => {
      const f = Buffer.from(h, 'hex');
      if (f.readUInt16BE(12) === 0x0800 && (f[23] === 6 || f[23] === 17)) {
        if (f.readUInt16BE(34) !== 67) f.writeUInt16BE(0, 34);
        f.writeUInt16BE(0, f[23] === 6 ? 50 : 40);
      }
      return f.toString('hex');
    }),
  );
}

describe.skipIf(!oracle('qemu-system-aarch64', qemu, '--netdev stream against QEMU 7.2'))("--netdev stream against QEMU 7.2's -netdev stream", () => {
  it("sel4ts connects to QEMU listening (server=on there): the guest talks to QEMU's slirp through it", async () => {
    const [streamPort, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
    startQemu(`server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=${streamPort}`, tcpPort, udpPort);
    let net: StreamNetwork | undefined;
    for (let i = 0; i < 100 && !net; i++) {
      net = await stream(`stream,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=${streamPort}`).catch(() => undefined);
      if (!net) await new Promise((r) => setTimeout(r, 50));
    }
    const steps = await converse(backendLink(net!), tcpPort, udpPort);
    expect(shape(steps)).toEqual(shape(RECORDED));
  });

  it('QEMU connects to sel4ts listening (server=off there), over a Unix socket', async () => {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    const path = join(tmp, 'qemu.sock');
    const net = await stream(`stream,server=on,addr.type=unix,addr.path=${path}`);
    startQemu(`server=off,addr.type=unix,addr.path=${path}`, tcpPort, udpPort);
    await until(() => net.stats.connections === 1);
    const steps = await converse(backendLink(net), tcpPort, udpPort);
    expect(shape(steps)).toEqual(shape(RECORDED));
  });
});
