/*
 * consumer: on each notification, takes every message waiting in the shared ring, prints
 * it, and tells the producer there is room again.
 */
#include <microkit.h>
#include "ring.h"

#define PRODUCER 0

/* Patched by the tool with the virtual address of the shared page (setvar_vaddr). */
seL4_Word ring;

void init(void)
{
    microkit_dbg_puts("consumer: the ring is at ");
    put_hex(ring);
    microkit_dbg_puts(" here\n");
}

void notified(microkit_channel ch)
{
    struct ring *r = (struct ring *)ring;
    if (ch != PRODUCER) {
        return;
    }
    seL4_Word tail = r->tail;
    seL4_Word head = ring_load(&r->head);
    microkit_dbg_puts("consumer: ");
    microkit_dbg_put32((seL4_Uint32)(head - tail));
    microkit_dbg_puts(" waiting\n");
    while (tail != head) {
        unsigned i = tail % RING_SLOTS;
        microkit_dbg_puts("consumer: got #");
        microkit_dbg_put32((seL4_Uint32)r->slot[i].seq);
        microkit_dbg_puts(" from slot ");
        microkit_dbg_put32(i);
        microkit_dbg_puts(": \"");
        microkit_dbg_puts(r->slot[i].text);
        microkit_dbg_puts("\"\n");
        tail++;
    }
    ring_store(&r->tail, tail);
    microkit_notify(PRODUCER);
}
