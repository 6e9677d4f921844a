#include "conformance.h"

void init(void)
{
    for (seL4_Word x = 3; x <= 5; x++) {
        microkit_mr_set(0, x);
        microkit_msginfo r = microkit_ppcall(0, microkit_msginfo_new(0, 1));
        say_kv("got ", microkit_mr_get(0));
        say_kv("label ", microkit_msginfo_get_label(r));
    }
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
