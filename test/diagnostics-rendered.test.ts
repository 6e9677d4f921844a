import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { PLAIN, renderText } from '../src/diagnostics/render.js';
import { expectGolden } from './helpers/golden.js';
import { checkFixture, FIXTURE_DIR } from './helpers/fixtures.js';

/**
 * Everything `sel4ts check` prints for each diagnostic fixture: the message, the code frame, the
 * notes with their positions, the hint and the reference tool's full text. test/diagnostics.test.ts
 * pins each fixture's codes, positions and reference wording (the oracle is ../shared/spec/sdf.md);
 * sel4ts's own wording has no outside oracle, so this golden file makes every change to it a
 * reviewed diff (mutation testing found that no test read a message, note or hint of the
 * validation rules: docs/mutation.md). Update it on purpose only:
 * SEL4TS_UPDATE_GOLDEN=1 npx vitest run test/diagnostics-rendered.test.ts, then review the diff.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fixtures = readdirSync(FIXTURE_DIR)
  .filter((f) => /\.(system|yaml|json)$/.test(f))
  .sort();

describe('rendered diagnostics of the check fixtures', () => {
  it('match test/golden/diagnostics-rendered.txt', () => {
    const out: string[] = [];
    for (const name of fixtures) {
      const { result } = checkFixture(name);
      out.push(`==== ${name}`);
      for (const d of result.diagnostics) {
        out.push(renderText(d, PLAIN));
        if (d.reference?.includes('\n')) out.push(`  = microkit (full):\n${d.reference}`);
      }
    }
    // Paths under the checkout (a hint names where it looked for a file) differ between clones.
    const text = `${out.join('\n')}\n`.replaceAll(ROOT, '<checkout>/');
    expectGolden(text, 'golden/diagnostics-rendered.txt', import.meta.filename);
  });
});
