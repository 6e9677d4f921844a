#include "conformance.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    say_kv("called on channel ", ch);
    say_kv("label ", microkit_msginfo_get_label(msginfo));
    say_kv("count ", microkit_msginfo_get_count(msginfo));
    say_kv("mr0 ", microkit_mr_get(0));
    say_kv("mr1 ", microkit_mr_get(1));
    microkit_mr_set(0, microkit_mr_get(0) * microkit_mr_get(1));
    return microkit_msginfo_new(9, 1);
}
