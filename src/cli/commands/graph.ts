import { dirname } from 'node:path';
import { buildSystem } from '../../compiler/build.js';
import { checkSystemBytes } from '../../compiler/check.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { graphFromDescription } from '../../graph/from-description.js';
import { graphFromSpec } from '../../graph/from-spec.js';
import { GRAPH_FORMATS, type GraphFormat, renderGraph } from '../../graph/index.js';
import { printDiagnostics } from '../diagnostics-output.js';
import { EXIT_INPUT, EXIT_OK, UsageError, type Io } from '../io.js';
import { configSource, resolveKernelConfig } from '../kernel-config-option.js';
import { readInputFor } from '../read-input.js';
import { writeOutput } from '../write-file.js';
import { checkPolicies } from '../../policy/check-policies.js';
import { offendingPaths } from '../../policy/evaluate.js';
import { subjectFromDescription, subjectFromSpec } from '../../policy/subject.js';
import { marksFromPolicyHops } from '../../graph/policy-marks.js';
import type { MarkedEdge } from '../../graph/marked.js';
import { policyLibraries, readPolicyFiles } from '../policy-option.js';

export interface GraphCommandOptions {
  board?: string;
  config?: string;
  kernelConfig?: string;
  searchPath?: string[];
  format?: string;
  output?: string;
  policy?: string[];
}

/**
 * `sel4ts graph`: the authority graph of a system in dot, mermaid, svg or json, on stdout or in
 * `-o FILE`. It is drawn from the description (by the rules `build` checks the capabilities
 * against), or, with `--search-path` where the programs are, from the capabilities of the build.
 * The check's diagnostics go to stderr as `check` prints them, with the same exit status: a
 * description with errors is still drawn (what is valid of it, the rest marked) but exits 1.
 */
export async function graphCommand(file: string, opts: GraphCommandOptions, io: Io): Promise<number> {
  const format = (opts.format ?? 'dot') as GraphFormat;
  if (!GRAPH_FORMATS.includes(format)) throw new UsageError(`unknown --format '${opts.format}' (${GRAPH_FORMATS.join(', ')})`);
  const config = resolveKernelConfig(opts);
  const policies = readPolicyFiles(opts.policy);
  const input = readInputFor(file, 'check');
  const searchPaths = opts.searchPath ?? [];
  const check = checkSystemBytes(file, input.bytes, { config, configSource: configSource(opts), searchPaths });
  const diagnostics: Diagnostic[] = [...check.diagnostics];
  let graph = graphFromDescription(file, check.system, check.diagnostics);
  let failed = !check.ok;
  let how = 'drawn from the description';
  let subject = check.ok && check.system ? subjectFromDescription(check.system) : undefined;
  if (check.ok && searchPaths.length > 0) {
    // As `build` looks for the programs: the search paths, then the description's directory.
    const built = buildSystem(file, input.bytes, { board: opts.board, config: opts.config, searchPaths: [...searchPaths, dirname(file)] });
    if (built.ok) {
      graph = graphFromSpec(built.spec, graph);
      how = 'drawn from the capabilities of the build';
      if (check.system) subject = subjectFromSpec(built.spec, check.system);
    } else {
      failed = true;
      how = 'drawn from the description: the build failed';
    }
    // (The build checks the description again: its own findings follow the check's.)
    diagnostics.push(...built.diagnostics.slice(built.check?.diagnostics.length ?? 0));
  }
  // --policy: the offending paths are marked on the graph, and the violations reported as by `check`.
  const marked: MarkedEdge[] = [];
  if (policies.length > 0 && subject) {
    const checked = checkPolicies(policies, subject, policyLibraries());
    diagnostics.push(...checked.diagnostics);
    for (const verdict of checked.verdicts) for (const path of offendingPaths(verdict)) marked.push(...marksFromPolicyHops(graph, path.hops));
    if (checked.diagnostics.some((d) => d.severity === 'error')) failed = true;
  }
  const text = await renderGraph(graph, format, marked);
  if (opts.output !== undefined) writeOutput(opts.output, text);
  else io.stdout(text);
  printDiagnostics(diagnostics, 'text', io, `${file}: ${how}${opts.output !== undefined ? ` into ${opts.output}` : ''}`);
  return failed ? EXIT_INPUT : EXIT_OK;
}
