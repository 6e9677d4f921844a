/*
 * The block interface between the client and the driver, in the style of sDDF's blk queues:
 * a request ring and a response ring in one shared page, each a single-producer
 * single-consumer ring with free-running head and tail indices, and a data region shared by
 * both in which requests name their buffers by offset. Each side notifies the other after
 * adding entries.
 */
#pragma once
#include <microkit.h>

#define BLK_QUEUE_CAPACITY 16u

enum blk_op { BLK_READ = 0, BLK_WRITE = 1, BLK_FLUSH = 2 };
enum blk_status { BLK_OK = 0, BLK_IOERR = 1, BLK_UNSUPP = 2 };

typedef struct {
    seL4_Uint32 op;
    seL4_Uint32 id;
    seL4_Uint64 sector;      /* 512-byte sectors */
    seL4_Uint32 count;       /* sectors */
    seL4_Uint32 data_offset; /* in the data region */
} blk_request_t;

typedef struct {
    seL4_Uint32 id;
    seL4_Uint32 status;
} blk_response_t;

typedef struct {
    volatile seL4_Uint32 head; /* written by the consumer */
    volatile seL4_Uint32 tail; /* written by the producer */
    blk_request_t entries[BLK_QUEUE_CAPACITY];
} blk_request_ring_t;

typedef struct {
    volatile seL4_Uint32 head;
    volatile seL4_Uint32 tail;
    blk_response_t entries[BLK_QUEUE_CAPACITY];
} blk_response_ring_t;

typedef struct {
    blk_request_ring_t req;
    blk_response_ring_t resp;
    /* Set by the driver once the device is ready, with its capacity. */
    volatile seL4_Uint64 capacity;
    volatile seL4_Uint32 ready;
} blk_queues_t;

static inline void blk_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
