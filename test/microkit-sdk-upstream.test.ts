import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microkitSdkPath } from '../src/cli/commands/sdk.js';
import { main } from '../src/cli/main.js';
import { oracle } from './helpers/oracles.js';
import { sel4tsExecutable } from './helpers/sel4ts-bundle.js';

/**
 * Upstream Microkit projects build unchanged against the Microkit-shaped SDK
 * (`make MICROKIT_SDK=$(sel4ts sdk --path) …`, their own Makefiles calling the SDK's bin/microkit)
 * and the image runs on sel4ts. The sources are the Microkit 2.3.0 examples, committed under
 * test/fixtures/microkit-sdk/microkit-2.3.0/ (README there); the expected outputs are sel4ts's.
 */

const FIXTURES = fileURLToPath(new URL('./fixtures/microkit-sdk', import.meta.url));
const UPSTREAM = join(FIXTURES, 'microkit-2.3.0');
/** The upstream snapshot, when this machine has it: the fixtures must be its files, unchanged. */
const MIRROR = '/work/.mirror/seL4+microkit/repo';
const UPSTREAM_TAG = '2.3.0';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_MAKE = has('make');
const HAVE_LLVM = HAVE_MAKE && has('clang') && has('ld.lld');
const HAVE_GCC = HAVE_MAKE && has('aarch64-linux-gnu-gcc') && has('aarch64-linux-gnu-ld');

type Toolchain = 'llvm' | 'gcc';
interface Case {
  example: string;
  /** The toolchains its Makefile offers (setvar's always uses gcc). */
  toolchains: Toolchain[];
  /** Per toolchain when they differ: the expected console output and exit status of `sel4ts run`. */
  expected?: Partial<Record<Toolchain, { file: string; code: number; args: string[] }>>;
}

const CASES: Case[] = [
  { example: 'hello', toolchains: ['llvm', 'gcc'] },
  {
    example: 'hierarchy',
    toolchains: ['llvm', 'gcc'],
    // crasher.c stores through a null pointer: clang -O3 deletes the store (undefined behaviour)
    // and lets init() fall into notified(), whose ret loops on itself, so with clang nothing
    // faults, on seL4 as here, and the run ends at the time limit.
    expected: { llvm: { file: 'hierarchy-llvm.txt', code: 5, args: ['--max-time', '100ms'] } },
  },
  { example: 'passive_server', toolchains: ['llvm', 'gcc'] },
  { example: 'setvar', toolchains: ['gcc'] },
  { example: 'mr_prefill', toolchains: ['llvm', 'gcc'] },
  { example: 'cap_sharing', toolchains: ['llvm', 'gcc'] },
];

let work = '';
let builds = 0;
let sel4ts: { path: string; dispose(): void } | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sel4ts-microkit-sdk-'));
  // The Makefiles' cross gcc is Arm's bare-metal aarch64-none-elf-gcc; Debian's is
  // aarch64-linux-gnu-gcc, so three wrappers with the Makefiles' names go first on PATH.
  mkdirSync(join(work, 'xbin'));
  for (const tool of ['gcc', 'ld', 'as']) writeFileSync(join(work, 'xbin', `aarch64-none-elf-${tool}`), `#!/bin/sh\nexec aarch64-linux-gnu-${tool} "$@"\n`, { mode: 0o755 });
  if (HAVE_LLVM || HAVE_GCC) sel4ts = sel4tsExecutable();
});

afterAll(() => {
  sel4ts?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `make` in a fresh copy of the example, as its README says; returns the build directory. */
function build(example: string, toolchain: Toolchain, config = 'debug'): { dir: string; make: ReturnType<typeof spawnSync> } {
  const dir = join(work, `${example}-${toolchain}-${config}-${++builds}`);
  cpSync(join(UPSTREAM, example), dir, { recursive: true });
  mkdirSync(join(dir, 'build'));
  const args = ['BUILD_DIR=build', `MICROKIT_SDK=${microkitSdkPath()}`, 'MICROKIT_BOARD=qemu_virt_aarch64', `MICROKIT_CONFIG=${config}`, ...(toolchain === 'llvm' ? ['LLVM=True'] : [])];
  const env = { ...process.env, PATH: `${join(work, 'xbin')}:${process.env.PATH}`, SEL4TS: sel4ts!.path };
  const make = spawnSync('make', args, { cwd: dir, env, encoding: 'utf8' });
  return { dir, make };
}

async function run(image: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['run', image, ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: work });
  return { code, stdout, stderr };
}

describe.skipIf(!oracle('git mirror of seL4/microkit', existsSync(MIRROR), 'the Microkit example fixtures are upstream 2.3.0 unchanged'))('the fixtures are the upstream files', () => {
  it('byte for byte', () => {
    for (const c of CASES) {
      const ls = spawnSync('git', ['-C', MIRROR, 'ls-tree', '-r', '--name-only', UPSTREAM_TAG, `example/${c.example}`], { encoding: 'utf8' });
      const files = ls.stdout.split('\n').filter((f) => f !== '' && !f.endsWith('README.md'));
      expect(files.length, c.example).toBeGreaterThan(2);
      for (const f of files) {
        const upstream = spawnSync('git', ['-C', MIRROR, 'show', `${UPSTREAM_TAG}:${f}`]).stdout;
        expect(readFileSync(join(UPSTREAM, f.slice('example/'.length))).equals(upstream), f).toBe(true);
      }
    }
  });
});

for (const toolchain of ['llvm', 'gcc'] as const) {
  const available = toolchain === 'llvm' ? oracle('clang + ld.lld', HAVE_LLVM, 'upstream Microkit examples built with LLVM=True') : oracle('aarch64-linux-gnu-gcc', HAVE_GCC, 'upstream Microkit examples built with the cross gcc');
  describe.skipIf(!available)(`upstream Microkit examples: make with ${toolchain === 'llvm' ? 'LLVM=True (clang, ld.lld)' : 'the cross gcc'}, then sel4ts run`, () => {
    for (const c of CASES.filter((k) => k.toolchains.includes(toolchain))) {
      it(c.example, async () => {
        const { dir, make } = build(c.example, toolchain);
        expect(make.status, `${make.stdout}${make.stderr}`).toBe(0);
        // The Makefile ran the SDK's bin/microkit with the 2.3 tool's options.
        expect(make.stdout).toContain('/bin/microkit');
        const expected = c.expected?.[toolchain] ?? { file: `${c.example}.txt`, code: 0, args: [] };
        const r = await run(join(dir, 'build', 'loader.img'), expected.args);
        expect(r.stdout).toBe(readFileSync(join(FIXTURES, 'expected', expected.file), 'utf8'));
        expect(r.code, r.stderr).toBe(expected.code);
      });
    }
  });
}

describe.skipIf(!oracle('clang + ld.lld', HAVE_LLVM, 'an upstream Microkit example built for release'))('release configuration', () => {
  it('hello links the release libmicrokit.a and prints nothing (microkit_dbg_puts is empty in release)', async () => {
    const { dir, make } = build('hello', 'llvm', 'release');
    expect(make.status, `${make.stdout}${make.stderr}`).toBe(0);
    const r = await run(join(dir, 'build', 'loader.img'), []);
    expect(r.stdout).toBe('');
    expect(r.code, r.stderr).toBe(0);
    // A debug image of the same program says hello: the configuration came from the SDK's headers.
    const debug = build('hello', 'llvm', 'debug');
    expect((await run(join(debug.dir, 'build', 'loader.img'), [])).stdout).toContain('hello, world');
  });
});
