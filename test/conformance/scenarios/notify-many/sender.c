#include "conformance.h"

static const microkit_channel order[] = {3, 0, 33, 5, 61, 1, 47, 10, 2, 31, 60, 32};

void init(void)
{
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++) microkit_notify(order[i]);
    say_line("sent 12 notifications");
}

void notified(microkit_channel ch)
{
    say_kv("answered on ", ch);
    conformance_end();
}
