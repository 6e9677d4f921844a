import { buildSystem } from '../src/compiler/build.js';
import { PLAIN, renderText } from '../src/diagnostics/render.js';
import { Reg } from '../src/kernel/faults.js';
import { bootImage, type Booted } from '../src/loader/boot.js';
import type { InputSource } from '../src/machine/machine.js';
import { faultLine, faultRecord, type FaultRecord } from '../src/cli/run/faults.js';
import { decideOutcome } from '../src/cli/run/outcome.js';
import { InstructionCounter, pdStats } from '../src/cli/run/pd-stats.js';
import { provideHostFiles } from '../src/util/host-files.js';
import { memoryBackend } from '../src/machine/devices/virtio/block-store.js';
import { VirtioBlock } from '../src/machine/devices/virtio/block.js';
import type { VirtioOptions } from '../src/machine/machine.js';
import { memoryFiles } from './memory-files.js';
import type { WorkerMessage, WorkerRequest } from './protocol.js';

const CPU_HZ = 1_000_000_000;

/** "10s", "250ms", "5us", "100ns" or plain seconds → nanoseconds, as `run --max-time` reads it; undefined when it is not a time. */
function parseTime(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|ms|us|ns)?$/.exec(text.trim());
  if (!m) return undefined;
  const scale = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[(m[2] ?? 's') as 's' | 'ms' | 'us' | 'ns'];
  return Math.round(Number(m[1]) * scale);
}

/** A run in progress: `stop` halts it at the next slice (the page's Stop button); `send` gives a live run's UART more bytes. */
export interface RunControl {
  stop(): void;
  send(text: string): void;
}

/**
 * What the UART receives: the text given at the start, then, for a live run, what is sent while
 * it runs (like `--input -`: an idle system waits for it instead of ending).
 */
function uartInput(initial: string, live: boolean): InputSource & { send(text: string): void; close(): void } {
  const bytes = [...new TextEncoder().encode(initial)];
  let pos = 0;
  let open = live;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const source = {
    peek: () => bytes[pos],
    take: () => void pos++,
    send(text: string) {
      bytes.push(...new TextEncoder().encode(text));
      notify();
    },
    close() {
      open = false;
      notify();
    },
    get ended() {
      return !open && pos >= bytes.length;
    },
  };
  return live ? Object.assign(source, { wait: () => (!open || pos < bytes.length ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))) }) : source;
}

/**
 * `sel4ts run` for the playground: build the description with the given files, boot it and run
 * it on the machine and kernel models, posting the console (batched), each fault as it happens,
 * and the verdict with the per-PD statistics. The run is the one `sel4ts run` makes, so its
 * console output is the same byte for byte.
 */
export function runSystem(req: Extract<WorkerRequest, { type: 'run' }>, post: (m: WorkerMessage) => void): { control: RunControl; done: Promise<void> } {
  let booted: Booted | undefined;
  let interrupted = false;
  const input = uartInput(req.input, req.live);
  const control: RunControl = {
    stop() {
      interrupted = true;
      booted?.machine.halt('stopped');
      input.close();
    },
    send: (text) => input.send(text),
  };
  const done = (async () => {
    const maxCycles = parseTime(req.maxTime);
    if (maxCycles === undefined) return post({ type: 'error', message: `the time limit '${req.maxTime}' is not a time (e.g. 1s, 250ms)` });
    provideHostFiles(memoryFiles(new Map(Object.entries(req.files))));
    const started = performance.now();
    const built = buildSystem(req.fileName, req.source, { config: req.config });
    if (!built.ok) return post({ type: 'build-failed', diagnostics: built.diagnostics.map((d) => renderText(d, PLAIN)) });

    // Disks as `--drive file=…,snapshot=on`: the guest's writes stay in memory.
    let virtio: VirtioOptions | undefined;
    const drives = req.drives ?? [];
    if (drives.length > 0 || req.forceLegacy === false) {
      const devices: VirtioBlock[] = [];
      for (const drive of drives) {
        const bytes = req.files[drive.file];
        if (!bytes) return post({ type: 'error', message: `the disk image '${drive.file}' is not among the files` });
        devices.push(new VirtioBlock(memoryBackend(bytes.slice(), drive.readOnly), ''));
      }
      virtio = {
        devices,
        forceLegacy: req.forceLegacy ?? true, // In its place among the console's bytes, as a terminal shows `sel4ts run`'s stderr.
        warn: (m) => {
          pending += `sel4ts: warning: ${m}\n`;
        },
      };
    }
    let pending = '';
    let tail = '';
    let untilSeen = false;
    const r = bootImage(built.image, {
      cpuHz: CPU_HZ,
      jit: 'hot',
      input,
      virtio,
      console(byte) {
        const c = String.fromCharCode(byte);
        pending += c;
        if (req.until !== undefined && !untilSeen) {
          tail = (tail + c).slice(-Math.max(1, req.until.length) * 2);
          if (tail.includes(req.until)) {
            untilSeen = true;
            booted?.machine.halt(`'${req.until}' appeared`);
          }
        }
      },
    });
    if (!r.ok) return post({ type: 'error', message: `internal error: the image just built does not boot: ${r.error}` });
    booted = r.booted;
    const { machine, kernel, image } = booted;
    const spec = image.spec;
    const k = kernel.state;
    const counter = new InstructionCounter(() => machine.cpu.icount);
    const faults: FaultRecord[] = [];
    const flush = () => {
      if (pending) post({ type: 'console', text: pending });
      pending = '';
    };
    k.trace.switchTo = (t) => counter.switchTo(t);
    k.trace.fault = (t, description, handled) => {
      const record = faultRecord(spec, t, k.reg(t, Reg.FaultIP), description, handled, machine.cycles);
      faults.push(record);
      flush();
      post({ type: 'fault', line: faultLine(record, t, spec), record });
    };
    // The console goes out between slices of virtual time, when the run yields to the worker's event loop.
    const timer = setInterval(flush, 50);
    let end: Awaited<ReturnType<typeof machine.runAsync>>;
    const running = performance.now();
    try {
      end = await machine.runAsync(kernel, maxCycles, 5_000_000);
    } finally {
      clearInterval(timer);
    }
    flush();
    counter.charge();
    const outcome = decideOutcome({ end, interrupted, until: req.until, untilSeen, maxTime: req.maxTime, faults, allowFaults: req.allowFaults, expectMismatch: undefined });
    const message = interrupted ? `stopped after ${(end.cycles / 1e6).toFixed(3)} ms of virtual time` : outcome.message;
    post({
      type: 'done',
      status: interrupted ? 'stopped' : outcome.status,
      message,
      cycles: machine.cycles,
      instructions: machine.cpu.icount,
      pds: pdStats(spec, k.debugTcbs, counter),
      faults,
      hostMs: performance.now() - started,
      runMs: performance.now() - running,
    });
  })();
  return { control, done };
}
