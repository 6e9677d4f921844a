/**
 * The kernel configuration that decides which SDF rules apply (spec: sdf.md §1).
 */

export type Arch = 'aarch64' | 'riscv64' | 'x86_64';

export interface KernelConfig {
  arch: Arch;
  numCores: number;
  hypervisor: boolean;
  iommu: boolean;
  /** `null`: the architecture has no SMC forwarding at all (riscv64, x86_64). */
  armSmc: boolean | null;
  numDomains: number;
  numDomainSchedules: number;
  /** seL4_UserTop: the highest user virtual address, inclusive. */
  vspaceUserTop: bigint;
}

/** The page sizes the SDF accepts on every architecture. */
export const SMALL_PAGE = 0x1000n;
export const LARGE_PAGE = 0x200000n;

/** The reference tool's display names (used in a few messages). */
export const ARCH_DISPLAY_NAME: Record<Arch, string> = {
  aarch64: 'AArch64',
  riscv64: 'RISC-V (64-bit)',
  x86_64: 'x86-64',
};

/** The fields of a `--kernel-config FILE.json`, as documented in the README. */
interface KernelConfigJson {
  arch: Arch;
  num_cores?: number;
  hypervisor?: boolean;
  iommu?: boolean;
  arm_smc?: boolean | null;
  num_domains?: number;
  num_domain_schedules?: number;
  vspace_user_top?: string | number;
}

/**
 * Read a kernel configuration from parsed JSON. Throws `Error` with a message naming the
 * field at fault; the CLI turns that into a usage error.
 */
export function kernelConfigFromJson(json: unknown): KernelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('the kernel configuration must be a JSON object');
  const o = json as Record<string, unknown>;
  const known: (keyof KernelConfigJson)[] = ['arch', 'num_cores', 'hypervisor', 'iommu', 'arm_smc', 'num_domains', 'num_domain_schedules', 'vspace_user_top'];
  for (const k of Object.keys(o)) if (!known.some((f) => f === k)) throw new Error(`unknown field '${k}' (known fields: ${known.join(', ')})`);
  const arch = o.arch;
  if (arch !== 'aarch64' && arch !== 'riscv64' && arch !== 'x86_64') throw new Error(`'arch' must be "aarch64", "riscv64" or "x86_64"`);
  const int = (k: string, dflt: number, min: number, max: number): number => {
    const v = o[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`'${k}' must be an integer from ${min} to ${max}`);
    return v;
  };
  const bool = (k: string, dflt: boolean): boolean => {
    const v = o[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw new Error(`'${k}' must be true or false`);
    return v;
  };
  let armSmc: boolean | null = arch === 'aarch64' ? true : null;
  if (o.arm_smc !== undefined) {
    if (o.arm_smc !== null && typeof o.arm_smc !== 'boolean') throw new Error(`'arm_smc' must be true, false or null`);
    armSmc = o.arm_smc;
  }
  const defaultTop = DEFAULT_USER_TOP[arch];
  let vspaceUserTop = defaultTop;
  const top = o.vspace_user_top;
  if (top !== undefined) {
    if (typeof top === 'number' && Number.isSafeInteger(top) && top > 0) vspaceUserTop = BigInt(top);
    else if (typeof top === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(top)) vspaceUserTop = BigInt(top);
    else throw new Error(`'vspace_user_top' must be a positive integer or a string such as "0xffffffffff"`);
  }
  return {
    arch,
    numCores: int('num_cores', 1, 1, 256),
    hypervisor: bool('hypervisor', arch === 'aarch64'),
    iommu: bool('iommu', arch === 'x86_64'),
    armSmc,
    numDomains: int('num_domains', 16, 1, 256),
    numDomainSchedules: int('num_domain_schedules', 100, 1, 1 << 20),
    vspaceUserTop,
  };
}

const DEFAULT_USER_TOP: Record<Arch, bigint> = {
  aarch64: 0xff_ffff_ffffn,
  riscv64: 0x3f_ffff_efffn,
  x86_64: 0x7fff_ffff_efffn,
};

/**
 * The configurations of the reference tool's own test suite (spec: sdf.md §1), useful to
 * reproduce its verdicts exactly.
 */
const TEST_AARCH64: KernelConfig = {
  arch: 'aarch64',
  numCores: 1,
  hypervisor: true,
  iommu: true,
  armSmc: null,
  numDomains: 16,
  numDomainSchedules: 100,
  vspaceUserTop: 0xff_ffff_ffffn,
};

export const TEST_CONFIGS: Record<string, KernelConfig> = {
  'test-aarch64': TEST_AARCH64,
  'test-aarch64-smp4': { ...TEST_AARCH64, numCores: 4 },
  'test-x86_64': { ...TEST_AARCH64, arch: 'x86_64', vspaceUserTop: 0x7fff_ffff_efffn },
};
