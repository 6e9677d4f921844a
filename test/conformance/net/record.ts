/**
 * Record QEMU 7.2's user networking (slirp) answering the scripted guest of
 * test/helpers/net-guest.ts, for test/net-user.test.ts.
 *
 * usage: npx tsx test/conformance/net/record.ts
 *
 * QEMU runs without a machine (`-M none`): its `-netdev user` (with the two hostfwd rules) and a
 * `-netdev stream` client share a hub, and the stream's other end is this script, which plays
 * the guest. So every frame slirp sends the guest arrives here, length-prefixed, as sel4ts's
 * `--netdev stream` would receive it. Writes slirp.json (the steps) and qemu-version.txt.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { encodeStreamFrame, StreamFrameDecoder } from '../../../src/machine/net/stream-framing.js';
import { converse, GUEST_TCP_PORT, GUEST_UDP_PORT } from '../../helpers/net-guest.js';

const here = import.meta.dirname;
const [streamPort, tcpPort, udpPort] = [17001, 17002, 17003];
const server = createServer();
const connected = new Promise<import('node:net').Socket>((resolve) => server.once('connection', resolve));
await new Promise<void>((r) => server.listen(streamPort, '127.0.0.1', () => r()));
const qemu = spawn(
  'qemu-system-aarch64',
  [
    '-M',
    'none',
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    'none',
    '-netdev',
    `user,id=u,hostfwd=tcp:127.0.0.1:${tcpPort}-:${GUEST_TCP_PORT},hostfwd=udp:127.0.0.1:${udpPort}-:${GUEST_UDP_PORT}`,
    '-netdev',
    `stream,id=s,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=${streamPort}`,
    '-netdev',
    'hubport,id=h0,hubid=0,netdev=u',
    '-netdev',
    'hubport,id=h1,hubid=0,netdev=s',
  ],
  { stdio: 'inherit' },
);
const socket = await connected;
const decoder = new StreamFrameDecoder();
const frames: Uint8Array[] = [];
let waiting: (() => void) | undefined;
socket.on('data', (chunk) => {
  const got = decoder.push(new Uint8Array(chunk));
  if (typeof got === 'string') throw new Error(got);
  frames.push(...got);
  waiting?.();
});
const steps = await converse(
  {
    send: (f) => socket.write(encodeStreamFrame(f)),
    async next() {
      for (let i = 0; frames.length === 0; i++) {
        if (i === 50) throw new Error('QEMU sent nothing for 5 s');
        await new Promise<void>((r) => {
          waiting = r;
          setTimeout(r, 100);
        });
      }
      return frames.shift()!;
    },
  },
  tcpPort,
  udpPort,
);
writeFileSync(join(here, 'slirp.json'), `${JSON.stringify(steps, null, 1)}\n`);
writeFileSync(join(here, 'qemu-version.txt'), `${execFileSync('qemu-system-aarch64', ['--version']).toString().split('\n')[0]}\n`);
qemu.kill();
server.close();
socket.destroy();
console.log(`recorded ${steps.length} steps, ${frames.length} frames left over`);
