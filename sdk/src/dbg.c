/*
 * sel4ts libmicrokit: debug output. Characters go to the kernel console through
 * seL4_DebugPutChar, which exists only in the debug configuration; in release every
 * function here prints nothing.
 */
#include <microkit.h>

void microkit_dbg_putc(int c)
{
#if defined(CONFIG_PRINTING)
    seL4_DebugPutChar((char)c);
#else
    (void)c;
#endif
}

void microkit_dbg_puts(const char *s)
{
#if defined(CONFIG_PRINTING)
    for (; *s != '\0'; s++) {
        microkit_dbg_putc(*s);
    }
#else
    (void)s;
#endif
}

/* Decimal digits of x, most significant first. */
static void put_decimal(seL4_Uint32 x)
{
    char digits[10]; /* 4294967295 */
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x != 0);
    while (n > 0) {
        microkit_dbg_putc(digits[--n]);
    }
}

void microkit_dbg_put8(seL4_Uint8 x)
{
    put_decimal(x);
}

void microkit_dbg_put32(seL4_Uint32 x)
{
    put_decimal(x);
}

/*
 * Called by assert() of a C library built for a freestanding target: report and stop
 * the PD with a VM fault at address 0. Weak, so a C library's own version wins.
 */
__attribute__((weak)) void __assert_fail(const char *assertion, const char *file, unsigned int line,
                                         const char *function)
{
    microkit_internal_put_name();
    microkit_dbg_puts("|assert failed: ");
    microkit_dbg_puts(assertion);
    microkit_dbg_puts(" ");
    microkit_dbg_puts(file);
    microkit_dbg_puts(":");
    microkit_dbg_put32(line);
    microkit_dbg_puts(" ");
    microkit_dbg_puts(function);
    microkit_dbg_puts("\n");
    microkit_internal_crash(seL4_NoError);
    for (;;) {
    }
}
