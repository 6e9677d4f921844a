#!/usr/bin/env node
// Runs the test suite (type check, then vitest) and ends with one plain summary line,
// "N passed, N failed, N skipped", that CI and people can read at a glance.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const results = '.vitest-results.json';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

const tsc = run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
if (tsc !== 0) {
  console.log('type check failed');
  console.log('0 passed, 1 failed');
  process.exit(tsc);
}
rmSync(results, { force: true });
const extra = process.argv.slice(2);
const code = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile=${results}`, ...extra]);
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch {
  console.log('\n0 passed, 1 failed');
}
rmSync(results, { force: true });
process.exit(code);
