import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildSystem, type BuildResult } from '../../compiler/build.js';
import { reportText } from '../../compiler/report/report.js';
import { specToCapdl } from '../../compiler/spec/capdl.js';
import { renderText, summaryLine } from '../../diagnostics/render.js';
import { EXIT_INPUT, EXIT_OK, styleFor, UsageError, type Io } from '../io.js';
import { readInputFor, type InputFile } from '../read-input.js';

export interface BuildCommandOptions {
  board?: string;
  config?: string;
  searchPath?: string[];
  output?: string;
  report?: string;
  reportJson?: string;
  specJson?: string;
  capdl?: string;
}

/** Build and print the diagnostics and errors; undefined when the build failed (they were printed). */
export function runBuild(file: string, opts: BuildCommandOptions, io: Io, input: InputFile = readInputFor(file, 'build')): Extract<BuildResult, { ok: true }> | undefined {
  // After the given search paths, the description's own directory (then the current one).
  const searchPaths = [...(opts.searchPath ?? []), dirname(file)];
  const result = buildSystem(file, input.bytes, { board: opts.board, config: opts.config, searchPaths });
  const style = styleFor(io);
  const ds = result.check?.diagnostics ?? [];
  for (const d of ds) io.stderr(`${renderText(d, style)}\n\n`);
  if (!result.ok) {
    for (const e of result.errors) io.stderr(`${style.red('error')}: ${e}\n`);
    if (result.check && !result.check.ok) io.stderr(`${file}: invalid (${summaryLine(ds)})\n`);
    return undefined;
  }
  return result;
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
  const result = runBuild(file, opts, io);
  if (!result) return EXIT_INPUT;
  const output = opts.output ?? 'loader.img';
  write(output, result.image);
  const reportFile = opts.report ?? 'report.txt';
  write(reportFile, reportText(result.report));
  if (opts.reportJson) write(opts.reportJson, `${JSON.stringify(result.report, null, 2)}\n`);
  if (opts.specJson) write(opts.specJson, `${JSON.stringify({ spec: result.spec, plan: result.plan }, null, 2)}\n`);
  if (opts.capdl) write(opts.capdl, specToCapdl(result.spec, result.plan));
  io.stderr(`${file}: built ${output} (${result.image.length} bytes, ${result.spec.objects.length} objects, ${result.spec.pds.length - 1} protection domains); report in ${reportFile}\n`);
  return EXIT_OK;
}
