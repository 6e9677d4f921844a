import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../src/diagnostics/codes.js';
import { position } from '../src/diagnostics/render.js';
import { BUILD_FIXTURE_DIR, checkFixture, FIXTURE_DIR, fixtureExpectations, key } from './helpers/fixtures.js';

const fixtures = readdirSync(FIXTURE_DIR)
  .filter((f) => /\.(system|yaml|json)$/.test(f))
  .sort();
/** Build fixtures (test/build-diagnostics.test.ts runs them) cover the codes only a build finds. */
const buildFixtures = readdirSync(BUILD_FIXTURE_DIR).filter((f) => f.endsWith('.system'));

describe('diagnostic fixtures', () => {
  for (const name of fixtures) {
    it(`${name} reports exactly its expected diagnostics`, () => {
      const { result, text } = checkFixture(name);
      const expected = fixtureExpectations(name, text);
      expect(expected, `${name} has no expect: line`).toBeDefined();
      const actual = result.diagnostics.map((d) => key({ code: d.code, ...position(d.file, d.span) }));
      expect(actual).toEqual(expected);
      const code = name.replace(/\.(system|yaml|json)$/, '');
      expect(actual.map((k) => k.split('@')[0])).toContain(code);
    });
  }

  it('every diagnostic code has a fixture named after it (check or build)', () => {
    const named = new Set([...fixtures, ...buildFixtures].map((f) => f.replace(/\.(system|yaml|json)$/, '')));
    const missing = Object.keys(DIAGNOSTIC_CODES).filter((c) => !named.has(c));
    expect(missing).toEqual([]);
  });

  it('every fixture is named after a diagnostic code', () => {
    const unknown = fixtures.map((f) => f.replace(/\.(system|yaml|json)$/, '')).filter((c) => !(c in DIAGNOSTIC_CODES));
    expect(unknown).toEqual([]);
  });
});

describe('docs/diagnostics.md', () => {
  it('is generated from the catalog (run npm run gen:docs after changing codes.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { diagnosticsDoc } = await import('../src/diagnostics/catalog-doc.js');
    expect(readFileSync(join(import.meta.dirname, '..', 'docs', 'diagnostics.md'), 'utf8')).toBe(diagnosticsDoc());
  });
});
