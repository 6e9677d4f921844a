import { appendFileSync } from 'node:fs';

/**
 * The environment variable naming a file where test files record the outside oracles they had
 * to skip (one `oracle<TAB>what` line each); scripts/test.mjs sets it and names them at the end.
 */
export const SKIPPED_ORACLES = 'SEL4TS_SKIPPED_ORACLES';

/**
 * Whether an outside oracle (`../shared`, `qemu-aarch64`, a cross compiler…) is here; when it is
 * not, records that `what` (the tests that compare with it) was skipped, so a run without it
 * says so instead of passing quietly. Use it in every `skipIf` that depends on such an oracle.
 */
export function oracle(name: string, available: boolean, what: string): boolean {
  const file = process.env[SKIPPED_ORACLES];
  if (!available && file) appendFileSync(file, `${name}\t${what}\n`);
  return available;
}
