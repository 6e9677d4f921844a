// Mutation testing (`npm run mutation`): Stryker changes the code of the modules where a silent
// bug costs most, one small change at a time, and runs the tests that cover it; a mutant that no
// test notices is a hole in the tests. Not part of `npm test` (it takes a long time): run it over
// one module with `npm run mutation -- --mutate src/kernel/ipc.ts`; MUTATION_TESTS=a.test.ts,b.test.ts
// limits the tests it runs (vitest.mutation.config.ts). Scores are in reports/mutation/ (HTML and
// JSON) and in docs/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // In place, so that tests find ../shared and their fixtures where they always are; Stryker
  // restores every file when it ends (run it in a clean work tree).
  inPlace: true,
  mutate: [
    'src/kernel/ipc.ts',
    'src/kernel/faults.ts',
    'src/kernel/cspace.ts',
    'src/kernel/scheduler.ts',
    'src/kernel/sporadic.ts',
    'src/machine/mmu/stage2.ts',
    'src/machine/cpu/jit/flags.ts',
    'src/machine/cpu/jit/rows.ts',
    'src/compiler/spec/build-spec.ts',
    'src/compiler/validate/*.ts',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  timeoutMS: 60_000,
  thresholds: { high: 90, low: 80, break: null },
};
