/* Shared by client and server: the job the server does, and a virtual-time clock. */
#pragma once

#include <microkit.h>

/* Iterations of the server's busy loop: about 2 ms of CPU time. */
#define WORK_ITERATIONS 330000

/* The generic timer's system counter (CNTPCT_EL0, 62.5 MHz: 16 ns per tick). */
static inline seL4_Word now_ticks(void)
{
    seL4_Word t;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t));
    return t;
}

/* Print a tick count as milliseconds with three decimals. */
static inline void put_ms(seL4_Word ticks)
{
    seL4_Word us = ticks * 16 / 1000;
    seL4_Word frac = us % 1000;
    microkit_dbg_put32((seL4_Uint32)(us / 1000));
    microkit_dbg_putc('.');
    microkit_dbg_putc((char)('0' + frac / 100));
    microkit_dbg_putc((char)('0' + frac / 10 % 10));
    microkit_dbg_putc((char)('0' + frac % 10));
    microkit_dbg_puts(" ms");
}
