import { describe, expect, it } from 'vitest';
import { TEST_CONFIGS } from '../src/abi/kernel-config.js';
import { checkSystemSource } from '../src/compiler/check.js';

/**
 * The system-wide limits of src/compiler/validate/names.ts at their boundary, against the
 * reference tool's (spec: ../shared/spec/sdf.md §5.4 e, §7): at most 63 PDs, children included
 * (`MAX_PDS`, `Error: too many protection domains ({n}) defined. Maximum is 63.`); PD names kept
 * to 64 bytes in the image (`PD_MAX_NAME_LENGTH`); the monitor's table of VM names, one entry per
 * vCPU, with room for 64. The diagnostic fixtures test each limit only past it; mutation testing
 * found that a limit moved by one went unnoticed (docs/mutation.md).
 */

const AARCH64 = TEST_CONFIGS['test-aarch64']!;
const codes = (body: string) => checkSystemSource('f.system', body, { config: AARCH64, lookupFile: () => ({ found: false }) }).diagnostics.map((d) => d.code);
const system = (pds: string[]) => `<system>\n${pds.join('\n')}\n</system>\n`;
const pd = (name: string, inner = '') => `<protection_domain name="${name}"><program_image path="a.elf"/>${inner}</protection_domain>`;

describe('validation limits at their boundary', () => {
  it('63 protection domains are allowed, the 64th is one too many', () => {
    const pds = (n: number) => Array.from({ length: n }, (_, i) => pd(`p${i}`));
    expect(codes(system(pds(63)))).not.toContain('system_too_many_protection_domains');
    const r = checkSystemSource('f.system', system(pds(64)), { config: AARCH64, lookupFile: () => ({ found: false }) });
    const d = r.diagnostics.find((x) => x.code === 'system_too_many_protection_domains');
    expect(d?.reference).toBe('Error: too many protection domains (64) defined. Maximum is 63.');
    expect(d?.hint).toBe('Microkit supports 63 protection domains, child PDs included; this is the 64th');
  });

  it('a PD name of 64 bytes is kept whole; one of 65 is cut short', () => {
    expect(codes(system([pd('a'.repeat(64))]))).not.toContain('pd_name_too_long');
    expect(codes(system([pd('a'.repeat(65))]))).toContain('pd_name_too_long');
    // Bytes, not characters: 32 two-byte characters are 64 bytes, 33 are 66.
    expect(codes(system([pd('é'.repeat(32))]))).not.toContain('pd_name_too_long');
    expect(codes(system([pd('é'.repeat(33))]))).toContain('pd_name_too_long');
  });

  it('64 vCPUs in all fit the monitor’s table, 65 do not', () => {
    const vms = (n: number) =>
      Array.from({ length: Math.ceil(n / 16) }, (_, i) => {
        const count = Math.min(16, n - 16 * i);
        const vcpus = Array.from({ length: count }, (_, j) => `<vcpu id="${j}"/>`).join('');
        return pd(`p${i}`, `<virtual_machine name="v${i}">${vcpus}</virtual_machine>`);
      });
    expect(codes(system(vms(64)))).not.toContain('system_too_many_vcpus');
    expect(codes(system(vms(65)))).toContain('system_too_many_vcpus');
  });
});
