import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processIo, type Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { FIXTURE_DIR } from './helpers/fixtures.js';
import { expectGolden } from './helpers/golden.js';

const FORMATS = join(import.meta.dirname, 'fixtures', 'formats');

async function run(argv: string[], colour = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), colour, cwd: process.cwd() };
  const code = await main(argv, io);
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-cli-'));
const BAD = join(tmp, 'bad.system');
writeFileSync(
  BAD,
  `<system>
    <protection_domain name="client" priority="300" pp="true">
        <program_image path="client.elf" />
        <map mr="bufer" vaddr="0x2000000" perms="rw" />
    </protection_domain>
    <memory_region name="buffer" size="0x1000" />
    <memory_region name="spare" size="0x1000" />
</system>
`,
);

describe('sel4ts check', () => {
  it('exits 0 on a valid system and says so', async () => {
    const r = await run(['check', join(FORMATS, 'ping-pong.system')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/ping-pong.system: ok \(0 errors, 0 warnings\)\n$/);
  });

  it('exits 1 and reports every error with a code frame and hint', async () => {
    const r = await run(['check', BAD]);
    expect(r.code).toBe(1);
    expectGolden(r.err.replaceAll(tmp, '<tmp>'), 'golden/check-text.txt', import.meta.filename);
  });

  it('colours only when asked, and NO_COLOR turns colour off', async () => {
    expect((await run(['check', BAD], true)).err).toContain('\u001b[');
    expect((await run(['check', BAD], false)).err).not.toContain('\u001b[');
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      expect(processIo().colour).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });

  it('--format json writes one object with the required fields', async () => {
    const r = await run(['check', BAD, '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { diagnostics: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['diagnostics']);
    expect(json.diagnostics.map((d) => [d.severity, d.code, d.line, d.column])).toEqual([
      ['error', 'pd_legacy_pp', 2, 53],
      ['error', 'pd_priority_out_of_range', 2, 48],
      ['error', 'map_unknown_mr', 4, 18],
      ['warning', 'mr_unused', 6, 26],
      ['warning', 'mr_unused', 7, 26],
    ]);
    const first = json.diagnostics[0]!;
    for (const k of ['severity', 'code', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'notes', 'hint']) expect(first).toHaveProperty(k);
    expect(first.message).toBe(`Error: invalid attribute 'pp' on element 'protection_domain': ${BAD}:2:5`);
    expect(json.diagnostics[2]!.hint).toBe("did you mean 'buffer'?");
  });

  it('--format github writes workflow annotations', async () => {
    const r = await run(['check', BAD, '--format', 'github']);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^::error file=.*bad\.system,line=2,col=53,endLine=2,endColumn=55,title=pd_legacy_pp::/);
    expect(lines[3]).toMatch(/^::warning /);
  });

  it('--format microkit prints what the reference tool prints', async () => {
    const r = await run(['check', BAD, '--format', 'microkit']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(`Error: invalid attribute 'pp' on element 'protection_domain': ${BAD}:2:5\n`);
    const ok = await run(['check', join(FIXTURE_DIR, 'mr_unused.system'), '--format', 'microkit']);
    expect(ok.code).toBe(0);
    expect(ok.out).toBe("WARNING: unused memory region 'm'\n");
  });

  it('takes a board, a configuration, or a kernel configuration file', async () => {
    const x86 = join(FIXTURE_DIR, 'ioport_overlap.system');
    expect((await run(['check', x86, '--board', 'x86_64_generic'])).code).toBe(1);
    const cfg = join(tmp, 'x86.json');
    writeFileSync(cfg, JSON.stringify({ arch: 'x86_64', num_cores: 4 }));
    const r = await run(['check', join(FIXTURE_DIR, 'ioport_overlap.system'), '--kernel-config', cfg, '--format', 'json']);
    expect(JSON.parse(r.out).diagnostics.map((d: { code: string }) => d.code)).toEqual(['ioport_overlap']);
    expect((await run(['check', join(FORMATS, 'ping-pong.system'), '--board', 'odroidc4', '--config', 'smp-debug'])).code).toBe(1);
    expect((await run(['check', join(FORMATS, 'ping-pong.system'), '--board', 'odroidc4', '--config', 'release'])).code).toBe(0);
  });

  it('finds prefill files through --search-path', async () => {
    const sys = join(tmp, 'prefill.system');
    writeFileSync(sys, '<system><protection_domain name="a"><program_image path="a"/><map mr="m" vaddr="0x1000000"/></protection_domain><memory_region name="m" prefill_path="small.bin"/></system>');
    expect((await run(['check', sys])).code).toBe(1);
    expect((await run(['check', sys, '--search-path', join(FIXTURE_DIR, 'files')])).code).toBe(0);
  });
});

describe('command-line errors', () => {
  const usage = async (argv: string[], pattern: RegExp) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
  };
  it('exit 2 with a message naming the problem', async () => {
    await usage(['check', join(tmp, 'nope.system')], /cannot read '.*nope\.system': no such file/);
    await usage(['check', mkdtempSync(join(tmpdir(), 'sel4ts-empty-'))], /is a directory with no \.system file in it/);
    await usage(['check', BAD, '--board', 'qemu_virt_aarch65'], /unknown board 'qemu_virt_aarch65' \(did you mean 'qemu_virt_aarch64'\?\)/);
    await usage(['check', BAD, '--board', 'ariane', '--config', 'smp-debug'], /has no configuration 'smp-debug'/);
    await usage(['check', BAD, '--format', 'xml'], /argument 'xml' is invalid/);
    await usage(['check'], /missing required argument 'systems'/);
    await usage(['frobnicate'], /'frobnicate' is not a command and no such file exists/);
    const cfg = join(tmp, 'bad.json');
    writeFileSync(cfg, '{"arch": "mips"}');
    await usage(['check', BAD, '--kernel-config', cfg], /'arch' must be/);
    await usage(['check', BAD, '--kernel-config', cfg, '--board', 'zcu102'], /either --board or --kernel-config/);
  });

  it('exit 3 on an internal error, saying it is a bug', async () => {
    const io: Io = {
      stdout: () => {
        throw new Error('boom');
      },
      stderr: (t) => (err += t),
      colour: false,
      cwd: '.',
    };
    let err = '';
    expect(await main(['check', BAD, '--format', 'json'], io)).toBe(3);
    expect(err).toMatch(/internal error: this is a bug in sel4ts/);
  });

  it('lists boards and prints its version', async () => {
    const boards = await run(['boards']);
    expect(boards.code).toBe(0);
    expect(boards.out).toMatch(/^qemu_virt_aarch64 +aarch64 +hyp on +top 0xffffffffff/m);
    expect(boards.out).toMatch(/^x86_64_generic +x86_64 +hyp off/m);
    expect((await run(['--version'])).out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
