#include "conformance.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    say_kv("called on channel ", ch);
    say_kv("label is IRQAckIRQ: ", microkit_msginfo_get_label(msginfo) == IRQAckIRQ);
    say_kv("count ", microkit_msginfo_get_count(msginfo));
    return microkit_msginfo_new(0x77, 0);
}
