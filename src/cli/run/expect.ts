import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../io.js';
import { unifiedDiff } from './unified-diff.js';

/**
 * `--expect FILE`: the console output must equal the file, byte for byte; on a mismatch, a
 * unified diff from the file to the output.
 */

export function readExpected(path: string, cwd: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(resolve(cwd, path)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the --expect file '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code)}`);
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** '' when the console printed exactly the expected bytes, else the diff. */
export function expectDiff(expected: Uint8Array, console: Uint8Array, expectedName: string): string {
  if (sameBytes(expected, console)) return '';
  const utf8 = new TextDecoder();
  const a = utf8.decode(expected);
  const b = utf8.decode(console);
  // Bytes that are not UTF-8 decode alike: show them one character per byte instead.
  if (a === b) return unifiedDiff(Buffer.from(expected).toString('latin1'), Buffer.from(console).toString('latin1'), expectedName, 'console output');
  return unifiedDiff(a, b, expectedName, 'console output');
}
