import type { InputSource } from '../machine.js';

/**
 * A live input source for the PL011: the bytes of a readable stream (stdin, a socket), in
 * arrival order. Use it with `Machine.runAsync`, which yields to the event loop so that data
 * can arrive. When bytes arrive depends on the wall clock, so a run with live input is not
 * reproducible; scripted input is.
 */
export function streamInput(stream: NodeJS.ReadableStream): InputSource & { readonly ended: boolean } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('data', (chunk: Buffer | string) => {
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
    notify();
  });
  const finish = () => {
    ended = true;
    notify();
  };
  stream.on('end', finish);
  stream.on('error', finish);
  // Destroyed (as `run` does on Ctrl-C): nothing more will come.
  stream.on('close', finish);
  return {
    peek: () => chunks[0]?.[offset],
    take() {
      if (++offset >= chunks[0]!.length) {
        chunks.shift();
        offset = 0;
      }
    },
    wait: () => (ended || chunks.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve))),
    get ended() {
      return ended && chunks.length === 0;
    },
  };
}
