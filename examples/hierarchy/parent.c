/*
 * parent: the fault handler of its child. Each fault arrives as a message through
 * fault(): the label says which kind of fault, the message registers describe it. The
 * parent restarts the child twice and stops it after its third fault.
 */
#include <microkit.h>
#include "print.h"

#define CHILD 1
#define CHILD_ENTRY 0x200000 /* _start: the first byte of every PD's text */
#define RESTARTS 2

static unsigned faults;

void init(void)
{
    microkit_dbg_puts("parent: watching child ");
    microkit_dbg_put32(CHILD);
    microkit_dbg_puts("\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    faults++;
    microkit_dbg_puts("parent: fault #");
    microkit_dbg_put32(faults);
    microkit_dbg_puts(" from child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(": ");
    if (microkit_msginfo_get_label(msginfo) == seL4_Fault_VMFault) {
        microkit_dbg_puts("VM fault at pc ");
        put_hex(microkit_mr_get(seL4_VMFault_IP));
        microkit_dbg_puts(", address ");
        put_hex(microkit_mr_get(seL4_VMFault_Addr));
        microkit_dbg_puts(microkit_mr_get(seL4_VMFault_PrefetchFault) ? ", instruction fetch" : ", data access");
        microkit_dbg_puts(", fsr ");
        put_hex(microkit_mr_get(seL4_VMFault_FSR));
        microkit_dbg_puts("\n");
    } else {
        microkit_dbg_puts("fault label ");
        put_hex(microkit_msginfo_get_label(msginfo));
        microkit_dbg_puts("\n");
    }

    if (faults <= RESTARTS) {
        microkit_dbg_puts("parent: restarting the child\n");
        microkit_pd_restart(child, CHILD_ENTRY);
    } else {
        microkit_dbg_puts("parent: stopping the child for good\n");
        microkit_pd_stop(child);
    }
    /* No reply: a reply would resume the child at the faulting store. */
    return seL4_False;
}
