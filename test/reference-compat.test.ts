import { describe, expect, it } from 'vitest';
import { BOARDS } from '../src/abi/boards.js';
import { TEST_CONFIGS, type KernelConfig } from '../src/abi/kernel-config.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { renderMicrokit } from '../src/diagnostics/render.js';

const AARCH64 = TEST_CONFIGS['test-aarch64']!;
const X86 = TEST_CONFIGS['test-x86_64']!;
const QEMU = BOARDS[0]!.config;

function check(body: string, config: KernelConfig = AARCH64, name = 'f.system') {
  return checkSystemSource(name, body, { config, lookupFile: () => ({ found: false }) });
}

/** The line the reference tool would print first. */
function firstError(body: string, config: KernelConfig = AARCH64): string | undefined {
  return renderMicrokit(check(body, config).diagnostics).stderr[0];
}

const PD = (attrs = '', children = '') => `<protection_domain name="a"${attrs}><program_image path="a.elf"/>${children}</protection_domain>`;
const sys = (...parts: string[]) => `<system>\n    ${parts.join('\n    ')}\n</system>\n`;

describe('reference messages (first error, as the reference tool prints it)', () => {
  it('BADATTR names the element position', () => {
    expect(firstError(sys(PD(' id="1"')))).toBe("Error: invalid attribute 'id' on element 'protection_domain': f.system:2:5");
  });

  it('number errors quote the raw text and carry no location', () => {
    expect(firstError(sys(PD(), '<memory_region name="m" size="0x200_000sd"/>'))).toBe("Error: failed to parse integer '0x200_000sd' on element 'memory_region': invalid digit found in string");
  });

  it('the PD map limit depends on the stack size', () => {
    expect(firstError(sys(PD('', '<map mr="m" vaddr="0x1000000000000000"/>'), '<memory_region name="m" size="0x1000"/>'))).toBe("Error: vaddr (0x1000000000000000) must be less than 0xffffffc000 on element 'map': f.system:2:62");
    expect(firstError(sys(PD(' stack_size="0x1000"', '<map mr="m" vaddr="0xffffffd000"/>'), '<memory_region name="m" size="0x1000"/>'))).toBe("Error: vaddr (0xffffffd000) must be less than 0xffffffd000 on element 'map': f.system:2:82");
    expect(check(sys(PD(' stack_size="0x1000"', '<map mr="m" vaddr="0xffffffc000"/>'), '<memory_region name="m" size="0x1000"/>')).ok).toBe(true);
  });

  it('cap types keep their own wording', () => {
    expect(firstError(sys(PD('', '<cspace><cap_gerbils pd="a" slot="1"/></cspace>')))).toBe("Cap type: 'gerbils' is not supported at 'f.system:2:70'");
  });

  it('the index_shift message prints the start index (a reference bug kept)', () => {
    const domains = '<domains><domain name="d"/><domain_schedule index_shift="99"><schedule_entry domain="d" duration="1 us"/></domain_schedule></domains>';
    expect(firstError(sys(domains, PD(' domain="d"')))).toMatch(/^Error: schedule_index_shift '0' on top of the schedule length '1'/);
  });

  it('duplicate domain names print the Rust Option', () => {
    const domains = '<domains><domain name="d" id="3"/><domain name="d"/><domain_schedule><schedule_entry domain="d" duration="1 us"/></domain_schedule></domains>';
    expect(firstError(sys(domains, PD(' domain="d"')))).toMatch(/found existing domain 'd' with id 'Some\(3\)'/);
  });

  it('the first text child of <system> is reported as element system, later ones as element ""', () => {
    expect(firstError(`<system>text${PD()}</system>`)).toBe("Error: unexpected text found in element 'system' @ f.system:1:1");
    expect(firstError(`<system>${PD()}tail</system>`)).toBe("Error: unexpected text found in element '' @ f.system:1:86");
  });

  it('XML errors are "Could not parse" with roxmltree wording', () => {
    expect(firstError('<system><a></b></system>')).toBe("Could not parse 'f.system': expected 'a' tag, not 'b' at 1:12");
    expect(firstError('<system>\n  <a>\n</system>')).toBe("Could not parse 'f.system': expected 'a' tag, not 'system' at 3:1");
    expect(firstError('<!DOCTYPE x><system/>')).toBe("Could not parse 'f.system': XML with DTD detected");
    expect(firstError('<system a="1" a="2"/>')).toBe("Could not parse 'f.system': attribute 'a' at 1:15 is already defined");
    expect(firstError('<system>&nbsp;</system>')).toBe("Could not parse 'f.system': unknown entity reference 'nbsp' at 1:9");
  });

  it('channel ids: 0..61, shared with irq ids', () => {
    const two = (a: string, b: string) => sys(PD(' priority="1"', '<irq irq="33" id="5"/>'), '<protection_domain name="b"><program_image path="b"/></protection_domain>', `<channel><end pd="a" ${a}/><end pd="b" ${b}/></channel>`);
    expect(firstError(two('id="62"', 'id="0"'))).toBe("Error: id must be < 62 on element 'end': f.system:4:14");
    expect(firstError(two('id="-1"', 'id="0"'))).toBe("Error: id must be >= 0 on element 'end': f.system:4:14");
    expect(firstError(two('id="5"', 'id="0"'))).toBe("Error: duplicate channel id: 5 in protection domain: 'a' @ f.system:2:5");
    expect(check(two('id="61"', 'id="0"')).ok).toBe(true);
  });

  it('the PPC rule is strict and has no location', () => {
    const body = sys(PD(' priority="5"'), '<protection_domain name="b" priority="5"><program_image path="b"/></protection_domain>', '<channel><end pd="a" id="0" pp="true"/><end pd="b" id="0"/></channel>');
    expect(firstError(body)).toBe('Error: PPCs must be to protection domains of strictly higher priorities; channel with PPC exists from pd a (priority: 5) to pd b (priority: 5)');
  });

  it('an irq with both irq and pin: invalid attribute on ARM, unsupported form on x86', () => {
    const body = sys(PD('', '<irq irq="33" pin="3" id="0"/>'));
    expect(firstError(body)).toBe("Error: invalid attribute 'pin' on element 'irq': f.system:2:62");
    expect(firstError(body, X86)).toBe("Error: ARM and RISC-V IRQs are not supported on x86 on element 'irq': f.system:2:62");
  });

  it('a prefixed attribute passes the attribute check but is not read', () => {
    expect(firstError('<system xmlns:p="urn:x"><protection_domain p:name="a"><program_image path="a"/></protection_domain></system>')).toBe("Error: Missing required attribute 'name' on element 'protection_domain': f.system:1:25");
  });

  it('PCI parts are hexadecimal without 0x', () => {
    expect(firstError(sys(PD('', '<irq pcidev="0:32.0" handle="0" vector="1" id="0"/>')), X86)).toBe("Error: PCI device must be within [0..31] on element 'irq': f.system:2:62");
    expect(check(sys(PD('', '<irq pcidev="0:1f.7" handle="0" vector="1" id="0"/>')), X86).ok).toBe(true);
  });

  it('smc needs arm_smc: Some(false) and None differ', () => {
    expect(firstError(sys(PD(' smc="true"')), { ...QEMU, armSmc: false })).toBe("Error: Using SMC support without ARM SMC forwarding support enabled in the kernel for this platform on element 'protection_domain': f.system:2:5");
    expect(firstError(sys(PD(' smc="true"')), AARCH64)).toBe('ARM SMC forwarding support is not available for this architecture');
    expect(check(sys(PD(' smc="true"')), QEMU).ok).toBe(true);
  });

  it('columns count Unicode scalar values, and a BOM counts as one', () => {
    expect(firstError('<system><!-- 😀é --><protection_domain id="1" name="a"><program_image path="a"/></protection_domain></system>')).toBe("Error: invalid attribute 'id' on element 'protection_domain': f.system:1:20");
    expect(firstError('\uFEFF<system><protection_domain id="1" name="a"><program_image path="a"/></protection_domain></system>')).toBe("Error: invalid attribute 'id' on element 'protection_domain': f.system:1:10");
  });

  it('a domain declared after a PD does not apply to it', () => {
    const domains = '<domains><domain name="d"/><domain_schedule><schedule_entry domain="d" duration="1 us"/></domain_schedule></domains>';
    expect(check(sys(PD(), domains)).ok).toBe(true);
    expect(firstError(sys(PD(' domain="d"'), domains))).toMatch(/^Error: Specifying a domain 'd' without declaring a domain schedule is not allowed: on element/);
  });

  it('the 17th automatic domain gets id 16; the 18th fails', () => {
    const doms = (n: number) => `<domains>${Array.from({ length: n }, (_, i) => `<domain name="d${i}"/>`).join('')}<domain_schedule><schedule_entry domain="d0" duration="1 us"/></domain_schedule></domains>`;
    const r = check(sys(doms(17), PD(' domain="d0"')));
    expect(r.ok).toBe(true);
    expect(r.system!.domains!.domains.map((d) => d.id)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(firstError(sys(doms(18), PD(' domain="d0"')))).toBe("Error: Number of domains exceeds 16 on element 'domains': f.system:2:5");
  });
});

describe('page-size selection', () => {
  const pageSize = (mrAttrs: string, vaddr?: string, extra = '') => {
    const map = vaddr ? `<map mr="m" vaddr="${vaddr}"/>` : '';
    const r = check(sys(PD('', map), `<memory_region name="m" ${mrAttrs}/>`, extra), X86);
    expect(r.ok).toBe(true);
    return r.system!.memoryRegions[0]!.pageSize;
  };
  it('raises 2 MiB-sized regions mapped at 2 MiB-aligned addresses', () => {
    expect(pageSize('size="0x400000"', '0x200000')).toBe(0x200000n);
    expect(pageSize('size="0x400000"', '0x201000')).toBe(0x1000n);
    expect(pageSize('size="0x400000" phys_addr="0x1000"', '0x200000')).toBe(0x1000n);
    expect(pageSize('size="0x1000"', '0x200000')).toBe(0x1000n);
    expect(pageSize('size="0x400000" page_size="0x1000"', '0x200000')).toBe(0x1000n);
    expect(pageSize('size="0x200000"')).toBe(0x200000n);
    expect(pageSize('size="0"', '0x200000')).toBe(0x200000n);
  });
  it('keeps 4 KiB pages for regions an iomap uses', () => {
    const ios = '<io_address_space name="io" peripheral_id="0:1.0" domain_id="1"><iomap mr="m" iovaddr="0x0"/></io_address_space>';
    expect(pageSize('size="0x200000"', '0x200000', ios)).toBe(0x1000n);
  });
});
