/** Types for skipped-oracles.mjs (plain JavaScript, so that scripts/test.mjs runs without a build). */
export function skippedOraclesLine(text: string): string | undefined;
