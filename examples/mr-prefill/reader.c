/*
 * reader: prints the prefilled region's text, then checks that the rest of the region
 * (after the file's bytes) is zero.
 */
#include <microkit.h>

/* Patched by the tool (see mr-prefill.system). */
seL4_Word poem_vaddr;
seL4_Word poem_length;
seL4_Word poem_region_size;

void init(void)
{
    const volatile char *text = (const volatile char *)poem_vaddr;

    microkit_dbg_puts("reader: the region is ");
    microkit_dbg_put32((seL4_Uint32)poem_region_size);
    microkit_dbg_puts(" bytes, prefilled with ");
    microkit_dbg_put32((seL4_Uint32)poem_length);
    microkit_dbg_puts(" bytes:\n---\n");
    for (seL4_Word i = 0; i < poem_length; i++) {
        microkit_dbg_putc(text[i]);
    }
    microkit_dbg_puts("---\n");

    seL4_Word nonzero = 0;
    for (seL4_Word i = poem_length; i < poem_region_size; i++) {
        if (text[i] != 0) {
            nonzero++;
        }
    }
    microkit_dbg_puts("reader: the other ");
    microkit_dbg_put32((seL4_Uint32)(poem_region_size - poem_length));
    microkit_dbg_puts(" bytes of the region are ");
    microkit_dbg_puts(nonzero == 0 ? "all zero\n" : "NOT all zero\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
