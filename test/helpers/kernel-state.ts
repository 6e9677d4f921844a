import { MICROKIT_DEBUG } from '../../src/kernel/object-types.js';
import { KernelState } from '../../src/kernel/state.js';
import type { KernelPort } from '../../src/machine/kernel-interface.js';

/** A bare kernel state at time `now` (ticks) whose timer writes are recorded as [ctl, cval]. */
export function kernelAt(now: number, numDomains = 1): { k: KernelState; timer: [number, number][] } {
  const k = new KernelState(MICROKIT_DEBUG, numDomains);
  const timer: [number, number][] = [];
  k.port = { setTimer: (_: string, ctl: number, cval: number) => timer.push([ctl, cval]) } as unknown as KernelPort;
  k.curTime = now;
  return { k, timer };
}
