#include "conformance.h"

static seL4_Word total;

void init(void) { say_line("init, before becoming passive"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    total += microkit_mr_get(0);
    say_kv("call on channel ", ch);
    microkit_mr_set(0, total);
    return microkit_msginfo_new(0, 1);
}
