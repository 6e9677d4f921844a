import type { AddressSpace } from '../../src/machine/cpu/address-space.js';
import { Cpu } from '../../src/machine/cpu/cpu.js';
import { GenericTimer } from '../../src/machine/devices/generic-timer.js';

/**
 * How a test CPU runs hot code: the interpreter alone (`off`), or a compiled tier (JavaScript
 * or WebAssembly) compiling at first sight (`eager`) or when hot, as a run does.
 */
export type CpuMode = 'off' | 'eager' | 'hot' | 'wasm-eager' | 'wasm-hot';
export const CPU_MODES: CpuMode[] = ['off', 'eager', 'hot', 'wasm-eager', 'wasm-hot'];

/** A CPU over `space`, starting at `pc`, running in `mode` (its timer counts retired instructions). */
export function cpuInMode(space: AddressSpace, mode: CpuMode, pc: number): Cpu {
  let cpu: Cpu | undefined;
  cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
  if (mode === 'off') cpu.blocksEnabled = false;
  if (mode === 'eager' || mode === 'wasm-eager') cpu.hotThreshold = 1;
  cpu.tier = mode.startsWith('wasm') ? 'wasm' : 'js';
  cpu.pc = pc;
  return cpu;
}
