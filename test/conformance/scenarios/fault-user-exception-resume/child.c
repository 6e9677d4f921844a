#include "fault.h"

extern char undefined_insn[];

void init(void)
{
    say_line("running an undefined instruction with N and V set");
    site(1)->ip = (seL4_Word)undefined_insn;
    seL4_Word nzcv;
    register seL4_Word x12 __asm__("x12") = (seL4_Word)&site(1)->sp;
    __asm__ volatile(SAVE_SP "mov x10, #0x90000000\n\tmsr nzcv, x10\n\t"
                     AT_LABEL(undefined_insn, ".inst 0x00000000")
                     "mrs %0, nzcv"
                     : "=r"(nzcv), "+r"(x12)
                     :
                     : "x10", "x11", "cc", "memory");
    say_kv("resumed; nzcv ", nzcv);
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
