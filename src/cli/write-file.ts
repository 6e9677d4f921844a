import { writeFileSync } from 'node:fs';
import { UsageError } from './io.js';

/** Write a file the command line named; a failure is the user's to fix (exit 2), with the reason. */
export function writeOutput(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new UsageError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
