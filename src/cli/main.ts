import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { BOARDS } from '../abi/boards.js';
import { buildCommand } from './commands/build.js';
import { checkCommand } from './commands/check.js';
import { graphCommand } from './commands/graph.js';
import { runCommand } from './commands/run.js';
import { machineExecCommand } from './commands/machine-exec.js';
import { microkitCommand } from './commands/microkit.js';
import { sdkCommand } from './commands/sdk.js';
import { installNodeHost } from './node-host.js';
import { playgroundCommand } from './commands/playground.js';
import { suggest } from '../parser/sdf/suggest.js';
import { EXIT_BROKEN_PIPE, EXIT_FAULT, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT_MISMATCH, EXIT_TIME_LIMIT, EXIT_USAGE, InputError, UsageError, internalErrorText, processIo, type Io } from './io.js';

const VERSION = '0.1.0';

const RUN_EXIT_STATUSES = `
Exit status:
  ${EXIT_OK}    ok: the system is idle with nothing pending, or --until's text appeared
  ${EXIT_INPUT}    bad input: the description does not build, or the image is broken
  ${EXIT_USAGE}    usage error
  ${EXIT_INTERNAL}    internal error (a bug in sel4ts)
  ${EXIT_FAULT}    a PD faulted and no PD of the system handles the fault (the monitor reported it),
       or the kernel stopped the system; --allow-faults accepts faults
  ${EXIT_TIME_LIMIT}    the virtual time limit (--max-time) ran out
  ${EXIT_OUTPUT_MISMATCH}    the console output differs from --expect's file, or --until's text never appeared
  ${EXIT_INTERRUPTED}  interrupted by Ctrl-C (SIGINT); --stats and --summary-json still come out
  ${EXIT_BROKEN_PIPE}  standard output was closed by its reader (sel4ts run … | head), as SIGPIPE would end it
`;

