// Block-read throughput for `npm run bench -- blk`: examples/blk's virtio-blk driver and
// bench/blk's client reading in 64 KiB requests from a 16 MiB disk (snapshot=on),
// through the whole stack: client → request ring → driver → virtqueue → device → DMA →
// interrupt → driver → response ring → client. Host CPU time (this process's, user + system:
// the bench machine is shared, so wall time would measure the neighbours) is taken between
// the driver's first line (the device is ready) and the client's last, so building and booting
// are left out (the fastest of three runs; of five for QEMU); 32 MiB gives readMBps, and 8 MiB
// against 32 MiB the marginal rate. Next to it the same programs on real seL4 in QEMU
// (bench-real-sel4.ts), 32 MiB against 512 MiB of reads, in wall and CPU time of the whole
// run; the ratio is taken per CPU second.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { buildPd, fastest, makeImage, patchWord, processCpuSeconds, qemuMarginal, qemuRun, qemuVersion, realSel4Missing, round } from './bench-real-sel4.js';

const ROOT = join(import.meta.dirname, '..');
const MiB = 1 << 20;
const SMALL = 8 * MiB;
const LARGE = 32 * MiB;
const QEMU_SMALL = 32 * MiB;
const QEMU_LARGE = 512 * MiB;

/** A folder with the bench's system and its client set to read `bytes` (the variable bench_bytes). */
function benchFolder(parent: string, bytes: number, client = join(ROOT, 'bench/blk/bench_client.elf')): string {
  const dir = join(parent, `read-${bytes >> 20}MiB`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, 'bench/blk/blk-bench.system'), join(dir, 'blk-bench.system'));
  copyFileSync(client, join(dir, 'bench_client.elf'));
  patchWord(join(dir, 'bench_client.elf'), 'bench_bytes', BigInt(bytes));
  return dir;
}

async function once(disk: string, dir: string, bytes: number): Promise<{ seconds: number; instructions: number }> {
  const cpu = processCpuSeconds;
  let started = 0;
  let ended = 0;
  let out = '';
  let err = '';
  const code = await main(['run', join(dir, 'blk-bench.system'), '--search-path', join(ROOT, 'examples/blk'), '--drive', `file=${disk},snapshot=on`, '--global', 'virtio-mmio.force-legacy=false', '--until', 'KiB', '--stats'], {
    stdout: (t) => {
      out += t;
      if (!started && out.includes('blk_driver:')) started = cpu();
      if (!ended && out.includes(' KiB')) ended = cpu();
    },
    stderr: (t) => void (err += t),
    colour: false,
    cwd: ROOT,
  });
  if (code !== 0 || !out.includes(`bench: read ${bytes >> 10} KiB`)) throw new Error(`the block bench failed (exit ${code}):\n${out}\n${err}`);
  const instructions = [...err.matchAll(/^(?:blk_driver|bench_client)\s+(\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  return { seconds: ended - started, instructions };
}

async function qemuFigures(dir: string, disk: string): Promise<Record<string, unknown>> {
  const missing = realSel4Missing();
  if (missing) return { status: missing };
  const built = join(dir, 'real-sel4');
  mkdirSync(built);
  buildPd(join(built, 'blk_driver.elf'), [join(ROOT, 'examples/blk/blk_driver.c')]);
  buildPd(join(built, 'bench_client.elf'), [join(ROOT, 'bench/blk/bench_client.c')], ['-I', join(ROOT, 'examples/blk')]);
  const images: Record<number, string> = {};
  for (const bytes of [QEMU_SMALL, QEMU_LARGE]) {
    const d = benchFolder(built, bytes, join(built, 'bench_client.elf'));
    images[bytes] = join(d, 'loader.img');
    makeImage(join(d, 'blk-bench.system'), [d, built], images[bytes]);
  }
  const args = ['-drive', `file=${disk},if=none,format=raw,id=hd0,snapshot=on`, '-device', 'virtio-blk-device,drive=hd0', '-global', 'virtio-mmio.force-legacy=false'];
  const bytes = { small: QEMU_SMALL, large: QEMU_LARGE };
  const m = await qemuMarginal(
    (size) => qemuRun(images[bytes[size]]!, 'KiB', join(dir, `qemu-${size}.console`), args),
    (r, size) => r.console.includes(`bench: read ${bytes[size] >> 10} KiB`),
    'the block bench did not read what it should',
  );
  return {
    qemu: qemuVersion(),
    bytesRead: bytes,
    wallSeconds: m.wallSeconds,
    readMBpsPerWallSecond: round((QEMU_LARGE - QEMU_SMALL) / 1e6 / m.wall, 1),
    readMBpsPerCpuSecond: m.cpu === undefined ? undefined : round((QEMU_LARGE - QEMU_SMALL) / 1e6 / m.cpu, 1),
  };
}

export async function blkSection(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-blk-'));
  try {
    const disk = join(dir, 'disk.raw');
    writeFileSync(disk, new Uint8Array(16 << 20));
    const small = benchFolder(dir, SMALL);
    const large = benchFolder(dir, LARGE);
    await once(disk, large, LARGE); // warm up the compiler tiers
    // One after another: runs in one process would share the event loop.
    const smallRuns = [];
    const largeRuns = [];
    for (let i = 0; i < 3; i++) {
      smallRuns.push(await once(disk, small, SMALL));
      largeRuns.push(await once(disk, large, LARGE));
    }
    const seconds = fastest(largeRuns.map((r) => r.seconds));
    const marginal = round((LARGE - SMALL) / 1e6 / (seconds - fastest(smallRuns.map((r) => r.seconds))), 1);
    const qemu = await qemuFigures(dir, disk);
    // Per CPU second on both sides: the bench machine is shared, so wall time measures the neighbours too.
    const qemuRate = (qemu.readMBpsPerCpuSecond ?? qemu.readMBpsPerWallSecond) as number | undefined;
    return {
      bytesRead: LARGE,
      requestBytes: 65536,
      cpuSeconds: round(seconds),
      readMBps: round(LARGE / 1e6 / seconds, 1),
      marginalReadMBps: marginal,
      guestInstructions: largeRuns[0]!.instructions,
      realSel4InQemu: qemu,
      sel4tsOverQemu: qemuRate === undefined ? undefined : round(marginal / qemuRate, 2),
      note: 'sel4ts: host CPU seconds from the driver ready to the client done (marginal: 8 MiB against 32 MiB); QEMU: wall and CPU seconds (user + system of qemu-run.sh and QEMU) of the whole run, 32 MiB against 512 MiB; the ratio is per CPU second',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
