import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { cspaceWords } from '../src/cli/run/trace-caps.js';
import { describeOutcome, formatSyscallEvent, traceTime } from '../src/cli/run/trace-format.js';
import type { CapSpec, Spec, SpecObject } from '../src/compiler/spec/types.js';
import { describeSyscallError, LookupFailureType, syscallError } from '../src/kernel/errors.js';
import { ThreadState } from '../src/kernel/objects.js';

/**
 * `sel4ts run --trace`: the line format (pure functions), the cap words from the Spec, and
 * whole runs of test/fixtures/trace (a client that calls an empty slot) on the debug and
 * release kernels, where the debug kernel also prints seL4's userError line on the console.
 */

const TRACE_SYSTEM = fileURLToPath(new URL('./fixtures/trace/trace.system', import.meta.url));
const HELLO = fileURLToPath(new URL('../examples/hello/hello.system', import.meta.url));
const BAD_PD = fileURLToPath(new URL('../examples/bad-pd/bad-pd.system', import.meta.url));

async function sel4ts(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), colour: false, cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('trace line format', () => {
  it('stamps virtual time with a fixed width', () => {
    expect(traceTime(0)).toBe('[    0.000000 ms]');
    expect(traceTime(12_345_678)).toBe('[   12.345678 ms]');
    expect(traceTime(999_999_999)).toBe('[  999.999999 ms]');
    expect(traceTime(12_345_678).length).toBe(traceTime(1_000_000_000).length);
  });

  it('names the PD, the call, the cap, the label, the length and the result', () => {
    const line = formatSyscallEvent({
      cycles: 5_002_613,
      pd: 'misuser',
      call: 'seL4_Call',
      cap: 'slot 9: empty',
      message: { label: 0n, labelName: undefined, length: 0, extraCaps: 0 },
      result: 'seL4_InvalidCapability (invalidCapNumber 0)',
    });
    expect(line).toBe('[    5.002613 ms] misuser: seL4_Call on slot 9: empty, label 0, length 0 -> seL4_InvalidCapability (invalidCapNumber 0)');
  });

  it('shows the invocation name of a kernel-object label, extra caps, and the receive phase of a combined call', () => {
    expect(formatSyscallEvent({ cycles: 0, pd: 'p', call: 'seL4_Call', cap: 'slot 138: channel 0: IRQ 30 handler', message: { label: 31n, labelName: 'IRQAckIRQ', length: 0, extraCaps: 0 }, result: 'ok' })).toBe(
      '[    0.000000 ms] p: seL4_Call on slot 138: channel 0: IRQ 30 handler, label 31 (IRQAckIRQ), length 0 -> ok',
    );
    expect(formatSyscallEvent({ cycles: 0, pd: 's', call: 'seL4_ReplyRecv', cap: 'slot 4: reply', message: { label: 0n, labelName: undefined, length: 1, extraCaps: 1 }, thenReceive: 'slot 1: own endpoint', result: 'blocked on recv' })).toBe(
      '[    0.000000 ms] s: seL4_ReplyRecv on slot 4: reply, label 0, length 1, extra caps 1, then slot 1: own endpoint -> blocked on recv',
    );
  });

  it('prints DebugPutChar’s character, escaped when it is not printable', () => {
    expect(formatSyscallEvent({ cycles: 0, pd: 'hello', call: 'seL4_DebugPutChar', char: 0x68 })).toBe("[    0.000000 ms] hello: seL4_DebugPutChar 'h'");
    expect(formatSyscallEvent({ cycles: 0, pd: 'hello', call: 'seL4_DebugPutChar', char: 0x0a })).toBe("[    0.000000 ms] hello: seL4_DebugPutChar '\\n'");
    expect(formatSyscallEvent({ cycles: 0, pd: 'hello', call: 'seL4_DebugPutChar', char: 0x07 })).toBe('[    0.000000 ms] hello: seL4_DebugPutChar 0x07');
  });

  it('names every seL4 error with the field that says what failed', () => {
    expect(describeSyscallError(syscallError.invalidArgument(2))).toBe('seL4_InvalidArgument (invalidArgumentNumber 2)');
    expect(describeSyscallError(syscallError.rangeError(0, 1019))).toBe('seL4_RangeError (rangeErrorMin 0, rangeErrorMax 1019)');
    expect(describeSyscallError(syscallError.failedLookup(true, { type: LookupFailureType.MissingCapability, bitsLeft: 3 }))).toBe('seL4_FailedLookup (failedLookupWasSource 1, seL4_MissingCapability (bitsLeft 3))');
    expect(describeSyscallError(syscallError.notEnoughMemory(4096))).toBe('seL4_NotEnoughMemory (memoryLeft 4096)');
    expect(describeSyscallError(syscallError.revokeFirst())).toBe('seL4_RevokeFirst');
  });

  it('says how a call ended: ok, blocked, refused, faulted, or ignored', () => {
    const base = { failure: undefined, state: ThreadState.Running, isCall: true, blockingSend: true, unknown: false };
    expect(describeOutcome(base)).toBe('ok');
    expect(describeOutcome({ ...base, state: ThreadState.BlockedOnReply })).toBe('blocked on reply');
    expect(describeOutcome({ ...base, state: ThreadState.Restart })).toBe('restarts (budget exhausted)');
    expect(describeOutcome({ ...base, failure: { kind: 'error', error: syscallError.illegalOperation() } })).toBe('seL4_IllegalOperation');
    expect(describeOutcome({ ...base, isCall: false, failure: { kind: 'error', error: syscallError.illegalOperation() } })).toBe('seL4_IllegalOperation, not returned (only a Call gets a reply)');
    const guard = { type: LookupFailureType.GuardMismatch, bitsLeft: 58, guardFound: 0n, bitsFound: 49 } as const;
    expect(describeOutcome({ ...base, failure: { kind: 'lookup', of: 'cap', cptr: 0x1000n, lookup: guard, inReceivePhase: false } })).toBe('cap fault: seL4_GuardMismatch (bitsLeft 58, guardFound 0x0, bitsFound 49)');
    expect(describeOutcome({ ...base, blockingSend: false, failure: { kind: 'lookup', of: 'cap', cptr: 0x1000n, lookup: guard, inReceivePhase: false } })).toBe(
      'lookup failed, ignored (a non-blocking send raises no fault): seL4_GuardMismatch (bitsLeft 58, guardFound 0x0, bitsFound 49)',
    );
    const missing = { type: LookupFailureType.MissingCapability, bitsLeft: 0 } as const;
    expect(describeOutcome({ ...base, failure: { kind: 'lookup', of: 'reply cap', cptr: 5n, lookup: missing, inReceivePhase: true, why: 'not a reply cap' } })).toBe('cap fault on reply cap 0x5: not a reply cap: seL4_MissingCapability (bitsLeft 0)');
    expect(describeOutcome({ ...base, state: ThreadState.BlockedOnReply, unknown: true })).toBe('UnknownSyscall fault');
  });
});

