import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_INPUT } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { expectGolden } from '../helpers/golden.js';
import { oracle } from '../helpers/oracles.js';

/**
 * `sel4ts run --gdb` end to end: Debian's gdb-multiarch, in batch mode, against the examples.
 * The run is in this process (main), GDB a child process; every session is bounded.
 */

const GDB = 'gdb-multiarch';
const hasGdb = oracle(GDB, spawnSync(GDB, ['--version']).status === 0, 'run --gdb against a real GDB');
/** The checkout, as GDB prints the paths of the ELFs in it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}/${name}.system`, import.meta.url));
const expected = (name: string) => readFileSync(fileURLToPath(new URL(`../../examples/${name}/expected-output.txt`, import.meta.url)), 'utf8');

interface Session {
  gdb: string;
  /** GDB's standard error alone (where `monitor` output goes), in its own order. */
  gdbErr: string;
  stdout: string;
  stderr: string;
  code: number;
}

/** Run `system` under --gdb, drive it with GDB's commands (after the generated .gdbinit), collect both sides. */
async function debug(system: string, commands: string[], runArgs: string[] = []): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-gdb-'));
  const init = join(dir, 'gdbinit');
  let stdout = '';
  let stderr = '';
  let announced: () => void = () => {};
  const listening = new Promise<void>((resolve) => (announced = resolve));
  const run = main(['run', system, '--gdb', '127.0.0.1:0', '--gdbinit', init, ...runArgs], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => {
      stderr += t;
      if (t.includes('GDB remote stub on')) announced();
    },
    colour: false,
    cwd: process.cwd(),
  });
  await listening;
  const args = ['-batch', '-nx', '-x', init, ...commands.flatMap((c) => ['-ex', c])];
  const child = spawn(GDB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let gdb = '';
  let gdbErr = '';
  child.stdout.on('data', (d: Buffer) => void (gdb += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    gdb += d.toString();
    gdbErr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
  } finally {
    clearTimeout(timer);
  }
  const code = await run;
  // GDB's notes about inferiors without an executable say nothing about the target.
  gdb = gdb
    .split('\n')
    .filter((l) => !/^warning: No executable|^determining executable|^\[New inferior|^\[Switching to/.test(l))
    .join('\n')
    // GDB compares the source's and the ELF's modification times, which only say in what order
    // git checked the files out; it prints the warning in the middle of a line.
    .replaceAll('warning: Source file is more recent than executable.\n', '');
  return { gdb, gdbErr, stdout, stderr, code };
}

/** Each command preceded by an echo of itself, for a readable transcript. */
function transcript(commands: string[]): string[] {
  return commands.flatMap((c) => [`echo (gdb) ${c}\\n`, c]);
}

// The PDs as processes, in the order the initialiser made their TCBs (rootserver, monitor, ping, pong).
const PING = 3;
const PONG = 4;

describe.skipIf(!hasGdb)('run --gdb with gdb-multiarch', () => {
  it('ping-pong: a breakpoint in one PD, backtrace, globals per PD, stepping, monitor commands, detach', async () => {
    const s = await debug(
      example('ping-pong'),
      transcript([
        'info threads',
        'info inferiors',
        'info os processes',
        `inferior ${PING}`,
        `break notified thread ${PING}.1`,
        'continue',
        'bt 2',
        'print (int)round',
        'set var *(int *)&round = 77',
        'x/wx 0x201008',
        `inferior ${PONG}`,
        'x/wx 0x201008',
        `inferior ${PING}`,
        'print $pc',
        'stepi 5',
        'print $pc',
        'monitor pds',
        'monitor caps ping',
        'x/wx 0',
        'delete',
        'set var *(int *)&round = 1',
        'detach',
      ]),
    );
    // The README's Debugging section shows this session.
    // Machine-independent: the port, the checkout's path (and the padding GDB gives it).
    const session = `${s.gdb
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:12345')
      .replaceAll(ROOT, '')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd()}\n`;
    expectGolden(session, 'golden/gdb-ping-pong.txt', import.meta.filename);
    expect(readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8'), 'README.md: the Debugging section shows test/golden/gdb-ping-pong.txt').toContain(session);
    expect(s.gdb).toMatch(/Thread 3\.1 "ping"/);
    expect(s.gdb).toMatch(/Thread 4\.1 "pong"/);
    // qXfer:exec-file:read: GDB loaded each PD's ELF into its inferior by itself, and names it.
    expect(session).toMatch(/\n {2}3 +process 3 +1 \(extended-remote 127\.0\.0\.1:12345\) examples\/ping-pong\/ping\.elf\n/);
    // qXfer:osdata:read: `info os processes` lists the PDs by name.
    expect(session).toMatch(/pid +command +executable\n1 +rootserver\n2 +monitor\n3 +ping +examples\/ping-pong\/ping\.elf\n4 +pong/);
    // The examples carry line tables: GDB names the source line (at ./ping.c:31).
    expect(s.gdb).toMatch(/Thread 3\.1 "ping" hit Breakpoint 1(\.\d)?, (0x[0-9a-f]+ in )?notified \(\) at \.\/ping\.c:\d+/);
    expect(s.gdb).toMatch(/#0 +(0x[0-9a-f]+ in )?notified \(\)[^\n]*\n#1 +0x[0-9a-f]+ in handler_loop \(\)/);
    expect(s.gdb).toMatch(/\$1 = 1\n/);
    // The same address, two address spaces.
    expect(s.gdb).toMatch(/0x201008 <round>:\s+0x0000004d/);
    expect(s.gdb).toMatch(/0x201008 <hits>:\s+0x00000001/);
    // stepi 5 from notified+12 retires exactly: cmp, b.ne (not taken: the channel is 1), adrp,
    // add, bl microkit_dbg_puts (examples/ping-pong/ping.elf), so it stops at the call's target.
    const pcs = [...s.gdb.matchAll(/\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+) <(\w+(?:\+\d+)?)>/g)].map((m) => m[2]);
    expect(pcs).toEqual(['notified+12', 'microkit_dbg_puts']);
    expect(s.gdb).toMatch(/ping +running \(on the CPU\), priority 100/);
    expect(s.gdb).toMatch(/pong +blocked on ntfn/);
    expect(s.gdb).toMatch(/cptr 11: channel 1: notify 'pong'/);
    expect(s.gdb).toMatch(/Cannot access memory at address 0x0/);
    expect(s.gdb).toMatch(/\[Inferior 3 \(process 3\) detached\]/);
    // Detached, the run ends as it does without GDB.
    expect(s.stdout).toBe(expected('ping-pong'));
    expect(s.code).toBe(0);
  }, 90_000);

  it('a breakpoint at an address both PDs use stops only the PD it was set in', async () => {
    // pong's `notified` (0x200010) is an instruction of ping's `init` (0x200004–0x200034), which
    // ping runs first: a breakpoint that leaked into ping's address space would stop ping there.
    const at = '200010';
    const s = await debug(example('ping-pong'), [`inferior ${PONG}`, `break *0x${at}`, 'continue', 'info threads', 'continue', 'delete', 'break *0x10', 'continue', 'delete', 'detach']);
    const hits = [...s.gdb.matchAll(/Thread (\d)\.1 "(\w+)" hit Breakpoint/g)].map((m) => m[2]);
    expect(hits).toEqual(['pong', 'pong']);
    // Z0 on an unmapped address: an error reply, which GDB reports; the run is not disturbed.
    expect(s.gdb).toMatch(/Cannot insert breakpoint 2\.\nCannot access memory at address 0x10/);
    expect(s.stdout).toBe(expected('ping-pong'));
  }, 90_000);

  it('ring-buffer: a watchpoint on the shared head word stops the producer that writes it', async () => {
    // Processes: rootserver 1, consumer 2, monitor 3, producer 4.
    const s = await debug(example('ring-buffer'), ['inferior 4', 'watch *(long *)0x4000000', 'continue', 'info threads', 'delete', 'detach']);
    expect(s.gdb).toMatch(/Hardware watchpoint 1: \*\(long \*\)0x4000000/);
    expect(s.gdb).toMatch(/Thread 4\.1 "producer" hit Hardware watchpoint 1/);
    expect(s.gdb).toMatch(/New value = [1-9]/);
    expect(s.stdout).toBe(expected('ring-buffer'));
  }, 90_000);

  it('a debugging session changes neither what the run prints nor the instructions each PD retires', async () => {
    const stats = (stderr: string) => stderr.slice(stderr.indexOf('protection domain'));
    let plainErr = '';
    let plainOut = '';
    await main(['run', example('ring-buffer'), '--stats'], { stdout: (t) => void (plainOut += t), stderr: (t) => void (plainErr += t), colour: false, cwd: process.cwd() });
    const s = await debug(example('ring-buffer'), ['inferior 4', 'break notified', 'watch *(long *)0x4000000', 'continue', 'continue', 'stepi 7', 'continue', 'delete', 'stepi 3', 'detach'], ['--stats']);
    expect(s.gdb).toMatch(/hit Hardware watchpoint 2/);
    expect(s.stdout).toBe(plainOut);
    expect(stats(s.stderr)).toBe(stats(plainErr));
    expect(stats(plainErr)).toMatch(/producer +\d+/);
  }, 90_000);

  it('bad-pd: with GDB attached, continued to the end or stopped along the way, timer interrupts land at the same instruction', async () => {
    // The heartbeat's 5 ms timer preempts the spinner's compiled loop: `--trace sched` stamps each
    // switch with virtual time, which is the retired-instruction count (one instruction a cycle).
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-gdb-same-'));
    const args = (summary: string) => ['--until', 'still beating after three faults: done', '--allow-faults', '--trace', 'sched', '--summary-json', join(dir, summary)];
    let plainErr = '';
    let plainOut = '';
    await main(['run', example('bad-pd'), ...args('plain.json')], { stdout: (t) => void (plainOut += t), stderr: (t) => void (plainErr += t), colour: false, cwd: process.cwd() });
    // Only the run's own lines: the scheduler trace and the fault reports.
    const traced = (stderr: string) => stderr.split('\n').filter((l) => /^(sel4ts: )?\[ *\d+\.\d+ ms\]/.test(l));
    const summary = (name: string) => readFileSync(join(dir, name), 'utf8');
    expect(traced(plainErr).filter((l) => l.endsWith('switch to heartbeat')).length).toBeGreaterThanOrEqual(6);
    const continued = await debug(example('bad-pd'), ['continue', 'continue', 'continue', 'continue'], args('continued.json'));
    const stopped = await debug(
      example('bad-pd'),
      // spinner 6, heartbeat 3: stop in the spinner's compiled loop, at the heartbeat's ticks, step, go on.
      ['inferior 6', 'break *0x200024', 'continue', 'stepi 3', 'delete', 'inferior 3', 'break notified thread 3.1', 'continue', 'stepi 9', 'continue', 'delete', 'continue', 'continue', 'continue'],
      args('stopped.json'),
    );
    expect(stopped.gdb).toMatch(/"spinner" hit Breakpoint 1/);
    expect(stopped.gdb).toMatch(/"heartbeat" hit Breakpoint 2/);
    for (const s of [continued, stopped]) {
      expect(s.gdb).toMatch(/"writer" received signal SIGSEGV/);
      expect(s.stdout).toBe(plainOut);
      expect(traced(s.stderr)).toEqual(traced(plainErr));
    }
    expect(summary('continued.json')).toBe(summary('plain.json'));
    expect(summary('stopped.json')).toBe(summary('plain.json'));
  }, 120_000);

  it('uart: breakpoints in an interrupt-driven driver change neither output nor instruction counts', async () => {
    const stats = (stderr: string) => stderr.slice(stderr.indexOf('protection domain'));
    const args = ['--input', 'hello uart\n', '--stats'];
    let plainErr = '';
    let plainOut = '';
    await main(['run', fileURLToPath(new URL('../../examples/uart/uart.system', import.meta.url)), ...args], { stdout: (t) => void (plainOut += t), stderr: (t) => void (plainErr += t), colour: false, cwd: process.cwd() });
    const s = await debug(fileURLToPath(new URL('../../examples/uart/uart.system', import.meta.url)), ['inferior 3', 'break notified', 'continue', 'stepi 3', 'continue', 'continue', 'stepi 11', 'delete', 'detach'], args);
    expect(s.gdb).toMatch(/"uart" hit Breakpoint 1/);
    expect(s.stdout).toBe(plainOut);
    expect(stats(s.stderr)).toBe(stats(plainErr));
  }, 90_000);

  it("bad-pd: a breakpoint and a watchpoint inside the spinner's compiled loop stop where the interpreter stops; the rest stays compiled", async () => {
    // Processes: rootserver 1, executor 2, heartbeat 3, misuser 4, monitor 5, spinner 6, writer 7.
    // spinner's init: 0x20001c ldr x9, [x8, #8]; 0x200020 add; 0x200024 str x9, [x8, #8]; b 0x20001c,
    // for ever (spins is at 0x201008); its notified (0x20002c), on the same page, never runs.
    const commands = transcript([
      'inferior 6',
      'break *0x20002c',
      'inferior 3',
      'break notified thread 3.1',
      'continue',
      'monitor jit',
      'delete',
      'inferior 6',
      'break *0x200024',
      'continue',
      'print $pc',
      'monitor time',
      'continue',
      'monitor time',
      'delete',
      'watch *(long *)0x201008',
      'continue',
      'print $pc',
      'monitor time',
      'delete',
      'rwatch *(long *)0x201008',
      'continue',
      'print $pc',
      'monitor time',
      'delete',
      'detach',
    ]);
    const args = ['--until', 'still beating after three faults: done', '--allow-faults'];
    const jit = await debug(example('bad-pd'), commands, args);
    const interpreted = await debug(example('bad-pd'), commands, [...args, '--no-jit']);
    // Until the first tick (5 ms) the spinner spun in compiled code, with a breakpoint on its loop's page.
    const compiled = /compiled code on: (\d+) of (\d+) instructions retired compiled/.exec(jit.gdb);
    expect(compiled, jit.gdb).not.toBeNull();
    expect(Number(compiled![1]) / Number(compiled![2])).toBeGreaterThan(0.99);
    expect(jit.gdb).toMatch(/Thread 6\.1 "spinner" hit Breakpoint 3, 0x0000000000200024 in init \(\)/);
    // Set at a breakpoint stop on the str, the watchpoint sees that very store: old + 1.
    const change = /Thread 6\.1 "spinner" hit Hardware watchpoint 4: \*\(long \*\)0x201008\n\nOld value = (\d+)\nNew value = (\d+)/.exec(jit.gdb);
    expect(change, jit.gdb).not.toBeNull();
    expect(Number(change![2]) - Number(change![1])).toBe(1);
    expect(jit.gdb).toMatch(/Thread 6\.1 "spinner" hit Hardware read watchpoint 5: \*\(long \*\)0x201008\n\nValue = \d+/);
    // GDB shows a watchpoint after the access: after the str (at the b), after the ldr (at the add).
    const pcs = [...jit.gdb.matchAll(/\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+)/g)].map((m) => m[1]);
    expect(pcs).toEqual(['0x200024', '0x200028', '0x200020']);
    // Instructions retired between the stops: a turn of the loop (4), the str, then b and ldr.
    const counts = [...jit.gdb.matchAll(/cycles, (\d+) instructions\)/g)].map((m) => Number(m[1]));
    expect(counts.slice(1).map((c, i) => c - counts[i]!)).toEqual([4, 1, 2]);
    // The same session without compiled code: every stop at the same instruction and count.
    // (GDB's standard output and error, where monitor output goes, interleave freely.)
    const stdoutOnly = (s: Session) => s.gdb.split('\n').filter((l) => !s.gdbErr.includes(l) || l === '');
    expect(stdoutOnly(jit)).toEqual(stdoutOnly(interpreted));
    expect(jit.gdbErr.replace(/compiled code .*\n/, '')).toBe(interpreted.gdbErr.replace(/compiled code .*\n/, ''));
    expect(interpreted.gdb).toContain('compiled code off (--no-jit): 0 of');
    expect(jit.stdout).toBe(expected('bad-pd'));
  }, 120_000);

  it('bad-pd: a VM fault stops with SIGSEGV at the faulting instruction before the monitor sees it', async () => {
    const s = await debug(
      example('bad-pd'),
      ['continue', 'x/i $pc', 'monitor fault', 'p $_siginfo.si_signo', 'p $_siginfo.si_code', 'p $_siginfo._sifields._sigfault.si_addr', 'info threads', 'detach'],
      ['--until', 'still beating after three faults: done', '--allow-faults'],
    );
    expect(s.gdb).toMatch(/Thread \d+\.1 "writer" received signal SIGSEGV, Segmentation fault\./);
    expect(s.gdb).toMatch(/=> 0x[0-9a-f]+ <notified\+\d+>:[^\n]*\n?\s*str\s/);
    expect(s.gdb).toContain('data (write) abort at address 0x3000000');
    // qXfer:siginfo:read: SIGSEGV, SEGV_ACCERR (a permission fault: the region is read-only), the address.
    expect(s.gdb).toMatch(/\$1 = 11\n\$2 = 2\n\$3 = \(void \*\) 0x3000000\n/);
    expect(s.stdout).toBe(expected('bad-pd'));
  }, 90_000);
});

describe('run --gdb: bad input', () => {
  it('a port in use is an error that names it', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as { port: number }).port;
    let stderr = '';
    try {
      const code = await main(['run', example('hello'), '--gdb', String(port)], { stdout: () => {}, stderr: (t) => void (stderr += t), colour: false, cwd: process.cwd() });
      expect(code).toBe(EXIT_INPUT);
      expect(stderr).toContain(`cannot listen for GDB on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      busy.close();
    }
  });

  it('refuses a --gdb that is no port, and --gdb-continue without --gdb', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => void (stderr += t), colour: false, cwd: process.cwd() };
    expect(await main(['run', example('hello'), '--gdb', 'localhost:http'], io)).not.toBe(0);
    expect(stderr).toContain("--gdb 'localhost:http' is not [HOST:]PORT");
    expect(await main(['run', example('hello'), '--gdb-continue'], io)).not.toBe(0);
    expect(stderr).toContain('--gdb-continue needs --gdb');
  });
});
