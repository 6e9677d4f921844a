import { execFile, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { freePort } from './helpers/free-port.js';
import { oracle } from './helpers/oracles.js';

/**
 * End to end: a guest echo server (test/conformance/net/echo/echo.c, a virtio-net driver with
 * just enough ARP, DHCP, UDP and TCP) runs on sel4ts with `--netdev user,hostfwd=…`, and a host
 * client (echo-client.mjs) talks to it through the forwarded ports. Guest and client print what
 * they printed on real seL4 in QEMU with QEMU's user networking (record-echo.sh).
 */

const NET = join(import.meta.dirname, 'conformance', 'net');

/** Run the echo guest with `netdev`, start the client on the host ports once the guest has an address; both outputs, as recorded. */
async function echoRun(netdev: string, tcpPort: number, udpPort: number): Promise<void> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: NET };
  const args = ['--netdev', netdev, '--global', 'virtio-mmio.force-legacy=false'];
  const run = main(['run', join(NET, 'echo', 'echo.system'), ...args, '--until', 'echo: TCP connection closed', '--max-time', '60s', '--stats'], io);
  // The client starts once the guest has its address, as record-echo.sh starts it.
  for (let i = 0; i < 500 && !stdout.includes('echo: DHCP offers'); i++) await new Promise((r) => setTimeout(r, 10));
  const client = promisify(execFile)(process.execPath, [join(NET, 'echo-client.mjs'), String(tcpPort), String(udpPort)], { timeout: 20_000 });
  const [code, { stdout: clientOut }] = await Promise.all([run, client]);
  expect(code, stderr).toBe(0);
  expect(clientOut).toBe(readFileSync(join(NET, 'echo-client.txt'), 'utf8'));
  const console = stdout
    .split('\n')
    .filter((l) => !l.startsWith('MON|INFO'))
    .join('\n');
  // --until stops the run as the text appears, before its newline.
  expect(`${console}\n`).toBe(readFileSync(join(NET, 'echo.txt'), 'utf8'));
  expect(stderr).toMatch(/virtio-net 0xa003e00 {20}frames in [78], frames out 5, /);
}

describe('a guest echo server through hostfwd', () => {
  it('answers a host TCP client and a UDP datagram as on real seL4 in QEMU', async () => {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    await echoRun(`user,hostfwd=tcp:127.0.0.1:${tcpPort}-:1236,hostfwd=udp:127.0.0.1:${udpPort}-:1235`, tcpPort, udpPort);
  }, 60_000);

  it.skipIf(!oracle('qemu-system-aarch64', spawnSync('qemu-system-aarch64', ['--version']).status === 0, "the echo guest behind QEMU's user networking"))(
    "answers the same through --netdev stream wired to QEMU's -netdev stream and user networking (QEMU forwards the ports)",
    async () => {
      const [streamPort, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
      const qemu = spawn(
        'qemu-system-aarch64',
        [
          ...['-M', 'none', '-display', 'none', '-monitor', 'none', '-serial', 'none'],
          ...['-netdev', `user,id=u,hostfwd=tcp:127.0.0.1:${tcpPort}-:1236,hostfwd=udp:127.0.0.1:${udpPort}-:1235`],
          ...['-netdev', `stream,id=s,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=${streamPort}`],
          ...['-netdev', 'hubport,id=h0,hubid=0,netdev=u', '-netdev', 'hubport,id=h1,hubid=0,netdev=s'],
        ],
        { stdio: 'ignore' },
      );
      try {
        // QEMU listens once it has started: until then the port can still be bound here (a probe connection would take QEMU's one peer).
        for (let i = 0; i < 200; i++) {
          const free = await new Promise<boolean>((resolve) => {
            const probe = createServer();
            probe.once('error', () => resolve(false));
            probe.listen(streamPort, '127.0.0.1', () => probe.close(() => resolve(true)));
          });
          if (!free) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await echoRun(`stream,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=${streamPort}`, tcpPort, udpPort);
      } finally {
        qemu.kill();
      }
    },
    60_000,
  );
});
