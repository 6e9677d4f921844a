import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { parsePcap } from '../src/machine/devices/virtio/pcap.js';

/**
 * examples/net against real seL4 in QEMU (test/conformance/net/record.sh): fed the frames of
 * examples/net/input.pcap, the same programs print the same lines on sel4ts, and the frames
 * they send back are byte for byte those QEMU sent back (expected-replies.pcap, recorded on
 * QEMU, not on sel4ts), for the modern and the legacy transport. The recorded replies are
 * also checked here from the input frames, with checksums computed in this file.
 */

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'net');
const RECORDED = join(import.meta.dirname, 'conformance', 'net');
const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-net-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function frames(path: string): Uint8Array[] {
  const parsed = parsePcap(new Uint8Array(readFileSync(path)));
  if (typeof parsed === 'string') throw new Error(`${path}: ${parsed}`);
  return parsed.map((f) => f.bytes);
}

async function run(out: string, extra: string[]) {
  let stdout = '';
  let stderr = '';
  const args = ['run', join(EXAMPLE, 'net.system'), '--netdev', `pcap,in=input.pcap,out=${out}`, ...extra, '--until', 'client: done', '--stats'];
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: EXAMPLE });
  // As recorded: without the monitor's lines, up to the end line.
  const lines = stdout.split('\n').filter((l) => !l.startsWith('MON|INFO'));
  return { code, stderr, console: `${lines.join('\n')}\n`, sent: frames(out) };
}

/** RFC 1071's sum, written here rather than taken from the device or the C client. */
function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i += 2) sum += (p[i]! << 8) | (p[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('examples/net on sel4ts and on real seL4 in QEMU', () => {
  it('modern transport (force-legacy=false): the same lines and the same frames sent back', async () => {
    const r = await run(join(tmp, 'modern.pcap'), ['--global', 'virtio-mmio.force-legacy=false']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.console).toBe(readFileSync(join(RECORDED, 'modern.txt'), 'utf8'));
    expect(r.sent.map(hex)).toEqual(frames(join(EXAMPLE, 'expected-replies.pcap')).map(hex));
    expect(r.stderr).toMatch(/virtio-net 0xa003e00 +frames in 12, frames out 6, bytes in 2543, bytes out 2140, dropped 0,/);
  });

  it("QEMU's default legacy transport (10-byte headers): the same lines and frames", async () => {
    const r = await run(join(tmp, 'legacy.pcap'), []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.console).toBe(readFileSync(join(RECORDED, 'legacy.txt'), 'utf8'));
    expect(r.sent.map(hex)).toEqual(frames(join(RECORDED, 'legacy-replies.pcap')).map(hex));
  });

  it("the example's expected output is what real seL4 printed, after the monitor's line", () => {
    const expected = readFileSync(join(EXAMPLE, 'expected-output.txt'), 'utf8');
    expect(`${expected}\n`).toBe(`MON|INFO: Microkit Monitor started!\n${readFileSync(join(RECORDED, 'modern.txt'), 'utf8')}`);
  });

  it('the recorded replies answer the input: ARP for 10.0.2.15, echoes with swapped addresses and valid checksums', () => {
    const input = frames(join(EXAMPLE, 'input.pcap'));
    const replies = frames(join(EXAMPLE, 'expected-replies.pcap'));
    const guestMac = '525400123456';
    // Frames 1, 3, 4, 5, 6 and 9 are answered (the lines of modern.txt say why the others are not).
    const answered = [0, 2, 3, 4, 5, 8].map((i) => input[i]!);
    expect(replies).toHaveLength(answered.length);
    answered.forEach((request, k) => {
      const reply = replies[k]!;
      expect(hex(reply.subarray(0, 6))).toBe(hex(request.subarray(6, 12)));
      expect(hex(reply.subarray(6, 12))).toBe(guestMac);
      if (request[12] === 0x08 && request[13] === 0x06) {
        expect(reply).toHaveLength(42);
        expect(hex(reply.subarray(14, 22))).toBe('0001080006040002'); // an Ethernet/IPv4 ARP reply
        expect(hex(reply.subarray(22, 32))).toBe(`${guestMac}0a00020f`);
        expect(hex(reply.subarray(32, 42))).toBe(hex(request.subarray(22, 32)));
        return;
      }
      const ip = reply.subarray(14, 34);
      const total = (ip[2]! << 8) | ip[3]!;
      expect(reply).toHaveLength(14 + total); // no padding: the datagram as its header says
      expect(internetChecksum(ip)).toBe(0);
      expect(hex(ip.subarray(12, 16))).toBe(hex(request.subarray(30, 34)));
      expect(hex(ip.subarray(16, 20))).toBe(hex(request.subarray(26, 30)));
      const udp = reply.subarray(34, 14 + total);
      expect(hex(udp.subarray(0, 2))).toBe(hex(request.subarray(36, 38)));
      expect(hex(udp.subarray(2, 4))).toBe(hex(request.subarray(34, 36)));
      expect(hex(udp.subarray(8))).toBe(hex(request.subarray(42, 14 + total)));
      const pseudo = new Uint8Array([...ip.subarray(12, 20), 0, 17, udp.length >> 8, udp.length & 0xff]);
      expect(internetChecksum(pseudo, udp)).toBe(0);
    });
    // Among them a datagram of odd length (333 bytes), whose checksum pads with a zero byte.
    expect(replies.map((r) => r.length)).toContain(14 + 20 + 8 + 333);
  });
});
