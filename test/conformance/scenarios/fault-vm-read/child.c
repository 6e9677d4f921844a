#include "fault.h"

/*
 * 0x30001000 is in the level-3 table of the shared page (0x30000000), 0x30200000 in its
 * level-2 table, 0x8000000000 in no level-1 entry (the top-level table has 1024 entries of
 * 1 GiB): the same in the 2.0.1 and the 2.3 layout.
 */
void init(void)
{
    seL4_Word id = my_id();
    say_line("reading");
    if (id == 1) FAULT_INSN(1, read_level3, "ldr x10, [x9]", 0x30001000);
    if (id == 2) FAULT_INSN(2, read_level2, "ldrb w10, [x9]", 0x30200000);
    if (id == 3) FAULT_INSN(3, read_level1, "ldr w10, [x9, #8]", 0x8000000000);
    say_line("not reached");
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
