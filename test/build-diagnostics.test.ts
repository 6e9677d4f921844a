import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { buildSystem } from '../src/compiler/build.js';
import { programConfig } from '../src/compiler/elf/program-config.js';
import { loadProgramImage, type ProgramImage } from '../src/compiler/elf/program-image.js';
import { DIAGNOSTIC_CODES } from '../src/diagnostics/codes.js';
import { diagnosticJson, PLAIN, position, renderGithub, renderMicrokit, renderText } from '../src/diagnostics/render.js';
import { BUILD_FIXTURE_DIR, BUILD_PROGRAMS, buildFixture, buildKey, fixtureExpectations } from './helpers/fixtures.js';

/**
 * What `sel4ts build` (and `run`) finds beyond the description: every such code has a fixture in
 * test/fixtures/build/ (a description, the programs in programs/, and the build options in a
 * `build:` comment), and reports through the same Diagnostic values as `check`.
 */

const fixtures = readdirSync(BUILD_FIXTURE_DIR)
  .filter((f) => f.endsWith('.system'))
  .sort();
const codeOf = (name: string) => name.replace(/\.system$/, '');

describe('build diagnostic fixtures', () => {
  for (const name of fixtures) {
    it(`${name} reports exactly its expected diagnostics`, () => {
      const { result, text } = buildFixture(name);
      const expected = fixtureExpectations(name, text);
      expect(expected, `${name} has no expect: line`).toBeDefined();
      expect(result.diagnostics.map(buildKey)).toEqual(expected);
      expect(result.diagnostics.map((d) => d.code)).toContain(codeOf(name));
      // Errors fail the build; a warning alone does not.
      const own = result.diagnostics.find((d) => d.code === codeOf(name))!;
      expect(result.ok).toBe(own.severity === 'warning');
      expect(DIAGNOSTIC_CODES[own.code].startsWith('Warning:')).toBe(own.severity === 'warning');
    });
  }

  it('every build fixture is named after a diagnostic code', () => {
    expect(fixtures.map(codeOf).filter((c) => !(c in DIAGNOSTIC_CODES))).toEqual([]);
  });

  it('every build diagnostic with a place shows it in all four formats', () => {
    for (const name of fixtures) {
      const { result } = buildFixture(name);
      const d = result.diagnostics.find((x) => x.code === codeOf(name))!;
      const text = renderText(d, PLAIN);
      const json = diagnosticJson(d);
      const github = renderGithub(d);
      const microkit = renderMicrokit([d]);
      const microkitLine = d.severity === 'error' ? microkit.stderr[0] : microkit.stdout[0];
      if (d.reference !== undefined) expect(microkitLine, name).toBe(d.reference);
      else if (d.severity === 'error') expect(microkitLine, name).toBe(`Error: ${d.message}`);
      if (!d.span) {
        // Only problems outside the description have no place: the board, the configuration, the monitor.
        expect(['board_unknown', 'board_not_runnable', 'config_unknown', 'monitor_unreadable', 'monitor_invalid'], name).toContain(d.code);
        expect(json).toMatchObject({ file: null, line: null, column: null });
        expect(github).toMatch(new RegExp(`^::(error|warning) title=${d.code}::`));
        continue;
      }
      const p = position(d.file, d.span);
      expect(text, name).toContain(`${name}:${p.line}:${p.column}: ${d.severity}[${d.code}]: `);
      expect(text, name).toMatch(new RegExp(`\\n${p.line} \\| .*\\n +\\| +\\^+`));
      expect(json, name).toMatchObject({ code: d.code, file: name, line: p.line, column: p.column });
      expect(github, name).toContain(`file=${name},line=${p.line},col=${p.column},`);
    }
  });
});

describe('the reference Microkit tool’s words (--format microkit)', () => {
  const reference = (name: string) => buildFixture(name).result.diagnostics.find((d) => d.code === codeOf(name))?.reference;

  it('for the program problems it reports', () => {
    expect(reference('program_image_not_found.system')).toBe(`Error: "unable to find program image: 'missing.elf'"`);
    expect(reference('program_image_not_elf.system')).toBe(`ERROR: failed to parse ELF '${join(BUILD_PROGRAMS, 'not-elf.elf')}' for PD 'pd': magic check failed`);
    expect(reference('setvar_symbol_missing.system')).toBe("ERROR: could not patch symbol 'no_such_symbol' in program image for PD 'pd' (debug.elf): no symbol named 'no_such_symbol' found");
    expect(reference('setvar_symbol_too_small.system')).toBe("ERROR: setvar to non-word size symbol 'flag' for PD 'pd', symbol has size '1' bytes, expected size '8' bytes");
    expect(reference('setvar_symbol_too_large.system')).toBe("ERROR: setvar to non-word size symbol 'pair' for PD 'pd', symbol has size '16' bytes, expected size '8' bytes");
    expect(reference('mr_no_free_paddr.system')).toBe('ERROR: cannot auto-select a physical address for MR huge because there are no contiguous memory region of sufficient size.');
    expect(reference('monitor_unreadable.system')).toBe(`ERROR: failed to parse monitor ELF (${join(BUILD_PROGRAMS, 'missing-monitor.elf')}): failed to read ELF: No such file or directory (os error 2)`);
    expect(reference('system_out_of_memory.system')).toBe('ERROR: could not allocate all required kernel objects. Please see report for more details.');
  });

  it('sizes in words a person reads', () => {
    const small = buildFixture('setvar_symbol_too_small.system').result.diagnostics.find((d) => d.code === 'setvar_symbol_too_small')!;
    expect(small.message).toBe("protection domain 'pd': setvar symbol 'flag' in 'debug.elf' is 1 byte; a setvar writes exactly 8 bytes");
  });
});

