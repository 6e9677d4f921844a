/*
 * child: crashes on purpose, by writing to address 0 (nothing is mapped there).
 *
 * A restart only sets the program counter back to the entry point: memory is not reset,
 * so `starts` keeps counting across restarts.
 */
#include <microkit.h>

static unsigned starts;

void init(void)
{
    starts++;
    microkit_dbg_puts("child: start #");
    microkit_dbg_put32(starts);
    microkit_dbg_puts(", now writing to address 0\n");
    *(volatile seL4_Word *)0 = starts;
    microkit_dbg_puts("child: still alive?\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
