import { describe, expect, it } from 'vitest';
import { TEST_CONFIGS, type KernelConfig } from '../src/abi/kernel-config.js';
import { checkSystemSource } from '../src/compiler/check.js';

/**
 * The system-wide rules of src/compiler/validate/ (channels, maps, memory regions, page sizes,
 * our warnings) on the cases their diagnostic fixtures do not reach: each fixture shows one rule
 * firing once, and mutation testing found that a rule could skip VM maps, forget an earlier
 * channel's id or fire where it should not without any test noticing (docs/mutation.md). The
 * rules and the reference wording are from ../shared/spec/sdf.md §5.4, §5.5 and §6.
 */

const AARCH64 = TEST_CONFIGS['test-aarch64']!;
const X86 = TEST_CONFIGS['test-x86_64']!;
const PREFILL = new Uint8Array(16);

function check(body: string, config: KernelConfig = AARCH64) {
  return checkSystemSource('f.system', `<system>\n${body}\n</system>\n`, {
    config,
    lookupFile: (path) => (path === 'data.bin' ? { found: true, bytes: PREFILL } : { found: false }),
  });
}
const codes = (body: string, config?: KernelConfig) => check(body, config).diagnostics.map((d) => d.code);
const find = (body: string, code: string, config?: KernelConfig) => check(body, config).diagnostics.filter((d) => d.code === code);
const pd = (name: string, inner = '', attrs = '') => `<protection_domain name="${name}"${attrs}><program_image path="${name}.elf"/>${inner}</protection_domain>`;
const channel = (a: string, b: string) => `<channel><end ${a}/><end ${b}/></channel>`;

describe('IRQs and channel ids (sdf.md §5.4 i, j, k)', () => {
  it('x86 IRQs clash by vector, IOAPIC against MSI too, and the clash points at the vector', () => {
    const ioapic = (id: number, vector: number) => `<irq id="${id}" ioapic="0" pin="${id}" vector="${vector}"/>`;
    const msi = (id: number, vector: number) => `<irq id="${id}" pcidev="0:4.0" handle="${id}" vector="${vector}"/>`;
    const body = [pd('a', ioapic(1, 40)), pd('b', msi(1, 40) + ioapic(2, 41))].join('\n');
    const d = find(body, 'irq_duplicate', X86);
    expect(d.map((x) => x.reference)).toEqual(["Error: duplicate irq: 40 in protection domain: 'b' @ f.system:3:1"]);
    const text = check(body, X86).file.text;
    expect(text.slice(d[0]!.span!.start, d[0]!.span!.end)).toBe('40');
  });

  it('two irqs of one PD with the same id', () => {
    const d = find(pd('a', '<irq irq="33" id="1"/><irq irq="34" id="1"/>'), 'channel_duplicate_id');
    expect(d.map((x) => x.reference)).toEqual(["Error: duplicate channel id: 1 in protection domain: 'a' @ f.system:2:1"]);
  });

  it("an earlier channel's id counts, and the first use is the one noted", () => {
    const body = [pd('a'), pd('b'), pd('c'), channel('pd="a" id="1"', 'pd="b" id="1"'), channel('pd="a" id="1"', 'pd="c" id="1"'), channel('pd="c" id="2"', 'pd="a" id="1"')].join('\n');
    const r = check(body);
    const d = r.diagnostics.filter((x) => x.code === 'channel_duplicate_id');
    expect(d.map((x) => x.reference)).toEqual(["Error: duplicate channel id: 1 in protection domain: 'a' @ f.system:2:1", "Error: duplicate channel id: 1 in protection domain: 'a' @ f.system:2:1"]);
    // Both point back at the first channel's end, not at the second (which is not recorded again).
    const firstEnd = r.file.text.indexOf('id="1"') + 4;
    expect(d.map((x) => x.notes![0]!.span!.start)).toEqual([firstEnd, firstEnd]);
    // Different ids in one PD, and the same id in different PDs, are fine.
    expect(codes([pd('a'), pd('b'), channel('pd="a" id="1"', 'pd="b" id="1"'), channel('pd="a" id="2"', 'pd="b" id="2"')].join('\n'))).toEqual([]);
  });

  it('a PPC from the second end is checked too, and a strictly higher priority passes', () => {
    const body = (pa: number, pb: number) => [pd('a', '', ` priority="${pa}"`), pd('b', '', ` priority="${pb}"`), channel('pd="a" id="1"', 'pd="b" id="1" pp="true"')].join('\n');
    expect(find(body(5, 5), 'channel_ppc_priority').map((d) => d.reference)).toEqual(['Error: PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd b (priority: 5) to pd a (priority: 5)']);
    expect(codes(body(6, 5))).toEqual([]);
  });

  it('only x86_64 refuses a PPC into a PD with a virtual machine, and only a PPC', () => {
    const body = (pp: string) => [pd('a', '', ' priority="1"'), pd('b', '<virtual_machine name="v"><vcpu id="0"/></virtual_machine>', ' priority="2"'), channel(`pd="a" id="1"${pp}`, 'pd="b" id="1"')].join('\n');
    expect(codes(body(' pp="true"'))).toEqual([]);
    expect(codes(body(''), X86)).toEqual([]);
    expect(codes(body(' pp="true"'), X86)).toEqual(['channel_ppc_to_vm_x86']);
  });
});

