import { plural } from '../util/plural.js';
import type { Diagnostic } from './diagnostic.js';
import type { SourceFile, Span } from './source-file.js';

/** Minimal styling hooks, so rendering stays testable without a terminal. */
export interface Style {
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
}

export const PLAIN: Style = { bold: (s) => s, red: (s) => s, yellow: (s) => s, cyan: (s) => s, dim: (s) => s };

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function position(file: SourceFile | undefined, span: Span | undefined): Position {
  if (!file || !span) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
  const s = file.locate(span.start);
  const e = file.locate(Math.max(span.start, span.end));
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

/** A code frame: the line, a gutter, and a caret under the span (first line of it only). */
function codeFrame(file: SourceFile, span: Span, style: Style, colour: (s: string) => string): string {
  const p = position(file, span);
  const text = file.lineText(p.line).replace(/\t/g, ' ');
  const gutter = String(p.line).length;
  const width = p.endLine === p.line ? Math.max(1, p.endColumn - p.column) : Math.max(1, [...text].length - p.column + 1);
  const pad = ' '.repeat(gutter);
  return [`${pad} ${style.dim('|')}`, `${style.dim(String(p.line))} ${style.dim('|')} ${text}`, `${pad} ${style.dim('|')} ${' '.repeat(p.column - 1)}${colour('^'.repeat(width))}`].join('\n');
}

/** `file:line:col: error[code]: message`, a code frame, notes and a hint. */
export function renderText(d: Diagnostic, style: Style): string {
  const p = position(d.file, d.span);
  const colour = d.severity === 'error' ? style.red : style.yellow;
  const where = d.file ? `${d.file.name}:${p.line}:${p.column}: ` : '';
  const out = [`${style.bold(where)}${colour(style.bold(`${d.severity}[${d.code}]`))}: ${style.bold(d.message)}`];
  if (d.file && d.span) out.push(codeFrame(d.file, d.span, style, colour));
  for (const n of d.notes) {
    if (n.file && n.span) {
      const np = position(n.file, n.span);
      out.push(`  ${style.cyan('= note')}: ${n.message} (${n.file.name}:${np.line}:${np.column})`);
    } else {
      out.push(`  ${style.cyan('= note')}: ${n.message}`);
    }
  }
  if (d.reference !== undefined) {
    const firstLine = d.reference.split('\n')[0]!;
    out.push(`  ${style.dim('= microkit')}: ${style.dim(firstLine)}`);
  }
  if (d.hint !== undefined) out.push(`  ${style.cyan('= hint')}: ${d.hint}`);
  return out.join('\n');
}

export function summaryLine(diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/**
 * The JSON object of `--format json`: one per diagnostic. A diagnostic that is about no file
 * (the board, the monitor program) has null for the file and the position.
 */
export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  const p = position(d.file, d.span);
  const at = (n: number) => (d.file ? n : null);
  const out: Record<string, unknown> = {
    severity: d.severity,
    code: d.code,
    message: d.reference ?? d.message,
    summary: d.message,
    file: d.file?.name ?? null,
    line: at(p.line),
    column: at(p.column),
    endLine: at(p.endLine),
    endColumn: at(p.endColumn),
    notes: d.notes.map((n) => {
      const np = position(n.file, n.span);
      return n.file && n.span ? { message: n.message, file: n.file.name, line: np.line, column: np.column } : { message: n.message };
    }),
    hint: d.hint ?? null,
  };
  if (d.reference !== undefined) out.reference = d.reference;
  return out;
}

/** The escapes of a workflow command: its message, or (`property`) a property value. */
export function escapeGithub(s: string, property: boolean): string {
  let r = s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  if (property) r = r.replace(/:/g, '%3A').replace(/,/g, '%2C');
  return r;
}

/** A GitHub Actions workflow command, so errors show up as annotations on the file. */
export function renderGithub(d: Diagnostic): string {
  const p = position(d.file, d.span);
  // Without a file the annotation is the workflow's own, with no position.
  const where = d.file ? [`file=${escapeGithub(d.file.name, true)}`, `line=${p.line}`, `col=${p.column}`, `endLine=${p.endLine}`, `endColumn=${p.endColumn}`] : [];
  const props = [...where, `title=${escapeGithub(d.code, true)}`];
  const text = d.hint !== undefined ? `${d.message} (hint: ${d.hint})` : d.message;
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeGithub(text, false)}`;
}

/**
 * What the reference Microkit tool prints: the warnings it would print before stopping (on
 * stdout) and its first error (on stderr). Diagnostics it has no text for are worded ours.
 */
export function renderMicrokit(diagnostics: Diagnostic[]): { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  for (const d of diagnostics) {
    if (d.severity === 'error') {
      return { stdout, stderr: [d.reference ?? `Error: ${d.message}`] };
    }
    if (d.reference !== undefined) stdout.push(d.reference);
  }
  return { stdout, stderr: [] };
}
