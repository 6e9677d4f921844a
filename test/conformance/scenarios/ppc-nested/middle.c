#include "conformance.h"

void init(void) {}
void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    seL4_Word x = microkit_mr_get(0);
    say_kv("asked for x^2 + 1 with x = ", x);
    microkit_mr_set(0, x);
    microkit_msginfo r = microkit_ppcall(1, microkit_msginfo_new(1, 1));
    say_kv("back end answered with label ", microkit_msginfo_get_label(r));
    microkit_mr_set(0, microkit_mr_get(0) + 1);
    return microkit_msginfo_new(1, 1);
}
