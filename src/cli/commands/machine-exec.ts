import { readFileSync } from 'node:fs';
import { runLinuxUser } from '../../machine/linux-user.js';
import { UsageError, type Io } from '../io.js';
import { classifyContent } from '../read-input.js';

export interface ExecCommandOptions {
  stats?: boolean;
  maxInstructions?: string;
  traceSyscalls?: boolean;
  /** commander's --no-jit */
  jit?: boolean;
}

/** Exit status for a program that could not be started (like a shell's 126). */
const EXIT_CANNOT_EXECUTE = 126;

/**
 * `sel4ts machine exec prog.elf [args…]`: run a static AArch64 Linux program on the CPU model
 * alone. Stdout is the program's; the exit status is the program's (128 + signal on a fault).
 */
export function machineExecCommand(elf: string, args: string[], opts: ExecCommandOptions, io: Io & { stdoutBytes?: (b: Uint8Array) => void }): number {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(elf));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read '${elf}': ${code === 'ENOENT' ? 'no such file' : String(code)}`);
  }
  let limit: number | undefined;
  if (opts.maxInstructions !== undefined) {
    limit = Number(opts.maxInstructions);
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new UsageError(`--max-instructions takes a positive integer, not '${opts.maxInstructions}'`);
  }
  const decoder = new TextDecoder();
  const t0 = performance.now();
  const result = runLinuxUser(bytes, {
    argv: [elf, ...args],
    stdout: (b) => (io.stdoutBytes ? io.stdoutBytes(b) : io.stdout(decoder.decode(b))),
    stderr: (b) => io.stderr(decoder.decode(b)),
    ...(limit !== undefined ? { maxInstructions: limit } : {}),
    ...(opts.jit === false ? { jit: 'off' as const } : {}),
    ...(opts.traceSyscalls ? { onSyscall: (nr: number, r: number) => io.stderr(`[syscall ${nr} = ${r}]\n`) } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (opts.stats) {
    const mips = result.instructions / seconds / 1e6;
    io.stderr(`sel4ts: instructions: ${result.instructions}, time: ${seconds.toFixed(3)} s, ${mips.toFixed(1)} MIPS\n`);
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
      return 124;
    case 'fault':
      io.stderr(`sel4ts: '${elf}' stopped: ${o.message}\n`);
      return 128 + o.signal;
  }
}
