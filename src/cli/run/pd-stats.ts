import type { Spec } from '../../compiler/spec/types.js';
import type { TcbObject } from '../../kernel/objects.js';

/** What `--stats` prints and `--summary-json` holds for one protection domain. */
export interface PdStats {
  name: string;
  instructions: number;
  /** Virtual time it ran, in ns (one instruction per cycle at 1 GHz). */
  timeNs: number;
  syscalls: number;
  ipcs: number;
  signals: number;
  faults: number;
}

/**
 * Per-PD instruction counts: each switch (KernelTrace.switchTo) charges the instructions
 * retired since the one before to the thread that ran them, under its name at the time. The
 * tally is kept per TCB (a map keyed by the object: no string hashing on a switch); a thread
 * that renamed itself starts a new tally, so counts are summed by name when asked.
 */
export class InstructionCounter {
  private readonly tallies = new Map<TcbObject, { name: string; n: number }>();
  private readonly renamed: { name: string; n: number }[] = [];
  private current: TcbObject | undefined;
  private since = 0;

  constructor(private readonly icount: () => number) {}

  switchTo(t: TcbObject | undefined): void {
    this.charge();
    this.current = t;
  }

  /** Charge the running thread up to now (at the end of a run). */
  charge(): void {
    const now = this.icount();
    const t = this.current;
    if (t) {
      let tally = this.tallies.get(t);
      if (tally?.name !== t.name) {
        if (tally) this.renamed.push(tally);
        tally = { name: t.name, n: 0 };
        this.tallies.set(t, tally);
      }
      tally.n += now - this.since;
    }
    this.since = now;
  }

  of(name: string): number {
    let n = 0;
    for (const tally of [...this.tallies.values(), ...this.renamed]) if (tally.name === name) n += tally.n;
    return n;
  }
}

/** One row per PD of the Spec (Microkit's order, the monitor last). */
export function pdStats(spec: Spec, tcbs: readonly TcbObject[], counter: InstructionCounter): PdStats[] {
  return spec.pds.map((pd) => {
    const s = tcbs.find((x) => x.name === pd.name)?.stats ?? { syscalls: 0, ipcs: 0, signals: 0, faults: 0 };
    const n = counter.of(pd.name);
    return { name: pd.name, instructions: n, timeNs: n, syscalls: s.syscalls, ipcs: s.ipcs, signals: s.signals, faults: s.faults };
  });
}

// (Io's stderr alone: the playground uses this file in a browser, where there is no process for Io.)
export function printStats(io: { stderr(text: string): void }, rows: readonly PdStats[], cycles: number): void {
  io.stderr(`\n${'protection domain'.padEnd(24)}${'instructions'.padStart(14)}${'time (ms)'.padStart(12)}${'syscalls'.padStart(10)}${'IPCs'.padStart(8)}${'signals'.padStart(9)}${'faults'.padStart(8)}\n`);
  for (const r of rows) {
    io.stderr(`${r.name.padEnd(24)}${String(r.instructions).padStart(14)}${(r.timeNs / 1e6).toFixed(3).padStart(12)}${String(r.syscalls).padStart(10)}${String(r.ipcs).padStart(8)}${String(r.signals).padStart(9)}${String(r.faults).padStart(8)}\n`);
  }
  io.stderr(`${'total virtual time'.padEnd(24)}${''.padStart(14)}${(cycles / 1e6).toFixed(3).padStart(12)}\n`);
}
