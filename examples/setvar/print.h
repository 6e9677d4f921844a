/* Printing a 64-bit word in hexadecimal, and a named value. */
#pragma once

#include <microkit.h>

static inline void put_hex(seL4_Word x)
{
    microkit_dbg_puts("0x");
    int shift = 60;
    while (shift > 0 && ((x >> shift) & 0xf) == 0) {
        shift -= 4;
    }
    for (; shift >= 0; shift -= 4) {
        microkit_dbg_putc("0123456789abcdef"[(x >> shift) & 0xf]);
    }
}

static inline void show(const char *who, const char *name, seL4_Word value)
{
    microkit_dbg_puts(who);
    microkit_dbg_puts(": ");
    microkit_dbg_puts(name);
    microkit_dbg_puts(" = ");
    put_hex(value);
    microkit_dbg_puts("\n");
}
