import type { DiagnosticCode } from './codes.js';
import type { SourceFile, Span } from './source-file.js';

export type Severity = 'error' | 'warning';

/** A secondary location that explains a diagnostic ("first defined here"). */
export interface Note {
  message: string;
  file?: SourceFile;
  span?: Span;
}

/**
 * One problem found in the user's input. Diagnostics are values: phases collect them and go
 * on; only `cli/` prints them.
 */
export interface Diagnostic {
  severity: Severity;
  /** Stable identifier, `<entity>_<problem>`; see `codes.ts`. */
  code: DiagnosticCode;
  /** Our own wording, one line, without location. */
  message: string;
  /**
   * The exact line the reference Microkit tool prints for this problem, when it has one
   * (including its `Error: ` prefix and its `: file:row:col` suffix).
   */
  reference?: string;
  file?: SourceFile;
  /** Where the problem is: the attribute at fault when there is one, else the element. */
  span?: Span;
  notes: Note[];
  hint?: string;
}

/** Collects diagnostics in the order they are found. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === 'error') n++;
    return n;
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}
