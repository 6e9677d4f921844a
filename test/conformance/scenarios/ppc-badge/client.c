#include "conformance.h"

/* alpha (priority 100) runs first and calls twice; then beta (90) calls and ends. */
void init(void)
{
    for (int i = 0; i < 2; i++) {
        microkit_ppcall(1, microkit_msginfo_new(0, 0));
        say_kv("answer ", microkit_mr_get(0));
    }
    if (microkit_name[0] == 'b') conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
