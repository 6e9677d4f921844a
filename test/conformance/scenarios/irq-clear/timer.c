#include "timer.h"

void init(void)
{
    seL4_Error err = seL4_IRQHandler_Clear(BASE_IRQ_CAP + 4);
    say_kv("IRQHandler_Clear: ", err);
    say_line("arming the timer to fire at once");
    timer_fire_in(0);
    timer_wait_condition();
    say_line("the interrupt is asserted; acking");
    err = seL4_IRQHandler_Ack(BASE_IRQ_CAP + 4);
    say_kv("IRQHandler_Ack: ", err);
    timer_off();
    say_line("timer off; acking");
    err = seL4_IRQHandler_Ack(BASE_IRQ_CAP + 4);
    say_kv("IRQHandler_Ack: ", err);
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
