import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { runLinuxUser } from '../src/machine/linux-user.js';
import { DeterministicRandom } from '../src/machine/linux/deterministic-random.js';
import { asm, wordsToBytes, writeElf } from './helpers/a64-asm.js';
import { oracle } from './helpers/oracles.js';

const PROGS = join(import.meta.dirname, 'cpu', 'programs', 'build', 'gcc-O2');
const LINUX = join(import.meta.dirname, 'linux', 'programs', 'build');
const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-exec-'));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), colour: false, cwd: process.cwd() };
  return { code: await main(argv, io), out, err };
}

/** A program of raw instruction words at 0x400078, then `data` (a string, say) right after them. */
function program(name: string, words: number[], data = new Uint8Array(0)): string {
  const path = join(tmp, name);
  const code = wordsToBytes(words);
  const image = new Uint8Array(code.length + data.length);
  image.set(code);
  image.set(data, code.length);
  writeFileSync(path, writeElf(image, 0x400078, 0x400078));
  return path;
}

/** The bytes a program writes to stdout. */
function stdoutOf(path: string): Uint8Array {
  const chunks: number[] = [];
  const r = runLinuxUser(new Uint8Array(readFileSync(path)), { argv: [path], stdout: (b) => chunks.push(...b), stderr: () => undefined });
  expect(r.outcome).toEqual({ kind: 'exit', code: 0 });
  return new Uint8Array(chunks);
}

const SP = 31;
/** MOVN Xd, #imm16: Xd = ~imm16. */
const movn = (d: number, imm16: number): number => (0x92800000 | (imm16 << 5) | d) >>> 0;
/** write(1, sp, 16); exit(0) */
const writeSp16AndExit = [asm.movz(0, 1), asm.addImm(1, SP, 0), asm.movz(2, 16), asm.movz(8, 64), asm.svc0, asm.movz(0, 0), asm.movz(8, 93), asm.svc0];

