/*
 * setvar: prints every value the tool patched into it, then puts each one to use:
 * the mapping addresses are written through and read back, the PL011's ID registers
 * are read through its mapping, the child id names the child's thread capability, the
 * channel id is where the helper's notification arrives, and the IRQ id is where the
 * timer's interrupt arrives.
 */
#include <microkit.h>
#include "print.h"

/* Zero in the program; the tool patches each (see setvar.system). */
seL4_Word buffer_vaddr;
seL4_Word buffer_size;
seL4_Word scratch_vaddr;
seL4_Word scratch_paddr;
seL4_Word pl011_vaddr;
seL4_Word pl011_paddr;
seL4_Word timer_channel;
seL4_Word helper_channel;
seL4_Word helper_id;

static void fill_buffer(void)
{
    volatile seL4_Uint8 *b = (volatile seL4_Uint8 *)buffer_vaddr;
    seL4_Word sum = 0;
    for (seL4_Word i = 0; i < buffer_size; i++) {
        b[i] = (seL4_Uint8)i;
    }
    for (seL4_Word i = 0; i < buffer_size; i++) {
        sum += b[i];
    }
    microkit_dbg_puts("setvar: wrote and read back all ");
    microkit_dbg_put32((seL4_Uint32)buffer_size);
    microkit_dbg_puts(" bytes of the buffer (sum ");
    microkit_dbg_put32((seL4_Uint32)sum);
    microkit_dbg_puts(")\n");
}

/* PrimeCell peripheral ID: bytes 0xfe0..0xfec hold the part number 0x011 and designer 0x41. */
static void identify_pl011(void)
{
    volatile seL4_Uint32 *id = (volatile seL4_Uint32 *)(pl011_vaddr + 0xfe0);
    seL4_Word part = (id[0] & 0xff) | ((id[1] & 0xf) << 8);
    seL4_Word designer = ((id[1] >> 4) & 0xf) | ((id[2] & 0xf) << 4);
    microkit_dbg_puts("setvar: the device at ");
    put_hex(pl011_paddr);
    microkit_dbg_puts(" has part number ");
    put_hex(part);
    microkit_dbg_puts(" from designer ");
    put_hex(designer);
    microkit_dbg_puts(part == 0x011 && designer == 0x41 ? " (an ARM PL011)\n" : " (not a PL011?)\n");
}

void init(void)
{
    show("setvar", "buffer_vaddr  ", buffer_vaddr);
    show("setvar", "buffer_size   ", buffer_size);
    show("setvar", "scratch_vaddr ", scratch_vaddr);
    show("setvar", "scratch_paddr ", scratch_paddr);
    show("setvar", "pl011_vaddr   ", pl011_vaddr);
    show("setvar", "pl011_paddr   ", pl011_paddr);
    show("setvar", "timer_channel ", timer_channel);
    show("setvar", "helper_channel", helper_channel);
    show("setvar", "helper_id     ", helper_id);

    fill_buffer();
    *(volatile seL4_Word *)scratch_vaddr = 0x5ca7c4;
    microkit_dbg_puts("setvar: scratch page holds ");
    put_hex(*(volatile seL4_Word *)scratch_vaddr);
    microkit_dbg_puts("\n");
    identify_pl011();

    /* One timer interrupt, 1 ms from now. */
    seL4_Word ticks = 62500;
    __asm__ volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb" : : "r"(ticks), "r"(1UL));
}

void notified(microkit_channel ch)
{
    if (ch == helper_channel) {
        microkit_dbg_puts("setvar: notified on channel ");
        microkit_dbg_put32(ch);
        microkit_dbg_puts(" (helper_channel)\n");
        /* The child's thread capability is at slot BASE_TCB_CAP + its id. */
        seL4_UserContext regs;
        seL4_Error err = seL4_TCB_ReadRegisters(BASE_TCB_CAP + helper_id, seL4_False, 0, 1, &regs);
        microkit_dbg_puts("setvar: read the registers of child ");
        microkit_dbg_put32((seL4_Uint32)helper_id);
        microkit_dbg_puts(err == seL4_NoError ? ": ok\n" : ": failed\n");
    } else if (ch == timer_channel) {
        microkit_dbg_puts("setvar: notified on channel ");
        microkit_dbg_put32(ch);
        microkit_dbg_puts(" (timer_channel): the timer interrupt\n");
        __asm__ volatile("msr cntp_ctl_el0, xzr; isb");
        microkit_irq_ack(ch);
    } else {
        microkit_dbg_puts("setvar: notified on an unexpected channel\n");
    }
}
