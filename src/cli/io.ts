import pc from 'picocolors';
import { PLAIN, type Style } from '../diagnostics/render.js';

/** Where a command writes. Tests pass buffers; `main` passes the process streams. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal that should get colour. */
  colour: boolean;
  cwd: string;
  /** What `sel4ts run --input -` reads live. */
  stdin?: NodeJS.ReadableStream;
}

export function processIo(): Io {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    colour: !noColor && process.stderr.isTTY === true,
    cwd: process.cwd(),
    stdin: process.stdin,
  };
}

export function styleFor(io: Io): Style {
  if (!io.colour) return PLAIN;
  const c = pc.createColors(true);
  return { bold: c.bold, red: c.red, yellow: c.yellow, cyan: c.cyan, dim: c.dim };
}

/** A problem with the command line itself: exit code 2. */
export class UsageError extends Error {}

/** A file that is not what the command takes (a program given to check, say): exit code 1. */
export class InputError extends Error {}

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;
