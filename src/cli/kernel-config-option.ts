import { readFileSync } from 'node:fs';
import { BOARDS, boardKernelConfig, DEFAULT_BOARD, findBoard } from '../abi/boards.js';
import { kernelConfigFromJson, type KernelConfig } from '../abi/kernel-config.js';
import type { ConfigSource } from '../compiler/config-hints.js';
import { suggest } from '../parser/sdf/suggest.js';
import { UsageError } from './io.js';

/** Resolve `--board`/`--config` or `--kernel-config FILE.json` into a kernel configuration. */
export function resolveKernelConfig(opts: { board?: string; config?: string; kernelConfig?: string }): KernelConfig {
  if (opts.kernelConfig !== undefined) {
    if (opts.board !== undefined) throw new UsageError('give either --board or --kernel-config, not both');
    let text: string;
    try {
      text = readFileSync(opts.kernelConfig, 'utf8');
    } catch {
      throw new UsageError(`cannot read the kernel configuration '${opts.kernelConfig}'`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`the kernel configuration '${opts.kernelConfig}' is not valid JSON: ${(e as Error).message}`);
    }
    try {
      return kernelConfigFromJson(json);
    } catch (e) {
      throw new UsageError(`in the kernel configuration '${opts.kernelConfig}': ${(e as Error).message}`);
    }
  }
  const name = opts.board ?? DEFAULT_BOARD;
  const board = findBoard(name);
  if (!board) {
    const guess = suggest(
      name,
      BOARDS.map((b) => b.name),
    );
    throw new UsageError(`unknown board '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}; 'sel4ts boards' lists them`);
  }
  const config = boardKernelConfig(board, opts.config ?? 'debug');
  if (!config) {
    const smp = board.smpCores !== undefined ? ', smp-debug, smp-release, smp-benchmark' : '';
    throw new UsageError(`board '${name}' has no configuration '${opts.config}' (it has debug, release, benchmark${smp})`);
  }
  return config;
}

/** Where the configuration `resolveKernelConfig` returns comes from (for the hints of `check`). */
export function configSource(opts: { board?: string; config?: string; kernelConfig?: string }): ConfigSource {
  if (opts.kernelConfig !== undefined) return { kind: 'file' };
  return { kind: 'board', board: opts.board ?? DEFAULT_BOARD, config: opts.config ?? 'debug' };
}
