#include "fault-parent.h"

void init(void) { say_line("ready"); }

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    report_fault(child, msginfo);
    /* Reply with the registers of the message, but x0 = 0x600d, x1 = the syscall number and the
     * IP after the SVC: the child goes on there. */
    seL4_Word syscall = microkit_mr_get(seL4_UnknownSyscall_Syscall);
    microkit_mr_set(0, 0x600d);
    microkit_mr_set(1, syscall);
    microkit_mr_set(seL4_UnknownSyscall_FaultIP, site(child)->ip + 4);
    *reply_msginfo = microkit_msginfo_new(0, seL4_UnknownSyscall_Syscall);
    say_line("replying");
    return seL4_True;
}
