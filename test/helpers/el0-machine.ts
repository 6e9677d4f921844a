import { pageDescriptor } from '../../src/kernel/vspace.js';
import { Machine } from '../../src/machine/machine.js';

/** Where `el0Machine` maps its code page (read-only, executable) and its data page (read-write). */
export const CODE_VA = 0x7f_0000_0000;
export const DATA_VA = 0x7f_0000_1000;
/** Their physical pages. */
export const CODE_PA = 0x4010_4000;
const DATA_PA = 0x4010_5000;

/**
 * A machine whose stage-2 tables (ASID 1) map one code page and one data page, written by hand
 * with the kernel's descriptor format: for running a few EL0 instructions through the MMU.
 */
export function el0Machine(jit: 'off' | 'hot' | 'wasm' = 'off'): Machine {
  // 'wasm': hot code compiled by the WebAssembly tier.
  const machine = new Machine(jit === 'wasm' ? { jit: 'hot', tier: 'wasm' } : { jit, tier: 'js' });
  const mem = machine.memory;
  const root = 0x4010_0000;
  const l2 = 0x4010_2000;
  const l3 = 0x4010_3000;
  mem.zero(root, 0x6000);
  mem.write64(root + Math.floor(CODE_VA / 2 ** 30) * 8, BigInt(l2) | 3n);
  mem.write64(l2, BigInt(l3) | 3n);
  mem.write64(l3, pageDescriptor(CODE_PA, 12, 'read-only', 3n));
  mem.write64(l3 + 8, pageDescriptor(DATA_PA, 12, 'read-write', 3n));
  machine.setAddressSpace(root, 1);
  return machine;
}
