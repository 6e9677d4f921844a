#include "conformance.h"

static seL4_Word calls;

void init(void) {}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    calls++;
    say_kv("call from channel ", ch);
    microkit_mr_set(0, ch * 100 + calls);
    return microkit_msginfo_new(0, 1);
}
