import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { bashWords } from './helpers/bash-words.js';

/**
 * Every example in examples/ builds from its committed programs and runs to its expected
 * output, with the arguments in its run-args.txt: the same `sel4ts run` a user types, since
 * bash itself splits the file's words.
 */

const EXAMPLES = fileURLToPath(new URL('../examples', import.meta.url));

const examples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(EXAMPLES, d.name, 'expected-output.txt')))
  .map((d) => d.name)
  .sort();

describe('examples', () => {
  it('there are examples, each with a run-args.txt', () => {
    expect(examples).toContain('hello');
    for (const name of examples) expect(existsSync(join(EXAMPLES, name, 'run-args.txt')), name).toBe(true);
  });

  it('bash splits the arguments', () => {
    expect(bashWords(`--input $'hello uart\\n' --until 'a b' "c d"`)).toEqual(['--input', 'hello uart\n', '--until', 'a b', 'c d']);
    expect(bashWords('')).toEqual([]);
  });

  for (const name of examples) {
    it(`${name} runs to its expected output`, async () => {
      const dir = join(EXAMPLES, name);
      const system = readdirSync(dir).find((f) => f.endsWith('.system'))!;
      const args = bashWords(readFileSync(join(dir, 'run-args.txt'), 'utf8'));
      let stdout = '';
      let stderr = '';
      const expected = join(dir, 'expected-output.txt');
      const code = await main(['run', join(dir, system), ...args, '--expect', expected], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: dir });
      expect(stdout).toBe(readFileSync(expected, 'utf8'));
      expect(code, stderr).toBe(0);
    });
  }
});
