/*
 * The EL1 physical timer, which the kernel exports to EL0 on qemu_virt_aarch64
 * (KernelArmExportPTMRUser): a PD that owns its interrupt (PPI 30, `<irq irq="30" .../>`) can
 * raise an interrupt itself, at a time it chooses.
 */
#pragma once
#include "conformance.h"

#define CNTP_CTL_ENABLE 1
#define CNTP_CTL_IMASK 2
#define CNTP_CTL_ISTATUS 4

/* Fire after `ticks` of the 62.5 MHz counter (0: at once; the condition then holds until
 * the timer is disabled or reprogrammed, and the level-sensitive interrupt stays asserted). */
static inline void timer_fire_in(seL4_Word ticks)
{
    __asm__ volatile("msr cntp_tval_el0, %0\n\tmsr cntp_ctl_el0, %1\n\tisb" : : "r"(ticks), "r"((seL4_Word)CNTP_CTL_ENABLE) : "memory");
}

static inline void timer_off(void) { __asm__ volatile("msr cntp_ctl_el0, xzr\n\tisb" ::: "memory"); }

static inline seL4_Word timer_ctl(void)
{
    seL4_Word ctl;
    __asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(ctl) : : "memory");
    return ctl;
}

/* Spin until the timer's condition holds (ISTATUS): the interrupt is then asserted. */
static inline void timer_wait_condition(void)
{
    while ((timer_ctl() & CNTP_CTL_ISTATUS) == 0) {
    }
}
