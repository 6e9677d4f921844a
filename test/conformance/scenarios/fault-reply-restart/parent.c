#include "fault-parent.h"

static seL4_Word faults;

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    report_fault(child, msginfo);
    if (++faults == 1) {
        say_line("replying with an empty message");
        *reply_msginfo = microkit_msginfo_new(0, 0);
        return seL4_True;
    }
    say_line("stopping the child");
    microkit_pd_stop(child);
    conformance_end();
    return seL4_False;
}
