// The closing line of `npm test` that names the outside oracles a run skipped (tests record them
// through test/helpers/oracles.ts in the file named by SEL4TS_SKIPPED_ORACLES).

/**
 * `oracle<TAB>what` lines → "skipped oracles: ../shared (corpus, reference examples), qemu-aarch64
 * (live CPU fuzz)", oracles and their tests in sorted order; undefined when nothing was skipped.
 */
export function skippedOraclesLine(text) {
  const byOracle = new Map();
  for (const line of text.split('\n')) {
    const [oracle, what] = line.split('\t');
    if (!oracle || !what) continue;
    if (!byOracle.has(oracle)) byOracle.set(oracle, new Set());
    byOracle.get(oracle).add(what);
  }
  if (byOracle.size === 0) return undefined;
  const parts = [...byOracle.keys()].sort().map((o) => `${o} (${[...byOracle.get(o)].sort().join(', ')})`);
  return `skipped oracles: ${parts.join(', ')}`;
}
