/*
 * sel4ts SDK smoke test: the smallest PD. It prints a greeting from init() and ignores
 * notifications. Built by `make smoke` into build/<config>/hello.elf.
 */
#include <microkit.h>

void init(void)
{
    microkit_dbg_puts("hello, world\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
