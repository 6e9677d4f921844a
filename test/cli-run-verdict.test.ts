import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { decideOutcome, type RunFacts } from '../src/cli/run/outcome.js';
import type { FaultRecord } from '../src/cli/run/faults.js';

/** `sel4ts run`'s verdict for CI: exit statuses, --allow-faults, --expect, --summary-json, --format github, Ctrl-C. */

const example = (name: string, file = `${name}.system`) => fileURLToPath(new URL(`../examples/${name}/${file}`, import.meta.url));
const HELLO = example('hello');
const BAD_PD = example('bad-pd');
const HIERARCHY = example('hierarchy');
const TIMER = example('timer');
const BAD_PD_UNTIL = ['--until', 'still beating after three faults: done'];
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const validate = new Ajv2020.default({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schemas/run-summary.schema.json'), 'utf8')) as object);

async function sel4ts(argv: string[], extra: Partial<Io> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: process.cwd(), ...extra });
  return { code, stdout, stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'sel4ts-run-'));

interface Summary {
  outcome: { status: string; exitCode: number; message: string };
  faults: FaultRecord[];
  protectionDomains: { name: string; instructions: number; faults: number }[];
  consoleBytes: number;
  virtualTimeNs: number;
}

function readSummary(path: string): Summary {
  const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  return json as Summary;
}

