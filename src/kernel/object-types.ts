/**
 * Kernel object types of an MCS AArch64 kernel: the `type` argument of Untyped_Retype and the
 * size of each object (spec: sel4-abi.md §4.5).
 */

export interface KernelModelConfig {
  /** CONFIG_ARM_HYPERVISOR_SUPPORT: Microkit's default on AArch64 boards. */
  hypervisor: boolean;
  /** CONFIG_HARDWARE_DEBUG_API: on in Microkit's debug configuration. */
  hardwareDebugApi: boolean;
  /** CONFIG_PRINTING/CONFIG_DEBUG_BUILD: the debug system calls exist. */
  debugBuild: boolean;
  /** Physical address bits of the core (40 for Cortex-A53 on qemu_virt_aarch64). */
  paBits: number;
  /** CONFIG_ENABLE_SMP_SUPPORT (Microkit's smp-* configurations). */
  smp: boolean;
}

/** Microkit's debug configuration for qemu_virt_aarch64. */
export const MICROKIT_DEBUG: KernelModelConfig = { hypervisor: true, hardwareDebugApi: true, debugBuild: true, paBits: 40, smp: false };
/** Microkit's release configuration for qemu_virt_aarch64. */
export const MICROKIT_RELEASE: KernelModelConfig = { hypervisor: true, hardwareDebugApi: false, debugBuild: false, paBits: 40, smp: false };

/** seL4_ObjectType values with MCS on AArch64. */
export const enum ObjectType {
  Untyped = 0,
  TCB = 1,
  Endpoint = 2,
  Notification = 3,
  CapTable = 4,
  SchedContext = 5,
  Reply = 6,
  HugePage = 7,
  VSpace = 8,
  SmallPage = 9,
  LargePage = 10,
  PageTable = 11,
  VCPU = 12,
}

/** How many object types Untyped_Retype accepts (VCPU only with hypervisor support). */
export function objectTypeCount(config: KernelModelConfig): number {
  return config.hypervisor ? 13 : 12;
}

export const seL4_MinUntypedBits = 4;
export const seL4_MaxUntypedBits = 47;
export const seL4_MinSchedContextBits = 7;
export const seL4_SlotBits = 5;
const seL4_EndpointBits = 4;
const seL4_NotificationBits = 6;
const seL4_ReplyBits = 5;
const seL4_PageTableBits = 12;
const seL4_PageBits = 12;
const seL4_LargePageBits = 21;
const seL4_HugePageBits = 30;
const seL4_VCPUBits = 12;

function seL4_TCBBits(config: KernelModelConfig): number {
  return config.hardwareDebugApi ? 12 : 11;
}

/**
 * The VSpace root: with hypervisor support and a 40-bit PA, a stage-2 level-1 table of 1024
 * entries (8 KiB); otherwise one 4 KiB table.
 */
function seL4_VSpaceBits(config: KernelModelConfig): number {
  return config.hypervisor && config.paBits === 40 ? 13 : 12;
}

/**
 * log2 of the size of an object of `type` retyped with `sizeBits` (seL4's
 * `getObjectSize`), or undefined for a type this configuration does not have.
 */
export function objectSizeBits(type: number, sizeBits: number, config: KernelModelConfig): number | undefined {
  switch (type) {
    case ObjectType.Untyped:
      return sizeBits;
    case ObjectType.TCB:
      return seL4_TCBBits(config);
    case ObjectType.Endpoint:
      return seL4_EndpointBits;
    case ObjectType.Notification:
      return seL4_NotificationBits;
    case ObjectType.CapTable:
      return seL4_SlotBits + sizeBits;
    case ObjectType.SchedContext:
      return sizeBits;
    case ObjectType.Reply:
      return seL4_ReplyBits;
    case ObjectType.HugePage:
      return seL4_HugePageBits;
    case ObjectType.VSpace:
      return seL4_VSpaceBits(config);
    case ObjectType.SmallPage:
      return seL4_PageBits;
    case ObjectType.LargePage:
      return seL4_LargePageBits;
    case ObjectType.PageTable:
      return seL4_PageTableBits;
    case ObjectType.VCPU:
      return config.hypervisor ? seL4_VCPUBits : undefined;
    default:
      return undefined;
  }
}

/** Refills a SchedContext of 2^sizeBits bytes holds: (2^n − 96) / 16 (sched_context_t + refill_t). */
export function schedContextRefills(sizeBits: number): number {
  return Math.floor((2 ** sizeBits - 96) / 16);
}

/** libsel4's seL4_MaxExtraRefills. */
export function seL4_MaxExtraRefills(sizeBits: number): number {
  return Math.floor((2 ** sizeBits - 128) / 16);
}
