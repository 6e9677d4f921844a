import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `../shared` beside the project: the corpus, the reference examples, the benchmarks.
 * SEL4TS_SHARED_DIR names another folder (a missing one shows what a run without it skips).
 */
export const SHARED_DIR = process.env.SEL4TS_SHARED_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared');
export const HAVE_SHARED = existsSync(join(SHARED_DIR, 'corpus', 'INDEX.tsv'));

if (!HAVE_SHARED) {
  console.warn(`note: ${SHARED_DIR} is not here, so the tests that read it are skipped`);
}

/** Rows of a TSV file with a header line, as objects. */
export function readTsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.split('\n').filter((l) => l.trim() !== '');
  const cols = head!.split('\t');
  return rows.map((r) => {
    const cells = r.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}
