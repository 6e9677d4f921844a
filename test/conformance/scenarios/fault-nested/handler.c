#include "conformance.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    say_kv("fault from child ", child);
    say_kv("  label ", microkit_msginfo_get_label(msginfo));
    microkit_pd_stop(child);
    conformance_end();
    return seL4_False;
}