describe('maps of a virtual machine (sdf.md §5.4 m)', () => {
  const vm = (maps: string) => pd('a', `<virtual_machine name="v"><vcpu id="0"/>${maps}</virtual_machine>`);
  const mrs = '<memory_region name="m" size="0x2000"/><memory_region name="n" size="0x1000"/>';

  it('overlap within the VM is reported in its own wording, at the vaddr', () => {
    const body = `${vm('<map mr="m" vaddr="0x10000"/><map mr="n" vaddr="0x11000"/>')}\n${mrs}`;
    const d = find(body, 'map_overlap');
    expect(check(body).file.text.slice(d[0]!.span!.start, d[0]!.span!.end)).toBe('0x11000');
    expect(d.map((x) => x.reference)).toEqual(["Error: map for 'n' has virtual address range [0x11000..0x12000) which overlaps with map for 'm' [0x10000..0x12000) in virtual machine 'v' @ f.system:2:127"]);
  });

  it('a VM may map up to the top of the user address space, not beyond', () => {
    // The top is vspaceUserTop + 1 = 0x10000000000 (the PD limit is lower: the IPC buffer and stack).
    const at = (vaddr: string) => `${vm(`<map mr="m" vaddr="${vaddr}"/>`)}\n${mrs}`;
    expect(codes(at('0xffffffe000'))).toEqual(['mr_unused']);
    expect(find(at('0xfffffff000'), 'map_range_exceeds_limit').map((d) => d.reference)).toEqual(["Error: map for 'm' has virtual address range [0xfffffff000..0x10000001000) which exceeds valid address space [0x0..0x10000000000) @ f.system:2:98"]);
  });
});

describe('memory regions (sdf.md §5.5)', () => {
  it('a region mapped only by a virtual machine is used', () => {
    expect(codes(`${pd('a', '<virtual_machine name="v"><vcpu id="0"/><map mr="m" vaddr="0x10000"/></virtual_machine>')}\n<memory_region name="m" size="0x1000"/>`)).toEqual([]);
  });

  it('the unused-region warning says why a region given to a setvar or an iomap is in use', () => {
    const hint = (body: string, config?: KernelConfig) => find(body, 'mr_unused', config).map((d) => d.hint);
    // The setvar that names this region, not the PD's first setvar.
    const setvars = '<map mr="n" vaddr="0x2000000"/><setvar symbol="other" region_paddr="n"/><setvar symbol="buf" region_paddr="m"/>';
    expect(hint(`${pd('a', setvars)}\n<memory_region name="m" size="0x1000" phys_addr="0x1000000"/><memory_region name="n" size="0x1000" phys_addr="0x2000000"/>`)).toEqual([
      "the region is in use: setvar 'buf' gives its physical address to 'a'; the reference tool counts only maps, so keep it (map it too if 'a' should also access it)",
    ]);
    // One address space with two iomaps: each region is in use by one of them.
    const io = '<io_address_space name="io" peripheral_id="0:4.0" domain_id="1"><iomap mr="m" iovaddr="0x0"/><iomap mr="k" iovaddr="0x1000"/></io_address_space>';
    const mrs = '<memory_region name="m" size="0x1000"/><memory_region name="k" size="0x1000"/><memory_region name="u" size="0x1000"/>';
    expect(hint(`${pd('a')}\n${mrs}\n${io}`, X86)).toEqual([
      'the region is in use by an iomap, which the reference tool does not count; keep it',
      'the region is in use by an iomap, which the reference tool does not count; keep it',
      'map it with <map mr="…"/>, or remove it',
    ]);
  });

  it('setvar_prefill_size is fine for a region with a prefill, and an unknown region is reported once', () => {
    expect(codes(`${pd('a', '<map mr="m" vaddr="0x2000000" setvar_prefill_size="n"/>')}\n<memory_region name="m" size="0x1000" prefill_path="data.bin"/>`)).toEqual([]);
    expect(codes(pd('a', '<map mr="nope" vaddr="0x2000000" setvar_prefill_size="n"/>'))).toEqual(['map_unknown_mr']);
    // Nothing close: the hint says how to declare one; a near miss gets a suggestion.
    expect(find(pd('a', '<map mr="nope" vaddr="0x2000000"/>'), 'map_unknown_mr').map((d) => d.hint)).toEqual(['declare it with <memory_region name="…" size="…"/>']);
    expect(find(`${pd('a', '<map mr="mm" vaddr="0x2000000"/>')}\n<memory_region name="m" size="0x1000"/>`, 'map_unknown_mr').map((d) => d.hint)).toEqual(["did you mean 'm'?"]);
  });

  it('region_paddr: a region with a phys_addr is fine on x86_64; without one the tool allocates it elsewhere', () => {
    const body = (paddr: string) => `${pd('a', '<map mr="m" vaddr="0x2000000"/><setvar symbol="buf" region_paddr="m"/>')}\n<memory_region name="m" size="0x1000"${paddr}/>`;
    expect(codes(body(' phys_addr="0x1000000"'), X86)).toEqual([]);
    expect(codes(body(''), X86)).toEqual(['setvar_region_without_paddr_x86']);
    const r = check(body(''));
    expect(r.diagnostics).toEqual([]);
    expect(r.system!.memoryRegions[0]!.toolAllocated).toBe(true);
    expect(check(body(' phys_addr="0x1000000"')).system!.memoryRegions[0]!.toolAllocated).toBeFalsy();
  });
});

