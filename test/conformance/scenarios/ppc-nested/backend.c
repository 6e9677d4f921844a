#include "conformance.h"

void init(void) {}
void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    say_kv("asked for the square of ", microkit_mr_get(0));
    microkit_mr_set(0, microkit_mr_get(0) * microkit_mr_get(0));
    return microkit_msginfo_new(2, 1);
}
