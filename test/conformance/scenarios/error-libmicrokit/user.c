#include "conformance.h"

void init(void)
{
    say_line("notify on channel 9 (none)");
    microkit_notify(9);
    say_line("notify on channel 1 (pp only, notify=false)");
    microkit_notify(1);
    say_line("IRQ ack on channel 1 (not an IRQ)");
    microkit_irq_ack(1);
    say_line("PPC on channel 9 (none)");
    microkit_msginfo r = microkit_ppcall(9, microkit_msginfo_new(3, 0));
    say_kv("returned label ", microkit_msginfo_get_label(r));
    say_line("PPC on channel 1");
    microkit_ppcall(1, microkit_msginfo_new(3, 0));
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
