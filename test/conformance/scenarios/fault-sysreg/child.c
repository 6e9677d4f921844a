#include "fault.h"

/* Child ids end in two digits ("child07"). */
static seL4_Word id2(void)
{
    const char *p = microkit_name;
    while (p[2] != 0) p++;
    return (seL4_Word)((p[0] - '0') * 10 + (p[1] - '0'));
}

#define TRY(n, name, text, insn)                                                             \
    case n:                                                                                  \
        say_line(text);                                                                      \
        FAULT_INSN(n, name, insn, 0x30000040);                                               \
        break;

void init(void)
{
    seL4_Word id = id2();
    switch (id) {
        TRY(1, try_1, "PMCCNTR_EL0 read (the PMU is not exported)", "mrs x10, pmccntr_el0")
        TRY(2, try_2, "PMUSERENR_EL0 read", "mrs x10, pmuserenr_el0")
        TRY(3, try_3, "PMCR_EL0 write", "msr pmcr_el0, xzr")
        TRY(4, try_4, "CNTV_CTL_EL0 read", "mrs x10, cntv_ctl_el0")
        TRY(5, try_5, "CNTVCT_EL0 read", "mrs x10, cntvct_el0")
        TRY(6, try_6, "CNTPCT_EL0 read", "mrs x10, cntpct_el0")
        TRY(7, try_7, "DC CIVAC on a mapped page", "dc civac, x9")
        TRY(8, try_8, "IC IVAU on a mapped page", "ic ivau, x9")
        TRY(9, try_9, "CTR_EL0 read", "mrs x10, ctr_el0")
        TRY(10, try_10, "DAIF write", "msr daif, xzr")
        TRY(11, try_11, "DC ZVA on a mapped page", "dc zva, x9")
        TRY(12, try_12, "MDCCSR_EL0 read (debug comms)", "mrs x10, mdccsr_el0")
    }
    say_line("  no fault");
    FAULT_INSN_AFTER(id, after_try, "", ".inst 0x00000000", 0);
}

void notified(microkit_channel ch) { say_kv("unexpected notification on ", ch); }
