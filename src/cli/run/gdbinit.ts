import { delimiter, dirname, resolve } from 'node:path';
import { packageFile } from '../package-file.js';
import type { TargetThread } from '../../gdb/target.js';

/**
 * `run --gdb … --gdbinit FILE`: GDB commands that connect to the stub. GDB loads each PD's ELF
 * into the inferior of its process by itself, asking the stub (`qXfer:exec-file:read`). GDB
 * numbers inferiors in the order it meets processes, which is the stub's process order (pid 1
 * first), so inferior N is process N: the file lists them.
 */
export function gdbinitText(address: string, threads: TargetThread[], programs: Map<string, string>): string {
  const lines = [
    '# Written by sel4ts run --gdbinit: gdb-multiarch -x THIS-FILE',
    'set architecture aarch64',
    'set pagination off',
    // All PDs share one CPU: resuming one resumes them all, and GDB must know it (or it keeps
    // stale registers of the PDs it thinks did not run).
    'set schedule-multiple on',
    // The ELFs the stub names are files of this machine: read them here (the default, "target:",
    // asks the stub for them, which it does not serve, and says so).
    'set sysroot /',
    // The stub answers from the machine model's process: on a loaded host a reply can take longer
    // than GDB's default 2 s, which GDB reports as "Ignoring packet error" and then retries.
    'set remotetimeout 30',
  ];
  for (const t of threads) lines.push(`# inferior ${t.pid}: ${t.name}${programs.has(t.name) ? ` (${programs.get(t.name)})` : ''}`);
  lines.push(`target extended-remote ${address}`);
  // Where GDB finds the sources the line tables name: each program's directory (the examples are
  // compiled with their directory mapped to '.') and the package's (for the sdk's sources).
  const dirs = [...new Set([...programs.values()].map((elf) => dirname(resolve(elf))))];
  lines.push(`directory ${[...dirs, packageFile('.')].join(delimiter)}`);
  lines.push('inferior 1');
  return `${lines.join('\n')}\n`;
}
