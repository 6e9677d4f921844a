#include "fault.h"

/* Each child sets NZCV first (N and V) so the SPSR in the message is known. */
#define FLAGS "mov x10, #0x90000000\n\tmsr nzcv, x10\n\t"

void init(void)
{
    seL4_Word id = my_id();
    say_line("faulting");
    if (id == 1) FAULT_INSN_AFTER(1, undefined, FLAGS, ".inst 0x00000000", 0);
    if (id == 2) FAULT_INSN_AFTER(2, breakpoint, FLAGS, "brk #0x7b", 0);
    if (id == 3) FAULT_INSN_AFTER(3, hypervisor_call, FLAGS, "hvc #0x11", 0);
    if (id == 4) FAULT_INSN_AFTER(4, el2_register, FLAGS, "mrs x10, hcr_el2", 0);
    if (id == 5) {
        /* SP 8 bytes off a 16-byte boundary, a load through it, SP back. */
        __asm__ volatile("mov x10, sp\n\tsub x10, x10, #8\n\tmov sp, x10\n\tldr x11, [sp]\n\t"
                         "add x10, x10, #8\n\tmov sp, x10" ::: "x10", "x11", "memory");
        say_line("a load through an SP 8 bytes off a 16-byte boundary did not fault");
        FAULT_INSN_AFTER(5, after_misaligned_sp, FLAGS, ".inst 0x00000000", 0);
    }
    say_line("not reached");
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
