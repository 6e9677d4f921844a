import { checkSystemBytes } from '../../compiler/check.js';
import { diagnosticJson, renderGithub, renderMicrokit, renderText, summaryLine } from '../../diagnostics/render.js';
import { EXIT_INPUT, EXIT_OK, UsageError, styleFor, type Io } from '../io.js';
import { resolveKernelConfig } from '../kernel-config-option.js';
import { readInputFor } from '../read-input.js';

export type CheckFormat = 'text' | 'json' | 'github' | 'microkit';

export interface CheckCommandOptions {
  board?: string;
  config?: string;
  kernelConfig?: string;
  searchPath?: string[];
  format?: string;
}

/** `sel4ts check`: validate a system description and report every problem. */
export function checkCommand(file: string, opts: CheckCommandOptions, io: Io): number {
  const format = (opts.format ?? 'text') as CheckFormat;
  if (!['text', 'json', 'github', 'microkit'].includes(format)) {
    throw new UsageError(`unknown --format '${opts.format}' (text, json, github or microkit)`);
  }
  const config = resolveKernelConfig(opts);
  const input = readInputFor(file, 'check');
  const result = checkSystemBytes(file, input.bytes, { config, searchPaths: opts.searchPath ?? [] });
  const ds = result.diagnostics;
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
      const verdict = result.ok ? `${file}: ok` : `${file}: invalid`;
      io.stderr(`${verdict} (${summaryLine(ds)})\n`);
      break;
    }
  }
  return result.ok ? EXIT_OK : EXIT_INPUT;
}
