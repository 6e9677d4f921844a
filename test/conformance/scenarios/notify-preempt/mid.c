#include "conformance.h"

void init(void)
{
    say_line("notify high");
    microkit_notify(1);
    say_line("after notifying high");
    say_line("notify low");
    microkit_notify(2);
    say_line("after notifying low");
    microkit_notify(1);
    say_line("notified high again; now waiting");
}

void notified(microkit_channel ch)
{
    say_kv("notified on ", ch);
    conformance_end();
}
