import { sourceLineAt } from '../../compiler/elf/line-table.js';
import type { Spec } from '../../compiler/spec/types.js';
import { FAULT_NAMES, FaultType } from '../../kernel/faults.js';
import type { TcbObject } from '../../kernel/objects.js';
import { SYSCALL_NAMES } from '../../kernel/syscalls.js';

/**
 * The faults of a run, as `run` reports them (stderr, --summary-json, --format github), and
 * which of them fail the run.
 *
 * Microkit gives every PD a fault endpoint: a top-level PD's is the monitor's, which prints a
 * report and never replies (the PD stays blocked); a child's is its parent's, whose `fault()`
 * entry point decides (restart, stop, reply). The kernel's `handled` only says that the thread
 * has a fault endpoint, so whether a PD of the system handles the fault depends on who is
 * behind it: the parent does, the monitor does not.
 */
export interface FaultRecord {
  pd: string;
  /** seL4's name of the fault type, e.g. seL4_Fault_VMFault. */
  kind: string;
  /** The kernel's description of it (print_fault). */
  description: string;
  /** The faulting address, for VM and capability faults. */
  address: string | undefined;
  pc: string;
  /** symbol+offset at the pc, when the program has symbols. */
  function: string | null;
  /** `file:line` at the pc, when the program has a DWARF line table there (Spec.lines). */
  sourceLine: string | null;
  /** Who receives the fault message: the parent PD, 'monitor', or null (no fault handler: the kernel stops the thread). */
  handler: string | null;
  /** True when a PD of the system handles it in fault(): then it is not a failure. */
  handled: boolean;
  /** Virtual time of the fault in ns (cycles at 1 GHz). */
  timeNs: number;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/** What `run` knows about a fault as the kernel delivers it (KernelTrace.fault). */
export function faultRecord(spec: Spec, t: TcbObject, pc: bigint, description: string, hasHandler: boolean, timeNs: number): FaultRecord {
  const pd = spec.pds.find((p) => p.name === t.name);
  const handler = !hasHandler ? null : (pd?.parent ?? 'monitor');
  const f = t.fault;
  const address = f?.type === FaultType.VMFault || f?.type === FaultType.CapFault ? hex(f.address) : undefined;
  return {
    pd: t.name || '?',
    kind: f ? (FAULT_NAMES[f.type] ?? `fault type ${f.type}`) : 'seL4_Fault_NullFault',
    description,
    address,
    pc: hex(pc),
    function: symbolAt(spec, t.name, pc) ?? null,
    sourceLine: sourceLineOf(spec, t.name, pc) ?? null,
    handler,
    handled: handler !== null && handler !== 'monitor',
    timeNs,
  };
}

/** The stderr line for a fault: PD, description, pc, function, source line, and a hint for a likely mistake. */
export function faultLine(r: FaultRecord, t: TcbObject, spec: Spec): string {
  const source = sourcePlace(r);
  return `${r.pd}: ${r.description} at pc ${r.pc}${r.function ? ` (${r.function})` : ''}${source ? ` ${source}` : ''}${debugCallHint(t, spec)}`;
}

/** `at writer.c:27 in notified`: the source line and the function, when the line is known. */
export function sourcePlace(r: FaultRecord): string | undefined {
  if (r.sourceLine === null) return undefined;
  const fn = r.function?.replace(/\+0x[0-9a-f]+$/, '');
  return `at ${r.sourceLine}${fn ? ` in ${fn}` : ''}`;
}

/** A debug system call on a release kernel is an unknown syscall: say what probably happened. */
function debugCallHint(t: TcbObject, spec: Spec): string {
  const f = t.fault;
  if (spec.config !== 'release' || f?.type !== FaultType.UnknownSyscall) return '';
  const name = SYSCALL_NAMES[Number(BigInt.asIntN(64, f.number))];
  return name?.startsWith('Debug') ? `; seL4_${name} exists only in debug kernels: was the program built for the debug configuration?` : '';
}

function sourceLineOf(spec: Spec, pd: string, pc: bigint): string | undefined {
  const table = spec.lines[pd];
  const at = table && pc <= BigInt(Number.MAX_SAFE_INTEGER) ? sourceLineAt(table, Number(pc)) : undefined;
  return at && `${at.file}:${at.line}`;
}

function symbolAt(spec: Spec, pd: string, pc: bigint): string | undefined {
  const table = spec.symbols[pd];
  if (!table) return undefined;
  const at = Number(pc);
  const s = table.find((x) => at >= x.value && at < x.value + x.size);
  if (!s) return undefined;
  return at === s.value ? s.name : `${s.name}+0x${(at - s.value).toString(16)}`;
}
