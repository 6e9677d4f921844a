/*
 * server: answers protected procedure calls. The label names the operation, the message
 * registers carry the arguments; the reply's label is 0 on success (OP_ERROR otherwise) and
 * its message registers carry the results.
 */
#include <microkit.h>
#include "ops.h"
#include "print.h"

#define CLIENT 7

static unsigned calls;

void init(void)
{
    microkit_dbg_puts("server: ready\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

static microkit_msginfo stats(unsigned n)
{
    seL4_Word sum = 0, min = ~0UL, max = 0, x = 0;
    for (unsigned i = 0; i < n; i++) {
        seL4_Word w = microkit_mr_get(i);
        sum += w;
        x ^= w;
        if (w < min) {
            min = w;
        }
        if (w > max) {
            max = w;
        }
    }
    microkit_mr_set(0, n);
    microkit_mr_set(1, sum);
    microkit_mr_set(2, n ? min : 0);
    microkit_mr_set(3, max);
    microkit_mr_set(4, x);
    return microkit_msginfo_new(0, 5);
}

static microkit_msginfo reverse(unsigned n)
{
    for (unsigned i = 0; i < n / 2; i++) {
        seL4_Word a = microkit_mr_get(i);
        microkit_mr_set(i, microkit_mr_get(n - 1 - i));
        microkit_mr_set(n - 1 - i, a);
    }
    return microkit_msginfo_new(0, n);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    seL4_Word op = microkit_msginfo_get_label(msginfo);
    unsigned n = microkit_msginfo_get_count(msginfo);
    microkit_msginfo reply;

    calls++;
    microkit_dbg_puts("server: call #");
    microkit_dbg_put32(calls);
    microkit_dbg_puts(" on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(": op ");
    put_dec(op);
    microkit_dbg_puts(", ");
    microkit_dbg_put32(n);
    microkit_dbg_puts(" words:");
    for (unsigned i = 0; i < n; i++) {
        microkit_dbg_puts(" ");
        put_dec(microkit_mr_get(i));
    }
    microkit_dbg_puts("\n");

    if (ch != CLIENT || n > MAX_WORDS) {
        reply = microkit_msginfo_new(OP_ERROR, 0);
    } else if (op == OP_STATS) {
        reply = stats(n);
    } else if (op == OP_REVERSE) {
        reply = reverse(n);
    } else {
        reply = microkit_msginfo_new(OP_ERROR, 0);
    }

    microkit_dbg_puts("server: reply label ");
    put_dec(microkit_msginfo_get_label(reply));
    microkit_dbg_puts(", ");
    microkit_dbg_put32(microkit_msginfo_get_count(reply));
    microkit_dbg_puts(" words\n");
    return reply;
}
