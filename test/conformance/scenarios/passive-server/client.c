#include "conformance.h"

void init(void)
{
    for (seL4_Word i = 1; i <= 2; i++) {
        microkit_mr_set(0, i * (microkit_name[0] == 'c' ? 1 : 100));
        microkit_ppcall(0, microkit_msginfo_new(0, 1));
        say_kv("running total ", microkit_mr_get(0));
    }
    if (microkit_name[0] == 'o') conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
