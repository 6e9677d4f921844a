#include "conformance.h"

static seL4_Word round;

void init(void)
{
    say_line("notify the passive server");
    microkit_notify(4);
    say_line("after the notify");
}

void notified(microkit_channel ch)
{
    round++;
    say_kv("server answered on ", ch);
    if (round == 1) {
        microkit_msginfo r = microkit_ppcall(4, microkit_msginfo_new(0, 0));
        say_kv("call returned label ", microkit_msginfo_get_label(r));
        microkit_notify(4);
    } else {
        conformance_end();
    }
}
