import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { expectGolden } from './helpers/golden.js';

/**
 * examples/policies/: `<example>-holds.yaml` and `<example>-fails.yaml` for examples/<example>/,
 * each with the output of `sel4ts check` beside it (`.expected`), which the README quotes.
 */

const ROOT = join(import.meta.dirname, '..');
const POLICIES = join(ROOT, 'examples', 'policies');

async function check(system: string, policy: string): Promise<{ code: number; err: string }> {
  let err = '';
  const io: Io = { stdout: (t) => void (err += t), stderr: (t) => void (err += t), colour: false, cwd: ROOT };
  const code = await main(['check', system, '--policy', policy], io);
  return { code, err };
}

describe('examples/policies', () => {
  const files = readdirSync(POLICIES).filter((f) => /-(holds|fails)\.yaml$/.test(f));

  it('has a policy that holds and one that fails', () => {
    expect(files.some((f) => f.endsWith('-holds.yaml'))).toBe(true);
    expect(files.some((f) => f.endsWith('-fails.yaml'))).toBe(true);
  });

  for (const file of files) {
    it(`${file} gives its expected verdict and output`, async () => {
      const example = file.replace(/-(holds|fails)\.yaml$/, '');
      const r = await check(`examples/${example}/${example}.system`, `examples/policies/${file}`);
      expect(r.code).toBe(file.endsWith('-holds.yaml') ? 0 : 1);
      expectGolden(r.err, `../examples/policies/${file.replace(/\.yaml$/, '.expected')}`, import.meta.filename);
    });
  }

  it("the README's Policies section shows a failing policy's real output", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const expected = readFileSync(join(POLICIES, 'bad-pd-fails.expected'), 'utf8');
    expect(readme).toContain(`\`\`\`\n$ sel4ts check examples/bad-pd/bad-pd.system --policy examples/policies/bad-pd-fails.yaml\n${expected}\`\`\``);
  });
});
