import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** `sel4ts ARGV` in-process, its standard output and error captured (no colour). */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t), colour: false, cwd: process.cwd() };
  const code = await main(argv, io);
  return { code, out, err };
}
