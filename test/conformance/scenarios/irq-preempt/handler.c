#include "timer.h"

seL4_Word flag;

void init(void) { say_line("ready"); }

void notified(microkit_channel ch)
{
    if (ch == 1) {
        say_line("arming the timer for 1 ms");
        timer_fire_in(62500);
        return;
    }
    say_kv("irq on channel ", ch);
    timer_off();
    microkit_irq_ack(7);
    *(volatile seL4_Word *)flag = 1;
}
