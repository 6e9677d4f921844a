/*
 * The parent side of the fault scenarios: print the fault message of a child, word by word,
 * with the layout-dependent words (IP, SP, addresses of code) relative to what the child
 * recorded in its fault_site (fault.h).
 */
#pragma once
#include "fault.h"

/* "<name>: <text><index> <value>" */
static inline void say_word(const char *text, seL4_Word index, seL4_Word value)
{
    say(microkit_name);
    say(": ");
    say(text);
    say_dec(index);
    say(" ");
    say_hex(value);
    say("\n");
}

static inline void report_fault(microkit_child child, microkit_msginfo msginfo)
{
    seL4_Word label = microkit_msginfo_get_label(msginfo);
    seL4_Word count = microkit_msginfo_get_count(msginfo);
    struct fault_site *s = site(child);
    say_kv("fault from child ", child);
    say_kv("  label ", label);
    say_kv("  count ", count);
    switch (label) {
    case seL4_Fault_VMFault:
        /* An instruction fetch faults at its target: the IP is the address, not the site. */
        if (microkit_mr_get(seL4_VMFault_PrefetchFault))
            say_rel("  ip - addr ", microkit_mr_get(seL4_VMFault_IP), microkit_mr_get(seL4_VMFault_Addr));
        else
            say_rel("  ip - site ", microkit_mr_get(seL4_VMFault_IP), s->ip);
        say_kv("  addr ", microkit_mr_get(seL4_VMFault_Addr));
        say_kv("  prefetch ", microkit_mr_get(seL4_VMFault_PrefetchFault));
        say_kv("  fsr ", microkit_mr_get(seL4_VMFault_FSR));
        break;
    case seL4_Fault_UserException:
        say_rel("  ip - site ", microkit_mr_get(seL4_UserException_FaultIP), s->ip);
        say_rel("  sp - site ", microkit_mr_get(seL4_UserException_SP), s->sp);
        say_kv("  spsr ", microkit_mr_get(seL4_UserException_SPSR));
        say_kv("  number ", microkit_mr_get(seL4_UserException_Number));
        say_kv("  code ", microkit_mr_get(seL4_UserException_Code));
        break;
    case seL4_Fault_UnknownSyscall:
        for (seL4_Word i = 0; i < 8; i++) say_word("  x", i, microkit_mr_get(i));
        say_rel("  ip - site ", microkit_mr_get(seL4_UnknownSyscall_FaultIP), s->ip);
        say_rel("  sp - site ", microkit_mr_get(seL4_UnknownSyscall_SP), s->sp);
        say_rel("  word 10 - site ", microkit_mr_get(seL4_UnknownSyscall_LR), s->ip);
        say_kv("  spsr ", microkit_mr_get(seL4_UnknownSyscall_SPSR));
        say_kv("  syscall ", microkit_mr_get(seL4_UnknownSyscall_Syscall));
        break;
    case seL4_Fault_CapFault:
        say_rel("  ip - site ", microkit_mr_get(seL4_CapFault_IP), s->ip);
        say_kv("  addr ", microkit_mr_get(seL4_CapFault_Addr));
        say_kv("  in receive phase ", microkit_mr_get(seL4_CapFault_InRecvPhase));
        for (seL4_Word i = seL4_CapFault_LookupFailureType; i < count; i++)
            say_word("  lookup failure word ", i, microkit_mr_get(i));
        break;
    case 4: /* seL4_Fault_DebugException, which libsel4 defines only with the hardware debug API */
        say_rel("  ip - site ", microkit_mr_get(0), s->ip);
        for (seL4_Word i = 1; i < count; i++) say_word("  word ", i, microkit_mr_get(i));
        break;
    case seL4_Fault_VCPUFault:
        /* A BRK from a thread without a vCPU on a kernel without the hardware debug API. */
        say_kv("  hsr ", microkit_mr_get(seL4_VCPUFault_HSR));
        break;
    default:
        say_rel("  word 0 - site ip ", microkit_mr_get(0), s->ip);
        for (seL4_Word i = 1; i < count; i++) say_word("  word ", i, microkit_mr_get(i));
        break;
    }
}

/*
 * The usual fault(): report, stop the child (so no reply stays pending: a handler that receives
 * again with an unexecuted reply makes the debug kernel complain), end after `expected` faults.
 */
static inline seL4_Bool report_and_stop(microkit_child child, microkit_msginfo msginfo, seL4_Word expected)
{
    static seL4_Word faults;
    report_fault(child, msginfo);
    microkit_pd_stop(child);
    if (++faults == expected) conformance_end();
    return seL4_False;
}
