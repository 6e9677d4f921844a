import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC_BENCHES, IPC_DIR, programsFor, realSel4Setup, withRounds } from '../scripts/bench-ipc.js';
import { main } from '../src/cli/main.js';

/**
 * The programs of `npm run bench`'s IPC ping-pongs (bench/ipc/, built against the real Microkit
 * 2.3 SDK) run on sel4ts to their end line, with the committed round count and with one the
 * bench writes into the ELF. No timing here: that is the bench's job.
 */
async function run(system: string, searchPath: string, until: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['run', system, '--search-path', searchPath, '--until', until, '--max-time', '10s'], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    colour: false,
    cwd: searchPath,
  });
  return { code, stdout, stderr };
}

describe('IPC benchmark systems', () => {
  for (const bench of IPC_BENCHES) {
    const system = join(IPC_DIR, bench.name, `${bench.name}.system`);

    it(`${bench.name} runs its committed 1000 rounds to the end line`, async () => {
      const { code, stdout, stderr } = await run(system, join(IPC_DIR, bench.name), bench.end);
      expect(stdout).toBe(`MON|INFO: Microkit Monitor started!\n${bench.start}${bench.result(1000)}${bench.end}`);
      expect(code, stderr).toBe(0);
    });

    it(`${bench.name} runs the round count written into its ELF`, async () => {
      const dir = programsFor(bench, join(IPC_DIR, bench.name), 37);
      try {
        const { code, stdout, stderr } = await run(system, dir, bench.end);
        expect(stdout).toContain(`${bench.start}${bench.result(37)}${bench.end}`);
        expect(code, stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('prints the expected results', () => {
    expect(IPC_BENCHES[0]!.result(1000)).toBe('client: 1000 calls, sum 500500 (right)\n');
    expect(IPC_BENCHES[1]!.result(1000)).toBe('ping: 1000 round trips\n');
  });

  it('says why it skips real seL4 without SEL4TS_REAL_SEL4_SDK, or with a folder that has no SDK', () => {
    const saved = process.env.SEL4TS_REAL_SEL4_SDK;
    try {
      delete process.env.SEL4TS_REAL_SEL4_SDK;
      expect(realSel4Setup()).toEqual({ skipped: expect.stringMatching(/^not measured: set SEL4TS_REAL_SEL4_SDK/) });
      process.env.SEL4TS_REAL_SEL4_SDK = IPC_DIR;
      expect(realSel4Setup()).toEqual({ skipped: `not measured: ${join(IPC_DIR, 'sdk-2.0.1')} has no bin/microkit` });
    } finally {
      if (saved === undefined) delete process.env.SEL4TS_REAL_SEL4_SDK;
      else process.env.SEL4TS_REAL_SEL4_SDK = saved;
    }
  });

  it('refuses a file without bench_rounds', () => {
    expect(() => withRounds(new Uint8Array(10), 1)).toThrow(/not an ELF file/);
    expect(() => withRounds(new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'bench', 'programs', 'generated-pd.elf'))), 1)).toThrow(/no 8-byte symbol bench_rounds/);
  });
});
