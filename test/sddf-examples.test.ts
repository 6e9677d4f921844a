import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { parsePcap, pcapHeader, pcapRecord, type TimedFrame } from '../src/machine/devices/virtio/pcap.js';
import { freePort } from './helpers/free-port.js';
import { SlirpFrames } from './helpers/slirp-frames.js';

/**
 * sDDF (au-ts/sddf 94e63068)'s serial, timer, blk and echo_server examples, built with their own
 * Makefiles against the Microkit-shaped SDK (test/fixtures/sddf/record.sh; the programs are
 * committed there), run on sel4ts and compared with what the same sources, built against
 * Microkit 2.0.1, printed on real seL4 in QEMU (real-*.txt, recorded by the same script).
 */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'sddf');
const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-sddf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(example: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const dir = join(FIXTURES, example);
  const code = await main(['run', join(dir, `${example}.system`), ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: dir });
  return { code, stderr, console: kept(stdout) };
}

/** As recorded: no CRs (real seL4's debug console sends one before each LF; record.sh drops them,
 * as ../shared/real-sel4/qemu-run.sh does), no monitor lines. */
function kept(output: string): string {
  return output
    .replaceAll('\r', '')
    .split('\n')
    .filter((l) => !l.startsWith('MON|'))
    .join('\n');
}

/** Up to the end of the first line holding `text`, as record.sh keeps. */
function upTo(output: string, text: string): string {
  const at = output.indexOf(text);
  expect(at, `'${text}' in the output`).toBeGreaterThanOrEqual(0);
  const end = output.indexOf('\n', at);
  return end < 0 ? `${output}\n` : output.slice(0, end + 1);
}

/** Resolves once `ready()` holds (checked every 50 ms); rejects after `ms`. */
async function waitFor(ready: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Connect to localhost:`port`, send `text`, and read back as many bytes, as `nc` would show them. */
function tcpExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let back = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.setTimeout(30_000, () => socket.destroy(new Error('no echo within 30 s')));
    socket.on('data', (d: Buffer) => {
      back += d.toString();
      if (back.length >= text.length) socket.end(() => resolve(back));
    });
    socket.on('error', reject);
  });
}

function recorded(example: string, name: string): string {
  return readFileSync(join(FIXTURES, example, name), 'utf8');
}

/**
 * The serial transmit virtualiser wraps what each client sends in that client's colour
 * (`ESC[31m`… `ESC[0m`, SERIAL_WITH_COLOUR). Clients of the same priority print their start-up
 * lines in whatever order their time slices fall, which differs between two QEMU runs; what
 * each one prints, in order, does not. So the output is split into one text per colour (the
 * uncoloured text is the kernel debug console's and the virtualisers'), and those are compared.
 */
