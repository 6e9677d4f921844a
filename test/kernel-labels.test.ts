import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invocationLabels } from '../src/kernel/labels.js';
import { MICROKIT_DEBUG, MICROKIT_RELEASE, type KernelModelConfig } from '../src/kernel/object-types.js';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';
import { oracle } from './helpers/oracles.js';

describe('invocation labels', () => {
  it('numbers the Microkit configurations as seL4 does', () => {
    const debug = invocationLabels(MICROKIT_DEBUG);
    const release = invocationLabels(MICROKIT_RELEASE);
    expect(release.of('UntypedRetype')).toBe(1);
    expect(release.of('TCBSetTLSBase')).toBe(16);
    expect(debug.of('TCBSetTLSBase')).toBe(20); // four breakpoint labels come before it
    expect(debug.of('CNodeCopy')).toBe(25);
    expect(release.of('ARMIRQIssueIRQHandlerTrigger')).toBe(60);
    expect(debug.of('ARMIRQIssueSGISignal')).toBe(65);
    expect(() => release.of('TCBSetBreakpoint')).toThrow(/no invocation TCBSetBreakpoint/);
  });

  // The MCS columns of the generated table: no hyp; hyp; hyp + debug; hyp + SMP; hyp + debug + SMP; debug.
  const COLUMNS: [number, KernelModelConfig][] = [
    [1, { ...MICROKIT_RELEASE, hypervisor: false }],
    [2, MICROKIT_RELEASE],
    [3, MICROKIT_DEBUG],
    [4, { ...MICROKIT_RELEASE, smp: true }],
    [5, { ...MICROKIT_DEBUG, smp: true }],
    [6, { ...MICROKIT_DEBUG, hypervisor: false }],
  ];

  it.skipIf(!oracle('../shared', HAVE_SHARED, 'seL4 label table'))('matches every MCS column of the label table generated from seL4 (needs ../shared)', () => {
    const text = readFileSync(join(SHARED_DIR, 'spec', 'sel4-labels.md'), 'utf8');
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.startsWith('| UntypedRetype'));
    const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
    const rows = lines.slice(first, end);
    let checked = 0;
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      const name = cells[1]!;
      for (const [col, config] of COLUMNS) {
        const want = cells[col + 1]!;
        const got = invocationLabels(config).byName.get(name);
        expect(got === undefined ? '–' : String(got), `${name} in column ${col}`).toBe(want);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
