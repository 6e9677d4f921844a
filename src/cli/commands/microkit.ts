import { existsSync, mkdirSync } from 'node:fs';
import { EXIT_INPUT, EXIT_OK, type Io, UsageError } from '../io.js';
import { MICROKIT_USAGE, microkitHelp, parseMicrokitArgs } from '../microkit-args.js';
import { buildCommand } from './build.js';
import { microkitSdkBoards } from './sdk.js';

/**
 * `sel4ts microkit …` (what the SDK's `bin/microkit` runs): the Microkit 2.3 tool's command line,
 * building the image `sel4ts run` runs. Options sel4ts cannot honour as the Microkit tool does are
 * accepted with a note on stderr, never refused: Makefiles pass them unconditionally. Every error
 * exits 1, as the Microkit tool's do.
 */
export function microkitCommand(argv: readonly string[], io: Io): number {
  const sdk = microkitSdkBoards();
  const args = parseMicrokitArgs(argv, sdk);
  const error = (message: string): number => {
    io.stderr(`microkit: error: ${message}\n`);
    return EXIT_INPUT;
  };
  const note = (message: string): void => io.stderr(`microkit: note: ${message}\n`);
  if ('kind' in args) {
    if (args.kind === 'help') {
      io.stdout(microkitHelp(sdk.boards));
      return EXIT_OK;
    }
    if (args.usage) io.stdout(`${MICROKIT_USAGE}\n`);
    return error(args.message);
  }
  if (args.overrideKernel !== undefined && !existsSync(args.overrideKernel)) return error(`kernel ELF '${args.overrideKernel}' does not exist`);
  if (!existsSync(args.system)) return error(`system description file '${args.system}' does not exist`);
  // The Microkit tool's refusal, word for word: a U-Boot image is for RISC-V only.
  if (args.imageType === 'uimage') return error(`building the output image as 'uimage' is unsupported for target architecture 'aarch64'`);

  if (args.overrideKernel !== undefined) note(`--override-kernel: sel4ts runs its own model of the seL4 kernel; '${args.overrideKernel}' is not used`);
  if (args.imageType === 'elf') note(`--image-type elf: sel4ts writes its own boot image (docs/image-format.md), which 'sel4ts run ${args.output}' runs, not an ELF`);
  if (args.capdlJson !== undefined) note(`--capdl-json: '${args.capdlJson}' is sel4ts's Spec and allocation plan as JSON (sel4ts build --spec-json), not the capDL initialiser's format`);

  // The Microkit tool searches the given paths, then the current directory (sel4ts adds the
  // description's own directory after them).
  let code: number;
  try {
    code = buildCommand(args.system, { board: args.board, config: args.config, searchPath: [...args.searchPaths, io.cwd], output: args.output, report: args.report, specJson: args.capdlJson, format: 'microkit' }, io);
  } catch (e) {
    // An output that cannot be written: the Microkit tool's exit status, not sel4ts's usage error.
    if (e instanceof UsageError) return error(e.message);
    throw e;
  }
  if (code !== EXIT_OK) return code;
  if (args.viperOutput !== undefined) {
    try {
      mkdirSync(args.viperOutput, { recursive: true });
    } catch (e) {
      return error(`cannot write Viper output directory ${args.viperOutput}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    note(`--viper-output: sel4ts does not write Viper (.vpr) descriptions; '${args.viperOutput}' is left empty`);
  }
  return EXIT_OK;
}
