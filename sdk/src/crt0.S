/*
 * sel4ts libmicrokit: program entry.
 *
 * The tool starts the thread at the ELF entry with SP already at the stack top
 * (0xff_ffff_e000) and every other register zero, so there is nothing to set up.
 * microkit.ld puts .text.start first in .text: _start is at 0x200000, the address a
 * parent passes to microkit_pd_restart to restart a child from scratch.
 */
    .section .text.start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    b main
    .size _start, . - _start

    .section .note.GNU-stack, "", %progbits
