/*
 * server: a passive PD. It does the same job for every request, a protected procedure call
 * (PPC) or a notification, and reports how long the job took in virtual time and which
 * scheduling context (SC) the kernel charged for it. seL4_SchedContext_Consumed returns
 * the time charged to an SC since the previous query, so each job starts by querying both.
 */
#include <microkit.h>
#include "print.h"
#include "work.h"

#define CLIENT 0
#define CLIENT_SC microkit_cspace_root_slot_to_cptr(1)
#define OWN_SC microkit_cspace_root_slot_to_cptr(2)

static volatile seL4_Word sink;

static seL4_Word consumed(seL4_CPtr sc)
{
    seL4_SchedContext_Consumed_t r = seL4_SchedContext_Consumed(sc);
    if (r.error != seL4_NoError) {
        microkit_dbg_puts("server: SchedContext_Consumed failed\n");
        return 0;
    }
    return r.consumed;
}

static void job(const char *request, seL4_Word number)
{
    consumed(CLIENT_SC);
    consumed(OWN_SC);
    seL4_Word start = now_ticks();
    for (seL4_Word i = 0; i < WORK_ITERATIONS; i++) {
        sink += i;
    }
    seL4_Word elapsed = now_ticks() - start;
    seL4_Word client_us = consumed(CLIENT_SC);
    seL4_Word own_us = consumed(OWN_SC);

    microkit_dbg_puts("server: ");
    microkit_dbg_puts(request);
    if (number != 0) {
        microkit_dbg_puts(" #");
        put_dec(number);
    }
    microkit_dbg_puts(": the job took ");
    put_ms(elapsed);
    microkit_dbg_puts("\nserver:   charged to the client's SC: ");
    put_dec(client_us);
    microkit_dbg_puts(" us, to the server's own SC: ");
    put_dec(own_us);
    microkit_dbg_puts(" us\n");
}

void init(void)
{
    microkit_dbg_puts("server: init runs on the server's own SC\n");
}

/* The client passes the number of its call in MR0. */
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    if (ch == CLIENT && microkit_msginfo_get_count(msginfo) == 1) {
        job("PPC", microkit_mr_get(0));
    }
    return microkit_msginfo_new(0, 0);
}

void notified(microkit_channel ch)
{
    if (ch == CLIENT) {
        job("notification", 0);
        microkit_notify(CLIENT);
    }
}
