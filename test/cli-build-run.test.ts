import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

/** `sel4ts build` and `sel4ts run` from the command line: files, exit codes, messages. */

const HELLO = fileURLToPath(new URL('../examples/hello/hello.system', import.meta.url));
const SCHEMA = fileURLToPath(new URL('../schemas/report.schema.json', import.meta.url));

async function sel4ts(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('sel4ts build', () => {
  it('writes an image, a text report, a JSON report that follows its schema, the Spec, and capDL text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-'));
    const r = await sel4ts('build', HELLO, '-o', join(dir, 'img'), '-r', join(dir, 'report.txt'), '--report-json', join(dir, 'report.json'), '--spec-json', join(dir, 'spec.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/built .*img \(\d+ bytes, \d+ objects, 1 protection domain\)/);
    expect(readFileSync(join(dir, 'report.txt'), 'utf8')).toContain('## Physical memory');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as unknown;
    const validate = new Ajv2020.default({ strict: false }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as { spec: { objects: { name: string }[] } };
    const capdl = await sel4ts('build', HELLO, '-o', join(dir, 'img2'), '-r', join(dir, 'r2.txt'), '--capdl', join(dir, 'hello.cdl'));
    expect(capdl.code).toBe(0);
    const cdl = readFileSync(join(dir, 'hello.cdl'), 'utf8');
    expect(cdl).toMatch(/^arch aarch64\n\nobjects \{\n/);
    expect(cdl).toMatch(/ {2}tcb_hello = tcb \(paddr: 0x[0-9a-f]+, ip: 0x200000, sp: 0xffffffe000, prio: 254, max_prio: 254/);
    expect(cdl).toContain('    0x2: ep_fault_monitor (RWG, badge: 0x1)');
    expect(spec.spec.objects.map((o) => o.name)).toContain('tcb_hello');
  });

  it('accepts the Microkit tool’s spelling and is deterministic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-'));
    const a = await sel4ts(HELLO, '--board', 'qemu_virt_aarch64', '--config', 'release', '-o', join(dir, 'a.img'), '-r', join(dir, 'a.txt'));
    const b = await sel4ts('build', HELLO, '--config', 'release', '-o', join(dir, 'b.img'), '-r', join(dir, 'b.txt'));
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'a.img')).equals(readFileSync(join(dir, 'b.img')))).toBe(true);
  });

  it('fails with exit code 1 and a message naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-'));
    const system = join(dir, 'x.system');
    writeFileSync(system, '<system><protection_domain name="x"><program_image path="missing.elf"/></protection_domain></system>');
    const r = await sel4ts('build', system, '-o', join(dir, 'img'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${system}:1:58: error[program_image_not_found]: protection domain 'x': program image 'missing.elf' not found`);
    expect(r.stderr).toMatch(/x\.system: not built \(1 error, 0 warnings\)\n$/);
    expect(existsSync(join(dir, 'img'))).toBe(false);
    const bad = await sel4ts('build', HELLO, '--config', 'benchmark');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error[config_unknown]: the configuration must be debug or release, not 'benchmark'");
  });
});

describe('sel4ts run', () => {
  it('runs a description to idle, and an image built before', async () => {
    const r = await sel4ts('run', HELLO);
    expect(r).toMatchObject({ code: 0, stdout: 'MON|INFO: Microkit Monitor started!\nhello, world\n' });
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-'));
    await sel4ts('build', HELLO, '-o', join(dir, 'img'), '-r', join(dir, 'r.txt'));
    expect(await sel4ts('run', join(dir, 'img'))).toMatchObject({ code: 0, stdout: 'MON|INFO: Microkit Monitor started!\nhello, world\n' });
  });

  it('--until stops at the text (exit 0) or reports it never appeared (exit 6)', async () => {
    expect(await sel4ts('run', HELLO, '--until', 'Monitor started')).toMatchObject({ code: 0, stdout: 'MON|INFO: Microkit Monitor started' });
    const never = await sel4ts('run', HELLO, '--until', 'goodbye');
    expect(never.code).toBe(6);
    expect(never.stderr).toContain("the system is idle with nothing pending and 'goodbye' never appeared");
  });

  it('--trace prints system calls and switches with virtual timestamps', async () => {
    const r = await sel4ts('run', HELLO, '--trace', 'syscalls', '--trace', 'sched');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[ {4}0\.\d{6} ms\] switch to monitor\n/);
    expect(r.stderr).toMatch(/\] monitor: seL4_Recv on slot 1: fault endpoint -> blocked on recv\n/);
    // seL4_DebugPutChar only with --trace putchar (test/trace.test.ts).
    expect(r.stderr).not.toContain('seL4_DebugPutChar');
  });

  it('--max-time ends a system that never idles with exit code 5', async () => {
    const badPd = fileURLToPath(new URL('../examples/bad-pd/bad-pd.system', import.meta.url));
    const r = await sel4ts('run', badPd, '--max-time', '20ms', '--allow-faults');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('sel4ts: the virtual time limit (20ms) ran out\n');
    expect(r.stdout).toContain('heartbeat: tick 1 at 5 ms');
  });

  it('says when a debug-built program runs on a release kernel', async () => {
    const r = await sel4ts('run', HELLO, '--config', 'release');
    expect(r.code).toBe(4);
    // Before it runs, from the program itself; and when the call faults.
    expect(r.stderr).toMatch(/^.*hello\.system:5:30: warning\[program_built_for_debug\]: protection domain 'hello': 'hello\.elf' was built for the debug configuration, and this is a release build/);
    expect(r.stderr).toMatch(/hello: unknown syscall 0xfffffffffffffff4 at pc 0x[0-9a-f]+ \(microkit_dbg_puts\+0x[0-9a-f]+\) at sdk\/include\/sel4\/syscalls\.h:\d+ in microkit_dbg_puts; seL4_DebugPutChar exists only in debug kernels/);
  });

  it('--stats prints a line per PD and the monitor', async () => {
    const r = await sel4ts('run', HELLO, '--stats');
    expect(r.stderr).toMatch(/hello +\d+ +\d+\.\d{3} +\d+ +\d+ +\d+ +0\n/);
    expect(r.stderr).toMatch(/monitor +\d+/);
  });

  it('--no-jit interprets every instruction and retires exactly the same ones', async () => {
    const system = fileURLToPath(new URL('../examples/passive-server/passive-server.system', import.meta.url));
    const compiled = await sel4ts('run', system, '--stats');
    const interpreted = await sel4ts('run', system, '--stats', '--no-jit');
    expect(interpreted.code).toBe(compiled.code);
    expect(interpreted.stdout).toBe(compiled.stdout);
    expect(interpreted.stderr).toBe(compiled.stderr);
    expect(compiled.stderr).toMatch(/server +[1-9]\d{6}/);
  });

  it('--tier wasm runs hot code as WebAssembly and retires exactly the same instructions', async () => {
    const system = fileURLToPath(new URL('../examples/passive-server/passive-server.system', import.meta.url));
    const compiled = await sel4ts('run', system, '--stats');
    const wasm = await sel4ts('run', system, '--stats', '--tier', 'wasm');
    expect(wasm.code).toBe(compiled.code);
    expect(wasm.stdout).toBe(compiled.stdout);
    // The same statistics, and the tier's own line after them (what scripts/bench-crc.ts reads).
    const tierLine = /sel4ts: WebAssembly tier: [1-9]\d* regions, \d+\.\d{2} KiB of guest code, \d+\.\d ms to emit and compile \(\d+ module bytes\)\n$/;
    expect(wasm.stderr).toMatch(tierLine);
    expect(wasm.stderr.replace(tierLine, '')).toBe(compiled.stderr);
    expect(compiled.stderr).not.toContain('WebAssembly tier');
  });

  it('rejects a bad image in one line with exit code 1, and bad options with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-'));
    await sel4ts('build', HELLO, '-o', join(dir, 'img'), '-r', join(dir, 'r.txt'));
    const bytes = readFileSync(join(dir, 'img'));
    writeFileSync(join(dir, 'short.img'), bytes.subarray(0, bytes.length - 100));
    const r = await sel4ts('run', join(dir, 'short.img'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sel4ts: .*short\.img: it is \d+ bytes long but its header says \d+ \(truncated or extended\)\n$/);
    expect((await sel4ts('run', HELLO, '--max-time', 'soon')).code).toBe(2);
    expect((await sel4ts('run', HELLO, '--trace', 'everything')).code).toBe(2);
  });
});

describe('sel4ts run --input -', () => {
  it('feeds the UART from standard input as it arrives', async () => {
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    const uart = fileURLToPath(new URL('../examples/uart/uart.system', import.meta.url));
    let stdout = '';
    const running = main(['run', uart, '--input', '-', '--until', '(10 characters'], { stdout: (t) => void (stdout += t), stderr: () => {}, colour: false, cwd: process.cwd(), stdin });
    setTimeout(() => stdin.write('hello '), 20);
    setTimeout(() => stdin.end('uart\n'), 60);
    expect(await running).toBe(0);
    expect(stdout).toContain('uart: line 1: "hello uart" (10 characters');
  });
});

describe('sel4ts run --until, output written by a program to the UART itself', () => {
  it('stops right after the instruction that completes the text', async () => {
    const uart = fileURLToPath(new URL('../examples/uart/uart.system', import.meta.url));
    const r = await sel4ts('run', uart, '--until', 'written to the PL011');
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('written to the PL011')).toBe(true);
  });
});

describe('sel4ts run --input-after', () => {
  const uart = fileURLToPath(new URL('../examples/uart/uart.system', import.meta.url));
  it('holds --input back until the console has printed the text, then delivers it', async () => {
    const r = await sel4ts('run', uart, '--input', 'hello uart\n', '--input-after', 'echo> ', '--until', '(10 characters');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('uart: echo> hello uart\nuart: line 1: "hello uart" (10 characters');
  });

  it('delivers nothing while the text has not appeared: the system goes idle', async () => {
    const r = await sel4ts('run', uart, '--input', 'hello uart\n', '--input-after', 'not printed by uart', '--max-time', '100ms');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('hello uart');
    expect(r.stdout.endsWith('uart: echo> ')).toBe(true);
  });

  it('needs --input', async () => {
    const r = await sel4ts('run', uart, '--input-after', 'echo> ');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sel4ts: --input-after needs --input\n');
  });
});

describe('sel4ts run: files named relative to the working directory it is given', () => {
  const uart = fileURLToPath(new URL('../examples/uart/uart.system', import.meta.url));
  it('reads --input and --expect from the Io working directory, not the process one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-cwd-'));
    writeFileSync(join(dir, 'typed.txt'), 'from a file\n');
    writeFileSync(join(dir, 'expected.txt'), readFileSync(fileURLToPath(new URL('../examples/uart/expected-output.txt', import.meta.url))));
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), colour: false, cwd: dir };
    expect(await main(['run', uart, '--input', 'typed.txt', '--until', '(11 characters'], io), stderr).toBe(0);
    expect(stdout).toContain('uart: line 1: "from a file" (11 characters');
    stdout = '';
    // The expected file is read (a mismatch, not a missing file): its input line differs.
    expect(await main(['run', uart, '--input', 'other text\n', '--expect', 'expected.txt', '--max-time', '1s'], io)).toBe(6);
    expect(stderr).toContain('sel4ts: the console output differs from expected.txt');
  });
});
