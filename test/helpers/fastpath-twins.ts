import { fastpathExactness } from './kernel-system.js';

/** Imported first by test/fastpath-exactness-scenarios.test.ts: every TestSystem gets a slow-path twin. */
fastpathExactness.twin = true;
