import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardKernelConfig, findBoard } from '../src/abi/boards.js';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { checkSystemSource } from '../src/compiler/check.js';
import type { ConfigSource } from '../src/compiler/config-hints.js';
import { FIXTURE_DIR } from './helpers/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-hints-'));

/** The hints of `sel4ts check FILE ARGS… --format json`, by code. */
async function hints(file: string, ...args: string[]): Promise<Record<string, string | null>> {
  let out = '';
  const io: Io = { stdout: (t) => (out += t), stderr: () => {}, colour: false, cwd: process.cwd() };
  await main(['check', file, '--format', 'json', ...args], io);
  const json = JSON.parse(out) as { diagnostics: { code: string; hint: string | null }[] };
  return Object.fromEntries(json.diagnostics.map((d) => [d.code, d.hint]));
}

function system(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const fixture = (code: string) => join(FIXTURE_DIR, `${code}.system`);

describe('hints for errors that depend on the board or configuration', () => {
  it('a cpu the default configuration lacks: the smp configuration of the same board first', async () => {
    expect((await hints(fixture('cpu_out_of_range'))).cpu_out_of_range).toBe('use `--config smp-debug` (4 cores); this kernel configuration has a single core: remove cpu or use 0');
    // The user's own flavour of configuration is kept.
    expect((await hints(fixture('cpu_out_of_range'), '--config', 'release')).cpu_out_of_range).toMatch(/^use `--config smp-release` \(4 cores\);/);
  });

  it('a cpu the smp configuration of this board lacks: other boards with that configuration', async () => {
    const f = system('cpu3.system', '<system><protection_domain name="a" cpu="3"><program_image path="a.elf"/></protection_domain></system>');
    expect((await hints(f, '--board', 'stm32mp2', '--config', 'smp-debug')).cpu_out_of_range).toMatch(
      /^use `--board qemu_virt_aarch64` or `--board qemu_virt_aarch64_el1` \(4 cores\), or another board of `sel4ts boards`; this kernel configuration has 2 cores: use a cpu from 0 to 1$/,
    );
  });

  it('ioport and x86 IRQ forms name the x86 boards', async () => {
    expect((await hints(fixture('ioport_not_x86'))).ioport_not_x86).toMatch(/^use `--board x86_64_generic` or `--board x86_64_generic_vtx` \(x86-64\); /);
    expect((await hints(fixture('irq_form_unsupported'))).irq_form_unsupported).toMatch(/^use `--board x86_64_generic` or `--board x86_64_generic_vtx` \(x86-64\); /);
  });

  it('a virtual machine without a hypervisor names a board with one, computed from the table', async () => {
    expect((await hints(fixture('vm_without_hypervisor'), '--board', 'qemu_virt_aarch64_el1')).vm_without_hypervisor).toMatch(/^use `--board qemu_virt_aarch64` or `--board imx8mm_evk` \(hypervisor\), or another board of `sel4ts boards`$/);
  });

  it('domains on an smp configuration: the single-core one', async () => {
    const f = system(
      'domains.system',
      `<system>
  <domains><domain name="d"/><domain_schedule><schedule_entry domain="d" duration="100 us"/></domain_schedule></domains>
  <protection_domain name="a" domain="d"><program_image path="a.elf"/></protection_domain>
</system>`,
    );
    expect((await hints(f, '--config', 'smp-debug')).domains_multicore).toBe('use `--config debug` (1 core)');
  });

  it('names everything the configuration needs when one change is not enough', async () => {
    const f = system('vcpu.system', '<system><protection_domain name="a"><program_image path="a.elf"/><virtual_machine name="v"><vcpu id="0" cpu="1"/></virtual_machine></protection_domain></system>');
    expect((await hints(f, '--board', 'qemu_virt_aarch64_el1')).vm_without_hypervisor).toMatch(/^use `--board qemu_virt_aarch64 --config smp-debug` or .* \(4 cores, hypervisor\)/);
  });

  it('never names a configuration that trades the error for another one', async () => {
    // x86 takes the ioport but not the ARM irq beside it.
    const mixed = system('mixed.system', '<system><protection_domain name="a"><program_image path="a.elf"/><irq irq="33" id="1"/><ioport id="0" addr="0x3f8" size="8"/></protection_domain></system>');
    expect((await hints(mixed)).ioport_not_x86).toBe('on ARM and RISC-V, devices are memory mapped: map a memory_region with its phys_addr');
    // smp configurations take the cpu but not the domain scheduler.
    const cpuDomains = system(
      'cpu-domains.system',
      `<system>
  <domains><domain name="d"/><domain_schedule><schedule_entry domain="d" duration="100 us"/></domain_schedule></domains>
  <protection_domain name="a" domain="d" cpu="1"><program_image path="a.elf"/></protection_domain>
</system>`,
    );
    expect((await hints(cpuDomains)).cpu_out_of_range).toBe('this kernel configuration has a single core: remove cpu or use 0');
  });

  it('with --kernel-config, names the field to change', async () => {
    const cfg = join(tmp, 'aarch64.json');
    writeFileSync(cfg, JSON.stringify({ arch: 'aarch64' }));
    expect((await hints(fixture('cpu_out_of_range'), '--kernel-config', cfg)).cpu_out_of_range).toBe('set `num_cores` to 2 in the kernel configuration; this kernel configuration has a single core: remove cpu or use 0');
    expect((await hints(fixture('ioport_not_x86'), '--kernel-config', cfg)).ioport_not_x86).toMatch(/^set `arch` to "x86_64" in the kernel configuration; /);
    const noSmc = join(tmp, 'no-smc.json');
    writeFileSync(noSmc, JSON.stringify({ arch: 'aarch64', arm_smc: false }));
    expect((await hints(fixture('pd_smc_unavailable'), '--kernel-config', noSmc)).pd_smc_unavailable).toBe('set `arm_smc` to true in the kernel configuration; this kernel is built without KernelAllowSMCCalls');
  });

  it('leaves errors that no configuration changes alone', async () => {
    const h = await hints(fixture('pd_priority_out_of_range'));
    expect(h.pd_priority_out_of_range).toBe('priority 255 belongs to the Microkit monitor');
  });

  it('is computed only when the caller says where the configuration came from', () => {
    const text = '<system><protection_domain name="a" cpu="1"><program_image path="a.elf"/></protection_domain></system>';
    const config = boardKernelConfig(findBoard('qemu_virt_aarch64')!, 'debug')!;
    const plain = checkSystemSource('a.system', text, { config });
    expect(plain.diagnostics[0]!.hint).toBe('this kernel configuration has a single core: remove cpu or use 0');
    const source: ConfigSource = { kind: 'board', board: 'qemu_virt_aarch64', config: 'debug' };
    expect(checkSystemSource('a.system', text, { config, configSource: source }).diagnostics[0]!.hint).toMatch(/^use `--config smp-debug`/);
  });
});

describe('no hint suggests removing something the system uses', () => {
  it('a region only a setvar region_paddr names is in use', async () => {
    const f = system(
      'paddr.system',
      `<system>
  <memory_region name="dma" size="0x1000"/>
  <memory_region name="spare" size="0x1000"/>
  <protection_domain name="a"><program_image path="a.elf"/><setvar symbol="dma_paddr" region_paddr="dma"/></protection_domain>
</system>`,
    );
    let out = '';
    const io: Io = { stdout: (t) => (out += t), stderr: () => {}, colour: false, cwd: process.cwd() };
    expect(await main(['check', f, '--format', 'json'], io)).toBe(0);
    const ds = (JSON.parse(out) as { diagnostics: { code: string; summary: string; hint: string }[] }).diagnostics;
    const dma = ds.find((d) => d.summary.includes("'dma'"))!;
    const spare = ds.find((d) => d.summary.includes("'spare'"))!;
    expect(dma.code).toBe('mr_unused');
    expect(dma.hint).not.toMatch(/remove/);
    expect(dma.hint).toContain("setvar 'dma_paddr' gives its physical address to 'a'");
    expect(spare.hint).toBe('map it with <map mr="…"/>, or remove it');
    // The reference tool warns about both all the same.
    out = '';
    await main(['check', f, '--format', 'microkit'], io);
    expect(out).toBe("WARNING: unused memory region 'dma'\nWARNING: unused memory region 'spare'\n");
  });

  it('a channel whose id a program reads through setvar_id', async () => {
    const f = system(
      'quiet.system',
      `<system>
  <protection_domain name="a"><program_image path="a.elf"/></protection_domain>
  <protection_domain name="b"><program_image path="b.elf"/></protection_domain>
  <channel><end pd="a" id="0" notify="false" setvar_id="ch_b"/><end pd="b" id="0" notify="false"/></channel>
</system>`,
    );
    const hint = (await hints(f)).channel_no_effect!;
    expect(hint).not.toMatch(/remove/);
    expect(hint).toContain("'a' reads this channel's id through setvar_id 'ch_b'");
  });
});
