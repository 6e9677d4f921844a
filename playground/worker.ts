import type { WorkerMessage, WorkerRequest } from './protocol.js';
import { runSystem, type RunControl } from './run-system.js';

/** The run worker: builds and runs a system off the page's thread, so the page stays live (Stop). */

// The page's tsconfig has the DOM library, not WebWorker's: this is the part of the worker scope used here.
const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: WorkerMessage): void };

let running: RunControl | undefined;

scope.onmessage = (e) => {
  const req = e.data;
  if (req.type === 'stop') return running?.stop();
  if (req.type === 'send') return running?.send(req.text);
  const run = runSystem(req, (m) => scope.postMessage(m));
  running = run.control;
  run.done.catch((err: unknown) => scope.postMessage({ type: 'error', message: `internal error (a bug in sel4ts): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` }));
};
