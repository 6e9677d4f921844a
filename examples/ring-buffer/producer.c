/*
 * producer: writes a list of messages into the shared ring. When the ring is full it stops
 * and waits; the consumer's notification means slots were freed, and it goes on from there.
 */
#include <microkit.h>
#include "ring.h"

#define CONSUMER 0

/* Patched by the tool with the virtual address of the shared page (setvar_vaddr). */
seL4_Word ring;

static const char *const messages[] = {
    "the quick brown fox",
    "jumps over",
    "the lazy dog",
    "while the ring",
    "holds four messages",
    "at a time,",
    "so the producer",
    "has to wait",
    "for the consumer",
    "now and then.",
};
#define MESSAGES (sizeof(messages) / sizeof(messages[0]))

static unsigned next;

static void produce(void)
{
    struct ring *r = (struct ring *)ring;
    seL4_Word head = r->head;
    unsigned written = 0;

    while (next < MESSAGES && head - ring_load(&r->tail) < RING_SLOTS) {
        unsigned i = head % RING_SLOTS;
        const char *s = messages[next];
        unsigned n = 0;
        for (; s[n] != '\0' && n < MSG_BYTES - 1; n++) {
            r->slot[i].text[n] = s[n];
        }
        r->slot[i].text[n] = '\0';
        r->slot[i].seq = next + 1;
        microkit_dbg_puts("producer: put #");
        microkit_dbg_put32(next + 1);
        microkit_dbg_puts(" in slot ");
        microkit_dbg_put32(i);
        microkit_dbg_puts(": \"");
        microkit_dbg_puts(s);
        microkit_dbg_puts("\"\n");
        head++;
        next++;
        written++;
    }
    ring_store(&r->head, head);

    if (written > 0) {
        microkit_notify(CONSUMER);
    }
    if (next == MESSAGES) {
        microkit_dbg_puts("producer: all ");
        microkit_dbg_put32(MESSAGES);
        microkit_dbg_puts(" messages are in the ring\n");
    } else {
        microkit_dbg_puts("producer: ring full, waiting for the consumer\n");
    }
}

void init(void)
{
    microkit_dbg_puts("producer: the ring is at ");
    put_hex(ring);
    microkit_dbg_puts(" here\n");
    produce();
}

void notified(microkit_channel ch)
{
    if (ch == CONSUMER && next < MESSAGES) {
        produce();
    }
}
