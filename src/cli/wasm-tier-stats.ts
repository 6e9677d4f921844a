import { wasmTierStats } from '../machine/cpu/wasm/compile.js';

/** The `--stats` line of the WebAssembly tier (`machine exec` and `run`; scripts/bench.ts reads it). */
export function wasmTierStatsLine(): string {
  const w = wasmTierStats;
  return `sel4ts: WebAssembly tier: ${w.regions} regions, ${((w.guestInstructions * 4) / 1024).toFixed(2)} KiB of guest code, ${(w.emitMs + w.compileMs).toFixed(1)} ms to emit and compile (${w.moduleBytes} module bytes)\n`;
}