describe('sel4ts machine exec', () => {
  it('runs a program: its stdout and exit status, and --stats', async () => {
    const r = await run(['machine', 'exec', '--stats', join(PROGS, 'int.elf')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^step = 0x[0-9a-f]{16}\n/);
    expect(r.err).toMatch(/^sel4ts: instructions: \d+, time: [0-9.]+ s, [0-9.]+ MIPS\n$/);
  });

  it('gives the same count with and without compiled blocks', async () => {
    const a = await run(['machine', 'exec', '--stats', join(PROGS, 'fp.elf')]);
    const b = await run(['machine', 'exec', '--stats', '--no-jit', join(PROGS, 'fp.elf')]);
    expect(a.out).toBe(b.out);
    expect(/instructions: (\d+)/.exec(a.err)![1]).toBe(/instructions: (\d+)/.exec(b.err)![1]);
  });

  it('--tier wasm and --tier interp print the same and retire the same count as the default tier', async () => {
    for (const prog of ['int.elf', 'fp.elf', 'mem.elf']) {
      const js = await run(['machine', 'exec', '--stats', join(PROGS, prog)]);
      const count = /instructions: (\d+)/.exec(js.err)![1];
      for (const tier of ['wasm', 'interp']) {
        const r = await run(['machine', 'exec', '--stats', '--tier', tier, join(PROGS, prog)]);
        expect(r.code, `${prog} --tier ${tier}`).toBe(js.code);
        expect(r.out, `${prog} --tier ${tier}`).toBe(js.out);
        expect(/instructions: (\d+)/.exec(r.err)![1], `${prog} --tier ${tier}`).toBe(count);
      }
    }
  });

  it('--tier names one of interp, js, wasm', async () => {
    const r = await run(['machine', 'exec', '--tier', 'llvm', join(PROGS, 'int.elf')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--tier <tier>' argument 'llvm' is invalid\. Allowed choices are interp, js, wasm/);
  });

  it('passes arguments and exit status through', async () => {
    // exit(argc): mov x8, #93; ldr x0, [sp]; svc #0
    const p = program('argc.elf', [asm.movz(8, 93), 0xf94003e0, asm.svc0]);
    expect((await run(['machine', 'exec', p, 'a', 'b', '--not-an-option'])).code).toBe(4);
  });

  it('reports a fault with the instruction, address and syndrome', async () => {
    // ldr x0, [xzr-ish address 0x10]: mov x1, #0x10; ldr x0, [x1]
    const p = program('fault.elf', [asm.movz(1, 0x10), asm.ldrX(0, 1, 0)]);
    const r = await run(['machine', 'exec', p]);
    expect(r.code).toBe(128 + 11);
    expect(r.err).toMatch(/data abort at 0x40007c: ldr\tx0, \[x1\]: address 0x10, ESR 0x92000007 \(data abort, read, translation fault, level 3\)/);
  });

  it('reports an undefined instruction', async () => {
    const p = program('undef.elf', [0x00000000]);
    const r = await run(['machine', 'exec', p]);
    expect(r.code).toBe(128 + 4);
    expect(r.err).toMatch(/undefined instruction at 0x400078/);
  });

  it('stops a runaway program at --max-instructions', async () => {
    const p = program('loop.elf', [0x14000000]); // b .
    const r = await run(['machine', 'exec', '--max-instructions', '100000', p]);
    expect(r.code).toBe(124);
    expect(r.err).toMatch(/did not finish within 100000 instructions/);
  });

  it('refuses files that are not AArch64 executables', async () => {
    const notElf = join(tmp, 'text.elf');
    writeFileSync(notElf, 'hello');
    expect((await run(['machine', 'exec', notElf])).err).toMatch(/cannot run .*: it is 5 bytes long, too short/);
    const x86 = join(tmp, 'x86.elf');
    const bytes = writeElf(new Uint8Array(4), 0x400078, 0x400078);
    bytes[18] = 62; // EM_X86_64
    writeFileSync(x86, bytes);
    const r = await run(['machine', 'exec', x86]);
    expect(r.code).toBe(126);
    expect(r.err).toMatch(/it is for machine 62, not AArch64/);
    expect((await run(['machine', 'exec', join(tmp, 'missing')])).code).toBe(2);
  });

  it('runs a static glibc program: every system call of its start-up is implemented', async () => {
    const r = await run(['machine', 'exec', '--trace-syscalls', join(LINUX, 'hello.elf'), 'there']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^hello from there with 1 argument\n-42 1234567890123 beef 3\.142 6\.02214e\+23\n/);
    expect(r.err).not.toMatch(/unsupported/);
    expect(r.err).toMatch(/^\[syscall brk\(0x0\) = 0x[0-9a-f]+000\]$/m);
    expect(r.err).toMatch(/^\[syscall set_tid_address\(0x[0-9a-f]+\) = 1000\]$/m);
    expect(r.err).toMatch(/^\[syscall set_robust_list\(0x[0-9a-f]+, 0x18\) = 0\]$/m);
    expect(r.err).toMatch(/^\[syscall rseq\(.*\) = -1 ENOSYS \(restartable sequences are not supported\)\]$/m);
    expect(r.err).toMatch(/^\[syscall readlinkat\(0xffffffffffffff9c, 0x[0-9a-f]+, 0x[0-9a-f]+, 0x1000\) = \d+ \("\/proc\/self\/exe"\)\]$/m);
    expect(r.err).toMatch(/^\[syscall exit_group\(0x3\) = 0\]$/m);
  });

  it('names an unsupported system call once per number, and returns -ENOSYS', async () => {
    // acct twice, then an unassigned number, then exit(x0): x0 = -ENOSYS
    const p = program('unsupported.elf', [asm.movz(8, 89), asm.svc0, asm.movz(8, 89), asm.svc0, asm.movz(8, 300), asm.svc0, asm.movz(8, 93), asm.svc0]);
    const r = await run(['machine', 'exec', p]);
    expect(r.code).toBe(-38 & 0xff);
    expect(r.err).toBe('sel4ts: unsupported Linux system call acct (number 89) at pc 0x40007c; returning -ENOSYS\n' + 'sel4ts: unsupported Linux system call unknown (number 300) at pc 0x40008c; returning -ENOSYS\n');
  });

  it('opens host files read-only, and --trace-syscalls says why a write open fails', async () => {
    // openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT); exit(x0)
    const path = new TextEncoder().encode('out.txt\0');
    const p = program('open-write.elf', [movn(0, 99), asm.adr(1, 24), asm.movz(2, 0x41), asm.movz(8, 56), asm.svc0, asm.movz(8, 93), asm.svc0], path);
    const r = await run(['machine', 'exec', '--trace-syscalls', p]);
    expect(r.code).toBe(-30 & 0xff); // EROFS
    expect(r.err).toMatch(/^\[syscall openat\(0xffffffffffffff9c, 0x400094, 0x41, 0x0\) = -1 EROFS \("out\.txt": sel4ts gives programs read-only access to host files\)\]$/m);
  });

  it('gives the same random bytes every run (AT_RANDOM, then getrandom)', () => {
    // getrandom(sp, 16, 0), then write them out
    const p = program('random.elf', [asm.addImm(0, SP, 0), asm.movz(1, 16), asm.movz(2, 0), asm.movz(8, 278), asm.svc0, ...writeSp16AndExit]);
    const first = stdoutOf(p);
    expect(first).toEqual(stdoutOf(p));
    expect(first).toEqual(new DeterministicRandom().bytes(32).subarray(16));
    expect(first.some((b) => b !== 0)).toBe(true);
  });

  it('reads clocks in virtual time: one nanosecond per instruction', () => {
    // clock_gettime(CLOCK_MONOTONIC, sp) as the 4th instruction: 0 s, 4 ns
    const p = program('clock.elf', [asm.movz(0, 1), asm.addImm(1, SP, 0), asm.movz(8, 113), asm.svc0, ...writeSp16AndExit]);
    const ts = new DataView(stdoutOf(p).buffer);
    expect([ts.getBigUint64(0, true), ts.getBigUint64(8, true)]).toEqual([0n, 4n]);
  });

  it('stops a futex wait that nothing can end', async () => {
    // futex(sp, FUTEX_WAIT, 1 (= argc, the word at sp), NULL)
    const p = program('futex.elf', [asm.addImm(0, SP, 0), asm.movz(1, 0), asm.movz(2, 1), asm.movz(3, 0), asm.movz(8, 98), asm.svc0]);
    const r = await run(['machine', 'exec', p]);
    expect(r.code).toBe(124);
    expect(r.err).toMatch(/stopped: it would wait forever: futex wait on 0x[0-9a-f]+ with no other thread to wake it/);
  });

  it('passes -E variables as the environment, which is empty otherwise', async () => {
    const plain = await run(['machine', 'exec', join(LINUX, 'libc.elf'), 'syscalls']);
    expect(plain.out).toMatch(/^argv aligned 1, environ after argv 1, env empty 1$/m);
    const withEnv = await run(['machine', 'exec', '-E', 'LANG=C', join(LINUX, 'libc.elf'), 'syscalls']);
    expect(withEnv.out).toMatch(/^argv aligned 1, environ after argv 1, env empty 0$/m);
    expect((await run(['machine', 'exec', '-E', 'nonsense', join(LINUX, 'libc.elf')])).err).toMatch(/-E takes NAME=VALUE, not 'nonsense'/);
  });

  it('reports a program killed by a signal', async () => {
    const r = await run(['machine', 'exec', join(LINUX, 'libc.elf'), 'abort']);
    expect(r.code).toBe(128 + 6);
    expect(r.out).toBe('aborting\n');
    expect(r.err).toMatch(/stopped: killed by SIGABRT\n$/);
  });

  it('refuses position-independent executables', async () => {
    const pie = join(tmp, 'pie.elf');
    const bytes = writeElf(wordsToBytes([asm.svc0]), 0x400078, 0x400078);
    bytes[16] = 3; // ET_DYN
    writeFileSync(pie, bytes);
    const r = await run(['machine', 'exec', pie]);
    expect(r.code).toBe(126);
    expect(r.err).toMatch(/it is position-independent \(ET_DYN, static-pie\); only ET_EXEC programs run/);
  });

  it.skipIf(!oracle('aarch64-linux-gnu-gcc', spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0, 'a dynamically linked program to refuse'))('refuses dynamically linked programs (needs aarch64-linux-gnu-gcc)', async () => {
    const src = join(tmp, 'dyn.c');
    writeFileSync(src, 'int main(void) { return 0; }\n');
    const cc = spawnSync('aarch64-linux-gnu-gcc', ['-o', join(tmp, 'dyn.elf'), src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const r = await run(['machine', 'exec', join(tmp, 'dyn.elf')]);
    expect(r.code).toBe(126);
    expect(r.err).toMatch(/it is dynamically linked \(it has an interpreter\); only static programs run/);
  });
});
