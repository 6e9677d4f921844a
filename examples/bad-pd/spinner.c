/*
 * spinner: never returns from init(). At priority 1 it runs only when every other PD is
 * blocked, so it cannot hold up the rest of the system.
 */
#include <microkit.h>

static volatile seL4_Word spins;

void init(void)
{
    microkit_dbg_puts("spinner: spinning forever at priority 1\n");
    for (;;) {
        spins++;
    }
}

void notified(microkit_channel ch)
{
    (void)ch;
}
