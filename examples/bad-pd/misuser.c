/*
 * misuser: tries capabilities it was never given.
 *
 *   1. microkit_notify on channel 7, which this PD does not have: libmicrokit checks its
 *      channel mask, prints an error and does nothing.
 *   2. microkit_ppcall on channel 0, which is a channel but not a pp one: refused the same way.
 *   3. seL4_Call on slot 9 of its CNode, which is empty: the kernel answers with an error
 *      (seL4_InvalidCapability) and the PD carries on.
 *   4. seL4_Call on a cptr that does not even resolve to a slot (bits set in the guard of
 *      the CNode): the kernel turns that into a capability fault, which the monitor reports.
 */
#include <microkit.h>

#define HEARTBEAT 0
#define EMPTY_SLOT 9
#define FORGED_CPTR 0x1000

static const char *const errors[] = {
    "seL4_NoError", "seL4_InvalidArgument", "seL4_InvalidCapability", "seL4_IllegalOperation",
    "seL4_RangeError", "seL4_AlignmentError", "seL4_FailedLookup", "seL4_TruncatedMessage",
    "seL4_DeleteFirst", "seL4_RevokeFirst", "seL4_NotEnoughMemory",
};

void init(void)
{
}

void notified(microkit_channel ch)
{
    if (ch != HEARTBEAT) {
        return;
    }
    microkit_dbg_puts("misuser: notify channel 7\n");
    microkit_notify(7);

    microkit_dbg_puts("misuser: ppcall channel 0\n");
    microkit_ppcall(0, microkit_msginfo_new(0, 0));

    microkit_dbg_puts("misuser: seL4_Call on empty slot 9\n");
    seL4_MessageInfo_t reply = seL4_Call(EMPTY_SLOT, seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_Word err = seL4_MessageInfo_get_label(reply);
    microkit_dbg_puts("misuser: the kernel answered with error ");
    microkit_dbg_put32((seL4_Uint32)err);
    if (err < sizeof(errors) / sizeof(errors[0])) {
        microkit_dbg_puts(" (");
        microkit_dbg_puts(errors[err]);
        microkit_dbg_puts(")");
    }
    microkit_dbg_puts("\n");

    microkit_notify(HEARTBEAT);

    microkit_dbg_puts("misuser: seL4_Call on forged cptr 0x1000\n");
    seL4_Call(FORGED_CPTR, seL4_MessageInfo_new(0, 0, 0, 0));
    microkit_dbg_puts("misuser: not reached\n");
}
