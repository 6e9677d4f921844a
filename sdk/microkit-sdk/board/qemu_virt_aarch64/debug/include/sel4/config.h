/*
 * sel4ts SDK: the kernel configuration PD programs are compiled against.
 *
 * sel4ts models seL4 MCS on AArch64 as the Microkit SDK builds it for the
 * qemu_virt_aarch64 board: hypervisor kernel (EL2), Cortex-A53 with a 40-bit
 * physical address space, SMC calls allowed, one core.
 *
 * Two configurations exist and are chosen at compile time:
 *
 *   -DMICROKIT_CONFIG_DEBUG   Microkit "debug": kernel printing, debug build and the
 *                             hardware debug API (which shifts invocation labels).
 *   (nothing)                 Microkit "release": none of the above.
 *
 * Every PD object file and the libmicrokit.a it links against must be built for the
 * same configuration, because invocation labels differ between the two (see
 * sel4/invocation.h).
 *
 * The CONFIG_* names and their "defined to 1" style follow the gen_config.h of a
 * real seL4 build, so code that tests them (#ifdef CONFIG_PRINTING,
 * #if CONFIG_DEBUG_BUILD) keeps working.
 */
#pragma once

/* In the Microkit-shaped SDK (sel4ts sdk --path) each board/<board>/<config>/include has the
 * kernel/gen_config.h of a seL4 build, which Makefiles written for the Microkit SDK read, and
 * which stands for -DMICROKIT_CONFIG_DEBUG there: its debug one defines CONFIG_DEBUG_BUILD. */
#if defined(__has_include)
#if __has_include(<kernel/gen_config.h>)
#include <kernel/gen_config.h>
#endif
#endif

#define CONFIG_ARCH_ARM 1
#define CONFIG_ARCH_AARCH64 1
#define CONFIG_SEL4_ARCH_AARCH64 1
#define CONFIG_WORD_SIZE 64
#define CONFIG_ARM_CORTEX_A53 1
#define CONFIG_PLAT_QEMU_ARM_VIRT 1

#define CONFIG_KERNEL_MCS 1
#define CONFIG_ARM_HYPERVISOR_SUPPORT 1
#define CONFIG_ARM_PA_SIZE_BITS_40 1
#define CONFIG_ALLOW_SMC_CALLS 1
#define CONFIG_HAVE_FPU 1

#define CONFIG_MAX_NUM_NODES 1
#define CONFIG_NUM_PRIORITIES 256
#define CONFIG_NUM_DOMAINS 16

#if defined(MICROKIT_CONFIG_DEBUG) || defined(CONFIG_DEBUG_BUILD)
#define CONFIG_DEBUG_BUILD 1
#define CONFIG_PRINTING 1
#define CONFIG_HARDWARE_DEBUG_API 1
#endif
