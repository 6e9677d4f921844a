#include "fault-parent.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    return report_and_stop(child, msginfo, 5);
}
