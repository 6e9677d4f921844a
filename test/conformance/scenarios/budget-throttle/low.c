#include "conformance.h"

volatile seL4_Word *shared;

/* Runs only when the spinner above it is out of budget. */
void init(void)
{
    say_line("running");
    shared[0] = 1;
    while (shared[1] == 0) {
    }
    say_line("the spinner saw me");
    conformance_end();
}

void notified(microkit_channel ch) {}
