import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

/**
 * The kernel conformance suite: each scenario under test/conformance/scenarios/ is a Microkit
 * system whose PDs print what they observe of the kernel. `real-output.txt` is what real seL4
 * printed for it in qemu-system-aarch64 (recorded by test/conformance/record.sh; how and from
 * which commits is in test/conformance/README.md). sel4ts runs the committed programs (the same
 * sources, linked against the real Microkit 2.3 libmicrokit) and must print exactly that.
 *
 * The comparison drops the monitor's MON|INFO lines (the recording comes from Microkit 2.0.1,
 * whose monitor bootstraps the system and says so; sel4ts models 2.3's) and applies the named
 * rules for the recording setup below (listed in test/conformance/README.md), nothing else;
 * sel4ts's own, intentional divergences are in docs/architecture.md ("Conformance with real
 * seL4") and no scenario depends on them.
 */

const DIR = join(import.meta.dirname, 'conformance', 'scenarios');
const END_LINE = '== conformance end ==';

/** What the recording keeps of a console: after boot, up to the end line, no MON|INFO lines. */
function comparable(console: string): string {
  const lines = console.split('\n');
  const end = lines.indexOf(END_LINE);
  return `${lines
    .slice(0, end < 0 ? lines.length : end + 1)
    .filter((l) => !l.startsWith('MON|INFO'))
    .join('\n')}\n`;
}

/**
 * Differences of the recording setup, not of sel4ts: the recording kernel is seL4 13.0.0 as
 * Microkit 2.0.1 configures it, while sel4ts models Microkit 2.3's debug kernel (seL4 16.0.0-dev).
 * Each rule has a name (listed in test/conformance/README.md) and turns a console of either
 * kind into the comparable form, applied to the recording and to sel4ts's output alike.
 */
interface RecordingRule {
  name: string;
  apply: (text: string) => string;
}

/**
 * `cap-fault-lookup-failure`: seL4 13.0.0's MCS sendFaultIPC does not store the lookup failure
 * in the faulting TCB (16.0.0-dev does), so its CapFault messages all say "invalid root" (4
 * words). The count and the lookup-failure words are dropped from both sides; the words that
 * seL4 16 sends are checked by test/kernel-scenarios.test.ts.
 */
const CAP_FAULT_LOOKUP_FAILURE: RecordingRule = {
  name: 'cap-fault-lookup-failure',
  apply: (text) =>
    text
      .split('\n')
      .filter((l) => !/^\S+: {3}(count 0x|lookup failure word )/.test(l))
      .map((l) => (l.startsWith('MON|ERROR: CapFault: ') ? l.replace(/ {2}lookup_failure_type=.*$/, '') : l))
      .join('\n'),
};

/**
 * `monitor-tcb-cap`: the monitor's report names the faulting PD's TCB cap, a slot of the
 * monitor's CSpace, whose layout differs: 2.0.1's monitor prints an entry of its `pd_tcbs`
 * table (0x8000000000000017 for the first PD here), 2.3's prints 10 + the PD's index.
 */
const MONITOR_TCB_CAP: RecordingRule = {
  name: 'monitor-tcb-cap',
  apply: (text) => text.replace(/^(MON\|ERROR: received message .* tcb cap: )0x[0-9a-f]{16}$/gm, '$1<cap>'),
};

/**
 * `no-hardware-debug-api`: Microkit 2.0.1 builds seL4 without HardwareDebugAPI, so BRK is a
 * VCPUFault carrying the ESR (EC 0x3c, BRK #0x7b); Microkit 2.3's debug kernel has it, so BRK is a
 * DebugException: the fault IP and the reason seL4_SoftwareBreakRequest (3). The recorded
 * VCPUFault lines become the DebugException lines 2.3 prints.
 */
const NO_HARDWARE_DEBUG_API: RecordingRule = {
  name: 'no-hardware-debug-api',
  apply: (text) => text.replace(/^(\S+): {3}label 0x8\n\S+: {3}count 0x1\n\S+: {3}hsr 0xf200007b$/m, (_m, pd: string) => [`${pd}:   label 0x4`, `${pd}:   count 0x2`, `${pd}:   ip - site 0x0`, `${pd}:   word 1 0x3`].join('\n')),
};

/**
 * `kernel-debug-line-fields`, applied to every scenario: the debug kernel's userError lines
 * carry the kernel's source line (seL4 13.0.0's in the recording; sel4ts prints 0), the TCB's
 * kernel address and the faulting pc (both depend on where things were placed; the programs
 * of the recording are the 2.0.1 builds), and ANSI colours (sel4ts prints none). Microkit
 * 2.0.1's monitor is the root task, named "rootserver"; 2.3's is "monitor". Those fields become
 * placeholders on both sides; the function name, thread name and message are compared.
 */
const KERNEL_DEBUG_LINE_FIELDS: RecordingRule = {
  name: 'kernel-debug-line-fields',
  apply: (text) =>
    text
      .replace(/\x1b\[[0-9;]*m/g, '')
      .replace(/<<seL4\(CPU 0\) \[(\w+)\/\d+ T(?:0x[0-9a-f]+|0) "([^"]*)" @[0-9a-f]+\]/g, (_m, func: string, name: string) => `<<seL4(CPU 0) [${func}/<line> T<tcb> "${name === 'rootserver' ? 'monitor' : name}" @<pc>]`),
};

const RECORDING_RULES: Record<string, RecordingRule[]> = {
  'fault-cap': [CAP_FAULT_LOOKUP_FAILURE],
  'fault-monitor': [MONITOR_TCB_CAP, CAP_FAULT_LOOKUP_FAILURE],
  'fault-user-exception': [NO_HARDWARE_DEBUG_API],
};

const scenarios = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('kernel conformance with real seL4', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(30));

  async function runScenario(name: string): Promise<{ output: string; expected: string; code: number; stderr: string }> {
    const dir = join(DIR, name);
    const system = readdirSync(dir).find((f) => f.endsWith('.system'))!;
    let stdout = '';
    let stderr = '';
    // --allow-faults: a scenario's faults are part of what it shows (the monitor reports some).
    const code = await main(['run', join(dir, system), '--search-path', dir, '--until', END_LINE, '--max-time', '10s', '--allow-faults'], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      colour: false,
      cwd: dir,
    });
    const rules = [KERNEL_DEBUG_LINE_FIELDS, ...(RECORDING_RULES[name] ?? [])];
    const normalise = (text: string): string => rules.reduce((t, r) => r.apply(t), text);
    return { output: normalise(comparable(stdout)), expected: normalise(readFileSync(join(dir, 'real-output.txt'), 'utf8')), code, stderr };
  }

  for (const name of scenarios) {
    it(`${name} prints what real seL4 printed`, async () => {
      const { output, expected, code, stderr } = await runScenario(name);
      expect(output).toBe(expected);
      expect(code, stderr).toBe(0);
    });
  }

  it('lists only existing scenarios with recording rules', () => {
    for (const name of Object.keys(RECORDING_RULES)) expect(scenarios).toContain(name);
  });

  it('applies each recording rule to something it changes', () => {
    for (const [name, rules] of Object.entries(RECORDING_RULES)) {
      const real = readFileSync(join(DIR, name, 'real-output.txt'), 'utf8');
      for (const rule of rules) expect(rule.apply(real), `${rule.name} in ${name}`).not.toBe(real);
    }
  });
});
