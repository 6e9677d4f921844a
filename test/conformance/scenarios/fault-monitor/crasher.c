#include "conformance.h"

/*
 * The monitor prints all registers of a faulting PD; so that they do not depend on how the
 * program was linked (2.0.1 and 2.3 place data and the stack differently), the fault comes
 * right after setting every general register, SP and the flags to fixed values. Only the PC
 * depends on the code, which is the same in both builds (this object is linked first).
 */
#define FIXED_REGISTERS                                                                      \
    "mov x10, #0x50000\n\tmov sp, x10\n\t"                                                   \
    "mov x10, #0x60000000\n\tmsr nzcv, x10\n\t"                                              \
    "mov x0, #0x1000\n\tmov x1, #0x1001\n\tmov x2, #0x1002\n\tmov x3, #0x1003\n\tmov x4, #0x1004\n\tmov x5, #0x1005\n\tmov x6, #0x1006\n\tmov x7, #0x1007\n\tmov x8, #0x1008\n\tmov x9, #0x1009\n\tmov x10, #0x100a\n\tmov x11, #0x100b\n\tmov x12, #0x100c\n\tmov x13, #0x100d\n\tmov x14, #0x100e\n\tmov x15, #0x100f\n\tmov x16, #0x1010\n\tmov x17, #0x1011\n\tmov x18, #0x1012\n\tmov x19, #0x1013\n\tmov x20, #0x1014\n\tmov x21, #0x1015\n\tmov x22, #0x1016\n\tmov x23, #0x1017\n\tmov x24, #0x1018\n\tmov x25, #0x1019\n\tmov x26, #0x101a\n\tmov x27, #0x101b\n\tmov x28, #0x101c\n\tmov x29, #0x101d\n\tmov x30, #0x101e\n\t"

void init(void)
{
    say_line("faulting");
    switch (microkit_name[0]) {
    case 'r': /* a read from an address with no level-1 entry */
        __asm__ volatile(FIXED_REGISTERS "movz x9, #0x80, lsl #32\n\tldr x10, [x9]");
        break;
    case 'u': /* an undefined instruction */
        __asm__ volatile(FIXED_REGISTERS ".inst 0x00000000");
        break;
    case 'w': /* seL4_Wait on an empty slot */
        __asm__ volatile(FIXED_REGISTERS "mov x0, #63\n\tmov x7, #-9\n\tsvc #0");
        break;
    }
    __builtin_unreachable();
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
