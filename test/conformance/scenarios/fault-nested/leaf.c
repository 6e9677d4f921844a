#include "conformance.h"

void init(void)
{
    say_line("faulting");
    __asm__ volatile(".inst 0x00000000" ::: "memory");
    say_line("not reached");
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
