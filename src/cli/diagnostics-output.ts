import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnosticJson, renderGithub, renderMicrokit, renderText, summaryLine } from '../diagnostics/render.js';
import { styleFor, UsageError, type Io } from './io.js';

/**
 * How every command prints diagnostics (`--format`): check, build and run share this, so a
 * problem looks the same whichever command found it.
 */

const DIAGNOSTIC_FORMATS = ['text', 'json', 'github', 'microkit'] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

export function diagnosticFormat(value: string | undefined): DiagnosticFormat {
  const format = value ?? 'text';
  if (!(DIAGNOSTIC_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown --format '${value}' (text, json, github or microkit)`);
  return format as DiagnosticFormat;
}

/**
 * Print diagnostics in a format:
 * - text: each with its code frame on stderr, then `verdict (N errors, M warnings)` when a
 *   verdict is given;
 * - json: one object `{ "diagnostics": [...] }` on stdout;
 * - github: one workflow command a line on stdout;
 * - microkit: what the reference tool prints (warnings on stdout, its first error on stderr).
 */
export function printDiagnostics(ds: Diagnostic[], format: DiagnosticFormat, io: Io, verdict?: string): void {
  switch (format) {
    case 'json':
      io.stdout(`${JSON.stringify({ diagnostics: ds.map(diagnosticJson) }, null, 2)}\n`);
      break;
    case 'github':
      for (const d of ds) io.stdout(`${renderGithub(d)}\n`);
      break;
    case 'microkit': {
      const { stdout, stderr } = renderMicrokit(ds);
      for (const l of stdout) io.stdout(`${l}\n`);
      for (const l of stderr) io.stderr(`${l}\n`);
      break;
    }
    case 'text': {
      const style = styleFor(io);
      for (const d of ds) io.stderr(`${renderText(d, style)}\n\n`);
      if (verdict !== undefined) io.stderr(`${verdict} (${summaryLine(ds)})\n`);
      break;
    }
  }
}
