import { basename } from 'node:path';
import { writeOutput } from '../write-file.js';
import type { FaultRecord } from './faults.js';
import type { Outcome } from './outcome.js';
import type { PdStats } from './pd-stats.js';

/**
 * `--summary-json FILE`: the outcome of a run, per-PD statistics and every fault, as one JSON
 * object valid against schemas/run-summary.schema.json. Deterministic: no timestamps, no
 * directories (the system is named by its file name).
 */
export interface RunSummary {
  summary: 'sel4ts run summary';
  version: 1;
  system: string;
  board: string | null;
  config: string | null;
  outcome: Outcome;
  virtualTimeNs: number;
  instructions: number;
  consoleBytes: number;
  protectionDomains: PdStats[];
  faults: FaultJson[];
}

type FaultJson = Omit<FaultRecord, 'address'> & { address?: string };

export interface SummaryInput {
  file: string;
  board: string | undefined;
  config: string | undefined;
  outcome: Outcome;
  cycles: number;
  instructions: number;
  consoleBytes: number;
  pds: PdStats[];
  faults: readonly FaultRecord[];
}

export function runSummary(s: SummaryInput): RunSummary {
  return {
    summary: 'sel4ts run summary',
    version: 1,
    system: basename(s.file),
    board: s.board ?? null,
    config: s.config ?? null,
    outcome: s.outcome,
    virtualTimeNs: s.cycles,
    instructions: s.instructions,
    consoleBytes: s.consoleBytes,
    protectionDomains: s.pds,
    // JSON has no undefined: a fault without an address has no "address" key.
    faults: s.faults.map(({ address, ...rest }) => (address === undefined ? rest : { ...rest, address })),
  };
}

export function writeSummary(path: string, summary: RunSummary): void {
  writeOutput(path, `${JSON.stringify(summary, null, 2)}\n`);
}
