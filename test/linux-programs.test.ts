import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLinuxUser } from '../src/machine/linux-user.js';
import { nodeHostFiles } from '../src/cli/linux-host-files.js';
import { haveQemu } from './helpers/cpu-fuzz.js';
import { oracle } from './helpers/oracles.js';

/**
 * Static glibc and C++ programs (test/linux/programs) on `sel4ts machine exec`'s Linux layer:
 * stdout and exit status must equal qemu-aarch64's. The expected outputs in build/*.out were
 * recorded by scripts/build-linux-tests.sh running each run of runs.txt under qemu-aarch64 7.2
 * (-cpu cortex-a76, empty environment, in test/linux/programs); the committed stripped ELFs run
 * everywhere. With the cross compilers and qemu-aarch64 installed (CI), the programs are also
 * rebuilt from source and compared with QEMU live. Instruction counts are not compared.
 */

const DIR = join(import.meta.dirname, 'linux', 'programs');
const BUILD = join(DIR, 'build');

interface Run {
  name: string;
  program: string;
  args: string[];
}

const RUNS: Run[] = readFileSync(join(DIR, 'runs.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [name, program, ...args] = l.trim().split(/\s+/);
    return { name: name!, program: program!, args };
  });

/** stdout, then `exit status N` when N is not 0, as the recording script writes it. */
function run(dir: string, r: Run): string {
  let out = '';
  const dec = new TextDecoder();
  const elf = join(dir, `${r.program}.elf`);
  const result = runLinuxUser(new Uint8Array(readFileSync(elf)), {
    argv: [elf, ...r.args],
    stdout: (b) => (out += dec.decode(b, { stream: true })),
    stderr: () => undefined,
    files: nodeHostFiles(DIR),
    maxInstructions: 2e9,
  });
  const o = result.outcome;
  const status = o.kind === 'exit' ? o.code : o.kind === 'fault' || o.kind === 'killed' ? 128 + o.signal : `${o.kind} ${JSON.stringify(o)}`;
  return status === 0 ? out : `${out}exit status ${status}\n`;
}

const have = (cmd: string): boolean => spawnSync(cmd, ['--version']).status === 0;
const crossTools = oracle('aarch64-linux-gnu-gcc, g++ and qemu-aarch64', have('aarch64-linux-gnu-gcc') && have('aarch64-linux-gnu-g++') && haveQemu(), 'Linux programs rebuilt and run on live QEMU');

describe('static Linux programs (glibc, C++): output identical to qemu-aarch64', () => {
  it('has the runs the issue asks for', () => {
    expect(RUNS.map((r) => r.name)).toEqual(['hello', 'libc-malloc', 'libc-cat', 'libc-syscalls', 'libc-segv', 'libc-abort', 'iostream']);
  });

  for (const r of RUNS) {
    it(`${r.name}: ${r.program} ${r.args.join(' ')} (committed ELF)`, () => {
      expect(run(BUILD, r)).toBe(readFileSync(join(BUILD, `${r.name}.out`), 'utf8'));
    });
  }

  it.skipIf(!crossTools)(
    'rebuilt from source with gcc and g++, against live QEMU (needs the cross tools and qemu-aarch64)',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'sel4ts-linux-progs-'));
      const b = spawnSync('bash', [join(import.meta.dirname, '..', 'scripts', 'build-linux-tests.sh'), out], { encoding: 'utf8' });
      expect(b.status, b.stderr).toBe(0);
      for (const r of RUNS) expect(run(out, r), r.name).toBe(readFileSync(join(out, `${r.name}.out`), 'utf8'));
    },
    300_000,
  ); // compiles three programs and runs them on QEMU: minutes on a loaded machine
});
