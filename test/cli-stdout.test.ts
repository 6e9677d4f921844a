import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BufferedStdout, type ByteSink } from '../src/cli/buffered-stdout.js';
import { EXIT_BROKEN_PIPE } from '../src/cli/exit-codes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIBC = join(ROOT, 'test/linux/programs/build/libc.elf');

/** A stream stand-in that records each write, and a `later` the test fires by hand. */
function sink(isTTY: boolean) {
  const writes: string[] = [];
  const pending: (() => void)[] = [];
  const s: ByteSink = { isTTY, write: (c) => void writes.push(typeof c === 'string' ? `text:${c}` : Buffer.from(c).toString('latin1')) };
  const out = new BufferedStdout(s, (f) => void pending.push(f));
  return { writes, out, runLater: () => pending.splice(0).forEach((f) => f()) };
}

describe('BufferedStdout', () => {
  it('on a terminal, writes each line as it ends and a partial line on the next turn', () => {
    const { writes, out, runLater } = sink(true);
    for (const b of Buffer.from('one\ntw')) out.byte(b);
    expect(writes).toEqual(['one\n']);
    runLater();
    expect(writes).toEqual(['one\n', 'tw']);
  });

  it('into a file or pipe, holds whole lines until the turn ends', () => {
    const { writes, out, runLater } = sink(false);
    for (const b of Buffer.from('one\ntwo\n')) out.byte(b);
    expect(writes).toEqual([]);
    runLater();
    expect(writes).toEqual(['one\ntwo\n']);
  });

  it('writes out the buffer when it is full, and a chunk larger than the buffer whole', () => {
    const { writes, out } = sink(false);
    for (let i = 0; i < 16 * 1024 + 1; i++) out.byte(0x41);
    expect(writes.map((w) => w.length)).toEqual([16 * 1024]);
    out.bytes(new Uint8Array(40_000).fill(0x42));
    expect(writes.map((w) => w.length)).toEqual([16 * 1024, 1, 40_000]);
  });

  it('keeps order: text written after bytes comes after them', () => {
    const { writes, out } = sink(false);
    out.bytes(Buffer.from('guest: prompt> '));
    out.text('report\n');
    expect(writes).toEqual(['guest: prompt> ', 'text:report\n']);
  });
});

/** `sel4ts ARGV` as a process of its own, with the real process streams. */
function spawnSel4ts(argv: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', '-e', "const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv.slice(1));", ...argv], { cwd: ROOT });
}

describe('sel4ts standard output, as a process', () => {
  it("passes a guest's bytes through raw, not re-encoded (bytes that are not UTF-8 included)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sel4ts-bytes-')), 'bytes.bin');
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x20, 0xff, 0xfe, 0x80, 0x0a]);
    writeFileSync(file, bytes);
    const child = spawnSel4ts(['machine', 'exec', LIBC, 'cat', file]);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => void chunks.push(d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).includes(bytes)).toBe(true);
  });

  it('ends quietly with 141 (as SIGPIPE would) when the reader closes the pipe', async () => {
    // bad-pd's heartbeat prints a line every 5 ms of virtual time for 100 s.
    const child = spawnSel4ts(['run', join(ROOT, 'examples/bad-pd/bad-pd.system'), '--allow-faults', '--max-time', '100s']);
    let err = '';
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    // `| head -1`: read the first chunk, then close the read end.
    child.stdout.once('data', () => child.stdout.destroy());
    // Should the closed pipe go unnoticed, the run would go on for 100 s of virtual time.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).not.toMatch(/EPIPE|internal error|\n +at /);
    expect(code).toBe(EXIT_BROKEN_PIPE);
    clearTimeout(guard);
  });
});
