#include "conformance.h"

seL4_Word flag;

void init(void)
{
    say_line("asking the handler to arm its timer, then spinning until it has run");
    microkit_notify(3);
    while (*(volatile seL4_Word *)flag == 0) {
    }
    say_line("the handler ran while this PD was spinning: it was preempted");
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
