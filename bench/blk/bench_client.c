/*
 * The block-read benchmark's client: reads the disk from start to end, over and over, in
 * 64 KiB requests through examples/blk's driver (one request outstanding at a time), until it
 * has read bench_bytes; then prints how much it read.
 */
#include <microkit.h>
#include "blk_queue.h"

#define DRIVER 0
#define SECTORS_PER_REQUEST 128u

seL4_Word blk_queues;
seL4_Word blk_data;
/* Bytes to read (the bench may patch it). */
seL4_Word bench_bytes = 32u << 20;

static seL4_Uint64 next_sector;
static seL4_Uint64 done;
static seL4_Uint32 requests;

static blk_queues_t *q(void)
{
    return (blk_queues_t *)blk_queues;
}

static void send(void)
{
    blk_request_ring_t *r = &q()->req;
    if (next_sector + SECTORS_PER_REQUEST > q()->capacity) {
        next_sector = 0;
    }
    blk_request_t *e = &r->entries[r->tail % BLK_QUEUE_CAPACITY];
    e->op = BLK_READ;
    e->id = requests++;
    e->sector = next_sector;
    e->count = SECTORS_PER_REQUEST;
    e->data_offset = 0;
    next_sector += SECTORS_PER_REQUEST;
    blk_barrier();
    r->tail = r->tail + 1;
    microkit_notify(DRIVER);
}

void init(void)
{
    send();
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
        if (resp.status != BLK_OK) {
            microkit_dbg_puts("bench: a read failed\n");
            return;
        }
        done += SECTORS_PER_REQUEST * 512u;
        if (done < bench_bytes) {
            send();
        } else {
            microkit_dbg_puts("bench: read ");
            microkit_dbg_put32((seL4_Uint32)(done >> 10));
            microkit_dbg_puts(" KiB\n");
        }
    }
}
