// Block-read throughput for `npm run bench -- blk`: examples/blk's virtio-blk driver and
// bench/blk's client reading 32 MiB in 64 KiB requests from a 16 MiB disk (snapshot=on),
// through the whole stack: client → request ring → driver → virtqueue → device → DMA →
// interrupt → driver → response ring → client. Host CPU time (this process's, user + system:
// the bench machine is shared, so wall time would measure the neighbours) is taken between
// the driver's first line (the device is ready) and the client's last, so building and booting
// are left out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';

const ROOT = join(import.meta.dirname, '..');
const BYTES = 32 << 20;

async function once(disk: string): Promise<{ seconds: number; instructions: number }> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let started = 0;
  let ended = 0;
  let out = '';
  let err = '';
  const code = await main(['run', join(ROOT, 'bench/blk/blk-bench.system'), '--search-path', join(ROOT, 'examples/blk'), '--drive', `file=${disk},snapshot=on`, '--global', 'virtio-mmio.force-legacy=false', '--until', 'KiB', '--stats'], {
    stdout: (t) => {
      out += t;
      if (!started && out.includes('blk_driver:')) started = cpu();
      if (!ended && out.includes(' KiB')) ended = cpu();
    },
    stderr: (t) => void (err += t),
    colour: false,
    cwd: ROOT,
  });
  if (code !== 0 || !out.includes(`bench: read ${BYTES >> 10} KiB`)) throw new Error(`the block bench failed (exit ${code}):\n${out}\n${err}`);
  const instructions = [...err.matchAll(/^(?:blk_driver|bench_client)\s+(\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  return { seconds: ended - started, instructions };
}

export async function blkSection(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-blk-'));
  try {
    const disk = join(dir, 'disk.raw');
    writeFileSync(disk, new Uint8Array(16 << 20));
    await once(disk); // warm up the compiler tiers
    // One after another: runs in one process would share the event loop.
    const runs = [await once(disk), await once(disk), await once(disk)];
    const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b)[1]!;
    return {
      bytesRead: BYTES,
      requestBytes: 65536,
      cpuSeconds: Number(seconds.toFixed(3)),
      readMBps: Number((BYTES / 1e6 / seconds).toFixed(1)),
      guestInstructions: runs[0]!.instructions,
      note: 'host CPU seconds from the driver ready to the client done; QEMU is not measured (qemu-run.sh times whole boots by polling the console)',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
