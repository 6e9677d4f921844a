import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildErrors, buildSystem } from '../src/compiler/build.js';
import { reportText } from '../src/compiler/report/report.js';
import { bootImage } from '../src/loader/boot.js';

/**
 * The build pipeline end to end, with minimal programs written for it
 * (test/build/programs/minimal.c): description → image → boot → run.
 */

const PROGRAMS = fileURLToPath(new URL('./build/programs', import.meta.url));
const MONITOR = `${PROGRAMS}/minimal-monitor.elf`;

const SYSTEM = `<?xml version="1.0"?>
<system>
  <memory_region name="shared" size="0x2000" />
  <protection_domain name="alpha" priority="100">
    <program_image path="minimal-pd.elf" />
    <map mr="shared" vaddr="0x4000000" perms="rw" setvar_vaddr="region_vaddr" />
  </protection_domain>
  <protection_domain name="beta" priority="120">
    <program_image path="minimal-pd.elf" />
    <map mr="shared" vaddr="0x5000000" perms="r" />
  </protection_domain>
  <channel>
    <end pd="alpha" id="3" pp="true" />
    <end pd="beta" id="13" setvar_id="answer" />
  </channel>
</system>`;

function build(text = SYSTEM) {
  return buildSystem('test.system', text, { searchPaths: [PROGRAMS], monitorElf: MONITOR });
}

describe('sel4ts build', () => {
  it('builds a deterministic image and a report with the authority the description declares', () => {
    const a = build();
    if (!a.ok) throw new Error(buildErrors(a).join('\n'));
    const b = build();
    expect(b.ok && Buffer.from(b.image).equals(Buffer.from(a.image))).toBe(true);
    expect(a.report.authority).toEqual({
      notifies: ['alpha -> beta (badge bit 13)', 'beta -> alpha (badge bit 3)'],
      calls: ['alpha -> beta (channel 13)'],
      shares: ['shared: alpha rw, beta r'],
      irqs: [],
    });
    expect(a.report.protectionDomains.map((p) => p.name)).toEqual(['alpha', 'beta', 'monitor']);
    const text = reportText(a.report);
    expect(text).toContain('alpha -> beta (channel 13)');
    expect(text).toMatch(/0x4000000 - +0x4002000 {2}rw- +8 KiB {2}region shared/);
  });

  it('gives a region that a setvar region_paddr needs the highest free address, clear of fixed regions', () => {
    const text = `<system>
      <memory_region name="fixed" size="0x1000" phys_addr="0xbffff000" />
      <memory_region name="auto" size="0x2000" />
      <protection_domain name="alpha" priority="100">
        <program_image path="minimal-pd.elf" />
        <map mr="fixed" vaddr="0x10000000" perms="r" />
        <map mr="auto" vaddr="0x10001000" perms="r" setvar_vaddr="region_vaddr" />
        <setvar symbol="answer" region_paddr="auto" />
      </protection_domain>
    </system>`;
    const r = build(text);
    if (!r.ok) throw new Error(buildErrors(r).join('\n'));
    const at = (name: string) => r.report.physicalMemory.find((o) => o.name === name)?.paddr;
    expect([at('frame_mr_fixed_000000000'), at('frame_mr_auto_000000000'), at('frame_mr_auto_000000001')]).toEqual(['0xbffff000', '0xbfffd000', '0xbfffe000']);
    const boot = bootImage(r.image);
    if (!boot.ok) throw new Error(boot.error);
    boot.booted.machine.run(boot.booted.kernel, 10_000_000);
    expect(boot.booted.machine.consoleOutput).toContain('hello from alpha answer 0x00000000bfffd000');
  });

  it('does not read meaning into PD names (log_drain, mr_pool_root)', () => {
    const text = SYSTEM.replaceAll('"alpha"', '"log_drain"').replaceAll('"beta"', '"mr_pool_root"');
    const r = build(text);
    if (!r.ok) throw new Error(buildErrors(r).join('\n'));
    expect(r.report.authority.calls).toEqual(['log_drain -> mr_pool_root (channel 13)']);
    expect(r.report.authority.shares).toEqual(['shared: log_drain rw, mr_pool_root r']);
    const boot = bootImage(r.image);
    if (!boot.ok) throw new Error(boot.error);
    boot.booted.machine.run(boot.booted.kernel, 10_000_000);
    expect(boot.booted.machine.consoleOutput).toContain('hello from log_drain');
  });

  it('refuses names that would clash with the monitor or with each other', () => {
    const monitor = build(SYSTEM.replaceAll('"beta"', '"monitor"'));
    expect(monitor.ok === false && monitor.check?.diagnostics.map((d) => d.message)).toEqual(["the PD name 'monitor' is reserved for the Microkit Monitor"]);
    // PD mr_x's stack and region x_stack's frames would share a name.
    const clash = build(SYSTEM.replaceAll('"alpha"', '"mr_x"').replace('<memory_region name="shared" size="0x2000" />', '<memory_region name="shared" size="0x2000" />\n  <memory_region name="x_stack" size="0x1000" />'));
    expect(clash.ok === false && clash.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message])).toEqual([
      ['system_object_name_clash', expect.stringMatching(/^two kernel objects would both be named 'frame_mr_x_stack_000000000'/)],
    ]);
  });

  it('reports a missing program, a non-AArch64 program and an unsupported feature', () => {
    const missing = build(SYSTEM.replace('minimal-pd.elf" />\n    <map mr="shared" vaddr="0x4000000"', 'nope.elf" />\n    <map mr="shared" vaddr="0x4000000"'));
    expect(missing.ok === false && buildErrors(missing)[0]).toMatch(/^program_image_not_found: protection domain 'alpha': program image 'nope.elf' not found/);
    const other = buildSystem('t.system', SYSTEM, { board: 'odroidc4', searchPaths: [PROGRAMS], monitorElf: MONITOR });
    expect(other.ok === false && buildErrors(other)[0]).toMatch(/^board_not_runnable: sel4ts builds and runs systems for qemu_virt_aarch64 only/);
  });
});

