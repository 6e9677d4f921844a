#include "conformance.h"

void init(void) {}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    seL4_Word n = microkit_msginfo_get_count(msginfo);
    seL4_Word sum = 0, bad = 0;
    for (seL4_Word i = 0; i < n; i++) {
        sum += microkit_mr_get(i);
        if (microkit_mr_get(i) != i * 3 + 1) bad++;
    }
    say_kv("count ", n);
    say_kv("sum ", sum);
    say_kv("words not as sent ", bad);
    for (seL4_Word i = 0; i < 64; i++) microkit_mr_set(i, 1000 + i);
    return microkit_msginfo_new(microkit_msginfo_get_label(msginfo) + 1, 64);
}
