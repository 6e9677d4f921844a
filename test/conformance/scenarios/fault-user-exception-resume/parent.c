#include "fault-parent.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    report_fault(child, msginfo);
    /* FaultIP, SP and SPSR are the reply's registers: skip the instruction, set C and Z. */
    microkit_mr_set(seL4_UserException_FaultIP, site(child)->ip + 4);
    microkit_mr_set(seL4_UserException_SP, microkit_mr_get(seL4_UserException_SP));
    microkit_mr_set(seL4_UserException_SPSR, 0x60000000);
    *reply_msginfo = microkit_msginfo_new(0, 3);
    say_line("replying");
    return seL4_True;
}
