/* Printing helpers for 64-bit words: decimal and hexadecimal. */
#pragma once

#include <microkit.h>

static inline void put_dec(seL4_Word x)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x != 0);
    while (n > 0) {
        microkit_dbg_putc(digits[--n]);
    }
}

static inline void put_hex(seL4_Word x)
{
    microkit_dbg_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        microkit_dbg_putc("0123456789abcdef"[(x >> shift) & 0xf]);
    }
}
