import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { oracle } from './helpers/oracles.js';

/**
 * examples/blk against real seL4 in QEMU (test/conformance/virtio/record.sh): the same
 * programs print the same lines on sel4ts, for the modern and the legacy transport, and a run
 * that writes to the disk leaves the same bytes in the file as QEMU does.
 */

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'blk');
const RECORDED = join(import.meta.dirname, 'conformance', 'virtio');
const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-virtio-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[], cwd = EXAMPLE) {
  let stdout = '';
  let stderr = '';
  const code = await main(['run', join(EXAMPLE, 'blk.system'), ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd });
  // As recorded: without the monitor's lines, up to the end line.
  const lines = stdout.split('\n').filter((l) => !l.startsWith('MON|INFO'));
  return { code, stderr, console: lines.join('\n') };
}

function recorded(name: string): string {
  return readFileSync(join(RECORDED, name), 'utf8');
}

describe('examples/blk on sel4ts and on real seL4 in QEMU', () => {
  it('modern transport (force-legacy=false), snapshot=on: the same lines', async () => {
    const r = await run(['--drive', 'file=disk.raw,snapshot=on', '--global', 'virtio-mmio.force-legacy=false', '--until', 'client: done']);
    expect(r.code, r.stderr).toBe(0);
    expect(`${r.console}\n`).toBe(recorded('modern.txt'));
  });

  it("QEMU's default legacy transport: the driver refuses it on both", async () => {
    const r = await run(['--drive', 'file=disk.raw,snapshot=on', '--until', 'blk_driver: the transport is legacy']);
    expect(r.code, r.stderr).toBe(0);
    expect(recorded('legacy.txt')).toBe(`${r.console}\n`.replace(/is legacy$/m, 'is legacy (version 1): run with virtio-mmio.force-legacy=false'));
  });

  it('writes reach the file: the same disk bytes as QEMU leaves', async () => {
    copyFileSync(join(EXAMPLE, 'disk.raw'), join(tmp, 'disk.raw'));
    const r = await run(['--drive', 'file=disk.raw', '--global', 'virtio-mmio.force-legacy=false', '--max-time', '100ms'], tmp);
    const [console, sha] = [recorded('written.txt').split('\ndisk sha256 ')[0], recorded('written.txt').split('disk sha256 ')[1]!.trim()];
    expect(r.console.startsWith(console!)).toBe(true);
    const disk = readFileSync(join(tmp, 'disk.raw'));
    expect(createHash('sha256').update(disk).digest('hex')).toBe(sha);
    expect(disk).not.toEqual(readFileSync(join(EXAMPLE, 'disk.raw')));
  });
});

describe('run --drive: the disk image is checked before the run', () => {
  it('a missing image is a clear error (exit 1), before anything runs', async () => {
    const r = await run(['--drive', 'file=nope.raw']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('sel4ts: --drive file=nope.raw: no such file (a disk image is a raw file, e.g. made with truncate -s 1M nope.raw)\n');
    expect(r.console).toBe('');
  });

  it.skipIf(!oracle('a user other than root', process.getuid?.() !== 0, 'unwritable disk image'))('an image that cannot be written without readonly=on or snapshot=on', async () => {
    writeFileSync(join(tmp, 'ro.raw'), new Uint8Array(4096));
    chmodSync(join(tmp, 'ro.raw'), 0o444);
    const r = await run(['--drive', 'file=ro.raw'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--drive file=ro.raw: cannot be read and written \(permissions\); add readonly=on or snapshot=on/);
  });

  it('a directory, an empty image, bad keys and values', async () => {
    writeFileSync(join(tmp, 'empty.raw'), new Uint8Array(0));
    expect((await run(['--drive', 'file=.'], tmp)).stderr).toBe('sel4ts: --drive file=.: not a regular file\n');
    expect((await run(['--drive', 'file=empty.raw'], tmp)).stderr).toBe('sel4ts: --drive file=empty.raw: the image is smaller than one 512-byte sector\n');
    const bad = await run(['--drive', 'file=disk.raw,cache=none']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^sel4ts: --drive 'file=disk.raw,cache=none': unknown key 'cache'/);
    expect((await run(['--drive', 'file=disk.raw,readonly=yes'])).stderr).toMatch(/--drive readonly=yes: give on or off/);
    expect((await run(['--drive', 'file=disk.raw,format=qcow2'])).stderr).toMatch(/only raw images are supported/);
    expect((await run(['--global', 'virtio-mmio.foo=1'])).stderr).toMatch(/the one property sel4ts has is virtio-mmio.force-legacy/);
    const many = Array.from({ length: 33 }, () => ['--drive', 'file=disk.raw,snapshot=on']).flat();
    expect((await run(many)).stderr).toMatch(/^sel4ts: 33 virtio devices: the virt board has 32 virtio-mmio transports/);
  });

  it('--virtio-console: stdio or a file, checked before the run', async () => {
    expect((await run(['--virtio-console', 'pty'])).stderr).toMatch(/--virtio-console 'pty': give stdio or file,path=OUT\[,input-path=IN\]/);
    expect((await run(['--virtio-console', 'file'])).stderr).toMatch(/file needs path=OUT/);
    expect((await run(['--virtio-console', `file,path=${join(tmp, 'o')},input-path=nope`])).stderr).toBe('sel4ts: --virtio-console input-path=nope: no such file\n');
  });

  it('--netdev pcap: files checked before the run; the capture is a pcap file', async () => {
    expect((await run(['--netdev', 'tap,ifname=tap0'])).stderr).toMatch(/--netdev 'tap,ifname=tap0': the backends are pcap,in=IN.pcap\[,out=OUT.pcap\], stream,.* and user/);
    expect((await run(['--netdev', 'pcap,in=nope.pcap'])).stderr).toBe('sel4ts: --netdev in=nope.pcap: no such file\n');
    writeFileSync(join(tmp, 'bad.pcap'), new Uint8Array(30));
    expect((await run(['--netdev', 'pcap,in=bad.pcap'], tmp)).stderr).toBe('sel4ts: --netdev in=bad.pcap: not a pcap file (pcapng is not supported)\n');
    expect((await run(['--netdev', 'pcap,mac=1:2'])).stderr).toMatch(/--netdev mac=1:2: not a MAC address/);
    const r = await run(['--drive', 'file=disk.raw,snapshot=on', '--netdev', `pcap,out=${join(tmp, 'out.pcap')}`, '--global', 'virtio-mmio.force-legacy=false', '--until', 'client: done', '--stats']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'out.pcap'))).toHaveLength(24);
    expect(r.stderr).toMatch(/virtio-net 0xa003c00 {20}frames in 0, frames out 0, bytes in 0, bytes out 0, dropped 0, notifications 0, interrupts 0/);
  });

  it('readonly=on: the write fails with IOERR as on QEMU, a warning names the device and queue, the file is unchanged', async () => {
    copyFileSync(join(EXAMPLE, 'disk.raw'), join(tmp, 'ro-disk.raw'));
    const r = await run(['--drive', 'file=ro-disk.raw,readonly=on', '--global', 'virtio-mmio.force-legacy=false', '--until', 'client: done'], tmp);
    expect(`${r.console}\n`).toBe(recorded('readonly.txt'));
    expect(r.stderr).toContain('sel4ts: warning: virtio-blk at 0xa003e00 (INTID 79): queue 0: a write to a read-only drive (readonly=on) fails with VIRTIO_BLK_S_IOERR\n');
    expect(readFileSync(join(tmp, 'ro-disk.raw'))).toEqual(readFileSync(join(EXAMPLE, 'disk.raw')));
  });

  it('--stats prints the device counters', async () => {
    const r = await run(['--drive', 'file=disk.raw,snapshot=on', '--global', 'virtio-mmio.force-legacy=false', '--until', 'client: done', '--stats']);
    expect(r.stderr).toContain('virtio-blk 0xa003e00                    requests 6, reads 3, writes 1, flushes 1, bytes read 12288, bytes written 4096, errors 1, notifications 6, interrupts 6\n');
  });
});

