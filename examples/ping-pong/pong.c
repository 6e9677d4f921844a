/*
 * pong: answers every notification from ping with a notification back.
 * Its priority is higher than ping's, so it runs as soon as ping signals it.
 */
#include <microkit.h>

#define PING 4      /* this PD's end of the channel to ping */

static unsigned hits;

void init(void)
{
    microkit_dbg_puts("pong: ready\n");
}

void notified(microkit_channel ch)
{
    if (ch != PING) {
        microkit_dbg_puts("pong: unexpected notification\n");
        return;
    }
    hits++;
    microkit_dbg_puts("pong: got ping #");
    microkit_dbg_put32(hits);
    microkit_dbg_puts(", notify ping\n");
    microkit_notify(PING);
}
