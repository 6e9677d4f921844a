#include "fault.h"

extern char unknown_syscall[];

void init(void)
{
    say_line("calling system call 42");
    site(1)->ip = (seL4_Word)unknown_syscall;
    register seL4_Word x0 __asm__("x0");
    register seL4_Word x1 __asm__("x1");
    register seL4_Word x12 __asm__("x12") = (seL4_Word)&site(1)->sp;
    __asm__ volatile(SAVE_SP
                     "mov x0, #0xa0\n\tmov x1, #0xa1\n\tmov x2, #0xa2\n\tmov x3, #0xa3\n\t"
                     "mov x4, #0xa4\n\tmov x5, #0xa5\n\tmov x6, #0xa6\n\tmov x7, #42\n\t"
                     "mov x10, #0x60000000\n\tmsr nzcv, x10\n\t"
                     AT_LABEL(unknown_syscall, "svc #0")
                     : "=r"(x0), "=r"(x1), "+r"(x12)
                     :
                     : "x2", "x3", "x4", "x5", "x6", "x7", "x10", "x11", "cc", "memory");
    /* Copied at once: x0 and x1 are the registers of the calls below too. */
    seL4_Word r0 = x0, r1 = x1;
    say_kv("resumed with x0 ", r0);
    say_kv("resumed with x1 ", r1);
    conformance_end();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
