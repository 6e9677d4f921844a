import base from './vitest.config.js';

// The vitest configuration of `npm run mutation`: the project's own, unless MUTATION_TESTS names
// the test files to run (comma-separated). A module whose code runs in almost every test (the
// block compiler's flags, the scheduler) would otherwise cost minutes per mutant, since each one
// boots every system that touches it; its score is then measured against the named tests only,
// which can only lower it (a mutant that another test would kill counts as survived).
const only = process.env.MUTATION_TESTS?.split(',').filter((f) => f !== '');

// (Not vitest's mergeConfig: it would append to `include`, not replace it.)
export default only === undefined ? base : { ...base, test: { ...base.test, include: only } };
