#include "conformance.h"

/* Higher priority than the receiver: all of these happen before it runs. */
void init(void)
{
    say_line("notify 2, 61, 7, 7, 2 before the receiver runs");
    microkit_notify(0);
    microkit_notify(2);
    microkit_notify(1);
    microkit_notify(1);
    microkit_notify(0);
    say_line("done");
}

void notified(microkit_channel ch)
{
    say_kv("notified on ", ch);
    if (ch == 0) conformance_end();
}
