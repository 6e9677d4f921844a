import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOARDS, boardKernelConfig, findBoard } from '../src/abi/boards.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { expectGolden } from './helpers/golden.js';
import { HAVE_SHARED, readTsv, SHARED_DIR } from './helpers/shared.js';
import { oracle } from './helpers/oracles.js';

const DIR = join(SHARED_DIR, 'corpus');
const EXAMPLES = join(SHARED_DIR, 'examples', 'microkit');

/**
 * Where a corpus verdict comes from, the last column of the golden summary. Nobody has run the
 * reference Microkit tool over the corpus, so no verdict is the reference tool's own output:
 *
 * - `reference-examples`: the file is byte for byte one of ../shared/examples/microkit, whose
 *   INDEX.tsv gives the reference tool's verdict (predicted from its source); the two agree here.
 * - `corpus-index`: the file is not well-formed XML by the corpus INDEX.tsv (`xml_ok`), a check
 *   made apart from sel4ts; sel4ts rejecting it with xml_syntax agrees.
 * - `sel4ts`: only sel4ts's own verdict, pinned so that a change is seen and reviewed.
 */
export type VerdictSource = 'reference-examples' | 'corpus-index' | 'sel4ts';

/** The reference examples' predicted outcomes, by the first 16 hex digits of the file's SHA-256. */
function referenceOutcomes(): Map<string, string> {
  const byHash = new Map<string, string>();
  for (const row of readTsv(readFileSync(join(EXAMPLES, 'INDEX.tsv'), 'utf8'))) {
    // A prediction that needs a data file beside the example (fill.bin) does not hold in the
    // corpus folder, which has no such file.
    if (!row.file!.endsWith('.system') || row.config_needed_to_parse!.includes('search path')) continue;
    const hash = createHash('sha256')
      .update(readFileSync(join(EXAMPLES, row.file!)))
      .digest('hex')
      .slice(0, 16);
    byHash.set(hash, row.predicted_parse_outcome!);
  }
  return byHash;
}

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

describe.skipIf(!oracle('../shared', HAVE_SHARED, 'corpus'))('the corpus of real system descriptions (needs ../shared)', () => {
  const rows = HAVE_SHARED ? readTsv(readFileSync(join(DIR, 'INDEX.tsv'), 'utf8')) : [];

  it('is read without a crash or hang, and every verdict is pinned', () => {
    expect(rows.length).toBe(282);
    const reference = referenceOutcomes();
    const lines: string[] = [['# file', 'board/config', 'verdict', 'errors', 'warnings', 'source'].join('\t')];
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
      let source: VerdictSource = 'sel4ts';
      const predicted = reference.get(row.sha256!);
      if (predicted !== undefined) {
        expect(result.ok, `${row.file}: the reference examples' INDEX.tsv predicts ${predicted}`).toBe(predicted.startsWith('ok'));
        source = 'reference-examples';
      }
      const malformed = row.xml_ok === 'False';
      expect(errors.includes('xml_syntax'), `${row.file}: xml_ok is ${row.xml_ok} in the corpus INDEX.tsv`).toBe(malformed);
      if (malformed) source = 'corpus-index';
      lines.push([row.file, `${board}/${configName}`, result.ok ? 'ok' : 'invalid', errors.join(',') || '-', warnings.join(',') || '-', source].join('\t'));
    }
    lines.push(`# ${accepted} accepted, ${rows.length - accepted} rejected`);
    expectGolden(`${lines.join('\n')}\n`, 'golden/corpus-summary.tsv', import.meta.filename);
  });
});