const GRAPH_HELP = `
Drawn from the description by the rules build checks the capabilities against, or, with
--search-path where the programs are, from the capabilities of the build (stderr says which).
PDs are boxes (children inside their parent's), memory regions cylinders, IRQs tags; edges:
notifications (blue), PPCs (green, to the callee), mappings (grey, with rights), IRQs
(orange), faults (purple, child to parent), caps (brown). Errors are red and dashed.
Exit status: as check's (0 valid, 1 errors: the graph is still written, 2 usage error).
`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function program(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('sel4ts').description('Validate, build and run seL4 Microkit system descriptions').version(VERSION).exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).enablePositionalOptions();

  cmd
    .command('check')
    .description('validate system descriptions (.system/.xml, .yaml or .json) and report every problem')
    .argument('<systems...>', 'the system descriptions, or directories to search for .system files')
    .option('--board <board>', 'the board whose kernel configuration applies (default: qemu_virt_aarch64)')
    .option('--config <config>', 'debug, release, benchmark, or smp-… (default: debug)')
    .option('--kernel-config <file.json>', 'a kernel configuration instead of a board (see README)')
    .option('--search-path <dir>', 'a directory to search for prefill files (repeatable)', collect, [])
    .option('--policy <file>', 'check an architecture policy, YAML or JSON (repeatable; see docs/policies.md)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github', 'microkit']).default('text'))
    .action((systems: string[], opts: Record<string, unknown>) => {
      setExit(checkCommand(systems, opts, io));
    });

  const buildOptions = (c: Command) =>
    c
      .option('--board <board>', `the board (default: qemu_virt_aarch64, the only one sel4ts runs)`)
      .option('--config <config>', 'debug or release (default: debug)')
      .option('--search-path <dir>', 'a directory to search for program images and prefill files (repeatable)', collect, [])
      .addOption(new Option('--format <format>', 'how to print diagnostics and faults').choices(['text', 'json', 'github', 'microkit']).default('text'));

  buildOptions(cmd.command('build').description('build a boot image and a report from a system description').argument('<system>', 'the system description'))
    .option('-o, --output <image>', 'the boot image to write (default: loader.img)')
    .option('-r, --report <file>', 'the text report to write (default: report.txt)')
    .option('--report-json <file>', 'also write the report as JSON (schemas/report.schema.json)')
    .option('--spec-json <file>', 'also write the Spec (every object and cap) and the allocation plan as JSON')
    .option('--capdl <file>', 'also write the Spec as capDL-style text')
    .option('--policy <file>', "check an architecture policy on the Spec's capabilities, YAML or JSON (repeatable; see docs/policies.md)", collect, [])
    .action((system: string, opts: Record<string, unknown>) => {
      setExit(buildCommand(system, opts, io));
    });

  buildOptions(cmd.command('run').description('build (or read) a boot image and run it on the machine and kernel models').argument('<system>', 'a system description or a boot image'))
    .option('--max-time <time>', 'stop after this much virtual time (default: 1s; e.g. 500ms, 10s)')
    .option('--until <text>', 'stop with success once the console has printed this text')
    .option('--input <text|file|->', 'bytes for the UART to receive: a file name, the text itself, or - for standard input, live')
    .option('--input-after <text>', 'hold --input back until the console has printed this text (as a script typing at a prompt)')
    .option('--trace <what>', 'print syscalls, putchar (seL4_DebugPutChar), faults or sched events on stderr (repeatable)', collect, [])
    .option('--trace-file <file>', 'write the --trace lines to this file instead of stderr')
    .option('--stats', 'print per-PD instructions, virtual time, IPCs, signals and faults')
    .option('--no-jit', 'interpret every instruction (no compiled code), for debugging')
    .addOption(tierOption())
    .option('--no-fastpath', "no kernel fast paths: every system call goes through the run loop and seL4's slow path (same results, slower)")
    .option('--allow-faults', 'faults that no PD handles do not fail the run (exit 0 as before)')
    .option('--expect <file>', 'the console output must equal this file; a unified diff on stderr when it does not')
    .option('--summary-json <file>', 'write the outcome, per-PD statistics and every fault as JSON (schemas/run-summary.schema.json)')
    .option('--gdb <[host:]port>', 'serve the GDB remote protocol there (host 127.0.0.1 by default; port 0: any free one); the run waits halted for GDB')
    .option('--gdb-continue', 'with --gdb: run at once; GDB may attach at any time')
    .option('--gdbinit <file>', "with --gdb: write GDB commands that connect (GDB then loads every PD's ELF itself)")
    .option('--drive <spec>', 'a virtio-blk disk: file=PATH[,readonly=on][,snapshot=on][,serial=ID] (raw image; repeatable; writes reach the file when the guest flushes and at the end of the run, never with snapshot=on)', collect, [])
    .option('--virtio-console <chardev>', 'a virtio-console (one port): stdio (output on the console), or file,path=OUT[,input-path=IN]')
    .option(
      '--netdev <spec>',
      "a virtio-net device (repeatable; mac=52:54:00:12:34:56 on any): pcap,in=IN.pcap[,out=OUT.pcap] (frames in at their timestamps as virtual time, frames out captured); stream,server=on|off,addr.type=inet,addr.host=HOST,addr.port=PORT or addr.type=unix,addr.path=PATH (QEMU's -netdev stream: length-prefixed frames over a socket); user[,hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]... (QEMU's user networking: DHCP gives 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3). With stream or user an idle system waits for the host until --max-time, Ctrl-C or SIGTERM",
      collect,
      [],
    )
    .option('--global <property>', "virtio-mmio.force-legacy=false: the modern virtio-mmio layout (version 2) instead of QEMU's default legacy one", collect, [])
    .option('-o, --output <image>', 'also write the boot image it builds')
    .option('-r, --report <file>', 'also write the text report of the build')
    .option('--report-json <file>', 'also write the report as JSON (schemas/report.schema.json)')
    .option('--spec-json <file>', 'also write the Spec and the allocation plan as JSON')
    .option('--capdl <file>', 'also write the Spec as capDL-style text')
    .addHelpText('after', RUN_EXIT_STATUSES)
    .action(async (system: string, opts: Record<string, unknown>) => {
      setExit(await runCommand(system, opts, io));
    });

  cmd
    .command('graph')
    .description('draw who may notify, call, map, handle the faults of and hold caps to whom (dot, mermaid, svg, json)')
    .argument('<system>', 'the system description')
    .addOption(new Option('--format <format>', 'the output format').choices(['dot', 'mermaid', 'svg', 'json']).default('dot'))
    .option('-o, --output <file>', 'write the graph here instead of to standard output')
    .option('--board <board>', 'the board whose kernel configuration applies (default: qemu_virt_aarch64)')
    .option('--config <config>', 'debug, release, benchmark, or smp-… (default: debug)')
    .option('--kernel-config <file.json>', 'a kernel configuration instead of a board (see README)')
    .option('--search-path <dir>', "where the programs are: then the graph is drawn from the build's capabilities (repeatable)", collect, [])
    .option('--policy <file>', 'a policy (YAML or JSON) whose offending paths are marked on the graph (repeatable)', collect, [])
    .addHelpText('after', GRAPH_HELP)
    .action(async (system: string, opts: Record<string, unknown>) => {
      setExit(await graphCommand(system, opts, io));
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
    .option('-E, --env <NAME=VALUE>', "put a variable in the program's environment (repeatable; it is empty otherwise)", collect, [])
    .option('--no-jit', 'interpret every instruction (no compiled code), for debugging')
    .addOption(tierOption())
    .passThroughOptions()
    .action((elf: string, args: string[], opts: Record<string, unknown>) => {
      setExit(machineExecCommand(elf, args, opts, io));
    });

  cmd
    .command('playground')
    .description('serve the web playground (npm run playground builds it): check, draw and run systems in a browser')
    .option('--port <n>', 'the port to listen on (0: any free one)', '8000')
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .option('--dir <folder>', "serve this built playground instead of the package's dist/playground")
    .action(async (opts: Record<string, unknown>) => {
      setExit(await playgroundCommand(opts, io));
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
  cmd
    .command('sdk')
    .description('the Microkit-shaped SDK folder: make MICROKIT_SDK=$(sel4ts sdk --path) MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug')
    .option('--path', 'print only its path')
    .action((opts: { path?: boolean }) => {
      setExit(sdkCommand(opts, io));
    });
  // Parsed by main() itself, as the Microkit tool parses it; listed here for --help.
  cmd.command('microkit').description("the Microkit tool's command line (the SDK's bin/microkit): microkit <system> --board B --config C [--search-path DIR...] [-o loader.img] [-r report.txt] …").helpOption(false);
  helpHints(cmd, 'sel4ts');
  return cmd;
}

/** A usage error ends with the help of the command it was in: `sel4ts run --help`. */
function helpHints(c: Command, path: string): void {
  c.showHelpAfterError(`(for usage: ${path} --help)`);
  for (const sub of c.commands) helpHints(sub, `${path} ${sub.name()}`);
}

const COMMANDS = ['check', 'build', 'graph', 'run', 'machine', 'boards', 'sdk', 'microkit', 'playground', 'help'];

/**
 * The reference tool's spelling, `sel4ts <system> --board B --config C -o IMAGE -r REPORT`,
 * is `sel4ts build <system> …`. A first word that is neither a command nor a file is a typo of
 * one or the other: say which it is closest to.
 */
function referenceSpelling(argv: string[]): string[] {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || COMMANDS.includes(first)) return argv;
  if (existsSync(first)) return ['build', ...argv];
  const guess = suggest(first, [...COMMANDS.filter((c) => c !== 'help'), ...siblingFiles(first)]);
  throw new UsageError(`'${first}' is not a command and no such file exists${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}; run sel4ts --help for the commands`);
}

/** The files next to `path` (in its directory), named as `path` names its directory. */
function siblingFiles(path: string): string[] {
  const dir = dirname(path);
  const prefix = path.slice(0, path.length - basename(path).length);
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => `${prefix}${e.name}`)
      .sort();
  } catch {
    return [];
  }
}

/** Run the command line; returns the exit code. The only place that decides exit codes. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  installNodeHost();
  let code = EXIT_OK;
  try {
    if (argv[0] === 'microkit') return microkitCommand(argv.slice(1), io);
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
    if (e instanceof InputError) {
      io.stderr(`sel4ts: ${e.message}\n`);
      return EXIT_INPUT;
    }
    io.stderr(internalErrorText(e));
    return EXIT_INTERNAL;
  }
}

/** `--tier`: which CPU tier runs hot code, for debugging and measuring (`--no-jit` is `--tier interp`). */
function tierOption(): Option {
  return new Option('--tier <tier>', 'run hot code compiled to WebAssembly (default) or to JavaScript, or interpret everything').choices(['interp', 'js', 'wasm']);
}
