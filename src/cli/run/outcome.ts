import type { RunEnd } from '../../machine/machine.js';
import { EXIT_FAULT, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT_MISMATCH, EXIT_TIME_LIMIT } from '../exit-codes.js';
import { sourcePlace, type FaultRecord } from './faults.js';

/**
 * The verdict of `sel4ts run`, for people and for CI: a status name, its exit code and a
 * sentence. When several apply, the first of this list wins: interrupted, fault, halted,
 * time-limit, output-mismatch, ok.
 */
export type OutcomeStatus = 'ok' | 'fault' | 'halted' | 'time-limit' | 'output-mismatch' | 'interrupted' | 'bad-input';

export interface Outcome {
  status: OutcomeStatus;
  exitCode: number;
  message: string;
}

export const EXIT_CODES: Record<OutcomeStatus, number> = {
  ok: EXIT_OK,
  'bad-input': EXIT_INPUT,
  fault: EXIT_FAULT,
  halted: EXIT_FAULT,
  'time-limit': EXIT_TIME_LIMIT,
  'output-mismatch': EXIT_OUTPUT_MISMATCH,
  interrupted: EXIT_INTERRUPTED,
};

/** What happened in a run, as the outcome needs it. */
export interface RunFacts {
  end: RunEnd;
  interrupted: boolean;
  until: string | undefined;
  untilSeen: boolean;
  /** --max-time as given (or the default). */
  maxTime: string;
  faults: readonly FaultRecord[];
  allowFaults: boolean;
  /** The --expect file, when the console output differs from it. */
  expectMismatch: string | undefined;
}

const outcome = (status: OutcomeStatus, message: string): Outcome => ({ status, exitCode: EXIT_CODES[status], message });

/**
 * seL4_DebugHalt is a program stopping the system on purpose (the kernel model's halt message
 * starts with the call's name); any other halt is the kernel or the machine giving up: an
 * interrupt storm, a kernel halt (SysDebugNameThread on a bad cap), something not modelled.
 */
function isDeliberateHalt(message: string): boolean {
  return message.startsWith('seL4_DebugHalt');
}

export function decideOutcome(f: RunFacts): Outcome {
  const ms = `${(f.end.cycles / 1e6).toFixed(3)} ms`;
  if (f.interrupted) return outcome('interrupted', `interrupted (SIGINT) after ${ms} of virtual time`);
  const failing = f.faults.filter((r) => !r.handled);
  if (failing.length > 0 && !f.allowFaults) {
    const list = failing.map((r) => `${r.pd} (${[`${r.kind} at pc ${r.pc}`, r.function, sourcePlace(r)].filter((x) => x).join(', ')})`).join(', ');
    const n = failing.length === 1 ? 'a fault' : `${failing.length} faults`;
    return outcome('fault', `${n} that no protection domain handles: ${list} (--allow-faults accepts faults)`);
  }
  const halt = f.end.reason === 'halt' && !f.untilSeen ? f.end.message : undefined;
  if (halt !== undefined && !isDeliberateHalt(halt)) return outcome('halted', `the system halted: ${halt}`);
  if (f.end.reason === 'limit') {
    return outcome('time-limit', `the virtual time limit (${f.maxTime}) ran out${f.until !== undefined && !f.untilSeen ? ` before '${f.until}' appeared` : ''}`);
  }
  if (f.until !== undefined && !f.untilSeen) {
    const how = halt !== undefined ? `the system halted (${halt})` : 'the system is idle with nothing pending';
    return outcome('output-mismatch', `${how} and '${f.until}' never appeared`);
  }
  if (f.expectMismatch !== undefined) return outcome('output-mismatch', `the console output differs from ${f.expectMismatch}`);
  if (f.untilSeen) return outcome('ok', `'${f.until}' appeared`);
  return outcome('ok', halt !== undefined ? `the system halted: ${halt}` : 'the system is idle with nothing pending');
}
