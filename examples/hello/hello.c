/*
 * The smallest system: one protection domain that prints a greeting when it starts.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("hello, world\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
