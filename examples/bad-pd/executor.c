/*
 * executor: copies an instruction (`ret`) into a data buffer and calls it. The PD's data
 * pages are mapped without execute permission, so fetching the instruction is an
 * instruction abort, which the monitor reports as a VM fault.
 */
#include <microkit.h>

#define HEARTBEAT 0

/* Room for one A64 instruction (`ret`), 16-byte aligned so the call target is a tidy address. */
static seL4_Uint32 code[4] __attribute__((aligned(16)));

void init(void)
{
}

void notified(microkit_channel ch)
{
    if (ch != HEARTBEAT) {
        return;
    }
    code[0] = 0xd65f03c0;
    void (*fn)(void) = (void (*)(void))(seL4_Word)code;
    microkit_dbg_puts("executor: calling code in the data segment\n");
    fn();
    microkit_dbg_puts("executor: not reached\n");
}
