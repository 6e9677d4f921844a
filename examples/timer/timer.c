/*
 * timer: prints a tick every 50 ms of virtual time, five times, then turns the timer off.
 *
 * The deadlines are absolute (CNTP_CVAL_EL0 = start + n * period), so the ticks do not
 * drift however late each interrupt is handled. The interrupt is level-triggered: the
 * driver moves the deadline (or disables the timer) before acknowledging it, otherwise
 * the line would still be high and the interrupt would fire again at once.
 */
#include <microkit.h>

#define TIMER_IRQ 0
#define PERIOD_MS 50
#define TICKS 5

#define CTL_ENABLE 1u /* CNTP_CTL_EL0.ENABLE; IMASK (bit 1) stays clear */

static seL4_Word freq;   /* counter ticks per second */
static seL4_Word period; /* counter ticks per PERIOD_MS */
static seL4_Word deadline;
static unsigned ticks;

static inline seL4_Word counter(void)
{
    seL4_Word t;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t));
    return t;
}

static inline void set_deadline(seL4_Word cval)
{
    __asm__ volatile("msr cntp_cval_el0, %0; msr cntp_ctl_el0, %1; isb" : : "r"(cval), "r"((seL4_Word)CTL_ENABLE));
}

static inline void timer_off(void)
{
    __asm__ volatile("msr cntp_ctl_el0, xzr; isb");
}

/* Counter ticks as nanoseconds (exact at 62.5 MHz: 16 ns per tick). */
static seL4_Word to_ns(seL4_Word t)
{
    return t * 1000000000 / freq;
}

/* Nanoseconds as milliseconds with six decimals. */
static void put_ms(seL4_Word ns)
{
    seL4_Word frac = ns % 1000000;
    microkit_dbg_put32((seL4_Uint32)(ns / 1000000));
    microkit_dbg_putc('.');
    for (seL4_Word div = 100000; div > 0; div /= 10) {
        microkit_dbg_putc((char)('0' + frac / div % 10));
    }
    microkit_dbg_puts(" ms");
}

void init(void)
{
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
    period = freq / 1000 * PERIOD_MS;
    seL4_Word now = counter();
    microkit_dbg_puts("timer: counter frequency ");
    microkit_dbg_put32((seL4_Uint32)freq);
    microkit_dbg_puts(" Hz, a tick every ");
    microkit_dbg_put32(PERIOD_MS);
    microkit_dbg_puts(" ms; started at ");
    put_ms(to_ns(now));
    microkit_dbg_puts("\n");
    deadline = now + period;
    set_deadline(deadline);
}

void notified(microkit_channel ch)
{
    if (ch != TIMER_IRQ) {
        return;
    }
    seL4_Word now = counter();
    ticks++;
    microkit_dbg_puts("timer: tick ");
    microkit_dbg_put32(ticks);
    microkit_dbg_puts(" at ");
    put_ms(to_ns(now));
    microkit_dbg_puts(", ");
    microkit_dbg_put32((seL4_Uint32)(to_ns(now) - to_ns(deadline)));
    microkit_dbg_puts(" ns after the deadline\n");

    if (ticks < TICKS) {
        deadline += period;
        set_deadline(deadline);
    } else {
        timer_off();
        microkit_dbg_puts("timer: ");
        microkit_dbg_put32(TICKS);
        microkit_dbg_puts(" ticks done, timer off\n");
    }
    microkit_irq_ack(TIMER_IRQ);
}
