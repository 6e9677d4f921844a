#include "conformance.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("notified on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    say_kv("called on channel ", ch);
    return microkit_msginfo_new(0, 0);
}
