import { closeSync, openSync, writeSync } from 'node:fs';
import { CapType } from '../../kernel/cap-types.js';
import type { Cap } from '../../kernel/cap.js';
import { lookupSlot } from '../../kernel/cspace.js';
import { LOOKUP_FAILURE_NAMES } from '../../kernel/errors.js';
import { TcbSlot, type TcbObject } from '../../kernel/objects.js';
import type { KernelState } from '../../kernel/state.js';
import { messageInfoFromWord, Syscall, SYSCALL_NAMES, type SyscallKind } from '../../kernel/syscalls.js';
import type { ObjectKind, Spec } from '../../compiler/spec/types.js';
import { UsageError, type Io } from '../io.js';
import { cspaceWords, type CSpaceWords } from './trace-caps.js';
import { describeOutcome, formatSyscallEvent, type SyscallTraceEvent } from './trace-format.js';

/**
 * `run --trace KIND` and `--trace-file FILE`: which events are traced and where the lines go,
 * and the kernel hooks that turn system calls into lines (trace-format.ts).
 */

export interface TraceOptions {
  /** --trace: syscalls, putchar, faults, sched (repeatable, or comma-separated). */
  trace?: string[];
  /** --trace-file: the trace lines go there instead of stderr, apart from the console. */
  traceFile?: string;
}

const KINDS = ['syscalls', 'putchar', 'faults', 'sched'] as const;
type TraceKind = (typeof KINDS)[number];

export interface Tracing {
  has(kind: TraceKind): boolean;
  /** Whether the lines go to a file (stderr keeps only reports). */
  readonly toFile: boolean;
  /** Write one trace line (with its newline). */
  write(line: string): void;
  /** Flush and close the trace file. */
  close(): void;
}

