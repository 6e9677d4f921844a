/**
 * The command line of the Microkit 2.3 tool (`microkit SYSTEM --board B --config C …`, its
 * tool/microkit/src/argparse.rs), parsed as that tool parses it, so `bin/microkit` of the
 * Microkit-shaped SDK accepts exactly what Makefiles written for Microkit pass: the same options,
 * defaults, and error wording.
 */

export type MicrokitImageType = 'binary' | 'elf' | 'uimage';

export interface MicrokitArgs {
  system: string;
  board: string;
  config: string;
  /** Default `loader.img`, as the Microkit tool's. */
  output: string;
  /** Default `report.txt`. */
  report: string;
  capdlJson?: string;
  viperOutput?: string;
  searchPaths: string[];
  imageType?: MicrokitImageType;
  overrideKernel?: string;
}

/** Why the command line is refused; `usage` when the Microkit tool prints its usage line first. */
export type MicrokitArgsError = { kind: 'help' } | { kind: 'error'; message: string; usage: boolean };

/** What the SDK holds: the boards, and the configurations of each. */
export interface MicrokitSdkBoards {
  boards: string[];
  configsOf(board: string): string[];
}

export const MICROKIT_USAGE = 'usage: microkit [-h] [OPTIONS] --board BOARD --config CONFIG [--search-path SEARCH_PATH ...] system';

/** The Microkit tool's `--help` text, boards listed as it lists them. */
export function microkitHelp(boards: string[]): string {
  return `${MICROKIT_USAGE}

positional arguments:
  system

options:
  -h, --help, show this help message and exit
  -o, --output OUTPUT
  -r, --report REPORT
  --image-type {binary,elf,uimage}
  --override-kernel KERNEL (for debugging purposes)
  --board ${boards.join('\n          ')}
  --config CONFIG
  --capdl-json CAPDL_SPEC (JSON format)
  --viper-output DIRECTORY_PATH
  --search-path [SEARCH_PATH ...]
`;
}

const IMAGE_TYPES: readonly string[] = ['binary', 'elf', 'uimage'];

export function parseMicrokitArgs(argv: readonly string[], sdk: MicrokitSdkBoards): MicrokitArgs | MicrokitArgsError {
  const fail = (message: string, usage = false): MicrokitArgsError => ({ kind: 'error', message, usage });
  let output = 'loader.img';
  let report = 'report.txt';
  let capdlJson: string | undefined;
  let viperOutput: string | undefined;
  let imageType: MicrokitImageType | undefined;
  let overrideKernel: string | undefined;
  let system: string | undefined;
  let board: string | undefined;
  let config: string | undefined;
  const searchPaths: string[] = [];

  let i = 0;
  // An option's one parameter: the next argument, whatever it looks like (as the Microkit tool).
  const parameter = (): string | undefined => (i < argv.length ? argv[i++] : undefined);
  while (i < argv.length) {
    const arg = argv[i++] as string;
    switch (arg) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '-o':
      case '--output':
      case '-r':
      case '--report':
      case '--config':
      case '--capdl-json':
      case '--viper-output':
      case '--override-kernel':
      case '--board':
      case '--image-type': {
        const name = arg === '-o' ? '--output' : arg === '-r' ? '--report' : arg;
        const value = parameter();
        if (value === undefined) return fail(`argument ${name}: expected one parameter`);
        if (name === '--output') output = value;
        else if (name === '--report') report = value;
        else if (name === '--config') config = value;
        else if (name === '--capdl-json') capdlJson = value;
        else if (name === '--viper-output') viperOutput = value;
        else if (name === '--override-kernel') overrideKernel = value;
        else if (name === '--board') {
          if (!sdk.boards.includes(value)) return fail(`argument --board: unknown parameter '${value}'`);
          board = value;
        } else {
          if (!IMAGE_TYPES.includes(value)) return fail(`argument --image-type: unknown parameter '${value}'`);
          imageType = value as MicrokitImageType;
        }
        break;
      }
      case '--search-path':
        // Every following argument up to the next that starts with '-'.
        while (i < argv.length && !(argv[i] as string).startsWith('-')) searchPaths.push(argv[i++] as string);
        break;
      default:
        if (system !== undefined) return fail(`unrecognized argument '${arg}'`, true);
        system = arg;
    }
  }
  const missing = [board === undefined ? '--board' : '', config === undefined ? '--config' : '', system === undefined ? 'system' : ''].filter((m) => m !== '');
  if (board === undefined || config === undefined || system === undefined) return fail(`the following arguments are required: ${missing.join(', ')}`, true);
  const configs = sdk.configsOf(board);
  if (!configs.includes(config)) return fail(`argument --config: invalid choice '${config}' (choose from: ${configs.join(', ')})`);
  return { system, board, config, output, report, capdlJson, viperOutput, searchPaths, imageType, overrideKernel };
}
