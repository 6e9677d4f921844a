// Network echo rate for `npm run bench -- net`: examples/net's virtio-net driver and client
// echoing UDP datagrams (64, 200, 512 and 1472 bytes in turn) fed by the pcap backend, through
// the whole stack: device → receiveq → driver → rx_active ring → client (checksums, a line on
// the console, the reply built in place) → tx_active ring → driver → transmitq → device. The
// rate is marginal: frames/s of (N_large − N_small) frames over the difference in host CPU
// seconds (this process's, user + system) between the driver's first line and "client: done",
// so start-up and boot cancel (the fastest of three runs; of five for QEMU). Next to it the
// same programs on real seL4 in QEMU (bench-real-sel4.ts), fed the same frames over a -netdev
// socket by frames.py; the ratio is taken per CPU second.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { buildPd, fastest, makeImage, processCpuSeconds, qemuMarginal, qemuRun, qemuVersion, realSel4Missing, round } from './bench-real-sel4.js';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLE = join(ROOT, 'examples', 'net');
const FRAMES_PY = join(ROOT, 'test', 'conformance', 'net', 'frames.py');
const N_SMALL = 300;
const N_LARGE = 1500;
const MODERN = ['--global', 'virtio-mmio.force-legacy=false'];

function echoPcap(dir: string, n: number): string {
  const out = join(dir, `echo-${n}.pcap`);
  const r = spawnSync('python3', [FRAMES_PY, 'echo', String(n), out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`frames.py echo ${n} failed (python3 is needed): ${r.stderr}`);
  return out;
}

async function sel4tsSeconds(pcap: string, n: number): Promise<number> {
  const cpu = processCpuSeconds;
  let started = 0;
  let ended = 0;
  let out = '';
  let tail = '';
  const code = await main(['run', join(EXAMPLE, 'net.system'), '--netdev', `pcap,in=${pcap}`, ...MODERN, '--until', 'client: done'], {
    // The console comes a byte at a time: look at its end only, not at all of it each time.
    stdout: (t) => {
      out += t;
      tail = (tail + t).slice(-32);
      if (!started && tail.includes('net_driver:')) started = cpu();
      if (!ended && tail.includes('client: done')) ended = cpu();
    },
    stderr: () => {},
    colour: false,
    cwd: ROOT,
  });
  if (code !== 0 || !out.includes(`client: ${n + 1} frames, ${n} replies`)) throw new Error(`the net bench failed (exit ${code}):\n${out.slice(-2000)}`);
  return ended - started;
}

async function qemuFigures(dir: string, pcaps: Record<number, string>): Promise<Record<string, unknown>> {
  const missing = realSel4Missing();
  if (missing) return { status: missing };
  for (const pd of ['net_driver', 'client']) buildPd(join(dir, `${pd}.elf`), [join(EXAMPLE, `${pd}.c`)]);
  const img = join(dir, 'loader.img');
  makeImage(join(EXAMPLE, 'net.system'), [dir], img);
  const port = 47100 + (process.pid % 400) * 2;
  const frames = { small: N_SMALL, large: N_LARGE };
  const m = await qemuMarginal(
    (size) =>
      qemuRun(
        img,
        'client: done',
        join(dir, `qemu-${size}.console`),
        ['-netdev', `socket,id=n0,udp=127.0.0.1:${port + 1},localaddr=127.0.0.1:${port}`, '-device', 'virtio-net-device,netdev=n0,mac=52:54:00:12:34:56', '-global', 'virtio-mmio.force-legacy=false'],
        // Up to 16 frames unanswered, as many as the client has buffers.
        ['python3', FRAMES_PY, 'feed', pcaps[frames[size]]!, join(dir, `qemu-${size}-replies.pcap`), join(dir, `qemu-${size}.console`), 'client: 10.0.2.15 at', String(port), String(port + 1), '16'],
      ),
    (r, size) => r.console.includes(`client: ${frames[size] + 1} frames, ${frames[size]} replies`),
    'the client did not answer every frame',
  );
  return {
    qemu: qemuVersion(),
    wallSeconds: m.wallSeconds,
    framesPerWallSecond: Math.round((N_LARGE - N_SMALL) / m.wall),
    framesPerCpuSecond: m.cpu === undefined ? undefined : Math.round((N_LARGE - N_SMALL) / m.cpu),
  };
}

export async function netSection(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-bench-net-'));
  try {
    const pcaps = { [N_SMALL]: echoPcap(dir, N_SMALL), [N_LARGE]: echoPcap(dir, N_LARGE) };
    await sel4tsSeconds(pcaps[N_SMALL]!, N_SMALL); // warm up the compiler tiers
    const small = [];
    const large = [];
    // One after another: runs in one process would share the event loop.
    for (let i = 0; i < 3; i++) {
      small.push(await sel4tsSeconds(pcaps[N_SMALL]!, N_SMALL));
      large.push(await sel4tsSeconds(pcaps[N_LARGE]!, N_LARGE));
    }
    const seconds = fastest(large) - fastest(small);
    const framesPerCpuSecond = Math.round((N_LARGE - N_SMALL) / seconds);
    const qemu = await qemuFigures(dir, pcaps);
    // Per CPU second on both sides: the bench machine is shared, so wall time measures the neighbours too.
    const qemuRate = (qemu.framesPerCpuSecond ?? qemu.framesPerWallSecond) as number | undefined;
    return {
      frames: { small: N_SMALL, large: N_LARGE },
      cpuSeconds: { small: round(fastest(small)), large: round(fastest(large)) },
      framesPerCpuSecond,
      realSel4InQemu: qemu,
      sel4tsOverQemu: qemuRate === undefined ? undefined : round(framesPerCpuSecond / qemuRate, 2),
      note: 'marginal rates: sel4ts per host CPU second of the run; QEMU per wall second and per CPU second (user + system of qemu-run.sh and QEMU) of the whole run, its frames from frames.py over a UDP socket, 16 unanswered at a time; the ratio is per CPU second',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
