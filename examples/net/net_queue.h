/*
 * The network interface between the client and the driver, in the style of sDDF's net
 * queues: four single-producer single-consumer rings of buffer descriptors in one shared page,
 * with free-running head and tail indices, and a data region shared by both in which a
 * descriptor names a buffer by its offset. Buffers circulate:
 *   rx_free (client → driver: empty buffers for the device to fill)
 *   rx_active (driver → client: received frames)
 *   tx_active (client → driver: frames to send)
 *   tx_free (driver → client: buffers the device has sent)
 * There are NET_BUFFERS buffers and every ring holds that many, so no ring can overflow.
 * Each side notifies the other after adding entries.
 */
#pragma once
#include <microkit.h>

#define NET_BUFFERS 16u
#define NET_BUFFER_SIZE 2048u
#define NET_QUEUE_CAPACITY 16u

typedef struct {
    seL4_Uint32 offset; /* in the data region */
    seL4_Uint32 len;    /* bytes of Ethernet frame (without the virtio-net header) */
} net_buff_desc_t;

typedef struct {
    volatile seL4_Uint32 head; /* written by the consumer */
    volatile seL4_Uint32 tail; /* written by the producer */
    net_buff_desc_t entries[NET_QUEUE_CAPACITY];
} net_queue_t;

typedef struct {
    net_queue_t rx_free;
    net_queue_t rx_active;
    net_queue_t tx_active;
    net_queue_t tx_free;
    /* Set by the driver once the device is ready, with the device's MAC address. */
    volatile seL4_Uint8 mac[6];
    volatile seL4_Uint32 ready;
} net_queues_t;

static inline void net_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline int net_queue_empty(const net_queue_t *q)
{
    return q->head == q->tail;
}

/* The producer's side. */
static inline void net_enqueue(net_queue_t *q, seL4_Uint32 offset, seL4_Uint32 len)
{
    net_buff_desc_t *e = &q->entries[q->tail % NET_QUEUE_CAPACITY];
    e->offset = offset;
    e->len = len;
    net_barrier();
    q->tail = q->tail + 1;
}

/* The consumer's side; the queue must not be empty. */
static inline net_buff_desc_t net_dequeue(net_queue_t *q)
{
    net_barrier();
    net_buff_desc_t d = q->entries[q->head % NET_QUEUE_CAPACITY];
    net_barrier();
    q->head = q->head + 1;
    return d;
}