describe('cap words from the Spec', () => {
  const rights = { read: true, write: true, grant: false, grantReply: false };
  const cap = (object: number): CapSpec => ({ object, rights, badge: '0x0' });
  const tcb = (pd: string, cspace: number): SpecObject => ({
    kind: 'tcb',
    name: `tcb_${pd}`,
    tcb: {
      pd,
      cspace: cap(cspace),
      vspace: 0,
      ipcBuffer: { frame: 0, vaddr: 0 },
      faultEndpoint: undefined,
      schedContext: undefined,
      boundNotification: undefined,
      priority: 1,
      mcp: 1,
      ip: '0x0',
      sp: '0x0',
      resume: true,
      fpu: true,
      domain: 0,
      affinity: 0,
    },
  });
  // Indices: 0 tcb_client, 1 root, 2 cnode_client, 3 ep_client, 4 ep_fault_monitor, 5 reply_client,
  // 6 ntfn_server, 7 ep_server, 8 irq, 9 tcb_worker, 10 sched_context_worker, 11 vspace_client.
  const objects: SpecObject[] = [
    tcb('client', 1),
    {
      kind: 'cnode',
      name: 'cnode_client_root',
      radix: 6,
      slots: [
        { slot: 0, cap: cap(2) },
        { slot: 3, cap: cap(10) },
      ],
    },
    {
      kind: 'cnode',
      name: 'cnode_client',
      radix: 9,
      slots: [1, 2, 4, 13, 77, 139, 203].map((slot, i) => ({ slot, cap: cap([3, 4, 5, 6, 7, 8, 9][i]!) })).concat([{ slot: 3, cap: cap(11) }]),
    },
    { kind: 'endpoint', name: 'ep_client' },
    { kind: 'endpoint', name: 'ep_fault_monitor' },
    { kind: 'reply', name: 'reply_client' },
    { kind: 'notification', name: 'ntfn_server' },
    { kind: 'endpoint', name: 'ep_server' },
    { kind: 'irq', name: 'irq_33_client', irq: 33, trigger: 'level', notification: cap(0) },
    tcb('worker', 1),
    { kind: 'sched_context', name: 'sched_context_worker', sizeBits: 8, budgetUs: 1000, periodUs: 1000, badge: '0x0', extraRefills: 0 },
    { kind: 'vspace', name: 'vspace_client', mappings: [] },
  ];
  const pd = { index: 0, program: 'client.elf', priority: 1, budgetUs: 1000, periodUs: 1000, passive: false, parent: undefined, childId: undefined, stackBottom: 0 };
  const spec: Spec = {
    version: 2,
    board: 'qemu_virt_aarch64',
    config: 'debug',
    kernel: { hypervisor: true, hardwareDebugApi: true, debugBuild: true, paBits: 40 },
    objects,
    pds: [{ ...pd, name: 'client', tcb: 0 }],
    symbols: {},
    lines: {},
    domainSchedule: undefined,
    numDomains: 1,
  };

  it('describes each Microkit slot in the description’s words, channel ids as the PD uses them', () => {
    const w = cspaceWords(spec).get('client')!;
    const words = (slot: number) => w.cnode.get(slot)?.words;
    expect(words(1)).toBe('own endpoint');
    expect(words(2)).toBe('fault endpoint (monitor)');
    expect(words(3)).toBe('own VSpace');
    expect(words(4)).toBe('reply');
    expect(words(13)).toBe("channel 3: notify 'server'");
    expect(words(77)).toBe("channel 3: ppcall 'server'");
    expect(words(139)).toBe('channel 1: IRQ 33 handler');
    expect(words(203)).toBe("child 1: TCB of 'worker'");
    expect(words(11)).toBeUndefined();
    expect(w.root.get(3)?.words).toBe("scheduling context of 'worker'");
    expect(w.singleLevel).toBe(false);
  });
});