describe('sel4ts run exit statuses', () => {
  it('4 when a top-level PD faults (the monitor reports it), even after --until; --allow-faults gives 0', async () => {
    const r = await sel4ts(['run', BAD_PD, ...BAD_PD_UNTIL]);
    expect(r.code).toBe(4);
    expect(r.stdout.endsWith('still beating after three faults: done')).toBe(true);
    expect(r.stderr).toContain(
      'sel4ts: 3 faults that no protection domain handles: misuser (seL4_Fault_CapFault at pc 0x20026c, notified+0x264, at sdk/include/sel4/syscalls.h:119 in notified), writer (seL4_Fault_VMFault at pc 0x200050, notified+0x48, at writer.c:25 in notified), executor (seL4_Fault_VMFault at pc 0x201010) (--allow-faults accepts faults)\n',
    );
    // Each fault's line names the source line from the program's DWARF line table (writer.c:25 is `*word = 42;`).
    expect(r.stderr).toContain('writer: vm fault on data at address 0x3000000 with status 0x93c8804f at pc 0x200050 (notified+0x48) at writer.c:25 in notified\n');
    const allowed = await sel4ts(['run', BAD_PD, ...BAD_PD_UNTIL, '--allow-faults']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe(r.stdout);
  });

  it('4 for a debug program on a release kernel, whose first debug call is an unknown syscall', async () => {
    const dir = tmp();
    const r = await sel4ts(['run', HELLO, '--config', 'release', '--summary-json', join(dir, 's.json')]);
    expect(r.code).toBe(4);
    const s = readSummary(join(dir, 's.json'));
    expect(s.outcome).toMatchObject({ status: 'fault', exitCode: 4 });
    expect(s.faults).toEqual([
      {
        pd: 'hello',
        kind: 'seL4_Fault_UnknownSyscall',
        description: 'unknown syscall 0xfffffffffffffff4',
        pc: '0x200068',
        function: 'microkit_dbg_puts+0x2c',
        // The svc of seL4_DebugPutChar, inlined into microkit_dbg_puts.
        sourceLine: 'sdk/include/sel4/syscalls.h:175',
        handler: 'monitor',
        handled: false,
        timeNs: expect.any(Number) as number,
      },
    ]);
  });

  it('0 when a parent handles its child’s faults in fault()', async () => {
    const dir = tmp();
    const r = await sel4ts(['run', HIERARCHY, '--summary-json', join(dir, 's.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const s = readSummary(join(dir, 's.json'));
    expect(s.outcome).toEqual({ status: 'ok', exitCode: 0, message: 'the system is idle with nothing pending' });
    expect(s.faults).toHaveLength(3);
    for (const f of s.faults) expect(f).toMatchObject({ pd: 'child', kind: 'seL4_Fault_VMFault', address: '0x0', pc: '0x200050', sourceLine: 'child.c:17', handler: 'parent', handled: true });
    expect(s.protectionDomains.find((p) => p.name === 'child')?.faults).toBe(3);
  });

  it('--trace faults names the source line of a child’s handled fault too', async () => {
    const r = await sel4ts(['run', HIERARCHY, '--trace', 'faults']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('child: vm fault on data at address 0 with status 0x93c98046 at pc 0x200050 (init+0x4c) at child.c:17 in init\n');
  });

  it('an image carries the line tables: run without the programs names the source line', async () => {
    const dir = tmp();
    await sel4ts(['build', BAD_PD, '-o', join(dir, 'img'), '-r', join(dir, 'r.txt')]);
    const r = await sel4ts(['run', join(dir, 'img'), ...BAD_PD_UNTIL]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('(notified+0x48) at writer.c:25 in notified\n');
  });

  it('5 when the virtual time limit runs out', async () => {
    const r = await sel4ts(['run', TIMER, '--max-time', '120ms']);
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('tick 2 at 100');
    expect(r.stdout).not.toContain('tick 3');
    expect(r.stderr).toBe('sel4ts: the virtual time limit (120ms) ran out\n');
  });

  it('1 when the description does not build; the summary says so', async () => {
    const dir = tmp();
    const system = join(dir, 'x.system');
    writeFileSync(system, '<system><protection_domain name="x"><program_image path="missing.elf"/></protection_domain></system>');
    const r = await sel4ts(['run', system, '--summary-json', join(dir, 's.json')]);
    expect(r.code).toBe(1);
    const s = readSummary(join(dir, 's.json'));
    expect(s.outcome).toEqual({ status: 'bad-input', exitCode: 1, message: 'the system did not build (the errors are on stderr)' });
  });

  it('documents them in run --help', async () => {
    const r = await sel4ts(['run', '--help']);
    expect(r.code).toBe(0);
    for (const line of [
      /^ {2}0 {4}ok: /m,
      /^ {2}4 {4}a PD faulted and no PD of the system handles the fault/m,
      /^ {2}5 {4}the virtual time limit/m,
      /^ {2}6 {4}the console output differs/m,
      /^ {2}130 {2}interrupted by Ctrl-C/m,
      /^ {2}141 {2}standard output was closed/m,
    ]) {
      expect(r.stdout).toMatch(line);
    }
  });
});

describe('the outcome of a run', () => {
  const facts = (f: Partial<RunFacts>): RunFacts => ({ end: { reason: 'idle-forever', cycles: 0 }, interrupted: false, until: undefined, untilSeen: false, maxTime: '1s', faults: [], allowFaults: false, expectMismatch: undefined, ...f });
  const fault = (handled: boolean): FaultRecord => ({ pd: 'p', kind: 'seL4_Fault_VMFault', description: '', address: '0x0', pc: '0x200000', function: null, sourceLine: null, handler: handled ? 'parent' : 'monitor', handled, timeNs: 0 });

  it('ranks interrupted, fault, halted, time-limit, output-mismatch, ok', () => {
    const all = facts({ interrupted: true, faults: [fault(false)], end: { reason: 'limit', cycles: 0 }, until: 'x', expectMismatch: 'e.txt' });
    expect(decideOutcome(all).status).toBe('interrupted');
    expect(decideOutcome({ ...all, interrupted: false }).status).toBe('fault');
    expect(decideOutcome({ ...all, interrupted: false, allowFaults: true }).status).toBe('time-limit');
    expect(decideOutcome({ ...all, interrupted: false, faults: [fault(true)] })).toMatchObject({ status: 'time-limit', exitCode: 5 });
    expect(decideOutcome(facts({ end: { reason: 'halt', message: 'the kernel took 10000 interrupts in a row', cycles: 0 }, until: 'x' }))).toMatchObject({ status: 'halted', exitCode: 4 });
    expect(decideOutcome(facts({ until: 'x', expectMismatch: 'e.txt' }))).toEqual({ status: 'output-mismatch', exitCode: 6, message: "the system is idle with nothing pending and 'x' never appeared" });
    expect(decideOutcome(facts({ expectMismatch: 'e.txt' })).message).toBe('the console output differs from e.txt');
    expect(decideOutcome(facts({ faults: [fault(true)] }))).toMatchObject({ status: 'ok', exitCode: 0 });
  });

  it('takes seL4_DebugHalt as a deliberate end, and any other halt as a failure', () => {
    const halt = (message: string) => facts({ end: { reason: 'halt', message, cycles: 0 } });
    expect(decideOutcome(halt('seL4_DebugHalt from thread "p"'))).toEqual({ status: 'ok', exitCode: 0, message: 'the system halted: seL4_DebugHalt from thread "p"' });
    expect(decideOutcome({ ...halt('seL4_DebugHalt from thread "p"'), until: 'x' }).status).toBe('output-mismatch');
    expect(decideOutcome(halt('seL4_DebugNameThread from thread "p": cap is not a TCB'))).toMatchObject({ status: 'halted', exitCode: 4 });
  });
});

describe('sel4ts run --expect', () => {
  it('exits 0 when the console output equals the file', async () => {
    const r = await sel4ts(['run', HELLO, '--expect', example('hello', 'expected-output.txt')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('prints a unified diff and exits 6 when it differs', async () => {
    const dir = tmp();
    const expected = join(dir, 'expected.txt');
    writeFileSync(expected, 'MON|INFO: Microkit Monitor started!\nhello, wrold\n');
    const r = await sel4ts(['run', HELLO, '--expect', expected]);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(`--- ${expected}\n+++ console output\n@@ -1,2 +1,2 @@\n MON|INFO: Microkit Monitor started!\n-hello, wrold\n+hello, world\n` + `sel4ts: the console output differs from ${expected}\n`);
  });

  it('rejects a file it cannot read with exit code 2', async () => {
    const r = await sel4ts(['run', HELLO, '--expect', join(tmp(), 'none.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the --expect file '.*none\.txt': no such file/);
  });
});

describe('sel4ts run --summary-json', () => {
  it('follows its schema, counts the console, lists every PD, and is the same on every run', async () => {
    const dir = tmp();
    const a = await sel4ts(['run', BAD_PD, ...BAD_PD_UNTIL, '--summary-json', join(dir, 'a.json')]);
    await sel4ts(['run', BAD_PD, ...BAD_PD_UNTIL, '--summary-json', join(dir, 'b.json')]);
    const s = readSummary(join(dir, 'a.json'));
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(s.consoleBytes).toBe(Buffer.byteLength(a.stdout));
    expect(s.protectionDomains.map((p) => p.name)).toEqual(['heartbeat', 'misuser', 'writer', 'executor', 'spinner', 'monitor']);
    expect(s.faults.map((f) => [f.pd, f.kind, f.address, f.handler, f.handled])).toEqual([
      ['misuser', 'seL4_Fault_CapFault', '0x1000', 'monitor', false],
      ['writer', 'seL4_Fault_VMFault', '0x3000000', 'monitor', false],
      ['executor', 'seL4_Fault_VMFault', '0x201010', 'monitor', false],
    ]);
    // The source lines come from the programs' DWARF line tables, kept in the image (addr2line agrees).
    expect(s.faults.map((f) => [f.pc, f.function, f.sourceLine])).toEqual([
      ['0x20026c', 'notified+0x264', 'sdk/include/sel4/syscalls.h:119'],
      ['0x200050', 'notified+0x48', 'writer.c:25'],
      ['0x201010', null, null],
    ]);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).not.toContain(dir);
  });
});

describe('sel4ts run --format github', () => {
  const lineOf = (file: string, text: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1;

  it('turns each fault that fails the run into an error annotation on the PD’s element', async () => {
    const r = await sel4ts(['run', BAD_PD, ...BAD_PD_UNTIL, '--format', 'github']);
    expect(r.code).toBe(4);
    const file = BAD_PD.replace(/:/g, '%3A').replace(/,/g, '%2C');
    expect(r.stderr).toContain(
      `::error file=${file},line=${lineOf(BAD_PD, 'name="misuser"')},title=seL4_Fault_CapFault in misuser::misuser: cap fault in send phase at address 0x1000 at pc 0x20026c (notified+0x264) at sdk/include/sel4/syscalls.h:119 in notified\n`,
    );
    expect(r.stderr.match(/^::error /gm)).toHaveLength(3);
    const allowed = await sel4ts(['run', BAD_PD, ...BAD_PD_UNTIL, '--format', 'github', '--allow-faults']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr.match(/^::warning file=/gm)).toHaveLength(3);
  });

  it('annotates an image’s faults without a file, and other failures too', async () => {
    const dir = tmp();
    await sel4ts(['build', HELLO, '--config', 'release', '-o', join(dir, 'img'), '-r', join(dir, 'r.txt')]);
    const r = await sel4ts(['run', join(dir, 'img'), '--format', 'github']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^::error title=seL4_Fault_UnknownSyscall in hello::hello: unknown syscall/m);
    const limit = await sel4ts(['run', TIMER, '--max-time', '10ms', '--format', 'github']);
    expect(limit.stderr).toBe('::error title=sel4ts run%3A time-limit::the virtual time limit (10ms) ran out\n');
  });
});

describe('sel4ts run and Ctrl-C', () => {
  it('stops, prints the statistics, writes the summary and exits 130', async () => {
    const dir = tmp();
    let interrupt: (() => void) | undefined;
    let stopped = false;
    let out = '';
    const r = await sel4ts(['run', BAD_PD, '--stats', '--allow-faults', '--max-time', '100s', '--summary-json', join(dir, 's.json')], {
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => void (stopped = true);
      },
      // Ctrl-C as soon as the second tick is out: the run stops at the end of its slice.
      stdout: (t) => {
        out += t;
        if (out.endsWith('tick 2 at 10 ms\n')) interrupt!();
      },
    });
    expect(r.code).toBe(130);
    expect(stopped).toBe(true);
    expect(out).toContain('tick 2 at 10 ms');
    expect(r.stderr).toMatch(/\nprotection domain +instructions.*\nheartbeat +\d+/);
    expect(r.stderr).toMatch(/sel4ts: interrupted \(SIGINT\) after \d+\.\d{3} ms of virtual time\n$/);
    expect(readSummary(join(dir, 's.json')).outcome.status).toBe('interrupted');
  });

  it('stops a run that waits for live input', async () => {
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    let interrupt: (() => void) | undefined;
    let out = '';
    const r = await sel4ts(['run', example('uart'), '--input', '-'], {
      stdin,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => {};
      },
      stdout: (t) => {
        out += t;
        // The prompt: the driver now waits for input that never comes.
        if (out.endsWith('echo> ')) setTimeout(() => interrupt!(), 20);
      },
    });
    expect(r.code).toBe(130);
  });

  it('does so on a real SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', "const { main } = await import('./src/cli/main.ts'); process.exitCode = await main(process.argv.slice(1));", 'run', BAD_PD, '--stats', '--allow-faults', '--max-time', '100s'], {
      cwd: ROOT,
    });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Once: a second Ctrl-C ends the process at once, as it should.
      if (!sent && out.includes('tick 2 at 10 ms')) sent = child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    // Should the signal go unheard, the run would go on for 100 s of virtual time: cut it short.
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    expect(code, err).toBe(130);
    expect(err).toMatch(/\nprotection domain +instructions/);
    expect(err).toContain('sel4ts: interrupted (SIGINT)');
  });
});

describe('sel4ts run with build options', () => {
  it('writes the files -o, -r, --report-json, --spec-json and --capdl name when it builds', async () => {
    const dir = tmp();
    const files = ['img', 'r.txt', 'r.json', 'spec.json', 'x.cdl'].map((f) => join(dir, f));
    const r = await sel4ts(['run', HELLO, '-o', files[0]!, '-r', files[1]!, '--report-json', files[2]!, '--spec-json', files[3]!, '--capdl', files[4]!]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of files) expect(existsSync(f), f).toBe(true);
    expect(readFileSync(files[1]!, 'utf8')).toContain('## Physical memory');
    expect((await sel4ts(['run', files[0]!])).stdout).toBe(r.stdout);
  });

  it('warns about every build option an image ignores', async () => {
    const dir = tmp();
    await sel4ts(['build', HELLO, '-o', join(dir, 'img'), '-r', join(dir, 'r.txt')]);
    const r = await sel4ts(['run', join(dir, 'img'), '--board', 'qemu_virt_aarch64', '--config', 'release', '-o', join(dir, 'again.img')]);
    expect(r.code).toBe(0);
    const img = join(dir, 'img');
    expect(r.stderr).toBe(['--board', '--config', '-o/--output'].map((o) => `sel4ts: warning: ${o} is ignored: ${img} is a boot image, built already\n`).join(''));
    expect(existsSync(join(dir, 'again.img'))).toBe(false);
  });

  it('points usage errors at the help of the command', async () => {
    const r = await sel4ts(['run', HELLO, '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--bogus'\n(for usage: sel4ts run --help)\n");
    expect((await sel4ts(['machine', 'exec'])).stderr).toContain('(for usage: sel4ts machine exec --help)');
  });
});
