#include "fault.h"

/* A system call at a label: x0 = cptr, x1 = message info, x7 = the syscall number. */
#define SYSCALL_AT(id, name, cptr, number, info)                                             \
    do {                                                                                     \
        extern char name[];                                                                  \
        site(id)->ip = (seL4_Word)name;                                                      \
        register seL4_Word x0_ __asm__("x0") = (cptr);                                       \
        register seL4_Word x1_ __asm__("x1") = 0;                                            \
        register seL4_Word x7_ __asm__("x7") = (seL4_Word)(number);                          \
        register seL4_Word x12_ __asm__("x12") = (seL4_Word)&site(id)->sp;                   \
        __asm__ volatile(SAVE_SP AT_LABEL(name, "svc #0")                                    \
                         : "+r"(x0_), "+r"(x1_), "+r"(x7_), "+r"(x12_)                       \
                         :                                                                   \
                         : "x2", "x3", "x4", "x5", "x6", "x11", "memory");                   \
        (info) = x1_;                                                                        \
    } while (0)

void init(void)
{
    seL4_Word id = my_id();
    seL4_Word info = 0;
    say_line("invoking");
    /* Far beyond any slot: the guard of the PD's CNode does not match (a Call: a Signal would only print the debug line). */
    if (id == 1) SYSCALL_AT(1, call_forged, 0xdead00000beefULL, seL4_SysCall, info);
    /* Slot 63 of the PD's CNode is empty: a Call of a null cap. */
    if (id == 2) SYSCALL_AT(2, call_empty, 63, seL4_SysCall, info);
    /* Wait on an empty slot: a cap fault in the receive phase. */
    if (id == 3) SYSCALL_AT(3, wait_empty, 63, seL4_SysWait, info);
    say_kv("returned with message info ", info);
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
