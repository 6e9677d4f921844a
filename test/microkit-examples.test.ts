import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBoard } from '../src/abi/boards.js';
import { TEST_CONFIGS, type KernelConfig } from '../src/abi/kernel-config.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { renderMicrokit } from '../src/diagnostics/render.js';
import { HAVE_SHARED, readTsv, SHARED_DIR } from './helpers/shared.js';
import { oracle } from './helpers/oracles.js';

const DIR = join(SHARED_DIR, 'examples', 'microkit');
const QEMU = findBoard('qemu_virt_aarch64')!.config;
const X86 = TEST_CONFIGS['test-x86_64']!;

/** The extra configurations INDEX.tsv predicts an error for, by the words it uses. */
const CLAUSES: [RegExp, KernelConfig][] = [
  [/arm_smc=None\) -> "([^"]+)"/, TEST_CONFIGS['test-aarch64']!],
  [/arm_smc=false -> "([^"]+)"/, { ...QEMU, armSmc: false }],
  [/on x86_64 -> "([^"]+)"/, X86],
  [/on aarch64\/riscv -> "([^"]+)"/, QEMU],
];

function run(file: string, config: KernelConfig) {
  const text = readFileSync(join(DIR, file), 'utf8');
  return checkSystemSource(file, text, { config, searchPaths: [DIR] });
}

describe.skipIf(!oracle('../shared', HAVE_SHARED, 'reference examples'))('the reference examples get the verdict INDEX.tsv predicts (needs ../shared)', () => {
  const rows = HAVE_SHARED ? readTsv(readFileSync(join(DIR, 'INDEX.tsv'), 'utf8')).filter((r) => r.file!.endsWith('.system')) : [];
  for (const row of rows) {
    const outcome = row.predicted_parse_outcome!;
    it(`${row.file}: ${outcome.slice(0, 60)}`, () => {
      const natural = row.intended_arch === 'x86_64' ? X86 : QEMU;
      if (outcome.startsWith('ERROR')) {
        const expected = /"([^"]+)"/.exec(outcome)![1];
        expect(renderMicrokit(run(row.file!, natural).diagnostics).stderr[0]).toBe(expected);
        return;
      }
      const result = run(row.file!, natural);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const warnings = /plus (\d+) "WARNING|\+(\d+) unused-MR warnings/.exec(`${outcome} ${row.notes}`);
      const unused = result.diagnostics.filter((d) => d.code === 'mr_unused').length;
      expect(unused).toBe(warnings ? Number(warnings[1] ?? warnings[2]) : 0);
      for (const [pattern, config] of CLAUSES) {
        const m = pattern.exec(outcome);
        if (m) expect(renderMicrokit(run(row.file!, config).diagnostics).stderr[0]).toBe(m[1]);
      }
    });
  }
});
