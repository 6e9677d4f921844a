#!/usr/bin/env node
// Runs the test suite (type check, then vitest) and ends with one plain summary line,
// "N passed, N failed, N skipped", that CI and people can read at a glance. When tests were
// skipped because an outside oracle is missing (../shared, qemu-aarch64, a cross compiler), the
// line just before it names them, so a run without them cannot pass for a full one.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skippedOraclesLine } from './skipped-oracles.mjs';

const results = '.vitest-results.json';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

// playground/tsconfig.json checks the page, its worker and the core they bundle without Node's
// types: the core must not use Node (process, Buffer, setImmediate…) to run in a browser.
const tsc = run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']) || run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'playground/tsconfig.json', '--noEmit']);
if (tsc !== 0) {
  console.log('type check failed');
  console.log('0 passed, 1 failed');
  process.exit(tsc);
}
rmSync(results, { force: true });
const oracles = join(tmpdir(), `sel4ts-skipped-oracles-${process.pid}.tsv`);
rmSync(oracles, { force: true });
process.env.SEL4TS_SKIPPED_ORACLES = oracles;
const extra = process.argv.slice(2);
const code = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile=${results}`, ...extra]);
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  let named;
  try {
    named = skippedOraclesLine(readFileSync(oracles, 'utf8'));
  } catch {
    named = undefined;
  }
  if (named) console.log(`\n${named}`);
  console.log(`${named ? '' : '\n'}${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch {
  console.log('\n0 passed, 1 failed');
}
rmSync(results, { force: true });
rmSync(oracles, { force: true });
process.exit(code);
