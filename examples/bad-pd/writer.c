/*
 * writer: has the `settings` region mapped read-only. Reading is fine; the write that
 * follows is a permission fault (a VM fault), which the monitor reports.
 */
#include <microkit.h>

#define HEARTBEAT 0

/* Patched by the tool with the virtual address of the read-only mapping. */
seL4_Word settings;

void init(void)
{
}

void notified(microkit_channel ch)
{
    if (ch != HEARTBEAT) {
        return;
    }
    volatile seL4_Word *word = (volatile seL4_Word *)settings;
    microkit_dbg_puts("writer: read ");
    microkit_dbg_put32((seL4_Uint32)*word);
    microkit_dbg_puts(" from the read-only region; now writing to it\n");
    *word = 42;
    microkit_dbg_puts("writer: not reached\n");
}
