import { Command, CommanderError, Option } from 'commander';
import { BOARDS } from '../abi/boards.js';
import { buildCommand } from './commands/build.js';
import { checkCommand } from './commands/check.js';
import { runCommand } from './commands/run.js';
import { machineExecCommand } from './commands/machine-exec.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, processIo, type Io } from './io.js';

const VERSION = '0.1.0';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function program(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('sel4ts')
    .description('Validate, build and run seL4 Microkit system descriptions')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run sel4ts --help for usage)')
    .enablePositionalOptions();

  cmd
    .command('check')
    .description('validate a system description (.system/.xml, .yaml or .json) and report every problem')
    .argument('<system>', 'the system description')
    .option('--board <board>', 'the board whose kernel configuration applies (default: qemu_virt_aarch64)')
    .option('--config <config>', 'debug, release, benchmark, or smp-… (default: debug)')
    .option('--kernel-config <file.json>', 'a kernel configuration instead of a board (see README)')
    .option('--search-path <dir>', 'a directory to search for prefill files (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github', 'microkit']).default('text'))
    .action((system: string, opts: Record<string, unknown>) => {
      setExit(checkCommand(system, opts, io));
    });

  const buildOptions = (c: Command) =>
    c
      .option('--board <board>', `the board (default: qemu_virt_aarch64, the only one sel4ts runs)`)
      .option('--config <config>', 'debug or release (default: debug)')
      .option('--search-path <dir>', 'a directory to search for program images and prefill files (repeatable)', collect, []);

  buildOptions(
    cmd
      .command('build')
      .description('build a boot image and a report from a system description')
      .argument('<system>', 'the system description'),
  )
    .option('-o, --output <image>', 'the boot image to write (default: loader.img)')
    .option('-r, --report <file>', 'the text report to write (default: report.txt)')
    .option('--report-json <file>', 'also write the report as JSON (schemas/report.schema.json)')
    .option('--spec-json <file>', 'also write the Spec (every object and cap) and the allocation plan as JSON')
    .option('--capdl <file>', 'also write the Spec as capDL-style text')
    .action((system: string, opts: Record<string, unknown>) => {
      setExit(buildCommand(system, opts, io));
    });

  buildOptions(
    cmd
      .command('run')
      .description('build (or read) a boot image and run it on the machine and kernel models')
      .argument('<system>', 'a system description or a boot image'),
  )
    .option('--max-time <time>', 'stop after this much virtual time (default: 1s; e.g. 500ms, 10s)')
    .option('--until <text>', 'stop with success once the console has printed this text')
    .option('--input <text|file|->', 'bytes for the UART to receive: a file name, the text itself, or - for standard input, live')
    .option('--trace <what>', 'print syscalls, faults or sched events on stderr (repeatable)', collect, [])
    .option('--stats', 'print per-PD instructions, virtual time, IPCs, signals and faults')
    .option('--no-jit', 'interpret every instruction (no compiled code), for debugging')
    .action(async (system: string, opts: Record<string, unknown>) => {
      setExit(await runCommand(system, opts, io));
    });

  const machine = cmd.command('machine').description('run programs on the AArch64 machine model alone');
  machine
    .command('exec')
    .description('run a static AArch64 Linux executable on the CPU model (like qemu-aarch64)')
    .argument('<elf>', 'the program')
    .argument('[args...]', 'its arguments')
    .option('--stats', 'print retired instructions and MIPS on stderr')
    .option('--max-instructions <n>', 'stop after this many instructions')
    .option('--trace-syscalls', 'print each system call on stderr')
    .option('-E, --env <NAME=VALUE>', 'put a variable in the program\'s environment (repeatable; it is empty otherwise)', collect, [])
    .option('--no-jit', 'interpret every instruction (no compiled code), for debugging')
    .passThroughOptions()
    .action((elf: string, args: string[], opts: Record<string, unknown>) => {
      setExit(machineExecCommand(elf, args, opts, io));
    });

  cmd
    .command('boards')
    .description('list the boards and their kernel configurations')
    .action(() => {
      for (const b of BOARDS) {
        const c = b.config;
        const smp = b.smpCores !== undefined ? `, smp ${b.smpCores}` : '';
        io.stdout(`${b.name.padEnd(24)} ${c.arch.padEnd(8)} hyp ${c.hypervisor ? 'on ' : 'off'} top 0x${c.vspaceUserTop.toString(16)}${smp}  ${b.description}\n`);
      }
      setExit(EXIT_OK);
    });
  return cmd;
}

const COMMANDS = new Set(['check', 'build', 'run', 'machine', 'boards', 'help']);

/**
 * The reference tool's spelling, `sel4ts <system> --board B --config C -o IMAGE -r REPORT`,
 * is `sel4ts build <system> …`.
 */
function referenceSpelling(argv: string[]): string[] {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || COMMANDS.has(first)) return argv;
  // Only what looks like a description; anything else stays an unknown command.
  return /\.(system|xml|ya?ml|json)$/i.test(first) ? ['build', ...argv] : argv;
}

/** Run the command line; returns the exit code. The only place that decides exit codes. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = EXIT_OK;
  try {
    await program(io, (c) => (code = c)).parseAsync(referenceSpelling(argv), { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      io.stderr(`sel4ts: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.stderr(`sel4ts: internal error: this is a bug in sel4ts, please report it with the input that caused it.\n${detail}\n`);
    return EXIT_INTERNAL;
  }
}
