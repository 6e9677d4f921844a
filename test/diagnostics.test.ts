import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../src/diagnostics/codes.js';
import { position } from '../src/diagnostics/render.js';
import { BUILD_FIXTURE_DIR, checkFixture, FIXTURE_DIR, POLICY_FIXTURE_DIR, fixtureExpectations, fixtureReferences, key, referenceLine, referencePlace } from './helpers/fixtures.js';

const fixtures = readdirSync(FIXTURE_DIR)
  .filter((f) => /\.(system|yaml|json)$/.test(f))
  .sort();
/** Build fixtures (test/build-diagnostics.test.ts runs them) cover the codes only a build finds. */
const buildFixtures = readdirSync(BUILD_FIXTURE_DIR).filter((f) => f.endsWith('.system'));
/** Policy fixtures (test/policy-diagnostics.test.ts runs them) cover the codes of --policy. */
const policyFixtures = readdirSync(POLICY_FIXTURE_DIR).filter((f) => /\.(yaml|json)$/.test(f));

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

    // The reference tool's wording is part of the contract: a fixture pins the exact text of every
    // diagnostic that carries one, so a changed word fails here (the oracle is the message
    // template in ../shared/spec/sdf.md, not what sel4ts prints today).
    it(`${name} pins the reference tool's exact wording`, () => {
      const { result, text } = checkFixture(name);
      const actual = result.diagnostics.filter((d) => d.reference !== undefined).map((d) => d.reference!);
      const pinned = fixtureReferences(name, text);
      const missing = actual.slice(pinned.length).map((r) => referenceLine(name, r));
      const how =
        missing.length > 0
          ? `${name} does not pin ${missing.length} reference line(s); after checking each against its template in ../shared/spec/sdf.md, add at the end of ${referencePlace(name)}:\n${missing.join('\n')}`
          : `${name}: the reference lines (one per diagnostic with a reference, in order) differ from what sel4ts prints; the fixture's lines come from ../shared/spec/sdf.md, so fix src/ unless the fixture is wrong`;
      expect(actual, how).toEqual(pinned);
    });
  }

  it('every diagnostic code has a fixture named after it (check, build or policy)', () => {
    const named = new Set([...fixtures, ...buildFixtures, ...policyFixtures].map((f) => f.replace(/\.(system|yaml|json)$/, '')));
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