/** Check the options and open the trace file (a usage error names a bad kind or an unwritable file). */
export function openTracing(opts: TraceOptions, io: Io): Tracing {
  const kinds = new Set<string>((opts.trace ?? []).flatMap((t) => t.split(',')));
  for (const t of kinds) if (!(KINDS as readonly string[]).includes(t)) throw new UsageError(`unknown --trace '${t}' (syscalls, putchar, faults or sched)`);
  const has = (kind: TraceKind) => kinds.has(kind);
  if (opts.traceFile === undefined) return { has, toFile: false, write: (line) => io.stderr(line), close: () => {} };
  if (kinds.size === 0) throw new UsageError('--trace-file needs --trace (syscalls, putchar, faults or sched)');
  const path = opts.traceFile;
  // Created (and checked) now, held open only from the first line: a run that ends before it
  // boots (a build error) leaves an empty file and no open descriptor.
  try {
    closeSync(openSync(path, 'w'));
  } catch (e) {
    throw new UsageError(`cannot write the trace file '${path}': ${(e as Error).message}`);
  }
  let fd: number | undefined;
  // A busy system traces millions of lines: they are written in large pieces.
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (!pending.length) return;
    fd ??= openSync(path, 'a');
    writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
  };
  return {
    has,
    toFile: true,
    write(line) {
      pending.push(line);
      size += line.length;
      if (size > 1 << 20) flush();
    },
    close() {
      flush();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

const KIND_CAP: Record<ObjectKind, CapType> = {
  tcb: CapType.Thread,
  endpoint: CapType.Endpoint,
  notification: CapType.Notification,
  reply: CapType.Reply,
  sched_context: CapType.SchedContext,
  cnode: CapType.CNode,
  vspace: CapType.VSpace,
  page_table: CapType.PageTable,
  frame: CapType.Frame,
  irq: CapType.IrqHandler,
};

/** A cap the Spec did not put there (or that changed since boot), by its type. */
function capWords(cap: Cap): string {
  switch (cap.type) {
    case CapType.Null:
      return 'empty';
    case CapType.Untyped:
      return 'untyped';
    case CapType.Endpoint:
      return 'endpoint';
    case CapType.Notification:
      return 'notification';
    case CapType.Reply:
      return 'reply object';
    case CapType.CNode:
      return 'CNode';
    case CapType.Thread:
      return `TCB of '${cap.obj.name}'`;
    case CapType.IrqControl:
      return 'IRQ control';
    case CapType.IrqHandler:
      return `IRQ ${cap.irq} handler`;
    case CapType.Domain:
      return 'domain';
    case CapType.SchedContext:
      return 'scheduling context';
    case CapType.SchedControl:
      return 'sched control';
    case CapType.Frame:
      return 'frame';
    case CapType.PageTable:
      return 'page table';
    case CapType.VSpace:
      return 'VSpace';
    case CapType.AsidControl:
      return 'ASID control';
    case CapType.AsidPool:
      return 'ASID pool';
    case CapType.Vcpu:
      return 'vCPU';
  }
}

/** A cptr of `t` in words: the slot it names (live) and what the description put there. */
function describeCptr(t: TcbObject, cptr: bigint, words: CSpaceWords | undefined): { text: string; cap: Cap | undefined } {
  const root = t.ctes.slots[TcbSlot.CTable]!.cap;
  const lu = lookupSlot(root, cptr);
  if (!lu.ok) return { text: `cptr 0x${cptr.toString(16)} (no slot: ${LOOKUP_FAILURE_NAMES[lu.fault.type]})`, cap: undefined };
  const { index } = lu.slot;
  const inRoot = root.type === CapType.CNode && lu.slot.cnode === root.cnode;
  const name = inRoot && !words?.singleLevel ? `cspace slot ${index}` : `slot ${index}`;
  const cap = lu.slot.cap;
  const spec = (inRoot ? words?.root : words?.cnode)?.get(index);
  const text = spec && cap.type !== CapType.Null && KIND_CAP[spec.kind] === cap.type ? spec.words : capWords(cap);
  return { text: `${name}: ${text}`, cap };
}

/** Caps whose invocations are IPC: their labels are the program's own, not kernel methods. */
const IPC_CAPS = new Set<CapType>([CapType.Null, CapType.Endpoint, CapType.Notification, CapType.Reply]);

/** Registers of the send phase: the cap (x0, x6 for ReplyRecv and NBSendWait, x8 for NBSendRecv). */
function sendCapRegister(s: Syscall): number | undefined {
  switch (s) {
    case Syscall.Send:
    case Syscall.NBSend:
    case Syscall.Call:
      return 0;
    case Syscall.ReplyRecv:
    case Syscall.NBSendWait:
      return 6;
    case Syscall.NBSendRecv:
      return 8;
    default:
      return undefined;
  }
}

function receives(s: Syscall): boolean {
  return s === Syscall.Recv || s === Syscall.NBRecv || s === Syscall.Wait || s === Syscall.NBWait || s === Syscall.ReplyRecv || s === Syscall.NBSendRecv || s === Syscall.NBSendWait;
}

/** The event for a system call being entered (registers still hold its arguments). */
function entryEvent(k: KernelState, t: TcbObject, call: SyscallKind, words: CSpaceWords | undefined, cycles: number): SyscallTraceEvent {
  const pd = t.name || '?';
  if (call.kind === 'unknown') return { cycles, pd, call: `unknown syscall (x7 = ${BigInt.asIntN(64, call.number)})` };
  const s = call.syscall;
  const e: SyscallTraceEvent = { cycles, pd, call: `seL4_${SYSCALL_NAMES[s]}` };
  if (s === Syscall.DebugPutChar) e.char = Number(k.reg(t, 0) & 0xffn);
  if (s === Syscall.DebugCapIdentify || s === Syscall.DebugNameThread) e.cap = describeCptr(t, k.reg(t, 0), words).text;
  const send = sendCapRegister(s);
  if (send !== undefined) {
    const target = describeCptr(t, k.reg(t, send), words);
    const info = messageInfoFromWord(k.reg(t, 1));
    e.cap = target.text;
    const labelName = target.cap && !IPC_CAPS.has(target.cap.type) ? k.labels.byNumber[Number(info.label)] : undefined;
    e.message = { label: info.label, labelName, length: info.length, extraCaps: info.extraCaps };
  }
  if (receives(s)) {
    const from = describeCptr(t, k.reg(t, 0), words).text;
    if (send === undefined) e.cap = from;
    else e.thenReceive = from;
  }
  return e;
}

/** Install the system-call hooks when `--trace syscalls` or `--trace putchar` asks for them (no hooks otherwise). */
export function traceSyscalls(k: KernelState, spec: Spec, now: () => number, tracing: Tracing): void {
  const syscalls = tracing.has('syscalls');
  const putchar = tracing.has('putchar');
  if (!syscalls && !putchar) return;
  const words = cspaceWords(spec);
  let pending: SyscallTraceEvent | undefined;
  k.trace.syscall = (t, call) => {
    const isPutChar = call.kind === 'debug' && call.syscall === Syscall.DebugPutChar;
    pending = (isPutChar ? putchar : syscalls) ? entryEvent(k, t, call, words.get(t.name), now()) : undefined;
  };
  k.trace.syscallDone = (t, call, failure) => {
    if (!pending) return;
    const e = pending;
    pending = undefined;
    if (e.char === undefined) {
      const s = call.kind === 'unknown' ? undefined : call.syscall;
      e.result = describeOutcome({ failure, state: t.state, isCall: s === Syscall.Call, blockingSend: s === Syscall.Call || s === Syscall.Send, unknown: call.kind === 'unknown' });
    }
    tracing.write(`${formatSyscallEvent(e)}\n`);
  };
}
