/*
 * client: uses the disk through the driver. It reads the first 4 KiB and the last 4 KiB,
 * writes a pattern at sector 16, flushes, reads the sectors back, and reads past the end of
 * the disk; for each request it prints the status and a checksum (FNV-1a) of the data.
 * One request is outstanding at a time; notified() takes the response and sends the next.
 */
#include <microkit.h>
#include "blk_queue.h"

#define DRIVER 0
#define SECTOR 512u

/* Patched by the tool (setvar_vaddr). */
seL4_Word blk_queues;
seL4_Word blk_data;

static blk_queues_t *q(void)
{
    return (blk_queues_t *)blk_queues;
}

static const struct step {
    enum blk_op op;
    seL4_Uint64 sector;
    seL4_Uint32 count;
    const char *what;
} steps[] = {
    { BLK_READ, 0, 8, "read sectors 0-7" },
    { BLK_READ, 120, 8, "read sectors 120-127" },
    { BLK_WRITE, 16, 8, "write sectors 16-23" },
    { BLK_FLUSH, 0, 0, "flush" },
    { BLK_READ, 16, 8, "read sectors 16-23" },
    { BLK_READ, 200, 1, "read sector 200 (past the end)" },
};
#define STEPS (sizeof steps / sizeof steps[0])
static unsigned step;

static seL4_Uint32 fnv1a(const volatile seL4_Uint8 *p, seL4_Uint32 n)
{
    seL4_Uint32 h = 2166136261u;
    for (seL4_Uint32 i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void put_hex32(seL4_Uint32 x)
{
    static const char digits[] = "0123456789abcdef";
    char s[11] = "0x";
    for (int i = 0; i < 8; i++) {
        s[2 + i] = digits[(x >> (28 - 4 * i)) & 0xf];
    }
    s[10] = '\0';
    microkit_dbg_puts(s);
}

static void send(unsigned i)
{
    const struct step *s = &steps[i];
    blk_request_ring_t *r = &q()->req;
    if (s->op == BLK_WRITE) {
        volatile seL4_Uint8 *d = (volatile seL4_Uint8 *)blk_data;
        for (seL4_Uint32 k = 0; k < s->count * SECTOR; k++) {
            d[k] = (seL4_Uint8)(k * 31u + (k >> 9));
        }
    }
    blk_request_t *e = &r->entries[r->tail % BLK_QUEUE_CAPACITY];
    e->op = s->op;
    e->id = i;
    e->sector = s->sector;
    e->count = s->count;
    e->data_offset = 0;
    blk_barrier();
    r->tail = r->tail + 1;
    microkit_notify(DRIVER);
}

void init(void)
{
    /* The driver has the higher priority: its init() has run, and the device is ready. */
    if (!q()->ready) {
        microkit_dbg_puts("client: the driver is not ready\n");
        return;
    }
    microkit_dbg_puts("client: disk of ");
    microkit_dbg_put32((seL4_Uint32)q()->capacity);
    microkit_dbg_puts(" sectors\n");
    send(0);
}

void notified(microkit_channel ch)
{
    if (ch != DRIVER) {
        return;
    }
    blk_response_ring_t *r = &q()->resp;
    while (r->head != r->tail) {
        blk_barrier();
        blk_response_t resp = r->entries[r->head % BLK_QUEUE_CAPACITY];
        r->head = r->head + 1;
        const struct step *s = &steps[resp.id];
        microkit_dbg_puts("client: ");
        microkit_dbg_puts(s->what);
        microkit_dbg_puts(": status ");
        microkit_dbg_put32(resp.status);
        if (s->op != BLK_FLUSH && resp.status == BLK_OK) {
            microkit_dbg_puts(", checksum ");
            put_hex32(fnv1a((volatile seL4_Uint8 *)blk_data, s->count * SECTOR));
        }
        microkit_dbg_puts("\n");
        step++;
        if (step < STEPS) {
            send(step);
        } else {
            microkit_dbg_puts("client: done\n");
        }
    }
}
