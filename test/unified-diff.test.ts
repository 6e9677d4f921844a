import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectDiff } from '../src/cli/run/expect.js';
import { unifiedDiff } from '../src/cli/run/unified-diff.js';
import { oracle } from './helpers/oracles.js';

/** run --expect's unified diff: GNU diff's output where the alignment is unique, and always a correct patch. */

const haveDiff = oracle('diff', spawnSync('diff', ['--version']).status === 0, 'unified diff');

const dir = mkdtempSync(join(tmpdir(), 'sel4ts-diff-'));

function gnuDiff(a: string, b: string): string {
  writeFileSync(join(dir, 'a'), a);
  writeFileSync(join(dir, 'b'), b);
  return spawnSync('diff', ['-u', '--label', 'a', '--label', 'b', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' }).stdout;
}

/** Apply a unified diff to `a`: the hunks' context and removals must be where the headers say. */
function patch(a: string, diff: string): string {
  const lines = a.split(/(?<=\n)/).filter((l) => l !== '');
  const out: string[] = [];
  let at = 0;
  const body = diff.split('\n').slice(2, -1);
  for (let i = 0; i < body.length; i++) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(body[i]!);
    if (h) {
      const start = h[2] === '0' ? Number(h[1]) : Number(h[1]) - 1;
      while (at < start) out.push(lines[at++]!);
      continue;
    }
    const line = body[i]!;
    const noNewline = body[i + 1] === '\\ No newline at end of file';
    const text = line.slice(1) + (noNewline ? '' : '\n');
    if (noNewline) i++;
    if (line[0] === '+') out.push(text);
    else {
      expect(lines[at]).toBe(text);
      at++;
      if (line[0] === ' ') out.push(text);
    }
  }
  while (at < lines.length) out.push(lines[at++]!);
  return out.join('');
}

const CASES: [string, string][] = [
  ['a\nb\nc\n', 'a\nB\nc\n'],
  ['', 'one\n'],
  ['one\n', ''],
  ['a\nb\n', 'a\nb'],
  ['1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n', '1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\nthirteen\n14\n15\n'],
  ['1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\nx\n4\n5\n6\n7\n8\n'],
  ['head\nmiddle\ntail', 'head\ntail'],
];

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => expect(unifiedDiff('a\n', 'a\n', 'x', 'y')).toBe(''));

  it.skipIf(!haveDiff)('prints what diff -u prints (needs diff)', () => {
    for (const [a, b] of CASES) expect(unifiedDiff(a, b, 'a', 'b'), JSON.stringify([a, b])).toBe(gnuDiff(a, b));
  });

  it('is a patch that turns the first text into the second, and a shortest one', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 300; n++) {
      const text = () => Array.from({ length: next() % 30 }, () => `${'abcd'[next() % 4]}\n`).join('') + (next() % 5 === 0 ? 'end' : '');
      const a = text();
      const b = text();
      const d = unifiedDiff(a, b, 'a', 'b');
      expect(patch(a, d), JSON.stringify([a, b])).toBe(b);
      if (haveDiff && n % 6 === 0) {
        // GNU diff is minimal too: the same number of removed and added lines.
        const count = (s: string, c: string) => s.split('\n').filter((l) => l.startsWith(c) && !l.startsWith(c.repeat(3))).length;
        const gnu = gnuDiff(a, b);
        expect([count(d, '-'), count(d, '+')]).toEqual([count(gnu, '-'), count(gnu, '+')]);
      }
    }
  });

  it('stays correct past the edit limit (no longer minimal)', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}\n`).join('');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}\n`).join('');
    expect(patch(a, unifiedDiff(a, b, 'a', 'b'))).toBe(b);
  });
});

describe('expectDiff', () => {
  it('compares bytes, and shows bytes that are not UTF-8 one character each', () => {
    const bytes = (...b: number[]) => new Uint8Array(b);
    expect(expectDiff(bytes(0x61, 0x0a), bytes(0x61, 0x0a), 'e')).toBe('');
    expect(expectDiff(bytes(0xff, 0x0a), bytes(0xfe, 0x0a), 'e')).toBe('--- e\n+++ console output\n@@ -1 +1 @@\n-\u00ff\n+\u00fe\n');
  });
});
