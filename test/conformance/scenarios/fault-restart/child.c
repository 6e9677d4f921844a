#include "fault.h"

static seL4_Word runs;

/* Where the parent restarts this child: SP is what it was at the first fault. */
static void again(void)
{
    runs++;
    say_kv("restarted, runs ", runs);
    FAULT_INSN(1, second_fault, ".inst 0x00000000", 0);
    say_line("not reached");
}

void init(void)
{
    runs++;
    site(1)->entry = (seL4_Word)again;
    say_line("faulting");
    FAULT_INSN(1, first_fault, ".inst 0x00000000", 0);
    say_line("not reached");
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
