import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, UPDATE_GOLDEN } from './helpers/golden.js';

describe('golden files', () => {
  it('a difference fails with the way to regenerate on purpose, and leaves the file alone', () => {
    const file = join(import.meta.dirname, 'golden', 'check-text.txt');
    const before = readFileSync(file, 'utf8');
    const saved = process.env[UPDATE_GOLDEN];
    delete process.env[UPDATE_GOLDEN];
    try {
      expect(() => expectGolden(`${before}changed\n`, 'golden/check-text.txt', import.meta.filename)).toThrow('regenerate it on purpose with SEL4TS_UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts');
      expectGolden(before, 'golden/check-text.txt', import.meta.filename);
    } finally {
      if (saved !== undefined) process.env[UPDATE_GOLDEN] = saved;
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  // `vitest -u` rewrites whatever a snapshot matcher compares with; a golden file must change
  // only when someone asks for it (expectGolden) and reviews the diff.
  it('no test compares with a snapshot that vitest -u would accept', () => {
    const tests = readdirSync(import.meta.dirname, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const users = tests.filter((f) => /\.toMatch(File|Inline)?Snapshot\(/.test(readFileSync(join(import.meta.dirname, f), 'utf8')));
    expect(users).toEqual([]);
  });
});
