import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

/** Set to 1 to rewrite the golden files a test run compares with (then review the diff). */
export const UPDATE_GOLDEN = 'SEL4TS_UPDATE_GOLDEN';

const TEST_DIR = join(import.meta.dirname, '..');

/**
 * Compares `actual` with a golden file under test/ by an explicit read, so `vitest -u` cannot
 * accept a change (a snapshot matcher would rewrite the file silently). A change is taken only
 * on purpose: `SEL4TS_UPDATE_GOLDEN=1 npx vitest run <test file>` writes the file, and the diff
 * is reviewed before it is committed.
 */
export function expectGolden(actual: string, golden: string, testFile: string): void {
  const path = join(TEST_DIR, golden);
  if (process.env[UPDATE_GOLDEN] === '1') {
    writeFileSync(path, actual);
    return;
  }
  let expected: string | undefined;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    expected = undefined;
  }
  const how = `test/${golden} differs from this run (vitest -u does not update it). If the change is intended, regenerate it on purpose with ${UPDATE_GOLDEN}=1 npx vitest run test/${relative(TEST_DIR, testFile)} and review the diff before committing`;
  expect(actual, how).toEqual(expected);
}