function program(path: string): ProgramImage {
  const r = loadProgramImage(path, new Uint8Array(readFileSync(path)));
  if (!r.ok) throw new Error(r.error);
  return r.image;
}

describe('the configuration a program was built for', () => {
  it('is read from libmicrokit’s microkit_dbg_putc: a system call in debug, none in release', () => {
    expect(programConfig(program(join(BUILD_PROGRAMS, 'debug.elf')))?.config).toBe('debug');
    expect(programConfig(program(join(BUILD_PROGRAMS, 'release.elf')))?.config).toBe('release');
  });

  it('is debug for a program without libmicrokit that makes a debug system call, unknown for one that makes none', () => {
    const minimal = programConfig(program(fileURLToPath(new URL('./build/programs/minimal-pd.elf', import.meta.url))));
    expect(minimal).toMatchObject({ config: 'debug', why: expect.stringMatching(/^it calls seL4_DebugPutChar \(the system call at 0x[0-9a-f]+\)$/) });
    expect(programConfig(program(join(BUILD_PROGRAMS, 'bare.elf')))).toBeUndefined();
  });

  it('agrees with how every example was built (debug): no warning in debug, a warning in release', () => {
    const examples = fileURLToPath(new URL('../examples', import.meta.url));
    // (examples/policies/ holds policies, not a system.)
    for (const dir of readdirSync(examples, { withFileTypes: true })
      .filter((d) => d.isDirectory() && readdirSync(join(examples, d.name)).some((f) => f.endsWith('.system')))
      .map((d) => d.name)) {
      const system = readdirSync(join(examples, dir)).find((f) => f.endsWith('.system'))!;
      const path = join(examples, dir, system);
      const text = readFileSync(path, 'utf8');
      const debug = buildSystem(path, text, { searchPaths: [join(examples, dir)] });
      expect(
        debug.diagnostics.filter((d) => d.code.startsWith('program_')),
        dir,
      ).toEqual([]);
      for (const pd of debug.check?.system?.allProtectionDomains ?? []) expect(programConfig(program(join(examples, dir, pd.programImage!.path!))), `${dir}/${pd.name}`).toMatchObject({ config: 'debug' });
    }
    const hello = join(examples, 'hello', 'hello.system');
    const release = buildSystem(hello, readFileSync(hello, 'utf8'), { config: 'release', searchPaths: [join(examples, 'hello')] });
    expect(release.ok).toBe(true);
    expect(release.diagnostics.map((d) => d.code)).toEqual(['program_built_for_debug']);
  });
});

async function sel4ts(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('sel4ts build and run --format', () => {
  const fixture = join(BUILD_FIXTURE_DIR, 'setvar_symbol_missing.system');
  const args = (command: string, format: string) => [command, fixture, '--search-path', BUILD_PROGRAMS, '--format', format, '-o', '/dev/null'].filter((a) => command === 'build' || (a !== '-o' && a !== '/dev/null'));

  it('text: file:line:col, the code, a code frame and a hint, then the verdict', async () => {
    const r = await sel4ts(...args('build', 'text'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${fixture}:6:41: error[setvar_symbol_missing]: protection domain 'pd': 'debug.elf' has no symbol 'no_such_symbol'\n  |\n6 |         <irq irq="40" id="1" setvar_id="no_such_symbol" />\n  |                                         ^^^^^^^^^^^^^^\n`,
    );
    expect(r.stderr).toContain('  = hint: declare it in the program');
    expect(r.stderr).toMatch(/setvar_symbol_missing\.system: not built \(1 error, 0 warnings\)\n$/);
  });

  it('json: one object with the diagnostics, like check', async () => {
    for (const command of ['build', 'run']) {
      const r = await sel4ts(...args(command, 'json'));
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] };
      expect(out.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'setvar_symbol_missing', file: fixture, line: 6, column: 41, summary: "protection domain 'pd': 'debug.elf' has no symbol 'no_such_symbol'" })]);
    }
  });

  it('github: a workflow annotation on the line', async () => {
    const r = await sel4ts(...args('build', 'github'));
    expect(r.stdout).toMatch(/^::error file=.*setvar_symbol_missing\.system,line=6,col=41,endLine=6,endColumn=55,title=setvar_symbol_missing::protection domain 'pd'/);
  });

  it('microkit: the reference tool’s line', async () => {
    const r = await sel4ts(...args('run', 'microkit'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ERROR: could not patch symbol 'no_such_symbol' in program image for PD 'pd' (debug.elf): no symbol named 'no_such_symbol' found\n");
  });

  it('json: build prints the object even when empty; run prints nothing before the console', async () => {
    const hello = fileURLToPath(new URL('../examples/hello/hello.system', import.meta.url));
    const built = await sel4ts('build', hello, '--format', 'json', '-o', '/dev/null', '-r', '/dev/null');
    expect([built.code, JSON.parse(built.stdout)]).toEqual([0, { diagnostics: [] }]);
    const ran = await sel4ts('run', hello, '--format', 'json');
    expect(ran.stdout).toBe('MON|INFO: Microkit Monitor started!\nhello, world\n');
  });

  it('a warning does not stop the build, and an unknown format is a usage error', async () => {
    const warned = await sel4ts('build', join(BUILD_FIXTURE_DIR, 'program_built_for_release.system'), '--search-path', BUILD_PROGRAMS, '-o', '/dev/null', '-r', '/dev/null');
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/^.*program_built_for_release\.system:5:30: warning\[program_built_for_release\]: /);
    expect(warned.stderr).toMatch(/built \/dev\/null \(\d+ bytes, \d+ objects, 1 protection domain\)/);
    expect((await sel4ts('build', fixture, '--format', 'xml')).code).toBe(2);
  });
});
