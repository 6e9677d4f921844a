/*
 * client: makes three protected procedure calls to the higher-priority server and prints
 * what goes out and what comes back. Each call blocks the client until the server's
 * protected() returns; the reply's words are in the client's message registers.
 */
#include <microkit.h>
#include "ops.h"
#include "print.h"

#define SERVER 3

static microkit_msginfo call(const char *what, seL4_Word op, const seL4_Word *args, unsigned n)
{
    microkit_dbg_puts("client: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" with ");
    microkit_dbg_put32(n);
    microkit_dbg_puts(" words\n");
    for (unsigned i = 0; i < n; i++) {
        microkit_mr_set(i, args[i]);
    }
    microkit_msginfo reply = microkit_ppcall(SERVER, microkit_msginfo_new(op, n));
    microkit_dbg_puts("client: back, label ");
    put_dec(microkit_msginfo_get_label(reply));
    microkit_dbg_puts(", ");
    microkit_dbg_put32(microkit_msginfo_get_count(reply));
    microkit_dbg_puts(" words\n");
    return reply;
}

void init(void)
{
    static const seL4_Word numbers[8] = { 31, 4, 15, 92, 65, 35, 89, 79 };
    static const seL4_Word words[7] = { 1, 22, 333, 4444, 55555, 666666, 7777777 };
    microkit_msginfo reply;

    reply = call("STATS", OP_STATS, numbers, 8);
    static const char *const names[5] = { "count", "sum", "min", "max", "xor" };
    for (unsigned i = 0; i < microkit_msginfo_get_count(reply) && i < 5; i++) {
        microkit_dbg_puts("client:   ");
        microkit_dbg_puts(names[i]);
        microkit_dbg_puts(" = ");
        put_dec(microkit_mr_get(i));
        microkit_dbg_puts("\n");
    }

    reply = call("REVERSE", OP_REVERSE, words, 7);
    microkit_dbg_puts("client:   result:");
    for (unsigned i = 0; i < microkit_msginfo_get_count(reply); i++) {
        microkit_dbg_puts(" ");
        put_dec(microkit_mr_get(i));
    }
    microkit_dbg_puts("\n");

    call("an unknown operation", 9, numbers, 2);
    microkit_dbg_puts("client: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
