import { createServer } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_TIME_LIMIT, type Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { freePort } from './helpers/free-port.js';

/**
 * `sel4ts run` with a socket backend: an idle system waits for the host in wall-clock time
 * (not spinning, not ending) until --max-time, Ctrl-C or SIGTERM; sockets that cannot be
 * opened stop the run before it starts.
 */

const HELLO = join(import.meta.dirname, '..', 'examples', 'hello', 'hello.system');

async function run(args: string[], opts: { interruptAfterMs?: number; during?: () => Promise<void>; stdin?: NodeJS.ReadableStream } = {}) {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    colour: false,
    cwd: process.cwd(),
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    onInterrupt(handler) {
      const timer = opts.interruptAfterMs === undefined ? undefined : setTimeout(handler, opts.interruptAfterMs);
      return () => clearTimeout(timer);
    },
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const [code] = await Promise.all([main(['run', HELLO, ...args], io), opts.during?.()]);
  const used = process.cpuUsage(cpu);
  return { code, stdout, stderr, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

describe('run --netdev user: an idle system waits for the host', () => {
  it('without a socket backend the idle system ends at once; with one it waits until --max-time, in wall-clock time, without spinning', async () => {
    const quick = await run([]);
    expect(quick.code).toBe(EXIT_OK);
    const port = await freePort();
    const r = await run(['--netdev', `user,hostfwd=tcp:127.0.0.1:${port}-:1236`, '--max-time', '600ms', '--stats']);
    expect(r.code, r.stderr).toBe(EXIT_TIME_LIMIT);
    expect(r.stdout).toContain('hello, world');
    expect(r.stderr).toContain('sel4ts: the virtual time limit (600ms) ran out');
    expect(r.stderr).toMatch(/virtio-net 0xa003e00 {20}frames in 0, frames out 0, bytes in 0, bytes out 0, dropped 0, dhcp replies 0, arp replies 0, echo replies 0, tcp connections 0, .* notifications 0, interrupts 0/);
    // 600 ms of idling take 600 ms of real time, with the CPU mostly asleep.
    expect(r.wallMs).toBeGreaterThan(600);
    expect(r.cpuMs - quick.cpuMs).toBeLessThan(300);
  });

  it('live input the guest never reads (its UART FIFO full) does not make the idle wait spin', async () => {
    const quick = await run([]);
    const stdin = new PassThrough();
    // More than the PL011's FIFO holds; hello never reads it, and the stream stays open.
    stdin.write('x'.repeat(100));
    const port = await freePort();
    const r = await run(['--input', '-', '--netdev', `user,hostfwd=tcp:127.0.0.1:${port}-:1236`, '--max-time', '600ms'], { stdin });
    stdin.destroy();
    expect(r.code, r.stderr).toBe(EXIT_TIME_LIMIT);
    expect(r.wallMs).toBeGreaterThan(600);
    expect(r.cpuMs - quick.cpuMs).toBeLessThan(300);
  });

  it('a host client connecting while the guest has no driver: the SYN waits, and is sent again after 1 s of virtual time', async () => {
    const port = await freePort();
    const r = await run(['--netdev', `user,hostfwd=tcp:127.0.0.1:${port}-:1236`, '--max-time', '2500ms', '--stats'], {
      during: async () => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        const s = connect(port, '127.0.0.1');
        s.on('error', () => {});
        await new Promise((resolve) => setTimeout(resolve, 200));
        s.destroy();
      },
    });
    expect(r.code, r.stderr).toBe(EXIT_TIME_LIMIT);
    expect(r.stderr).toMatch(/tcp connections 1, tcp resets 0, tcp retransmissions 1,/);
  });

  it('Ctrl-C ends a waiting run promptly, with its statistics', async () => {
    const port = await freePort();
    const r = await run(['--netdev', `user,hostfwd=tcp:127.0.0.1:${port}-:1236`, '--max-time', '100s', '--stats'], { interruptAfterMs: 300 });
    expect(r.code).toBe(EXIT_INTERRUPTED);
    expect(r.stderr).toContain('virtio-net 0xa003e00');
    expect(r.wallMs).toBeLessThan(5000);
    // The port is free again.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', () => resolve());
    });
    again.close();
  });
});

describe('run --netdev: sockets that cannot be opened stop the run before it starts', () => {
  it('a busy hostfwd port, a stream peer that refuses, bad hostfwd rules', async () => {
    const busy = createServer();
    const port = await new Promise<number>((r) => busy.listen(0, '127.0.0.1', () => r((busy.address() as { port: number }).port)));
    const r = await run(['--netdev', `user,hostfwd=tcp:127.0.0.1:${port}-:1236`]);
    busy.close();
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.stderr).toBe(`sel4ts: --netdev user hostfwd=tcp:127.0.0.1:${port}: cannot listen: the address is in use (another program, or another run, listens there)\n`);
    expect(r.stdout).toBe('');
    const free = await freePort();
    const refused = await run(['--netdev', `stream,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=${free}`]);
    expect(refused.code).toBe(EXIT_INPUT);
    expect(refused.stderr).toBe(`sel4ts: --netdev stream client 127.0.0.1:${free}: cannot connect: the connection was refused (nothing listens there; start the server side first)\n`);
    expect((await run(['--netdev', 'user,hostfwd=tcp:1236-:1236'])).stderr).toMatch(/hostfwd=tcp:1236-:1236 is not \[tcp\|udp\]:\[HOSTADDR\]:HOSTPORT-\[GUESTADDR\]:GUESTPORT/);
    expect((await run(['--netdev', 'user,hostfwd=tcp::1236-10.0.3.15:1236'])).stderr).toMatch(/the guest address 10.0.3.15 is not in 10.0.2.0\/24/);
    expect((await run(['--netdev', 'user,net=10.0.5.0/24'])).stderr).toMatch(/unknown key 'net' \(sel4ts's user networking has hostfwd and mac/);
    expect((await run(['--netdev', 'user,hostfwd=tcp::0-:1236'])).stderr).toMatch(/is not a port number/);
  });
});

describe('the process: SIGTERM', () => {
  it('interrupts a run as Ctrl-C does (a socket backend keeps a run going until one of them)', async () => {
    const { processIo } = await import('../src/cli/io.js');
    let calls = 0;
    const stop = processIo().onInterrupt!(() => calls++);
    process.emit('SIGTERM');
    stop();
    process.emit('SIGTERM');
    expect(calls).toBe(1);
  });
});
