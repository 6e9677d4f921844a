#include "conformance.h"

volatile seL4_Word *shared;

/*
 * Prints nothing until low has run: on real seL4 in QEMU, time is the host's clock, and the
 * budget can run out in the middle of a line; only one PD prints at a time here.
 */
void init(void)
{
    while (shared[0] == 0) {
    }
    say_line("low ran while I was spinning");
    shared[1] = 1;
    while (1) {
    }
}

void notified(microkit_channel ch) {}
