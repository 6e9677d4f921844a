import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skippedOraclesLine } from '../scripts/skipped-oracles.mjs';
import { oracle, SKIPPED_ORACLES } from './helpers/oracles.js';

describe('the line that names skipped oracles', () => {
  it('groups the skipped tests by oracle, each list sorted and without repeats', () => {
    const text = '../shared\tcorpus\nqemu-aarch64\tlive CPU fuzz\n../shared\treference examples\n../shared\tcorpus\n';
    expect(skippedOraclesLine(text)).toBe('skipped oracles: ../shared (corpus, reference examples), qemu-aarch64 (live CPU fuzz)');
  });

  it('is absent when nothing was skipped', () => {
    expect(skippedOraclesLine('')).toBeUndefined();
  });

  it('oracle() records a missing oracle, and only a missing one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sel4ts-oracles-')), 'skipped.tsv');
    const saved = process.env[SKIPPED_ORACLES];
    process.env[SKIPPED_ORACLES] = file;
    try {
      expect(oracle('here', true, 'a')).toBe(true);
      expect(oracle('gone', false, 'b')).toBe(false);
    } finally {
      if (saved === undefined) delete process.env[SKIPPED_ORACLES];
      else process.env[SKIPPED_ORACLES] = saved;
    }
    expect(readFileSync(file, 'utf8')).toBe('gone\tb\n');
  });

  // A skip that does not go through oracle() would let a run without the oracle pass quietly.
  it('every test file that skips on a condition records its oracle', () => {
    const files = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.test.ts') && f !== 'skipped-oracles.test.ts');
    const quiet = files.filter((f) => {
      const text = readFileSync(join(import.meta.dirname, f), 'utf8');
      return /\.(skipIf|runIf)\(/.test(text) && !text.includes("from './helpers/oracles.js'");
    });
    expect(quiet, 'use oracle(name, available, what) from test/helpers/oracles.ts in their skipIf conditions').toEqual([]);
  });
});
