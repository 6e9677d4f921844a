import type { KernelConfig } from './kernel-config.js';

/**
 * The kernel configuration of each board the Microkit 2.3 SDK supports, as its build script
 * sets it (hypervisor, SMC, IOMMU, cores, domains) and as seL4 derives it (the user address
 * space top from the architecture and the physical-address size of the board's CPU).
 *
 * Only `qemu_virt_aarch64` can also be run (`sel4ts run`); the others are for `check`.
 */

export interface Board {
  name: string;
  description: string;
  /** The `debug`/`release` configuration. */
  config: KernelConfig;
  /** Cores of the `smp-*` configurations, when the board has them. */
  smpCores: number | undefined;
}

const AARCH64_40BIT_TOP = 0xff_ffff_ffffn;
const AARCH64_44BIT_TOP = 0xfff_ffff_ffffn;
const AARCH64_EL1_TOP = 0x7fff_ffff_ffffn;
const RISCV64_SV39_TOP = 0x3f_ffff_efffn;
const X86_64_TOP = 0x7fff_ffff_efffn;

function aarch64(name: string, description: string, smpCores: number | undefined, top = AARCH64_40BIT_TOP, hypervisor = true): Board {
  return {
    name,
    description,
    smpCores,
    config: { arch: 'aarch64', numCores: 1, hypervisor, iommu: false, armSmc: true, numDomains: 16, numDomainSchedules: 100, vspaceUserTop: top },
  };
}

function riscv64(name: string, description: string, smpCores: number | undefined): Board {
  return {
    name,
    description,
    smpCores,
    config: { arch: 'riscv64', numCores: 1, hypervisor: false, iommu: false, armSmc: null, numDomains: 16, numDomainSchedules: 100, vspaceUserTop: RISCV64_SV39_TOP },
  };
}

function x86_64(name: string, description: string, vtx: boolean): Board {
  return {
    name,
    description,
    smpCores: 16,
    config: { arch: 'x86_64', numCores: 1, hypervisor: vtx, iommu: true, armSmc: null, numDomains: 16, numDomainSchedules: 100, vspaceUserTop: X86_64_TOP },
  };
}

export const BOARDS: readonly Board[] = [
  aarch64('qemu_virt_aarch64', 'QEMU virt, Cortex-A53, seL4 at EL2 (the board sel4ts runs)', 4),
  aarch64('qemu_virt_aarch64_el1', 'QEMU virt, Cortex-A53, seL4 at EL1 (no hypervisor)', 4, AARCH64_EL1_TOP, false),
  aarch64('imx8mm_evk', 'NXP i.MX8M Mini EVK', 4),
  aarch64('imx8mp_evk', 'NXP i.MX8M Plus EVK', 4),
  aarch64('imx8mp_iotgate', 'CompuLab IOT-GATE-IMX8PLUS', 4),
  aarch64('imx8mq_evk', 'NXP i.MX8M Quad EVK', 4),
  aarch64('kria_k26', 'AMD Kria K26', undefined),
  aarch64('maaxboard', 'Avnet MaaXBoard (i.MX8MQ)', 4),
  aarch64('odroidc2', 'Hardkernel ODROID-C2', 4),
  aarch64('odroidc4', 'Hardkernel ODROID-C4', 4),
  aarch64('rock3b', 'Radxa ROCK 3B', undefined),
  aarch64('rockpro64', 'Pine64 RockPro64', 4),
  aarch64('rpi4b_1gb', 'Raspberry Pi 4B, 1 GiB', 4, AARCH64_44BIT_TOP),
  aarch64('rpi4b_2gb', 'Raspberry Pi 4B, 2 GiB', 4, AARCH64_44BIT_TOP),
  aarch64('rpi4b_4gb', 'Raspberry Pi 4B, 4 GiB', 4, AARCH64_44BIT_TOP),
  aarch64('rpi4b_8gb', 'Raspberry Pi 4B, 8 GiB', 4, AARCH64_44BIT_TOP),
  aarch64('stm32mp2', 'ST STM32MP2', 2),
  aarch64('tqma8xqp1gb', 'TQ-Systems TQMa8XQP', 4),
  aarch64('ultra96v2', 'Avnet Ultra96-V2', 4),
  aarch64('zcu102', 'AMD ZCU102', 4),
  riscv64('qemu_virt_riscv64', 'QEMU virt, RISC-V 64', 4),
  riscv64('hifive_p550', 'SiFive HiFive Premier P550', 4),
  riscv64('star64', 'Pine64 Star64', 4),
  riscv64('ariane', 'CVA6 (Ariane)', undefined),
  riscv64('cheshire', 'PULP Cheshire', undefined),
  riscv64('serengeti', 'Serengeti (Cheshire platform)', undefined),
  x86_64('x86_64_generic', 'x86-64 PC, no VT-x', false),
  x86_64('x86_64_generic_vtx', 'x86-64 PC with VT-x', true),
];

export const DEFAULT_BOARD = 'qemu_virt_aarch64';

export function findBoard(name: string): Board | undefined {
  return BOARDS.find((b) => b.name === name);
}

/**
 * The kernel configuration of `board` in `config` (`debug`, `release`, `benchmark`, or an
 * `smp-` variant for boards with several cores, which have one domain and two schedule slots).
 */
export function boardKernelConfig(board: Board, config: string): KernelConfig | undefined {
  const smp = config.startsWith('smp-');
  const base = smp ? config.slice(4) : config;
  if (!['debug', 'release', 'benchmark'].includes(base)) return undefined;
  if (!smp) return { ...board.config };
  if (board.smpCores === undefined) return undefined;
  return { ...board.config, numCores: board.smpCores, numDomains: 1, numDomainSchedules: 2 };
}
