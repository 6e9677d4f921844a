/*
 * heartbeat: a tick every 5 ms of virtual time, from the EL1 physical timer. Ticks 1 to 3
 * each set one misbehaving PD going; the later ticks show that the system keeps running
 * after their faults.
 */
#include <microkit.h>

#define TIMER_IRQ 0
#define MISUSER 1
#define WRITER 2
#define EXECUTOR 3

#define PERIOD_TICKS (62500 * 5) /* 5 ms of the 62.5 MHz counter */
#define LAST_TICK 6

static seL4_Word deadline;
static unsigned ticks;

static void arm(void)
{
    __asm__ volatile("msr cntp_cval_el0, %0; msr cntp_ctl_el0, %1; isb" : : "r"(deadline), "r"(1UL));
}

static void tick(void)
{
    ticks++;
    microkit_dbg_puts("heartbeat: tick ");
    microkit_dbg_put32(ticks);
    microkit_dbg_puts(" at ");
    microkit_dbg_put32((seL4_Uint32)(deadline / 62500));
    microkit_dbg_puts(" ms\n");

    switch (ticks) {
    case 1:
        microkit_dbg_puts("heartbeat: go, misuser\n");
        microkit_notify(MISUSER);
        break;
    case 2:
        microkit_dbg_puts("heartbeat: go, writer\n");
        microkit_notify(WRITER);
        break;
    case 3:
        microkit_dbg_puts("heartbeat: go, executor\n");
        microkit_notify(EXECUTOR);
        break;
    case LAST_TICK:
        microkit_dbg_puts("heartbeat: still beating after three faults: done\n");
        break;
    default:
        break;
    }
    deadline += PERIOD_TICKS;
    arm();
}

void init(void)
{
    microkit_dbg_puts("heartbeat: first tick in 5 ms\n");
    deadline = PERIOD_TICKS;
    arm();
}

void notified(microkit_channel ch)
{
    switch (ch) {
    case TIMER_IRQ:
        tick();
        microkit_irq_ack(TIMER_IRQ);
        break;
    case MISUSER:
        microkit_dbg_puts("heartbeat: misuser reports back\n");
        break;
    default:
        break;
    }
}
