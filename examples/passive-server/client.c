/*
 * client: asks the passive server for the same job three times: two protected procedure
 * calls, then a notification. The client's scheduling context is small (0.5 ms of budget
 * every 5 ms); the timestamps show when each request went out and came back.
 */
#include <microkit.h>
#include "work.h"

#define SERVER 0

static void call(unsigned n)
{
    microkit_dbg_puts("client: PPC #");
    microkit_dbg_put32(n);
    microkit_dbg_puts(" to the server at ");
    put_ms(now_ticks());
    microkit_dbg_puts("\n");
    microkit_mr_set(0, n);
    microkit_ppcall(SERVER, microkit_msginfo_new(0, 1));
    microkit_dbg_puts("client: PPC #");
    microkit_dbg_put32(n);
    microkit_dbg_puts(" returned at ");
    put_ms(now_ticks());
    microkit_dbg_puts("\n");
}

void init(void)
{
    call(1);
    call(2);
    microkit_dbg_puts("client: notify the server at ");
    put_ms(now_ticks());
    microkit_dbg_puts("\n");
    microkit_notify(SERVER);
}

void notified(microkit_channel ch)
{
    if (ch == SERVER) {
        microkit_dbg_puts("client: the server notified back at ");
        put_ms(now_ticks());
        microkit_dbg_puts("\n");
    }
}
