/*
 * Fault scenarios: a parent PD and its children share one page (the memory region mapped in
 * each with setvar_vaddr="shared"). Before it faults, a child writes there the address of the
 * instruction that faults (a global label in its own code) and its stack pointer, so that the
 * parent prints the fault's IP and SP relative to them: 2.0.1 and 2.3 link and place programs
 * differently, and relative values are the same in both.
 */
#pragma once
#include "conformance.h"

/* Where child `id` records its fault site: one slot per child id. */
struct fault_site {
    seL4_Word ip;    /* the address of the faulting instruction */
    seL4_Word sp;    /* the stack pointer at that instruction */
    seL4_Word entry; /* where the parent may restart the child */
    seL4_Word spare;
};

seL4_Word shared;

static inline struct fault_site *site(seL4_Word id) { return (struct fault_site *)shared + id; }

/* The text of an inline-asm fragment that puts a global label `name` on `insn`. */
#define AT_LABEL(name, insn) ".global " #name "\n" #name ":\n\t" insn "\n"

/* Store SP into *x12 (the asm before a labelled fault). */
#define SAVE_SP "mov x11, sp\n\tstr x11, [x12]\n\t"

/* "<name>: <text><a - b>" for a value printed relative to a recorded one. */
static inline void say_rel(const char *text, seL4_Word a, seL4_Word b) { say_kv(text, a - b); }

/*
 * Child `id` records the site, then runs `insn` at the global label `name` with x9 = `x9value`
 * (the address an access uses). One use per label: the label is global.
 */
#define FAULT_INSN(id, name, insn, x9value) FAULT_INSN_AFTER(id, name, "", insn, x9value)

/* The same, with `pre` run just before the label (to set flags, say). */
#define FAULT_INSN_AFTER(id, name, pre, insn, x9value)                                       \
    do {                                                                                     \
        extern char name[];                                                                  \
        site(id)->ip = (seL4_Word)name;                                                      \
        register seL4_Word x9_ __asm__("x9") = (x9value);                                    \
        register seL4_Word x12_ __asm__("x12") = (seL4_Word)&site(id)->sp;                   \
        __asm__ volatile(SAVE_SP pre AT_LABEL(name, insn) : : "r"(x9_), "r"(x12_)           \
                         : "x10", "x11", "cc", "memory");                                          \
    } while (0)

/* The child's id from its name, which ends in a digit ("child1"). */
static inline seL4_Word my_id(void)
{
    const char *p = microkit_name;
    while (p[1] != 0) p++;
    return (seL4_Word)(*p - '0');
}
