import pc from 'picocolors';
import { PLAIN, type Style } from '../diagnostics/render.js';
import { BufferedStdout } from './buffered-stdout.js';
import { EXIT_BROKEN_PIPE } from './exit-codes.js';

/** Where a command writes. Tests pass buffers; `main` passes the process streams. */
export interface Io {
  stdout(text: string): void;
  /**
   * One byte of the guest's console, written raw. Absent (the tests' buffers): the byte goes
   * through `stdout` as the Latin-1 character of that value.
   */
  stdoutByte?(byte: number): void;
  /** A guest program's output bytes, written raw. Absent: decoded as UTF-8 through `stdout`. */
  stdoutBytes?(bytes: Uint8Array): void;
  stderr(text: string): void;
  /** True when stderr is a terminal that should get colour. */
  colour: boolean;
  cwd: string;
  /** What `sel4ts run --input -` reads live. */
  stdin?: NodeJS.ReadableStream;
  /**
   * Call `handler` on the first Ctrl-C (SIGINT) until the returned function is called; a
   * second Ctrl-C ends the process as usual. Absent: nothing interrupts.
   */
  onInterrupt?(handler: () => void): () => void;
}

export function processIo(): Io {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  const out = new BufferedStdout(process.stdout);
  // `sel4ts run … | head`: once the reader has gone there is no one to run for. End quietly,
  // as a program killed by SIGPIPE does, instead of an unhandled EPIPE stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    throw e;
  });
  process.once('beforeExit', () => out.flush());
  return {
    stdout: (t) => out.text(t),
    stdoutByte: (b) => out.byte(b),
    stdoutBytes: (b) => out.bytes(b),
    stderr: (t) => {
      out.flush();
      process.stderr.write(t);
    },
    colour: !noColor && process.stderr.isTTY === true,
    cwd: process.cwd(),
    stdin: process.stdin,
    onInterrupt: (handler) => {
      // `once`: with the listener gone, Node restores the default action for the next SIGINT.
      // SIGTERM ends a run the same way (a socket backend keeps a run going until one of them).
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

export function styleFor(io: Io): Style {
  if (!io.colour) return PLAIN;
  const c = pc.createColors(true);
  return { bold: c.bold, red: c.red, yellow: c.yellow, cyan: c.cyan, dim: c.dim };
}

/** What is printed when sel4ts itself fails (exit code 3); `what` says where, if known. */
export function internalErrorText(e: unknown, what?: string): string {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const where = what !== undefined ? ` ${what}` : '';
  return `sel4ts: internal error${where}: this is a bug in sel4ts, please report it with the input that caused it.\n${detail}\n`;
}

/** A problem with the command line itself: exit code 2. */
export class UsageError extends Error {}

/** A file that is not what the command takes (a program given to check, say): exit code 1. */
export class InputError extends Error {}

export { EXIT_BROKEN_PIPE, EXIT_FAULT, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT_MISMATCH, EXIT_TIME_LIMIT, EXIT_USAGE } from './exit-codes.js';
