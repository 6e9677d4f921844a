import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICY_DIAGNOSTIC_CODES } from '../src/diagnostics/codes.js';
import { diagnosticJson, PLAIN, renderGithub, renderText } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/diagnostics/source-file.js';
import { policyLibraries } from '../src/cli/policy-option.js';
import { checkPolicies } from '../src/policy/check-policies.js';
import { buildKey, fixtureExpectations, POLICY_FIXTURE_DIR } from './helpers/fixtures.js';
import { subjects } from './helpers/policy.js';

/**
 * Every policy code has a fixture in test/fixtures/policy/: a policy named after it (an
 * `expect:` comment, or for JSON the first line of a `.expect` file beside it), checked against
 * system.system there, from the description (check) and from the Spec (build) alike.
 */

const fixtures = readdirSync(POLICY_FIXTURE_DIR)
  .filter((f) => /\.(yaml|json)$/.test(f))
  .sort();
const codeOf = (name: string) => name.replace(/\.(yaml|json)$/, '');
const systemText = readFileSync(join(POLICY_FIXTURE_DIR, 'system.system'), 'utf8');
const both = subjects(systemText, 'system.system');

function expectations(name: string, text: string): string[] | undefined {
  if (!name.endsWith('.json')) return fixtureExpectations(name, text);
  return readFileSync(join(POLICY_FIXTURE_DIR, `${name}.expect`), 'utf8')
    .split('\n')[0]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

describe('policy diagnostic fixtures', () => {
  for (const name of fixtures) {
    it(`${name} reports exactly its expected diagnostics, from the description and from the Spec`, () => {
      const text = readFileSync(join(POLICY_FIXTURE_DIR, name), 'utf8');
      const expected = expectations(name, text);
      expect(expected, `${name} has no expect: line`).toBeDefined();
      for (const subject of [both.description, both.spec]) {
        const r = checkPolicies([new SourceFile(name, text)], subject, policyLibraries());
        expect(r.diagnostics.map(buildKey), subject.source).toEqual(expected);
        expect(r.diagnostics.map((d) => d.code)).toContain(codeOf(name));
        // Each is located in every format: in the policy, and its notes in the system.
        for (const d of r.diagnostics) {
          expect(renderText(d, PLAIN)).toMatch(new RegExp(`^${name}:\\d+:\\d+: error\\[${d.code}\\]: `));
          expect(renderGithub(d)).toMatch(new RegExp(`^::error file=${name},line=\\d+,col=\\d+,endLine=\\d+,endColumn=\\d+,title=${d.code}::`));
          expect(diagnosticJson(d)).toMatchObject({ code: d.code, file: name });
          for (const n of d.notes) expect(n.file?.name).toBe('system.system');
        }
      }
    });
  }

  it('every policy code has a fixture, and every fixture is named after one', () => {
    expect(fixtures.map(codeOf).sort()).toEqual(Object.keys(POLICY_DIAGNOSTIC_CODES).sort());
  });
});
