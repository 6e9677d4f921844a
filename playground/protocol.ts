import type { FaultRecord } from '../src/cli/run/faults.js';
import type { PdStats } from '../src/cli/run/pd-stats.js';

/** What the page asks the run worker (worker.ts) to do. */
export type WorkerRequest =
  | {
      type: 'run';
      fileName: string;
      source: string;
      /** Every file the build may look for, by the name the description gives (program images, prefill files) and the monitor's `sdk/prebuilt/<config>/monitor.elf`. */
      files: Record<string, Uint8Array>;
      config: 'debug' | 'release';
      /** --max-time as typed (e.g. '1s'). */
      maxTime: string;
      /** What the UART receives (--input). */
      input: string;
      /** Keep the UART open after `input` (as `--input -`): the run then waits for 'send' until Stop or the time limit. */
      live: boolean;
      /** --until: stop once this text has appeared on the console. */
      until: string | undefined;
      /** --allow-faults. */
      allowFaults: boolean;
      /** --drive disks, by file name in `files` (writes stay in memory, as snapshot=on). */
      drives?: { file: string; readOnly: boolean }[];
      /** --global virtio-mmio.force-legacy (default true, as QEMU's). */
      forceLegacy?: boolean;
    }
  | { type: 'stop' }
  /** More bytes for the UART of a live run. */
  | { type: 'send'; text: string };

/** What the run worker reports (hostMs: build, boot and run; runMs: the run alone, in host milliseconds), in order: console text and faults as they happen, then one 'build-failed' or 'done'. */
export type WorkerMessage =
  | { type: 'console'; text: string }
  | { type: 'fault'; line: string; record: FaultRecord }
  | { type: 'build-failed'; diagnostics: string[] }
  | { type: 'done'; status: string; message: string; cycles: number; instructions: number; pds: PdStats[]; faults: FaultRecord[]; hostMs: number; runMs: number }
  | { type: 'error'; message: string };
