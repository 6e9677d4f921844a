#include "conformance.h"

void init(void) { say_line("init"); }

void notified(microkit_channel ch)
{
    say_kv("notified on ", ch);
    microkit_notify(ch);
}

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    say_kv("called on ", ch);
    return microkit_msginfo_new(0x77, 0);
}