describe('sel4ts run (the loader, the initialiser and the kernel)', () => {
  it('boots every PD with its patched symbols, mappings and caps', () => {
    const built = build();
    if (!built.ok) throw new Error(buildErrors(built).join('\n'));
    const r = bootImage(built.image);
    if (!r.ok) throw new Error(r.error);
    const { machine, kernel } = r.booted;
    const end = machine.run(kernel, 100_000_000);
    const out = machine.consoleOutput;
    expect(out).toContain('monitor: alpha beta \n');
    expect(out).toContain('hello from alpha answer 0x0000000000000000 region 0x0000000004000000\nnotifications 0x0000000000000008 pps 0x0000000000000008\nwrote the region\n');
    // beta's answer is its channel id 13: it faults on purpose, and the monitor hears of it.
    expect(out).toContain('hello from beta answer 0x000000000000000d region 0x0000000000000000\n');
    expect(out).toContain('monitor: fault from beta label 0x0000000000000006\n');
    expect(end.reason).toBe('idle-forever');
    // What alpha wrote into the shared region is in beta's view of it.
    const frame = built.spec.objects.findIndex((o) => o.name === 'frame_mr_shared_000000000');
    expect(machine.memory.read64(built.plan.paddr[frame]!)).toBe(0x1234n);
  });

  it('rejects a corrupt image', () => {
    const built = build();
    if (!built.ok) throw new Error(buildErrors(built).join('\n'));
    const bad = new Uint8Array(built.image);
    bad[bad.length - 1]! ^= 0xff;
    expect(bootImage(bad)).toEqual({ ok: false, error: 'its checksum does not match its contents (the file is corrupt)' });
  });
});

describe('a hand-made image', () => {
  it('never crashes the loader: every inconsistency is a one-line error', async () => {
    const { readImage, writeImage } = await import('../src/compiler/image/image.js');
    const { rng } = await import('./helpers/rng.js');
    const built = build();
    if (!built.ok) throw new Error(buildErrors(built).join('\n'));
    const original = readImage(built.image);
    if (!original.ok) throw new Error(original.error);
    const random = rng(11);
    let rejected = 0;
    let ran = 0;
    for (let trial = 0; trial < 60; trial++) {
      const doc = JSON.parse(JSON.stringify({ spec: original.image.spec, plan: original.image.plan })) as Record<string, unknown>;
      // Change a few leaves: numbers to other numbers, strings to other strings, drop keys.
      const leaves: [Record<string, unknown>, string][] = [];
      const walk = (v: unknown) => {
        if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) x && typeof x === 'object' ? walk(x) : leaves.push([v as Record<string, unknown>, k]);
      };
      walk(doc);
      for (let m = 0; m < 3; m++) {
        const [obj, key] = leaves[Math.floor(random() * leaves.length)]!;
        const r = random();
        if (r < 0.4) obj[key] = Math.floor(random() * 5000) - 10;
        else if (r < 0.7) obj[key] = 'x';
        else delete obj[key];
      }
      const bytes = writeImage({ spec: doc.spec as never, plan: doc.plan as never, data: original.image.data });
      const result = bootImage(bytes);
      if (!result.ok) {
        expect(result.error).toMatch(/^(the image is inconsistent|its |frame )/);
        expect(result.error).not.toContain('\n');
        rejected++;
      } else {
        // Whatever it accepted boots and runs to one of the ends a run can have.
        const end = result.booted.machine.run(result.booted.kernel, 2_000_000);
        expect(['halt', 'idle-forever', 'limit']).toContain(end.reason);
        ran++;
      }
    }
    expect(rejected).toBeGreaterThan(20);
    expect(ran).toBeGreaterThan(0);
  });
});
