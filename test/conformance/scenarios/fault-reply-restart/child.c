#include "fault.h"

void init(void)
{
    say_line("reading an unmapped address");
    FAULT_INSN(1, read_unmapped, "ldr x10, [x9]", 0x30001000);
    say_line("not reached");
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
