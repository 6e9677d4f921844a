#include "conformance.h"

/*
 * Only a starts the exchange, so the output does not depend on which of the two equal-priority
 * PDs the initialiser starts first (Microkit 2.0.1's monitor and 2.3's initialiser differ).
 */
static seL4_Word got;

void init(void)
{
    if (microkit_name[0] != 'a') return;
    say_line("init: notify b, then print twice");
    microkit_notify(0);
    say_line("still running after the notify");
    say_line("returning to wait");
}

void notified(microkit_channel ch)
{
    got++;
    say_kv("notified, time ", got);
    if (got < 3) {
        microkit_notify(0);
        say_line("notified the other; returning to wait");
    } else if (microkit_name[0] == 'b') {
        conformance_end();
    }
}
