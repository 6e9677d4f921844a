#include "fault.h"

void init(void)
{
    seL4_Word id = my_id();
    say_line("faulting");
    if (id == 1) FAULT_INSN(1, write_read_only, "str x10, [x9]", 0x30100010);
    if (id == 2) FAULT_INSN(2, write_unmapped, "strh w10, [x9]", 0x30001000);
    if (id == 3) FAULT_INSN(3, fetch_no_execute, "blr x9", 0x30200000);
    if (id == 4) FAULT_INSN(4, fetch_unmapped, "blr x9", 0x30001000);
    say_line("not reached");
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
