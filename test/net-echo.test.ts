import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { freePort } from './helpers/free-port.js';

/**
 * End to end: a guest echo server (test/conformance/net/echo/echo.c, a virtio-net driver with
 * just enough ARP, DHCP, UDP and TCP) runs on sel4ts with `--netdev user,hostfwd=…`, and a host
 * client (echo-client.mjs) talks to it through the forwarded ports. Guest and client print what
 * they printed on real seL4 in QEMU with QEMU's user networking (record-echo.sh).
 */

const NET = join(import.meta.dirname, 'conformance', 'net');

describe('a guest echo server through hostfwd', () => {
  it('answers a host TCP client and a UDP datagram as on real seL4 in QEMU', async () => {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    let stdout = '';
    let stderr = '';
    const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: NET };
    const args = ['--netdev', `user,hostfwd=tcp:127.0.0.1:${tcpPort}-:1236,hostfwd=udp:127.0.0.1:${udpPort}-:1235`, '--global', 'virtio-mmio.force-legacy=false'];
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
    expect(stderr).toMatch(/virtio-net 0xa003e00 {20}frames in 8, frames out [5-9], .* dhcp replies 1, arp replies 0, echo replies 0, tcp connections 1, tcp resets 0, tcp retransmissions 0, udp to guest 1, udp from guest 1, dropped by slirp 0,/);
  }, 60_000);
});
