import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { asm, wordsToBytes, writeElf } from './helpers/a64-asm.js';

const PROGS = join(import.meta.dirname, 'cpu', 'programs', 'build', 'gcc-O2');
const tmp = mkdtempSync(join(tmpdir(), 'sel4ts-exec-'));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), colour: false, cwd: process.cwd() };
  return { code: await main(argv, io), out, err };
}

/** A program of raw instruction words at 0x400078. */
function program(name: string, words: number[]): string {
  const path = join(tmp, name);
  writeFileSync(path, writeElf(wordsToBytes(words), 0x400078, 0x400078));
  return path;
}

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
});
