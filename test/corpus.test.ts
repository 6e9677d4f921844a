import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOARDS, boardKernelConfig, findBoard } from '../src/abi/boards.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { HAVE_SHARED, readTsv, SHARED_DIR } from './helpers/shared.js';

const DIR = join(SHARED_DIR, 'corpus');

/**
 * The board a corpus file was written for, guessed from its path (`board/odroidc4/…`) and its
 * features (x86 irq forms and ioports); qemu_virt_aarch64 otherwise.
 */
export function corpusBoard(row: Record<string, string>): string {
  const path = row.path!.toLowerCase();
  const features = row.features ?? '';
  if (/x86_ioport|irq_ioapic|irq_msi|iommu/.test(features) || path.includes('x86')) return 'x86_64_generic_vtx';
  const byLength = [...BOARDS].sort((a, b) => b.name.length - a.name.length);
  for (const b of byLength) if (path.includes(b.name)) return b.name;
  if (path.includes('riscv')) return 'qemu_virt_riscv64';
  return 'qemu_virt_aarch64';
}

describe.skipIf(!HAVE_SHARED)('the corpus of real system descriptions (needs ../shared)', () => {
  const rows = HAVE_SHARED ? readTsv(readFileSync(join(DIR, 'INDEX.tsv'), 'utf8')) : [];

  it('is read without a crash or hang, and every verdict is pinned', async () => {
    expect(rows.length).toBe(282);
    const lines: string[] = [];
    let accepted = 0;
    for (const row of rows) {
      const board = corpusBoard(row);
      // Files that place PDs on cores were written for an SMP configuration.
      const smp = /(^|,)cpu(,|$)/.test(row.features ?? '') && findBoard(board)!.smpCores !== undefined;
      const configName = smp ? 'smp-debug' : 'debug';
      const config = boardKernelConfig(findBoard(board)!, configName)!;
      const text = readFileSync(join(DIR, row.file!), 'utf8');
      const t0 = performance.now();
      const result = checkSystemSource(row.file!, text, { config, searchPaths: [DIR] });
      const ms = performance.now() - t0;
      expect(ms, `${row.file} took ${ms.toFixed(0)} ms`).toBeLessThan(2000);
      for (const d of result.diagnostics) {
        expect(d.span, `${row.file}: ${d.code} has no location`).toBeDefined();
        expect(d.message.length).toBeGreaterThan(0);
      }
      const errors = [...new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))];
      const warnings = [...new Set(result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code))];
      if (result.ok) accepted++;
      lines.push([row.file, `${board}/${configName}`, result.ok ? 'ok' : 'invalid', errors.join(',') || '-', warnings.join(',') || '-'].join('\t'));
    }
    lines.push(`# ${accepted} accepted, ${rows.length - accepted} rejected`);
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('golden/corpus-summary.tsv');
  });
});
