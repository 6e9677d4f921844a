import type { BuildResult } from '../../compiler/build.js';
import { reportText } from '../../compiler/report/report.js';
import { specToCapdl } from '../../compiler/spec/capdl.js';
import type { BuildCommandOptions } from '../commands/build.js';
import { writeOutput } from '../write-file.js';

/**
 * `run` takes `build`'s options: when it builds, it writes the files they name (and, unlike
 * `build`, nothing by default).
 */
export function writeBuildOutputs(result: Extract<BuildResult, { ok: true }>, opts: BuildCommandOptions): void {
  if (opts.output) writeOutput(opts.output, result.image);
  if (opts.report) writeOutput(opts.report, reportText(result.report));
  if (opts.reportJson) writeOutput(opts.reportJson, `${JSON.stringify(result.report, null, 2)}\n`);
  if (opts.specJson) writeOutput(opts.specJson, `${JSON.stringify({ spec: result.spec, plan: result.plan }, null, 2)}\n`);
  if (opts.capdl) writeOutput(opts.capdl, specToCapdl(result.spec, result.plan));
}

/** The build options a boot image makes pointless (it is built already), as the user spelled them. */
export function optionsAnImageIgnores(opts: BuildCommandOptions): string[] {
  const given: [string, boolean][] = [
    ['--board', opts.board !== undefined],
    ['--config', opts.config !== undefined],
    ['--search-path', (opts.searchPath ?? []).length > 0],
    ['-o/--output', opts.output !== undefined],
    ['-r/--report', opts.report !== undefined],
    ['--report-json', opts.reportJson !== undefined],
    ['--spec-json', opts.specJson !== undefined],
    ['--capdl', opts.capdl !== undefined],
  ];
  return given.filter(([, g]) => g).map(([name]) => name);
}
