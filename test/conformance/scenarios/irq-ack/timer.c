#include "timer.h"

static seL4_Word irqs;

void init(void)
{
    say_line("arming the timer to fire at once");
    timer_fire_in(0);
    timer_wait_condition();
    say_line("the interrupt is asserted");
}

void notified(microkit_channel ch)
{
    if (ch == 4) {
        irqs++;
        say_kv("irq number ", irqs);
        if (irqs == 1) {
            /* The timer stays armed and its condition holds; no ack yet. */
            say_line("not acking; asking the helper, which runs only when this PD waits");
            microkit_notify(1);
        } else {
            timer_off();
            microkit_irq_ack(4);
            conformance_end();
        }
    } else {
        say_kv("notified by the helper on ", ch);
        say_kv("irqs so far ", irqs);
        say_line("acking");
        microkit_irq_ack(4);
        say_line("acked");
    }
}