describe('warnings (src/compiler/validate/lints.ts)', () => {
  it('a region mapped cached by a PD and uncached by a VM', () => {
    const body = `${pd('a', '<map mr="m" vaddr="0x2000000"/><virtual_machine name="v"><vcpu id="0"/><map mr="m" vaddr="0x10000" cached="false"/></virtual_machine>')}\n<memory_region name="m" size="0x1000"/>`;
    expect(codes(body)).toEqual(['mr_cache_mismatch']);
    // The other way round: the note says how the first map maps it.
    const notes = (b: string) => find(b, 'mr_cache_mismatch').map((d) => d.notes![0]!.message);
    expect(notes(body)).toEqual(['mapped cached here']);
    expect(notes(body.replace('vaddr="0x2000000"/>', 'vaddr="0x2000000" cached="false"/>').replace(' cached="false"/></virtual', '/></virtual'))).toEqual(['mapped uncached here']);
  });

  it('a channel with one end that notifies has an effect; one with setvar_id says so in the hint', () => {
    expect(codes([pd('a'), pd('b'), channel('pd="a" id="1" notify="false"', 'pd="b" id="1"')].join('\n'))).toEqual([]);
    const d = find([pd('a'), pd('b'), channel('pd="a" id="1" notify="false"', 'pd="b" id="1" notify="false" setvar_id="ch"')].join('\n'), 'channel_no_effect');
    expect(d.map((x) => x.hint)).toEqual(["both ends have notify=\"false\" and neither has pp=\"true\"; 'b' reads this channel's id through setvar_id 'ch', so allow one of them"]);
  });

  it('the same id at both ends is a mistake only when both ends are one PD', () => {
    expect(codes([pd('a'), pd('b'), channel('pd="a" id="1"', 'pd="b" id="1"')].join('\n'))).toEqual([]);
    expect(codes([pd('a'), channel('pd="a" id="1"', 'pd="a" id="2"')].join('\n'))).toEqual([]);
  });

  it('a passive PD is reachable through a PPC into it or a notification to it, not from it', () => {
    const body = (a: string, b: string) => [pd('a', '', ' priority="1"'), pd('p', '', ' passive="true" priority="2"'), channel(`pd="a" id="1"${a}`, `pd="p" id="1"${b}`)].join('\n');
    expect(codes(body(' pp="true" notify="false"', ' notify="false"'))).toEqual([]);
    expect(codes(body('', ' notify="false"'))).toEqual([]);
    expect(codes(body(' notify="false"', ''))).toEqual(['pd_passive_unreachable']);
    // An irq wakes it too.
    expect(codes(pd('p', '<irq irq="33" id="1"/>', ' passive="true"'))).toEqual([]);
  });
});

describe('page sizes (sdf.md §6) and when they are chosen', () => {
  const pageSize = (body: string) => {
    const r = check(body);
    expect(r.ok).toBe(true);
    return r.system!.memoryRegions[0]!.pageSize;
  };
  const mr = '<memory_region name="m" size="0x200000"/>';

  it('every address counts: each of two maps, and a VM map', () => {
    expect(pageSize(`${pd('a', '<map mr="m" vaddr="0x201000"/><map mr="m" vaddr="0x800000"/>')}\n${mr}`)).toBe(0x1000n);
    expect(pageSize(`${pd('a', '<map mr="m" vaddr="0x400000"/><map mr="m" vaddr="0x801000"/>')}\n${mr}`)).toBe(0x1000n);
    expect(pageSize(`${pd('a', '<map mr="m" vaddr="0x400000"/><virtual_machine name="v"><vcpu id="0"/><map mr="m" vaddr="0x201000"/></virtual_machine>')}\n${mr}`)).toBe(0x1000n);
    expect(pageSize(`${pd('a', '<map mr="m" vaddr="0x400000"/><map mr="m" vaddr="0x800000"/>')}\n${mr}`)).toBe(0x200000n);
  });

  it('are chosen only for a system without errors', () => {
    const r = check(`${pd('a', '<map mr="m" vaddr="0x400000"/>')}\n${pd('a')}\n${mr}`);
    expect(r.ok).toBe(false);
    expect(r.system!.memoryRegions[0]!.pageSize).toBe(0x1000n);
  });
});
