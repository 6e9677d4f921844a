import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

/**
 * Every example in examples/ builds from its committed programs and runs to its expected
 * output, with the arguments in its run-args.txt: the same `sel4ts run` a user types.
 */

const EXAMPLES = fileURLToPath(new URL('../examples', import.meta.url));

function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out.map((a) => a.replace(/\\n/g, '\n'));
}

const examples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(EXAMPLES, d.name, 'expected-output.txt')))
  .map((d) => d.name)
  .sort();

describe('examples', () => {
  it('there are examples', () => expect(examples).toContain('hello'));
  for (const name of examples) {
    it(`${name} runs to its expected output`, async () => {
      const dir = join(EXAMPLES, name);
      const system = readdirSync(dir).find((f) => f.endsWith('.system'))!;
      const argsFile = join(dir, 'run-args.txt');
      const args = existsSync(argsFile) ? splitArgs(readFileSync(argsFile, 'utf8').trim()) : [];
      let stdout = '';
      let stderr = '';
      const code = await main(['run', join(dir, system), ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: dir });
      expect(stdout).toBe(readFileSync(join(dir, 'expected-output.txt'), 'utf8'));
      expect(code, stderr).toBe(0);
    });
  }
});
