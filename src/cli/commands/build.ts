import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildSystem, type BuildResult } from '../../compiler/build.js';
import { reportText } from '../../compiler/report/report.js';
import { specToCapdl } from '../../compiler/spec/capdl.js';
import { plural } from '../../util/plural.js';
import { diagnosticFormat, printDiagnostics } from '../diagnostics-output.js';
import { EXIT_INPUT, EXIT_OK, UsageError, type Io } from '../io.js';
import { readInputFor, type InputFile } from '../read-input.js';
import { checkPolicies } from '../../policy/check-policies.js';
import { policyReport, verdictSummary } from '../../policy/evaluate.js';
import { subjectFromSpec } from '../../policy/subject.js';
import { policyLibraries, readPolicyFiles } from '../policy-option.js';

export interface BuildCommandOptions {
  board?: string;
  config?: string;
  searchPath?: string[];
  output?: string;
  report?: string;
  reportJson?: string;
  specJson?: string;
  capdl?: string;
  format?: string;
  policy?: string[];
}

/**
 * Build and print the diagnostics (the description's and the build's, in --format); undefined
 * when the build failed (they were printed).
 */
export function runBuild(file: string, opts: BuildCommandOptions, io: Io, input: InputFile = readInputFor(file, 'build')): Extract<BuildResult, { ok: true }> | undefined {
  const format = diagnosticFormat(opts.format);
  // After the given search paths, the description's own directory (then the current one).
  const searchPaths = [...(opts.searchPath ?? []), dirname(file)];
  const result = buildSystem(file, input.bytes, { board: opts.board, config: opts.config, searchPaths });
  // The text verdict: a description that does not check is invalid; one that does but cannot
  // be built (programs, board, memory) is not built. Warnings alone need no verdict.
  const verdict = result.ok ? undefined : result.check && !result.check.ok ? `${file}: invalid` : `${file}: not built`;
  // Nothing when there is nothing to say (run's stdout is the system's console).
  if (result.diagnostics.length > 0) printDiagnostics(result.diagnostics, format, io, verdict);
  return result.ok ? result : undefined;
}

function write(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new UsageError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** `sel4ts build`: a boot image, a report, and on request the Spec as JSON. */
export function buildCommand(file: string, opts: BuildCommandOptions, io: Io): number {
  const policies = readPolicyFiles(opts.policy);
  const result = runBuild(file, opts, io);
  if (!result) return EXIT_INPUT;
  if (policies.length > 0) {
    // On the Spec's own caps and mappings, so that a bug in the Spec builder cannot hide a violation.
    const checked = checkPolicies(policies, subjectFromSpec(result.spec, result.check.system!), policyLibraries());
    if (checked.diagnostics.length > 0) {
      printDiagnostics(checked.diagnostics, diagnosticFormat(opts.format), io, `${file}: policy violated`);
      return EXIT_INPUT;
    }
    for (const v of checked.verdicts) io.stderr(`${v.policy.file.name}: ${verdictSummary(v)}\n`);
    result.report.policy = checked.verdicts.map(policyReport);
  }
  // Scripts reading --format json always get the one object, empty or not.
  if (result.diagnostics.length === 0 && diagnosticFormat(opts.format) === 'json') printDiagnostics([], 'json', io);
  const output = opts.output ?? 'loader.img';
  write(output, result.image);
  const reportFile = opts.report ?? 'report.txt';
  write(reportFile, reportText(result.report));
  if (opts.reportJson) write(opts.reportJson, `${JSON.stringify(result.report, null, 2)}\n`);
  if (opts.specJson) write(opts.specJson, `${JSON.stringify({ spec: result.spec, plan: result.plan }, null, 2)}\n`);
  if (opts.capdl) write(opts.capdl, specToCapdl(result.spec, result.plan));
  io.stderr(`${file}: built ${output} (${result.image.length} bytes, ${plural(result.spec.objects.length, 'object')}, ${plural(result.spec.pds.length - 1, 'protection domain')}); report in ${reportFile}\n`);
  return EXIT_OK;
}
