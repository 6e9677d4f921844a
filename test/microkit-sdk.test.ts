import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { oracle } from './helpers/oracles.js';

/**
 * The Microkit-shaped SDK folder (sdk/microkit-sdk): laid out where the Microkit SDK has its files,
 * its copies of sdk/ current, its libraries rebuilt byte for byte from source, shipped in the package.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SDK = join(ROOT, 'sdk', 'microkit-sdk');
const BOARD = join(SDK, 'board', 'qemu_virt_aarch64');
const CONFIGS = ['debug', 'release'];

async function sel4ts(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: ROOT });
  return { code, stdout, stderr };
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('sel4ts sdk', () => {
  it('--path prints the folder, alone', async () => {
    expect(await sel4ts('sdk', '--path')).toEqual({ code: 0, stdout: `${SDK}\n`, stderr: '' });
  });
  it('without --path says what it holds and how a Makefile uses it', async () => {
    const r = await sel4ts('sdk');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Microkit-shaped SDK: ${SDK}\n  board qemu_virt_aarch64: debug, release\n`);
    expect(r.stdout).toContain('make MICROKIT_SDK=$(sel4ts sdk --path) MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug');
  });
});

describe('the Microkit-shaped SDK folder', () => {
  it('has what Microkit Makefiles use, where the Microkit SDK has it', () => {
    accessSync(join(SDK, 'bin', 'microkit'), constants.X_OK);
    expect(readdirSync(join(SDK, 'board'))).toEqual(['qemu_virt_aarch64']);
    expect(readdirSync(BOARD).sort()).toEqual(CONFIGS);
    for (const config of CONFIGS) {
      const files = filesUnder(join(BOARD, config));
      for (const f of ['include/microkit.h', 'include/sel4/sel4.h', 'include/sel4/config.h', 'include/kernel/gen_config.h', 'include/sel4/gen_config.h', 'include/autoconf.h', 'lib/libmicrokit.a', 'lib/microkit.ld'])
        expect(files, `${config}: ${f}`).toContain(f);
      // sDDF's benchmark PD (in its echo_server) includes these whatever the configuration.
      for (const f of ['include/sel4/benchmark_track_types.h', 'include/sel4/benchmark_utilisation_types.h']) expect(files, `${config}: ${f}`).toContain(f);
    }
  });

  it("its headers and linker script are sdk/'s, current", () => {
    const include = join(ROOT, 'sdk', 'include');
    const own = filesUnder(include);
    for (const config of CONFIGS) {
      for (const f of own) expect(readFileSync(join(BOARD, config, 'include', f)).equals(readFileSync(join(include, f))), `${config}: include/${f} (make -C sdk microkit-sdk)`).toBe(true);
      expect(readFileSync(join(BOARD, config, 'lib', 'microkit.ld')).equals(readFileSync(join(ROOT, 'sdk', 'microkit.ld')))).toBe(true);
    }
  });

  it("Makefiles read the architecture from include/kernel/gen_config.h as Microkit's and sDDF's do", () => {
    for (const config of CONFIGS) {
      // The line of the upstream Microkit examples' Makefiles, run by the shell.
      const genConfig = join(BOARD, config, 'include', 'kernel', 'gen_config.h');
      const r = spawnSync('sh', ['-c', `grep 'CONFIG_SEL4_ARCH  ' ${genConfig} | cut -d' ' -f4`], { encoding: 'utf8' });
      expect(r.stdout).toBe('aarch64\n');
      // sDDF's (tools/make/toolchain/clang.mk), with make's $$ undone.
      const sddf = spawnSync('sed', ['-n', 's/.define *CONFIG_SEL4_ARCH  *\\([^ ]*\\).*$/\\1/p', genConfig], { encoding: 'utf8' });
      expect(sddf.stdout).toBe('aarch64\n');
    }
  });

  it('the configuration comes from the board folder: debug has the debug kernel features, release none', () => {
    const debug = readFileSync(join(BOARD, 'debug', 'include', 'kernel', 'gen_config.h'), 'utf8');
    const release = readFileSync(join(BOARD, 'release', 'include', 'kernel', 'gen_config.h'), 'utf8');
    for (const f of ['CONFIG_DEBUG_BUILD', 'CONFIG_PRINTING', 'CONFIG_HARDWARE_DEBUG_API']) {
      expect(debug).toContain(`#define ${f}  1\n`);
      expect(release).not.toContain(f);
    }
  });

  it('is shipped in the package, bin/microkit executable', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('sdk');
    expect(statSync(join(SDK, 'bin', 'microkit')).mode & 0o111).toBe(0o111);
  });
});

describe('bin/microkit', () => {
  it('runs $SEL4TS microkit with its arguments unchanged when SEL4TS is set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-stub-'));
    try {
      const stub = join(dir, 'sel4ts');
      writeFileSync(stub, '#!/bin/sh\nfor a; do printf "[%s]" "$a"; done\n', { mode: 0o755 });
      const r = spawnSync(join(SDK, 'bin', 'microkit'), ['a b.system', '--search-path', 'x', 'y', '-o', ''], { encoding: 'utf8', env: { ...process.env, SEL4TS: stub } });
      expect(r.stdout).toBe('[microkit][a b.system][--search-path][x][y][-o][]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Without $SEL4TS it runs the package's own bin/sel4ts, which needs dist/ (npm ci builds it).
  const dist = join(ROOT, 'dist', 'sel4ts.mjs');
  const current = existsSync(dist) && readFileSync(dist, 'utf8').includes("the Microkit tool's command line");
  it.skipIf(!current)('finds the package from its own location, also through a symbolic link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-link-'));
    try {
      symlinkSync(join(SDK, 'bin', 'microkit'), join(dir, 'microkit'));
      const env = { ...process.env };
      delete env.SEL4TS;
      for (const exe of [join(SDK, 'bin', 'microkit'), join(dir, 'microkit')]) {
        const r = spawnSync(exe, ['--help'], { encoding: 'utf8', env, cwd: dir });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain('  --board qemu_virt_aarch64\n');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const HAVE_LLVM = spawnSync('sh', ['-c', 'command -v make && command -v clang && command -v llvm-ar']).status === 0;

describe.skipIf(!oracle('clang + llvm-ar', HAVE_LLVM, 'the committed libmicrokit.a of the Microkit-shaped SDK rebuilt from source'))('libmicrokit.a', () => {
  it('of each configuration is what sdk/src builds, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-libmicrokit-'));
    try {
      for (const config of CONFIGS) {
        const out = join(dir, config);
        const make = spawnSync('make', ['-s', '-C', join(ROOT, 'sdk'), `CONFIG=${config}`, `MICROKIT_BUILD_DIR=${out}`, 'lib'], { encoding: 'utf8' });
        expect(make.status, make.stderr).toBe(0);
        expect(readFileSync(join(out, 'libmicrokit.a')).equals(readFileSync(join(BOARD, config, 'lib', 'libmicrokit.a'))), `${config} (make -C sdk microkit-sdk)`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
