import { readFileSync } from 'node:fs';
import { checkSystemSource } from '../../compiler/check.js';
import { diagnosticFormat, printDiagnostics } from '../diagnostics-output.js';
import { EXIT_INPUT, EXIT_OK, UsageError, type Io } from '../io.js';
import { resolveKernelConfig } from '../kernel-config-option.js';

export interface CheckCommandOptions {
  board?: string;
  config?: string;
  kernelConfig?: string;
  searchPath?: string[];
  format?: string;
}

export function readInput(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UsageError(`cannot read '${path}': ${why}`);
  }
}

/** `sel4ts check`: validate a system description and report every problem. */
export function checkCommand(file: string, opts: CheckCommandOptions, io: Io): number {
  const format = diagnosticFormat(opts.format);
  const config = resolveKernelConfig(opts);
  const text = readInput(file);
  const result = checkSystemSource(file, text, { config, searchPaths: opts.searchPath ?? [] });
  printDiagnostics(result.diagnostics, format, io, `${file}: ${result.ok ? 'ok' : 'invalid'}`);
  return result.ok ? EXIT_OK : EXIT_INPUT;
}
