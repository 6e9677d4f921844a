// The kernel scenarios of kernel-scenarios.test.ts and kernel-sched.test.ts again, each
// TestSystem with a twin whose fast paths are off (helpers/kernel-system.ts): every run must
// print, retire, take and trace exactly what the twin does. Import order matters: the switch
// is set before the scenarios' modules build their systems.
import './helpers/fastpath-twins.js';
import './kernel-scenarios.test.js';
import './kernel-sched.test.js';
import { afterAll, expect } from 'vitest';
import { fastpathExactnessHits } from './helpers/kernel-system.js';

// The comparison means something only if the fast paths ran.
afterAll(() => expect(fastpathExactnessHits.count).toBeGreaterThanOrEqual(20));
