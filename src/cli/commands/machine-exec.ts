import { readFileSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { runLinuxUser } from '../../machine/linux-user.js';
import { nodeHostFiles } from '../linux-host-files.js';
import { formatSyscall } from '../../machine/linux/syscalls.js';
import { UsageError, type Io } from '../io.js';
import { wasmTierStatsLine } from '../wasm-tier-stats.js';
import { classifyContent } from '../read-input.js';

export interface ExecCommandOptions {
  stats?: boolean;
  maxInstructions?: string;
  traceSyscalls?: boolean;
  /** -E NAME=VALUE, repeatable. */
  env?: string[];
  /** commander's --no-jit */
  jit?: boolean;
  /** --tier: the CPU tier for hot code. */
  tier?: 'interp' | 'js' | 'wasm';
}

/** Exit status for a program that could not be started (like a shell's 126). */
const EXIT_CANNOT_EXECUTE = 126;
/** Exit status for a program stopped because it would run or wait forever (like timeout(1)'s 124). */
const EXIT_STOPPED = 124;

/** Standard input for the program: the process's own, read as the program asks (end of input on error). */
function readStdin(max: number): Uint8Array {
  const buf = new Uint8Array(Math.min(max, 65536));
  try {
    return buf.subarray(0, readSync(0, buf, 0, buf.length, null));
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * `sel4ts machine exec prog.elf [args…]`: run a static AArch64 Linux program on the CPU model
 * alone. Stdout is the program's; the exit status is the program's (128 + signal on a fault).
 */
export function machineExecCommand(elf: string, args: string[], opts: ExecCommandOptions, io: Io): number {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(resolve(io.cwd, elf)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read '${elf}': ${code === 'ENOENT' ? 'no such file' : String(code)}`);
  }
  let limit: number | undefined;
  if (opts.maxInstructions !== undefined) {
    limit = Number(opts.maxInstructions);
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new UsageError(`--max-instructions takes a positive integer, not '${opts.maxInstructions}'`);
  }
  for (const e of opts.env ?? []) if (!/^[^=]+=/.test(e)) throw new UsageError(`-E takes NAME=VALUE, not '${e}'`);
  const out = new TextDecoder();
  const err = new TextDecoder();
  const t0 = performance.now();
  const result = runLinuxUser(bytes, {
    argv: [elf, ...args],
    envp: opts.env ?? [],
    stdout: (b) => (io.stdoutBytes ? io.stdoutBytes(b) : io.stdout(out.decode(b, { stream: true }))),
    stderr: (b) => io.stderr(err.decode(b, { stream: true })),
    ...(io.stdin ? { stdin: readStdin } : {}),
    files: nodeHostFiles(io.cwd),
    exePath: resolve(io.cwd, elf),
    warn: (m) => io.stderr(m),
    ...(limit !== undefined ? { maxInstructions: limit } : {}),
    ...(opts.jit === false ? { jit: 'off' as const } : {}),
    ...(opts.tier !== undefined ? { tier: opts.tier } : {}),
    ...(opts.traceSyscalls ? { onSyscall: (e) => io.stderr(`[syscall ${formatSyscall(e)}]\n`) } : {}),
  });
  const rest = out.decode();
  if (rest && !io.stdoutBytes) io.stdout(rest);
  const seconds = (performance.now() - t0) / 1000;
  if (opts.stats) {
    const mips = result.instructions / seconds / 1e6;
    io.stderr(`sel4ts: instructions: ${result.instructions}, time: ${seconds.toFixed(3)} s, ${mips.toFixed(1)} MIPS\n`);
    if (opts.tier === 'wasm' && opts.jit !== false) io.stderr(wasmTierStatsLine());
  }
  const o = result.outcome;
  switch (o.kind) {
    case 'exit':
      return o.code;
    case 'bad-elf': {
      // Say what it is when it is something sel4ts runs another way.
      const kind = classifyContent(bytes).kind;
      const instead = kind === 'image' ? `; it is a sel4ts boot image: run it with \`sel4ts run ${elf}\`` : kind === 'text' ? `; it is text: if it is a system description, run it with \`sel4ts run ${elf}\`` : '';
      io.stderr(`sel4ts: cannot run '${elf}': ${o.message}${instead}\n`);
      return EXIT_CANNOT_EXECUTE;
    }
    case 'limit':
      io.stderr(`sel4ts: '${elf}' did not finish within ${limit} instructions\n`);
      return EXIT_STOPPED;
    case 'deadlock':
      io.stderr(`sel4ts: '${elf}' stopped: it would wait forever: ${o.message}\n`);
      return EXIT_STOPPED;
    case 'fault':
    case 'killed':
      io.stderr(`sel4ts: '${elf}' stopped: ${o.message}\n`);
      return 128 + o.signal;
  }
}
