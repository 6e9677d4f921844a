import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelConfig } from '../../abi/kernel-config.js';
import { checkSystemBytes } from '../../compiler/check.js';
import type { ConfigSource } from '../../compiler/config-hints.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { diagnosticJson, summaryLine } from '../../diagnostics/render.js';
import { diagnosticFormat, printDiagnostics, type DiagnosticFormat } from '../diagnostics-output.js';
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, InputError, UsageError, internalErrorText, type Io } from '../io.js';
import { configSource, resolveKernelConfig } from '../kernel-config-option.js';
import { readInputFor } from '../read-input.js';
import { checkPolicies } from '../../policy/check-policies.js';
import { verdictSummary } from '../../policy/evaluate.js';
import { subjectFromDescription } from '../../policy/subject.js';
import type { SourceFile } from '../../diagnostics/source-file.js';
import { policyLibraries, readPolicyFiles } from '../policy-option.js';

export interface CheckCommandOptions {
  board?: string;
  config?: string;
  kernelConfig?: string;
  searchPath?: string[];
  format?: string;
  policy?: string[];
}

/** The command line of one `check`, resolved once for all its files. */
export interface CheckRun {
  format: DiagnosticFormat;
  config: KernelConfig;
  configSource: ConfigSource;
  searchPaths: string[];
  /** With several files, each file's JSON object goes here (printed as one array at the end). */
  jsonEntries: Record<string, unknown>[] | undefined;
  /** The --policy files, checked against every valid description. */
  policies: SourceFile[];
}

/** How one file fared: its exit status and its diagnostics (for the summary line). */
export interface FileVerdict {
  status: typeof EXIT_OK | typeof EXIT_INPUT | typeof EXIT_USAGE | typeof EXIT_INTERNAL;
  diagnostics: Diagnostic[];
}

/**
 * `sel4ts check`: validate system descriptions and report every problem. One file argument
 * prints as it always has; several files (or a directory) are checked in this one process,
 * each as if alone, followed by one summary line, and the exit status is the worst one.
 */
export function checkCommand(args: string[], opts: CheckCommandOptions, io: Io): number {
  const format = diagnosticFormat(opts.format);
  const config = resolveKernelConfig(opts);
  const several = args.length !== 1 || isDirectory(args[0]!);
  const run: CheckRun = { format, config, configSource: configSource(opts), searchPaths: opts.searchPath ?? [], jsonEntries: several && format === 'json' ? [] : undefined, policies: readPolicyFiles(opts.policy) };
  if (!several) return checkOneFile(args[0]!, run, io).status;

  const verdicts: FileVerdict[] = [];
  for (const arg of args) {
    if (!isDirectory(arg)) {
      verdicts.push(checkGuarded(arg, run, io));
      continue;
    }
    const { files, unreadable } = systemFilesUnder(arg);
    for (const d of unreadable) verdicts.push(failed(`cannot read the directory '${d}'`, d, EXIT_USAGE, run, io));
    if (files.length === 0 && unreadable.length === 0) verdicts.push(failed(`'${arg}' is a directory with no .system file in it`, arg, EXIT_USAGE, run, io));
    for (const file of files) verdicts.push(checkGuarded(file, run, io));
  }
  if (run.jsonEntries) io.stdout(`${JSON.stringify(run.jsonEntries, null, 2)}\n`);
  if (format === 'text') io.stderr(`${overallLine(verdicts)}\n`);
  return Math.max(...verdicts.map((v) => v.status));
}

/** Check one file; with several files, a file that cannot be read (or a bug) stops only itself. */
function checkGuarded(file: string, run: CheckRun, io: Io): FileVerdict {
  try {
    return checkOneFile(file, run, io);
  } catch (e) {
    if (e instanceof UsageError) return failed(e.message, file, EXIT_USAGE, run, io);
    if (e instanceof InputError) return failed(e.message, file, EXIT_INPUT, run, io);
    io.stderr(internalErrorText(e, `while checking '${file}'`));
    return failed(undefined, file, EXIT_INTERNAL, run, io);
  }
}

function failed(message: string | undefined, file: string, status: FileVerdict['status'], run: CheckRun, io: Io): FileVerdict {
  if (message !== undefined) io.stderr(`sel4ts: ${message}\n`);
  run.jsonEntries?.push({ file, ok: false, error: message ?? 'internal error (a bug in sel4ts)', diagnostics: [] });
  return { status, diagnostics: [] };
}

/** Read, check and print one file in the chosen format. */
function checkOneFile(file: string, run: CheckRun, io: Io): FileVerdict {
  const input = readInputFor(file, 'check');
  const result = checkSystemBytes(file, input.bytes, { config: run.config, configSource: run.configSource, searchPaths: run.searchPaths });
  // Policies are checked on a valid description only: an invalid one has no flows to speak of.
  const policy = result.ok && result.system && run.policies.length > 0 ? checkPolicies(run.policies, subjectFromDescription(result.system), policyLibraries()) : undefined;
  const ds = [...result.diagnostics, ...(policy?.diagnostics ?? [])];
  const ok = result.ok && !ds.some((d) => d.severity === 'error');
  const verdict = ok ? 'ok' : result.ok ? 'policy violated' : 'invalid';
  if (run.jsonEntries) run.jsonEntries.push({ file, ok, diagnostics: ds.map(diagnosticJson) });
  else printDiagnostics(ds, run.format, io, `${file}: ${verdict}`);
  // What each policy that holds proved, one line each (on stderr: stdout is the format's).
  if (policy && run.format !== 'json') for (const v of policy.verdicts) if (v.violations.length === 0) io.stderr(`${v.policy.file.name}: ${verdictSummary(v)}\n`);
  return { status: ok ? EXIT_OK : EXIT_INPUT, diagnostics: ds };
}

/** "3 files: 2 ok, 1 invalid (4 errors, 1 warning)". */
function overallLine(verdicts: FileVerdict[]): string {
  const count = (status: FileVerdict['status']) => verdicts.filter((v) => v.status === status).length;
  const parts = [`${count(EXIT_OK)} ok`, `${count(EXIT_INPUT)} invalid`];
  if (count(EXIT_USAGE) > 0) parts.push(`${count(EXIT_USAGE)} unreadable`);
  if (count(EXIT_INTERNAL) > 0) parts.push(`${count(EXIT_INTERNAL)} crashed`);
  const n = verdicts.length;
  return `${n} file${n === 1 ? '' : 's'}: ${parts.join(', ')} (${summaryLine(verdicts.flatMap((v) => v.diagnostics))})`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The `.system` files in a directory and its subdirectories, sorted (dot directories and
 * node_modules skipped; symbolic links to directories not followed, so there are no loops),
 * and the directories that could not be read. Other extensions are not taken: .xml/.yaml/.json
 * files in a project are mostly not system descriptions; name those explicitly.
 */
function systemFilesUnder(dir: string): { files: string[]; unreadable: string[] } {
  const files: string[] = [];
  const unreadable: string[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      unreadable.push(d);
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(path);
      } else if (e.name.endsWith('.system') && (e.isFile() || e.isSymbolicLink())) {
        files.push(path);
      }
    }
  };
  walk(dir);
  return { files: files.sort(), unreadable };
}
