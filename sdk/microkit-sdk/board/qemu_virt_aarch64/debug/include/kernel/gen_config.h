/*
 * sel4ts Microkit-shaped SDK: board qemu_virt_aarch64, configuration debug.
 *
 * The kernel configuration sel4ts models, in the form of the kernel/gen_config.h of a seL4
 * build. Keep two spaces before each value and no other line naming the architecture macro:
 * Microkit Makefiles read the architecture by grepping for its name and two spaces and taking
 * the fourth space-separated field. The values are those of the seL4 kernel the Microkit 2.3
 * SDK builds for this board; sel4/config.h includes this file.
 */
#pragma once

#define CONFIG_ARCH_AARCH64  1
#define CONFIG_SEL4_ARCH  aarch64
#define CONFIG_ARCH_ARM  1
#define CONFIG_ARCH  arm
#define CONFIG_WORD_SIZE  64
#define CONFIG_ARM_PLAT  qemu-arm-virt
#define CONFIG_PLAT_QEMU_ARM_VIRT  1
#define CONFIG_PLAT  qemu-arm-virt
#define CONFIG_ARM_CORTEX_A53  1
#define CONFIG_ARCH_ARM_V8A  1
#define CONFIG_TIMER_FREQUENCY  62500000
#define CONFIG_KERNEL_MCS  1
#define CONFIG_ARM_PA_SIZE_BITS_40  1
#define CONFIG_ARM_ICACHE_VIPT  1
#define CONFIG_ARM_HYPERVISOR_SUPPORT  1
#define CONFIG_AARCH64_USER_CACHE_ENABLE  1
#define CONFIG_ALLOW_SMC_CALLS  1
#define CONFIG_ARM_TLS_REG_TPIDRU  1
#define CONFIG_ARM_TLS_REG  tpidru
#define CONFIG_L1_CACHE_LINE_SIZE_BITS  6
#define CONFIG_HAVE_FPU  1
#define CONFIG_PADDR_USER_DEVICE_TOP  1099511627776
#define CONFIG_ROOT_CNODE_SIZE_BITS  17
#define CONFIG_BOOT_THREAD_TIME_SLICE  5
#define CONFIG_RETYPE_FAN_OUT_LIMIT  256
#define CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION  100
#define CONFIG_RESET_CHUNK_BITS  8
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS  230
#define CONFIG_FASTPATH  1
#define CONFIG_NUM_DOMAINS  16
#define CONFIG_NUM_DOMAIN_SCHEDULES  100
#define CONFIG_NUM_PRIORITIES  256
#define CONFIG_MAX_NUM_NODES  1
#define CONFIG_KERNEL_STACK_BITS  12
#define CONFIG_DEBUG_BUILD  1
#define CONFIG_HARDWARE_DEBUG_API  1
#define CONFIG_PRINTING  1
#define CONFIG_NO_BENCHMARKS  1
#define CONFIG_KERNEL_BENCHMARK  none
#define CONFIG_MAX_NUM_TRACE_POINTS  0
#define CONFIG_IRQ_REPORTING  1
#define CONFIG_COLOUR_PRINTING  1
#define CONFIG_USER_STACK_TRACE_LENGTH  16
#define CONFIG_KERNEL_WCET_SCALE  1
#define CONFIG_KERNEL_STATIC_MAX_PERIOD_US  0
#define CONFIG_EXPORT_PCNT_USER  1
#define CONFIG_EXPORT_PTMR_USER  1
