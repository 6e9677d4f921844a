#include "conformance.h"

void init(void)
{
    say_line("calling");
    microkit_mr_set(0, 3);
    microkit_mr_set(1, 8);
    microkit_msginfo reply = microkit_ppcall(3, microkit_msginfo_new(7, 2));
    say_kv("reply label ", microkit_msginfo_get_label(reply));
    say_kv("reply count ", microkit_msginfo_get_count(reply));
    say_kv("reply mr0 ", microkit_mr_get(0));
    /* A second call: the server's reply cap works again. */
    microkit_mr_set(0, 0x100);
    microkit_mr_set(1, 0x10);
    reply = microkit_ppcall(3, microkit_msginfo_new(0xfffff, 2));
    say_kv("second reply mr0 ", microkit_mr_get(0));
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
