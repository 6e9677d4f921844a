/**
 * The hint for a `cpu` (of a protection_domain or a vcpu) this configuration does not have.
 * `sel4ts check` puts the board configurations that have the core first (config-hints.ts).
 */
export function cpuHint(numCores: number): string {
  return numCores === 1 ? 'this kernel configuration has a single core: remove cpu or use 0' : `this kernel configuration has ${numCores} cores: use a cpu from 0 to ${numCores - 1}`;
}
