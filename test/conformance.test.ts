import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

/**
 * The kernel conformance suite: each scenario under test/conformance/scenarios/ is a Microkit
 * system whose PDs print what they observe of the kernel. `real-output.txt` is what real seL4
 * printed for it in qemu-system-aarch64 (recorded by test/conformance/record.sh; how and from
 * which commits is in test/conformance/README.md). sel4ts runs the committed programs (the same
 * sources, linked against the real Microkit 2.3 libmicrokit) and must print exactly that.
 *
 * The comparison drops the monitor's MON|INFO lines (the recording comes from Microkit 2.0.1,
 * whose monitor bootstraps the system and says so; sel4ts models 2.3's) and applies the named
 * divergences of docs/architecture.md ("Conformance with real seL4"), nothing else.
 */

const DIR = join(import.meta.dirname, 'conformance', 'scenarios');
const END_LINE = '== conformance end ==';

/** What the recording keeps of a console: after boot, up to the end line, no MON|INFO lines. */
export function comparable(console: string): string {
  const lines = console.split('\n');
  const end = lines.indexOf(END_LINE);
  return `${lines
    .slice(0, end < 0 ? lines.length : end + 1)
    .filter((l) => !l.startsWith('MON|INFO'))
    .join('\n')}\n`;
}

const scenarios = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('kernel conformance with real seL4', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(3));

  for (const name of scenarios) {
    it(`${name} prints what real seL4 printed`, async () => {
      const dir = join(DIR, name);
      const system = readdirSync(dir).find((f) => f.endsWith('.system'))!;
      let stdout = '';
      let stderr = '';
      const code = await main(['run', join(dir, system), '--search-path', dir, '--until', END_LINE, '--max-time', '10s'], {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        colour: false,
        cwd: dir,
      });
      expect(comparable(stdout)).toBe(readFileSync(join(dir, 'real-output.txt'), 'utf8'));
      expect(code, stderr).toBe(0);
    });
  }
});
