import { describe, expect, it } from 'vitest';
import { CODE_PA, CODE_VA, DATA_VA, el0Machine } from './helpers/el0-machine.js';
import { Stop } from '../src/machine/cpu/fault.js';

/**
 * EL0 system-register and system-instruction accesses on the seL4 machine, as seL4 configures
 * EL0 for Microkit's qemu_virt_aarch64 (CNTKCTL_EL1 = EL0PCTEN | EL0PTEN, PMUSERENR_EL0.EN = 0,
 * SCTLR_EL1 with UCI and UCT but not UMA or DZE): allowed, trapped (ESR EC 0x18 with the
 * MSR/MRS syndrome) or UNDEFINED (EC 0). The ESR values that real seL4 reported in QEMU for the
 * same instructions (test/conformance/scenarios/fault-sysreg) are quoted beside the cases; the
 * expected syndromes are built here from the ARM ARM's ISS fields (D17.2.37, EC 0x18).
 */

function machineWithCode() {
  const machine = el0Machine();
  const mem = machine.memory;
  const code = CODE_PA;
  return (word: number) => {
    mem.write32(code, word);
    mem.write32(code + 4, 0xd503201f); // NOP
    machine.cpu.flushCode();
    machine.cpu.setX(9, BigInt(DATA_VA));
    machine.cpu.pc = CODE_VA;
    let stop = machine.cpu.run(1);
    if (stop === Stop.TimeSync) stop = machine.cpu.run(1); // a timer access runs in the next run
    return { stop, esr: machine.cpu.esr >>> 0, pc: machine.cpu.pc, x10: machine.cpu.getX(10) };
  };
}

/** ESR of an EC 0x18 trap (IL set): Op0, Op2, Op1, CRn, Rt, CRm, Direction (1 = read). */
const trap = (op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: number) => ((0x18 << 26) | (1 << 25) | (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read) >>> 0;
const UNDEFINED = 0x0200_0000;

/** [assembly, word, expected ESR or 'runs']. */
const CASES: [string, number, number | 'runs'][] = [
  ['mrs x10, pmccntr_el0', 0xd53b9d0a, trap(3, 3, 9, 13, 0, 10, 1)], // real: 0x6230e55b
  ['mrs x10, pmuserenr_el0', 0xd53b9e0a, 'runs'],
  ['msr pmcr_el0, xzr', 0xd51b9c1f, trap(3, 3, 9, 12, 0, 31, 0)], // real: 0x6230e7f8
  ['msr pmswinc_el0, x1', 0xd51b9c81, trap(3, 3, 9, 12, 4, 1, 0)],
  ['mrs x2, pmevcntr3_el0', 0xd53be862, trap(3, 3, 14, 8, 3, 2, 1)],
  ['mrs x10, cntv_ctl_el0', 0xd53be32a, trap(3, 3, 14, 3, 1, 10, 1)], // real: 0x6232f947
  ['msr cntv_tval_el0, x3', 0xd51be303, trap(3, 3, 14, 3, 0, 3, 0)],
  ['mrs x10, cntvct_el0', 0xd53be04a, trap(3, 3, 14, 0, 2, 10, 1)], // real: 0x6234f941
  ['mrs x10, cntpct_el0', 0xd53be02a, 'runs'],
  ['mrs x10, cntp_ctl_el0', 0xd53be22a, 'runs'],
  ['dc civac, x9', 0xd50b7e29, 'runs'],
  ['ic ivau, x9', 0xd50b7529, 'runs'],
  ['mrs x10, ctr_el0', 0xd53b002a, 'runs'],
  ['mrs x10, dczid_el0', 0xd53b00ea, 'runs'],
  ['msr daif, xzr', 0xd51b423f, trap(3, 3, 4, 2, 1, 31, 0)], // real: 0x6232d3e4
  ['dc zva, x9', 0xd50b7429, trap(1, 3, 7, 4, 1, 9, 0)], // real: 0x6212dd28
  ['mrs x10, mdccsr_el0', 0xd533010a, trap(2, 3, 0, 1, 0, 10, 1)], // real: 0x6220c143
  ['mrs x10, hcr_el2', 0xd53c110a, UNDEFINED],
];

describe('EL0 system access on the seL4 machine', () => {
  const run = machineWithCode();
  for (const [asm, word, expected] of CASES) {
    it(`${asm}: ${expected === 'runs' ? 'runs' : `ESR 0x${expected.toString(16)}`}`, () => {
      const r = run(word);
      if (expected === 'runs') {
        expect(r.stop).toBe(Stop.Budget);
        expect(r.pc).toBe(CODE_VA + 4);
      } else {
        expect(r.stop).toBe(expected === UNDEFINED ? Stop.Undefined : Stop.SystemAccessTrap);
        expect(`0x${r.esr.toString(16)}`).toBe(`0x${expected.toString(16)}`);
        expect(r.pc).toBe(CODE_VA);
      }
    });
  }

  it('reads DCZID_EL0 with DZP set (DC ZVA is prohibited) and BS = 4 (64-byte blocks)', () => {
    expect(run(0xd53b00ea).x10).toBe(0x14n);
  });

  it('reads PMUSERENR_EL0 as 0 (EN clear: the PMU is not exported)', () => {
    expect(run(0xd53b9e0a).x10).toBe(0n);
  });
});
