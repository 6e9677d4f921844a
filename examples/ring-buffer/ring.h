/*
 * A single-producer, single-consumer ring of fixed-size messages in shared memory.
 *
 * `head` counts the messages ever written (only the producer changes it), `tail` the
 * messages ever read (only the consumer changes it); head - tail is the number waiting.
 * Each side publishes its index with a release store after touching the slots, and reads
 * the other's index with an acquire load, so a slot is never read before it is written.
 */
#pragma once

#include <microkit.h>

#define RING_SLOTS 4
#define MSG_BYTES 48

struct ring {
    seL4_Word head;
    seL4_Word tail;
    struct {
        seL4_Word seq;
        char text[MSG_BYTES];
    } slot[RING_SLOTS];
};

static inline seL4_Word ring_load(const seL4_Word *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void ring_store(seL4_Word *p, seL4_Word v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

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