/**
 * The registers of a virtio-blk transport, a virtio-console transport and an empty one, read by
 * test/conformance/virtio/probe.c, must be QEMU 7.2's, bit for bit, except where the console
 * deliberately differs: QEMU's is a virtio-serial device offering VIRTIO_CONSOLE_F_MULTIPORT
 * (feature bit 1, its control and extra port queues: QueueNumMax of queue 2, max_nr_ports 31);
 * sel4ts's has one port.
 */
const CONSOLE_DIFFERENCES: [RegExp, string][] = [
  [/^(probe: {3}features0=0x3[09]00000)6/m, '$14'],
  [/^(probe: {3}features0=0x3[09]000004 .* qmax1=0x00000400) qmax2=0x00000400/m, '$1 qmax2=0x00000000'],
  [/^probe: {2}config 0x00000000 0x0000001f 0x00000000$/m, 'probe:  config 0x00000000 0x00000001 0x00000000'],
];

describe('the virtio-mmio registers as QEMU 7.2 presents them (probe.c)', () => {
  for (const layout of ['legacy', 'modern'] as const) {
    it(`${layout} layout`, async () => {
      let stdout = '';
      const code = await main(
        [
          'run',
          join(RECORDED, 'probe.system'),
          '--drive',
          `file=${join(EXAMPLE, 'disk.raw')},snapshot=on`,
          '--virtio-console',
          `file,path=${join(tmp, 'console.out')}`,
          '--global',
          `virtio-mmio.force-legacy=${layout === 'legacy'}`,
          '--until',
          'probe: end',
        ],
        { stdout: (t) => void (stdout += t), stderr: () => {}, colour: false, cwd: RECORDED },
      );
      expect(code).toBe(0);
      let expected = recorded(`probe-${layout}.txt`);
      for (const [from, to] of CONSOLE_DIFFERENCES) {
        expect(expected).toMatch(from);
        expected = expected.replace(from, to);
      }
      const got = stdout.split('\n').filter((l) => l.startsWith('probe'));
      expect(`${got.join('\n')}\n`).toBe(expected);
    });
  }
});

describe('a virtio-console driver (console.c) on sel4ts and on real seL4 in QEMU', () => {
  it('prints the same lines, and the guest writes the same bytes to the console device', async () => {
    let stdout = '';
    const out = join(tmp, 'console-out.txt');
    const code = await main(['run', join(RECORDED, 'console.system'), '--virtio-console', `file,path=${out},input-path=console-input.txt`, '--global', 'virtio-mmio.force-legacy=false', '--until', 'console: end'], {
      stdout: (t) => void (stdout += t),
      stderr: () => {},
      colour: false,
      cwd: RECORDED,
    });
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => !l.startsWith('MON|INFO'));
    expect(`${lines.join('\n')}\n`).toBe(recorded('console.txt'));
    expect(readFileSync(out, 'utf8')).toBe(recorded('console-out.txt'));
  });
});
