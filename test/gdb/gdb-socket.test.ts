import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { framePacket } from '../../src/gdb/packet.js';

/** `run --gdb` over a raw socket: attaching to a running system, Ctrl-C, bad packets, a client that vanishes. */

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}/${name}.system`, import.meta.url));

/** A minimal client: sends packets, collects the bodies of the packets it receives. */
class Client {
  private buffer = '';
  private waiting: (() => void) | undefined;
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('latin1');
      this.waiting?.();
    });
  }
  send(text: string): void {
    this.socket.write(framePacket(text, false));
  }
  /** The next packet body (acknowledgements skipped). */
  async next(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.buffer = this.buffer.replace(/^[+-]+/, '');
      const m = /^\$([^#]*)#[0-9a-f]{2}/.exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m[0].length);
        return m[1]!;
      }
      if (Date.now() > deadline) throw new Error(`no packet (have '${this.buffer}')`);
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 100);
      });
    }
  }
  async ask(text: string): Promise<string> {
    this.send(text);
    return this.next();
  }
}

async function start(system: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  let announced: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => (announced = resolve));
  const run = main(['run', system, '--gdb', '0', ...args], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => {
      stderr += t;
      const m = /GDB remote stub on 127\.0\.0\.1:(\d+)/.exec(t);
      if (m) announced(Number(m[1]));
    },
    colour: false,
    cwd: process.cwd(),
  });
  const socket = connect(await port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { client: new Client(socket), run, out: () => stdout, err: () => stderr };
}

describe('run --gdb over a socket', () => {
  it('--gdb-continue: attaching stops a running system; Ctrl-C interrupts it; bad packets get empty or E replies; kill ends the run', async () => {
    // bad-pd's spinner runs for ever: the run is busy until its 1 s of virtual time.
    const s = await start(example('bad-pd'), ['--gdb-continue', '--allow-faults']);
    try {
      // Attaching stopped the running system (SIGTRAP, as at the start of a run).
      expect(await s.client.ask('?')).toMatch(/^T05thread:p[0-9a-f]+\.1;$/);
      expect(await s.client.ask('QStartNoAckMode')).toBe('OK');
      expect(await s.client.ask('vFoo;bar')).toBe('');
      expect(await s.client.ask('m')).toBe('E01');
      expect(await s.client.ask('Z0,1,4')).toBe('E01');
      const time1 = await s.client.ask(`qRcmd,${Buffer.from('time').toString('hex')}`);
      s.client.send('vCont;c');
      await new Promise((r) => setTimeout(r, 300));
      s.client.socket.write(Uint8Array.of(3));
      expect(await s.client.next()).toMatch(/^T02thread:/);
      const time2 = await s.client.ask(`qRcmd,${Buffer.from('time').toString('hex')}`);
      // Virtual time moved while running, and stands still while stopped.
      expect(time2).not.toBe(time1);
      expect(await s.client.ask(`qRcmd,${Buffer.from('time').toString('hex')}`)).toBe(time2);
      s.client.send('vKill;1');
      expect(await s.client.next()).toBe('OK');
      await s.run;
      expect(s.err()).toContain('killed by GDB');
    } finally {
      s.client.socket.destroy();
    }
  }, 60_000);

  it('a client that disconnects without detaching leaves the run to finish by itself', async () => {
    const s = await start(example('ping-pong'), []);
    expect(await s.client.ask('?')).toMatch(/^T05thread:/);
    s.client.socket.destroy();
    const code = await s.run;
    expect(code).toBe(0);
    expect(s.out()).toContain('ping: game over after 5 rounds');
    expect(s.err()).toContain('GDB disconnected without detaching; the run goes on');
  }, 60_000);

  it('a client that vanishes while the system runs, with a breakpoint set, leaves the run to finish as it would have', async () => {
    // bad-pd runs 30 ms of virtual time: long enough to be running when the socket goes.
    const args = ['--until', 'still beating after three faults: done', '--allow-faults'];
    let plain = '';
    await main(['run', example('bad-pd'), ...args], { stdout: (t) => void (plain += t), stderr: () => {}, colour: false, cwd: process.cwd() });
    const s = await start(example('bad-pd'), args);
    expect(await s.client.ask('?')).toMatch(/^T05thread:/);
    // A breakpoint in the spinner's notified (never runs): it goes with the client.
    expect(await s.client.ask('Hgp6.1')).toBe('OK');
    expect(await s.client.ask('Z0,20002c,4')).toBe('OK');
    s.client.send('vCont;c');
    await new Promise((r) => setTimeout(r, 50));
    s.client.socket.destroy();
    expect(await s.run).toBe(0);
    expect(s.out()).toBe(plain);
    expect(s.err()).toContain('GDB disconnected without detaching; the run goes on');
  }, 60_000);

  it('the end of the run is reported to a client waiting for a stop (W), with no word of a disconnection', async () => {
    const s = await start(example('ping-pong'), []);
    expect(await s.client.ask('?')).toMatch(/^T05thread:/);
    expect(await s.client.ask('Hgp3.1')).toBe('OK');
    // A hardware breakpoint in ping's `notified` (0x2000fc), then run to it and on to the end.
    expect(await s.client.ask('Z1,2000fc,4')).toBe('OK');
    expect(await s.client.ask('vCont;c')).toBe('T05hwbreak:;thread:p3.1;');
    expect(await s.client.ask('z1,2000fc,4')).toBe('OK');
    // Stepping pong, which waits for a notification: the system runs until pong runs one instruction.
    expect(await s.client.ask('vCont;s:p4.1')).toBe('T05thread:p4.1;');
    expect(await s.client.ask(`qRcmd,${Buffer.from('trace syscalls on').toString('hex')}`)).toBe(Buffer.from('system-call trace on\n').toString('hex'));
    s.client.send('vCont;c');
    expect(await s.client.next()).toMatch(/^W00;process:1$/);
    expect(await s.run).toBe(0);
    expect(s.out()).toContain('ping: game over after 5 rounds');
    expect(s.err()).not.toContain('disconnected');
    expect(s.err()).toMatch(/\] pong: seL4_/);
    s.client.socket.destroy();
  }, 60_000);
});
