import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';
import { oracle } from './helpers/oracles.js';
import { runCli } from './helpers/cli.js';

// One file name makes the checker throw, to see a bug in one file stop only that file.
vi.mock('../src/compiler/check.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/compiler/check.js')>();
  return {
    ...original,
    checkSystemBytes: (...args: Parameters<typeof original.checkSystemBytes>) => {
      if (args[0].endsWith('boom.system')) throw new Error('boom');
      return original.checkSystemBytes(...args);
    },
  };
});

const run = runCli;

const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-many-'));
const write = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
const OK = write('ok.system', '<system><protection_domain name="a"><program_image path="a.elf"/></protection_domain></system>');
// Two errors and one warning.
const BAD = write('bad.system', '<system><protection_domain name="a" priority="300"><program_image path="a.elf"/><map mr="nope" vaddr="0x1000000"/></protection_domain><memory_region name="m" size="0x1000"/></system>');
const WARN = write('warn.system', '<system><protection_domain name="a"><program_image path="a.elf"/></protection_domain><memory_region name="m" size="0x1000"/></system>');
const BOOM = write('boom.system', '<system/>');
const MISSING = join(tmp, 'missing.system');

describe('sel4ts check with several files', () => {
  it('checks each file in one process and ends with one summary line', async () => {
    const r = await run(['check', OK, BAD, WARN]);
    expect(r.code).toBe(1);
    const lines = r.err.trimEnd().split('\n');
    expect(lines.filter((l) => / \((\d+) errors?, (\d+) warnings?\)$/.test(l))).toEqual([
      `${OK}: ok (0 errors, 0 warnings)`,
      `${BAD}: invalid (2 errors, 1 warning)`,
      `${WARN}: ok (0 errors, 1 warning)`,
      '3 files: 2 ok, 1 invalid (2 errors, 2 warnings)',
    ]);
    expect(r.err).toContain(`${BAD}:1:`);
  });

  it('all valid: exit 0', async () => {
    const r = await run(['check', OK, WARN]);
    expect(r.code).toBe(0);
    expect(r.err.trimEnd().split('\n').at(-1)).toBe('2 files: 2 ok, 0 invalid (0 errors, 1 warning)');
  });

  it('reports a file it cannot read, checks the others, and exits with the worst status', async () => {
    const r = await run(['check', BAD, MISSING, OK]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`sel4ts: cannot read '${MISSING}': no such file\n`);
    expect(r.err).toContain(`${OK}: ok (0 errors, 0 warnings)`);
    expect(r.err.trimEnd().split('\n').at(-1)).toBe('3 files: 1 ok, 1 invalid, 1 unreadable (2 errors, 1 warning)');
  });

  it('a bug while checking one file is reported as one and the others are still checked (exit 3)', async () => {
    const r = await run(['check', BOOM, OK, MISSING]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`sel4ts: internal error while checking '${BOOM}': this is a bug in sel4ts`);
    expect(r.err).toContain(`${OK}: ok`);
    expect(r.err.trimEnd().split('\n').at(-1)).toBe('3 files: 1 ok, 0 invalid, 1 unreadable, 1 crashed (0 errors, 0 warnings)');
  });

  it('--format json: an array with one object per file', async () => {
    const r = await run(['check', OK, BAD, MISSING, '--format', 'json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.out) as { file: string; ok: boolean; error?: string; diagnostics: { code: string }[] }[];
    expect(json.map((f) => [f.file, f.ok, f.diagnostics.map((d) => d.code)])).toEqual([
      [OK, true, []],
      [BAD, false, ['pd_priority_out_of_range', 'map_unknown_mr', 'mr_unused']],
      [MISSING, false, []],
    ]);
    expect(json[2]!.error).toBe(`cannot read '${MISSING}': no such file`);
    // No summary line mixed into the JSON, and no text on stderr but the unreadable file.
    expect(r.err).toBe(`sel4ts: cannot read '${MISSING}': no such file\n`);
  });

  it('--format json with one file keeps the single object', async () => {
    const r = await run(['check', BAD, '--format', 'json']);
    expect(Object.keys(JSON.parse(r.out) as object)).toEqual(['diagnostics']);
  });

  it('--format github and microkit: each file as alone', async () => {
    const gh = await run(['check', BAD, WARN, '--format', 'github']);
    expect(
      gh.out
        .trim()
        .split('\n')
        .map((l) => /^::(\w+) file=([^,]+)/.exec(l)!.slice(1)),
    ).toEqual([
      ['error', BAD],
      ['error', BAD],
      ['warning', BAD],
      ['warning', WARN],
    ]);
    expect(gh.err).toBe('');
    const mk = await run(['check', BAD, WARN, '--format', 'microkit']);
    expect(mk.code).toBe(1);
    expect(mk.out).toBe("WARNING: unused memory region 'm'\n");
    expect(mk.err).toBe(`Error: priority must be between 0 and 254 on element 'protection_domain': ${BAD}:1:9\n`);
  });

  it('a directory stands for the .system files under it, sorted', async () => {
    const dir = join(tmp, 'repo');
    mkdirSync(join(dir, 'b', 'deeper'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'node_modules'));
    const text = '<system><protection_domain name="a"><program_image path="a.elf"/></protection_domain></system>';
    for (const f of ['z.system', 'a.system', 'b/deeper/c.system', '.git/x.system', 'node_modules/y.system']) writeFileSync(join(dir, f), text);
    writeFileSync(join(dir, 'package.json'), '{}');
    const r = await run(['check', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { file: string }[]).map((f) => f.file)).toEqual([join(dir, 'a.system'), join(dir, 'b', 'deeper', 'c.system'), join(dir, 'z.system')]);
    // Even one file found in a directory is reported as a list.
    const one = await run(['check', join(dir, 'b'), '--format', 'json']);
    expect(JSON.parse(one.out)).toHaveLength(1);
  });
});

describe.skipIf(!oracle('../shared', HAVE_SHARED, 'check over the corpus'))('the whole corpus in one command (needs ../shared)', () => {
  it('checks all 282 files of a directory without a crash', async () => {
    const r = await run(['check', join(SHARED_DIR, 'corpus')]);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('internal error');
    expect(r.err.match(/\.system: (ok|invalid) \(\d+ errors?, \d+ warnings?\)\n/g)).toHaveLength(282);
    expect(r.err).toMatch(/\n282 files: \d+ ok, \d+ invalid \(\d+ errors, \d+ warnings\)\n$/);
  }, 120_000);
});