function byColour(output: string): Map<string, string> {
  const streams = new Map<string, string>();
  let colour = '0';
  for (const part of output.split(/(\x1b\[\d+m)/)) {
    const m = /^\x1b\[(\d+)m$/.exec(part);
    if (m) colour = m[1]!;
    else if (part !== '') streams.set(colour, (streams.get(colour) ?? '') + part);
  }
  return streams;
}

describe('sDDF examples on sel4ts and on real seL4 in QEMU', () => {
  describe('serial: a PL011 driver, transmit and receive virtualisers, two clients', () => {
    // Input is typed once the clients are ready (--input-after), as record.sh types into QEMU.
    for (const [client, other] of [
      ['client0', 'client1'],
      ['client1', 'client0'],
    ]) {
      it(`input for ${client}: each client prints the same text, in the same order`, async () => {
        // Until the system is idle: the other client may print its start-up lines after the
        // input's last line (real-*.txt end there).
        const r = await run('serial', ['--input', join(FIXTURES, 'serial', `input-${client}.txt`), '--input-after', 'Please give me character!']);
        expect(r.code, r.stderr).toBe(0);
        const real = recorded('serial', `real-${client}.txt`);
        expect(real.endsWith(`${client} has received 20 characters so far!\n`)).toBe(true);
        expect(byColour(r.console)).toEqual(byColour(real));
        // And what that shows: the input echoed by the client it went to, the other one quiet.
        expect(real).toContain(`Hello world! I am ${other}.`);
        expect(byColour(real).get(client === 'client0' ? '31' : '32')).toContain(`20 characters so far!`);
      });
    }
  });

  it('timer: the same lines but for the times; each timeout 1 s after the last, on both', async () => {
    const r = await run('timer', ['--max-time', '3500ms']);
    expect(r.stderr).toBe('sel4ts: the virtual time limit (3500ms) ran out\n');
    const ours = r.console
      .split('\n')
      .filter((l) => l.startsWith('CLIENT|'))
      .slice(0, 9);
    const real = recorded('timer', 'real-output.txt').trimEnd().split('\n');
    const numbersOut = (lines: string[]) => lines.map((l) => l.replace(/\d+/g, 'N'));
    expect(numbersOut(ours)).toEqual(numbersOut(real));
    // The times differ: real seL4's is QEMU's virtual counter, which follows the host clock, so
    // it holds the boot (hundreds of ms) and the cost of each printf on a loaded host; sel4ts's
    // counts the instructions run from power-on. Both keep the contract: the first reading
    // is taken within the first second, and each timeout comes 1 s after it was set, late by
    // less than 10 ms.
    for (const lines of [ours, real]) {
      const times = lines
        .map((l) => /is: (\d+)$/.exec(l)?.[1])
        .filter((t) => t !== undefined)
        .map(Number);
      expect(times).toHaveLength(4);
      expect(times[0]).toBeLessThan(1e9);
      for (let i = 1; i < times.length; i++) {
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1e9);
        expect(times[i]! - times[i - 1]!).toBeLessThan(1.01e9);
      }
    }
  });

  it('blk: virtio-blk driver, virtualiser (reads the MBR), client writing and reading back: the same lines', async () => {
    const until = 'basic: successfully finished!';
    const r = await run('blk', ['--drive', 'file=disk.raw,snapshot=on', '--global', 'virtio-mmio.force-legacy=false', '--until', until]);
    expect(r.code, r.stderr).toBe(0);
    expect(upTo(r.console, until)).toBe(recorded('blk', 'real-output.txt'));
    expect(r.console).toContain('CLIENT|INFO: device size: 0xf000 bytes');
  });

  describe('echo_server: lwIP clients over the virtio-net driver, its virtualisers and copiers', () => {
    const CLIENTS = [
      { name: 'client0', mac: Uint8Array.of(0x52, 0x54, 0x01, 0, 0, 7), ip: 0x0a00020f },
      { name: 'client1', mac: Uint8Array.of(0x52, 0x54, 0x01, 0, 0, 8), ip: 0x0a000210 },
    ];
    const macText = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
    // The recording ends with the colour reset that followed the last lease line; record.sh, which
    // works in lines, ended it with a newline.
    const real = byColour(recorded('echo_server', 'real-output.txt').replace(/\n$/, ''));
    const echo = async (name: string, frames: TimedFrame[]) => {
      const pcapIn = join(tmp, `${name}-in.pcap`);
      const pcapOut = join(tmp, `${name}-out.pcap`);
      writeFileSync(pcapIn, Uint8Array.from([...pcapHeader(), ...frames.flatMap((f) => [...pcapRecord(f)])]));
      const r = await run('echo_server', ['--netdev', `pcap,in=${pcapIn},out=${pcapOut}`, '--global', 'virtio-mmio.force-legacy=false', '--max-time', '3s']);
      expect(r.stderr).toBe('sel4ts: the virtual time limit (3s) ran out\n');
      const sent = parsePcap(new Uint8Array(readFileSync(pcapOut)));
      if (typeof sent === 'string') throw new Error(sent);
      return { console: r.console, sent };
    };
    /** A DHCP request's time (ms), sender and DHCP message type (option 53 comes first). */
    const dhcpRequests = (sent: TimedFrame[]) =>
      sent
        .filter((f) => f.bytes[23] === 17 && f.bytes[37] === 67)
        .map((f) => `${Math.round(f.timeNs / 1e6)} ${macText(f.bytes.subarray(6, 12))} xid ${[...f.bytes.subarray(46, 50)].map((b) => b.toString(16).padStart(2, '0')).join('')} type ${f.bytes[284]}`);

    it('with no DHCP server (a pcap with no frames): starts as on QEMU and asks for leases, again 2 s later', async () => {
      const r = await echo('no-server', []);
      // On QEMU's user network both clients got leases (the LWIP|NOTICE lines); here nobody answers.
      expect(real.get('31')).toContain('LWIP|NOTICE: DHCP request for client0 returned IP address: 10.0.2.15');
      const beforeLeases = new Map([...real].map(([c, t]) => [c, t.replace(/LWIP\|NOTICE: DHCP request for client\d returned IP address: [\d.]+\n/g, '')]));
      expect(byColour(r.console)).toEqual(beforeLeases);
      // DHCPDISCOVER (type 1) from both, at once and after lwIP's 2 s back-off.
      expect(dhcpRequests(r.sent)).toEqual(['0 52:54:01:00:00:07 xid 4bb5f646 type 1', '0 52:54:01:00:00:08 xid 4bb5f646 type 1', '2000 52:54:01:00:00:07 xid 4bb5f646 type 1', '2000 52:54:01:00:00:08 xid 4bb5f646 type 1']);
    });

    it("with slirp's DHCP answers replayed: the same lines as on QEMU, and a UDP datagram echoed", async () => {
      // lwIP draws its transaction ID from rand() (newlib's generator in newlib-stand-in/), the
      // same in both clients: each PD has its own copy of the generator's state.
      const xid = 0x4bb5f646;
      const at = (ms: number, bytes: Uint8Array): TimedFrame => ({ timeNs: ms * 1e6, bytes });
      const datagram = new TextEncoder().encode('hello, sDDF echo server');
      const slirp = new SlirpFrames();
      const frames = [
        ...CLIENTS.map((c, i) => at(100 + i, slirp.dhcp(c.mac, xid))),
        ...CLIENTS.map((c, i) => at(200 + i, slirp.dhcp(c.mac, xid, c.ip))),
        at(1500, slirp.arp(CLIENTS[0]!.mac, CLIENTS[0]!.ip)),
        at(1600, slirp.udpToGuest(CLIENTS[0]!.ip, 40000, 1235, datagram)),
      ];
      const r = await echo('dhcp', frames);
      expect(byColour(r.console)).toEqual(real);
      // DISCOVER at 0, REQUEST (type 3) as each OFFER comes.
      expect(dhcpRequests(r.sent)).toEqual(['0 52:54:01:00:00:07 xid 4bb5f646 type 1', '0 52:54:01:00:00:08 xid 4bb5f646 type 1', '100 52:54:01:00:00:07 xid 4bb5f646 type 3', '101 52:54:01:00:00:08 xid 4bb5f646 type 3']);
      // udp_echo_socket.c sends the datagram back to where it came from.
      const back = r.sent.filter((f) => f.bytes[23] === 17 && macText(f.bytes.subarray(0, 6)) === macText(slirp.gatewayMac));
      expect(back).toHaveLength(1);
      const f = back[0]!.bytes;
      expect({ from: macText(f.subarray(6, 12)), ports: [(f[34]! << 8) | f[35]!, (f[36]! << 8) | f[37]!], data: new TextDecoder().decode(f.subarray(42)) }).toEqual({ from: '52:54:01:00:00:07', ports: [1235, 40000], data: 'hello, sDDF echo server' });
    });

    it("on user networking, as under QEMU's -netdev user with hostfwd: QEMU's leases, and a host TCP client's bytes echoed by client0", async () => {
      const port = await freePort();
      let stdout = '';
      let stderr = '';
      let interrupt: (() => void) | undefined;
      const dir = join(FIXTURES, 'echo_server');
      const io: Io = {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        colour: false,
        cwd: dir,
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => {};
        },
      };
      const running = main(['run', join(dir, 'echo_server.system'), '--global', 'virtio-mmio.force-legacy=false', '--netdev', `user,hostfwd=tcp:127.0.0.1:${port}-:1237`, '--max-time', '600s'], io);
      await waitFor(() => stdout.includes('returned IP address: 10.0.2.16'), 60_000);
      // `nc localhost PORT`: what goes in comes back.
      const text = 'hello through hostfwd\n';
      expect(await tcpExchange(port, text)).toBe(text);
      interrupt!();
      expect(await running, stderr).toBe(130);
      const seen = byColour(kept(stdout));
      // The leases are QEMU's (client0 10.0.2.15, client1 10.0.2.16) and the connection reached client0.
      expect(seen.get('32')).toBe(real.get('32'));
      expect(seen.get('31')!.startsWith(real.get('31')!)).toBe(true);
      expect(seen.get('31')!.slice(real.get('31')!.length)).toMatch(/^tcp_echo\[10\.0\.2\.2:\d+\]: accept\n/);
    }, 120_000);
  });
});
