import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { parseMicrokitArgs } from '../src/cli/microkit-args.js';

/**
 * `sel4ts microkit` (the SDK's bin/microkit): every option of the Microkit 2.3 tool
 * (tool/microkit/src/argparse.rs) is accepted; those sel4ts cannot honour get a note, and errors
 * are the Microkit tool's, word for word, with its exit status 1.
 */

const EXAMPLE = fileURLToPath(new URL('../examples/hello', import.meta.url));

async function sel4ts(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd });
  return { code, stdout, stderr };
}

/** A description in one directory and its program in another, as Microkit projects keep them. */
function project(): { dir: string; system: string; build: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-microkit-'));
  mkdirSync(join(dir, 'build'));
  copyFileSync(join(EXAMPLE, 'hello.system'), join(dir, 'hello.system'));
  copyFileSync(join(EXAMPLE, 'hello.elf'), join(dir, 'build', 'hello.elf'));
  // The program is not next to the description: only the search paths find it.
  return { dir, system: join(dir, 'hello.system'), build: join(dir, 'build') };
}

const BOARD = ['--board', 'qemu_virt_aarch64', '--config', 'debug'];
const SDK = { boards: ['qemu_virt_aarch64'], configsOf: () => ['debug', 'release'] };

describe('sel4ts microkit: the Microkit tool command line', () => {
  it('builds with the options upstream Makefiles pass; the image is what sel4ts run runs', async () => {
    const p = project();
    const img = join(p.dir, 'build', 'loader.img');
    const report = join(p.dir, 'build', 'report.txt');
    const r = await sel4ts(p.dir, 'microkit', p.system, '--search-path', p.build, '--board', 'qemu_virt_aarch64', '--config', 'debug', '-o', img, '-r', report);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain('## Physical memory');
    const run = await sel4ts(p.dir, 'run', img);
    expect(run.stdout).toBe(readFileSync(join(EXAMPLE, 'expected-output.txt'), 'utf8'));
    expect(run.code).toBe(0);
  });

  it('--search-path takes every following argument up to the next option, and the current directory is searched last', async () => {
    const p = project();
    const out = ['-o', join(p.dir, 'a.img'), '-r', join(p.dir, 'a.txt')];
    const many = await sel4ts(p.dir, 'microkit', p.system, '--search-path', join(p.dir, 'nothing-here'), p.build, ...BOARD, ...out);
    expect(many.code, many.stderr).toBe(0);
    const cwd = await sel4ts(p.build, 'microkit', p.system, ...BOARD, ...out);
    expect(cwd.code, cwd.stderr).toBe(0);
    const none = await sel4ts(p.dir, 'microkit', p.system, ...BOARD, ...out);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`Error: "unable to find program image: 'hello.elf'"\n`);
  });

  it('--capdl-json writes the Spec as JSON, with a note saying which form', async () => {
    const p = project();
    const json = join(p.dir, 'build', 'capdl_spec.json');
    const r = await sel4ts(p.dir, 'microkit', p.system, ...BOARD, '--search-path', p.build, '-o', join(p.dir, 'i'), '-r', join(p.dir, 'r'), '--capdl-json', json);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`microkit: note: --capdl-json: '${json}' is sel4ts's Spec and allocation plan as JSON`);
    const spec = JSON.parse(readFileSync(json, 'utf8')) as { spec: { objects: { name: string }[] } };
    expect(spec.spec.objects.map((o) => o.name)).toContain('tcb_hello');
  });

  it('--viper-output creates the directory, left empty, with a note', async () => {
    const p = project();
    const viper = join(p.dir, 'build', 'viper', 'deeper');
    const r = await sel4ts(p.dir, 'microkit', p.system, ...BOARD, '--search-path', p.build, '-o', join(p.dir, 'i'), '-r', join(p.dir, 'r'), '--viper-output', viper);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(viper)).toEqual([]);
    expect(r.stderr).toContain(`microkit: note: --viper-output: sel4ts does not write Viper (.vpr) descriptions; '${viper}' is left empty`);
  });

  it('--image-type binary is the default; elf is accepted with a note; uimage is refused on AArch64 as the Microkit tool refuses it', async () => {
    const p = project();
    const common = [p.system, ...BOARD, '--search-path', p.build, '-r', join(p.dir, 'r')];
    const binary = await sel4ts(p.dir, 'microkit', ...common, '-o', join(p.dir, 'b.img'), '--image-type', 'binary');
    expect(binary.code, binary.stderr).toBe(0);
    expect(binary.stderr).not.toContain('note');
    const elf = await sel4ts(p.dir, 'microkit', ...common, '-o', join(p.dir, 'e.img'), '--image-type', 'elf');
    expect(elf.code, elf.stderr).toBe(0);
    expect(elf.stderr).toContain("microkit: note: --image-type elf: sel4ts writes its own boot image (docs/image-format.md), which 'sel4ts run");
    expect(readFileSync(join(p.dir, 'e.img')).equals(readFileSync(join(p.dir, 'b.img')))).toBe(true);
    const uimage = await sel4ts(p.dir, 'microkit', ...common, '-o', join(p.dir, 'u.img'), '--image-type', 'uimage');
    expect(uimage).toMatchObject({ code: 1, stderr: "microkit: error: building the output image as 'uimage' is unsupported for target architecture 'aarch64'\n" });
    const bad = await sel4ts(p.dir, 'microkit', ...common, '--image-type', 'srec');
    expect(bad).toMatchObject({ code: 1, stdout: '', stderr: "microkit: error: argument --image-type: unknown parameter 'srec'\n" });
  });

  it('--override-kernel is accepted with a note (sel4ts runs its kernel model); a missing file is the Microkit error', async () => {
    const p = project();
    const kernel = join(p.dir, 'sel4.elf');
    writeFileSync(kernel, 'not used');
    const common = [p.system, ...BOARD, '--search-path', p.build, '-o', join(p.dir, 'i'), '-r', join(p.dir, 'r')];
    const r = await sel4ts(p.dir, 'microkit', ...common, '--override-kernel', kernel);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`microkit: note: --override-kernel: sel4ts runs its own model of the seL4 kernel; '${kernel}' is not used`);
    const missing = await sel4ts(p.dir, 'microkit', ...common, '--override-kernel', join(p.dir, 'nope.elf'));
    expect(missing).toMatchObject({ code: 1, stderr: `microkit: error: kernel ELF '${join(p.dir, 'nope.elf')}' does not exist\n` });
  });

  it('--config release builds for release', async () => {
    const p = project();
    const img = join(p.dir, 'release.img');
    const r = await sel4ts(p.dir, 'microkit', p.system, '--board', 'qemu_virt_aarch64', '--config', 'release', '--search-path', p.build, '-o', img, '-r', join(p.dir, 'r'));
    expect(r.code, r.stderr).toBe(0);
    // The release monitor is silent (and hello.elf, a debug program, faults at its first print).
    const run = await sel4ts(p.dir, 'run', img, '--allow-faults');
    expect(run.stdout).not.toContain('MON|INFO');
  });

  it('-h and --help print the Microkit help, boards from the SDK', async () => {
    for (const flag of ['-h', '--help']) {
      const r = await sel4ts(tmpdir(), 'microkit', 'x.system', flag, '--board', 'nowhere');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: microkit \[-h\] \[OPTIONS\] --board BOARD --config CONFIG \[--search-path SEARCH_PATH \.\.\.\] system\n\npositional arguments:\n {2}system\n/);
      expect(r.stdout).toContain('  --board qemu_virt_aarch64\n  --config CONFIG\n  --capdl-json CAPDL_SPEC (JSON format)\n  --viper-output DIRECTORY_PATH\n');
    }
  });

  it('errors are the Microkit tool’s: usage line on stdout for missing and unrecognised arguments, exit 1', async () => {
    const cwd = tmpdir();
    expect(await sel4ts(cwd, 'microkit')).toEqual({
      code: 1,
      stdout: 'usage: microkit [-h] [OPTIONS] --board BOARD --config CONFIG [--search-path SEARCH_PATH ...] system\n',
      stderr: 'microkit: error: the following arguments are required: --board, --config, system\n',
    });
    expect(await sel4ts(cwd, 'microkit', 'a.system', 'b.system', ...BOARD)).toMatchObject({ code: 1, stderr: "microkit: error: unrecognized argument 'b.system'\n" });
    expect(await sel4ts(cwd, 'microkit', 'a.system', '--board', 'odroidc4', '--config', 'debug')).toEqual({ code: 1, stdout: '', stderr: "microkit: error: argument --board: unknown parameter 'odroidc4'\n" });
    expect(await sel4ts(cwd, 'microkit', 'a.system', '--board', 'qemu_virt_aarch64', '--config', 'benchmark')).toMatchObject({ code: 1, stderr: "microkit: error: argument --config: invalid choice 'benchmark' (choose from: debug, release)\n" });
    expect(await sel4ts(cwd, 'microkit', 'a.system', ...BOARD, '-o')).toMatchObject({ code: 1, stderr: 'microkit: error: argument --output: expected one parameter\n' });
    expect(await sel4ts(cwd, 'microkit', 'no-such.system', ...BOARD)).toMatchObject({ code: 1, stderr: "microkit: error: system description file 'no-such.system' does not exist\n" });
  });

  it('an output it cannot write is an error with exit status 1', async () => {
    const p = project();
    const img = join(p.dir, 'no-such-dir', 'loader.img');
    const r = await sel4ts(p.dir, 'microkit', p.system, ...BOARD, '--search-path', p.build, '-o', img, '-r', join(p.dir, 'r'));
    expect(r).toMatchObject({ code: 1, stderr: `microkit: error: cannot write '${img}': ENOENT\n` });
  });

  it('a description that does not build fails with the reference tool’s message', async () => {
    const p = project();
    writeFileSync(p.system, '<system><protection_domain name="x"><program_image path="missing.elf"/></protection_domain></system>');
    const r = await sel4ts(p.dir, 'microkit', p.system, ...BOARD, '-o', join(p.dir, 'i'), '-r', join(p.dir, 'r'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: "unable to find program image: 'missing.elf'"\n`);
  });
});

describe('parseMicrokitArgs', () => {
  it('takes the next argument as an option’s parameter whatever it looks like, as the Microkit tool does', () => {
    expect(parseMicrokitArgs(['s', ...BOARD, '-o', '-r', '--report', 'x'], SDK)).toMatchObject({ output: '-r', report: 'x', system: 's' });
  });
  it('collects repeated --search-path options in order; the last -o wins', () => {
    // Up to the next option: a description right after the search paths is taken as one.
    expect(parseMicrokitArgs(['--search-path', 'a', 'b', 's', ...BOARD], SDK)).toEqual({ kind: 'error', message: 'the following arguments are required: system', usage: true });
    expect(parseMicrokitArgs(['s', '--search-path', 'a', '-o', 'x', '--search-path', 'b', '-o', 'y', ...BOARD], SDK)).toMatchObject({ searchPaths: ['a', 'b'], output: 'y' });
  });
  it('defaults: loader.img, report.txt (in the current directory), no image type', () => {
    expect(parseMicrokitArgs(['s', ...BOARD], SDK)).toEqual({
      system: 's',
      board: 'qemu_virt_aarch64',
      config: 'debug',
      output: 'loader.img',
      report: 'report.txt',
      capdlJson: undefined,
      viperOutput: undefined,
      searchPaths: [],
      imageType: undefined,
      overrideKernel: undefined,
    });
  });
});
