#include "conformance.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch)
{
    say_kv("notified on ", ch);
    say_line("notifying rx, which is still in init");
    microkit_notify(0);
}