describe('sel4ts run --trace syscalls', () => {
  it('debug: the trace names the empty slot and the error, and the console has seL4’s userError line', async () => {
    const r = await sel4ts('run', TRACE_SYSTEM, '--trace', 'syscalls');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^MON\|INFO: Microkit Monitor started!\n<<seL4\(CPU 0\) \[decodeInvocation\/0 T0x[0-9a-f]+ "client" @[0-9a-f]+\]: Attempted to invoke a null cap #11\.>>\n$/);
    expect(r.stderr).toMatch(/^\[ {4}0\.\d{6} ms\] client: seL4_Call on slot 11: empty, label 5, length 1 -> seL4_InvalidCapability \(invalidCapNumber 0\)$/m);
    expect(r.stderr).toContain("client: seL4_Send on slot 10: channel 0: notify 'server', label 0, length 0 -> ok\n");
    expect(r.stderr).toContain("client: seL4_Call on slot 77: channel 3: ppcall 'server', label 7, length 2 -> blocked on reply\n");
    expect(r.stderr).toContain('server: seL4_ReplyRecv on slot 4: reply, label 0, length 0, then slot 1: own endpoint -> blocked on recv\n');
    expect(r.stderr).toContain("monitor: seL4_DebugNameThread on slot 11: TCB of 'client' -> ok\n");
    // The PC in the userError line is the SVC of the failed call.
    const pc = /"client" @([0-9a-f]+)\]/.exec(r.stdout)![1]!;
    expect(Number.parseInt(pc, 16) % 4).toBe(0);
  });

  it('release: the same trace line, and nothing on the console', async () => {
    const r = await sel4ts('run', TRACE_SYSTEM, '--config', 'release', '--trace', 'syscalls');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('client: seL4_Call on slot 11: empty, label 5, length 1 -> seL4_InvalidCapability (invalidCapNumber 0)\n');
  });

  it('a cptr that resolves to no slot: the trace says why, the debug kernel names the cap', async () => {
    const r = await sel4ts('run', BAD_PD, '--max-time', '6ms', '--trace', 'syscalls,faults');
    expect(r.stdout).toMatch(/<<seL4\(CPU 0\) \[handleInvocation\/0 T0x[0-9a-f]+ "misuser" @[0-9a-f]+\]: Invocation of invalid cap #4096\.>>\n/);
    expect(r.stderr).toContain('misuser: seL4_Call on cptr 0x1000 (no slot: seL4_GuardMismatch), label 0, length 0 -> cap fault: seL4_GuardMismatch (bitsLeft 58, guardFound 0x0, bitsFound 49)\n');
    expect(r.stderr).toContain('heartbeat: seL4_Call on slot 138: channel 0: IRQ 30 handler, label 31 (IRQAckIRQ), length 0 -> ok\n');
    expect(r.stderr).toMatch(/^sel4ts: \[ {4}5\.\d{6} ms\] misuser: cap fault in send phase/m);
  });

  it('leaves DebugPutChar out unless --trace putchar asks for it', async () => {
    const quiet = await sel4ts('run', HELLO, '--trace', 'syscalls');
    expect(quiet.stderr).not.toContain('DebugPutChar');
    const chars = await sel4ts('run', HELLO, '--trace', 'putchar');
    expect(chars.stderr).toMatch(/^\[ +\d+\.\d{6} ms\] hello: seL4_DebugPutChar 'h'$/m);
    expect(chars.stderr).not.toContain('seL4_Recv');
  });

  it('--trace-file separates the trace from the console and stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-trace-'));
    const file = join(dir, 'trace.txt');
    const r = await sel4ts('run', TRACE_SYSTEM, '--trace', 'syscalls', '--trace', 'sched', '--trace-file', file);
    expect(r.code).toBe(0);
    // stderr has the build's warnings (the fixture's programs are release builds, which run on
    // both configurations) and no trace line.
    expect(r.stderr).not.toMatch(/^\[/m);
    expect(r.stderr.replace(/^.*warning\[program_built_for_release\][\s\S]*?\n\n/gm, '')).toBe('');
    expect(r.stdout).toContain('Attempted to invoke a null cap #11.');
    const trace = readFileSync(file, 'utf8');
    expect(trace).toMatch(/^\[ {4}0\.000000 ms\] switch to monitor\n/);
    expect(trace).toContain('client: seL4_Call on slot 11: empty');
    for (const line of trace.trimEnd().split('\n')) expect(line).toMatch(/^\[[ \d]{4}\d\.\d{6} ms\] /);
  });

  it('rejects an unknown kind and a trace file without a trace (exit 2)', async () => {
    const bad = await sel4ts('run', HELLO, '--trace', 'everything');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown --trace 'everything' (syscalls, putchar, faults or sched)");
    const noKind = await sel4ts('run', HELLO, '--trace-file', join(tmpdir(), 'unused-trace.txt'));
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain('--trace-file needs --trace');
    const unwritable = await sel4ts('run', HELLO, '--trace', 'sched', '--trace-file', join(tmpdir(), 'no-such-dir', 'trace.txt'));
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/cannot write the trace file '.*trace\.txt': ENOENT/);
  });
});
