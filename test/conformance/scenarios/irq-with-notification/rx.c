#include "timer.h"

void init(void)
{
    timer_fire_in(0);
    timer_wait_condition();
    say_line("the timer's interrupt is asserted (channel 5); now asking tx to notify (channel 2)");
    microkit_notify(2);
    say_line("init done");
}

void notified(microkit_channel ch)
{
    say_kv("notified on ", ch);
    if (ch == 5) {
        timer_off();
        microkit_irq_ack(5);
        conformance_end();
    }
}
