import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { join, normalize, resolveFrom } from '../src/util/posix-path.js';
import { sha256, sha256Hex } from '../src/util/sha256.js';

// The core's own SHA-256 and POSIX paths replace node:crypto and node:path (so it runs in a
// browser): they must give exactly what Node gives.
describe('sha256', () => {
  it('matches node:crypto at every length around the block and padding boundaries', () => {
    const data = new Uint8Array(300).map((_, i) => (i * 151 + 7) & 0xff);
    for (let n = 0; n <= 300; n++) {
      const bytes = data.subarray(0, n);
      expect(sha256Hex(bytes), `length ${n}`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('hashes a view into a larger buffer by its own bytes only', () => {
    const big = new Uint8Array(4096).map((_, i) => i & 0xff);
    const view = big.subarray(1000, 3000);
    expect(Buffer.from(sha256(view)).toString('hex')).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('gives the FIPS 180-4 digest of "abc"', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('posix-path', () => {
  const cases = ['', '.', '..', '/', '//', 'a', 'a/', 'a/b/../c', '/a/../../b', '../../x', 'a/./b//c/', './', '/..', 'a/..', 'a/../..', '/tmp/x/'];
  it('normalize matches path.posix.normalize', () => {
    for (const c of cases) expect(normalize(c), JSON.stringify(c)).toBe(posix.normalize(c));
  });

  it('join matches path.posix.join', () => {
    for (const a of cases) for (const b of ['x', '../y', '/z', '', 'q/']) expect(join(a, b), `${JSON.stringify(a)} + ${JSON.stringify(b)}`).toBe(posix.join(a, b));
  });

  it("resolveFrom('/', p) matches path.posix.resolve('/', p)", () => {
    for (const c of cases) expect(resolveFrom('/', c), JSON.stringify(c)).toBe(posix.resolve('/', c));
  });
});
