/*
 * net_driver: a virtio-net driver for the virtio-mmio transport of QEMU's virt board, for
 * both register layouts: modern (version 2, as sDDF's driver uses it: QEMU needs
 * -global virtio-mmio.force-legacy=false, sel4ts --global virtio-mmio.force-legacy=false)
 * and legacy (version 1, QEMU's default).
 *
 * init() negotiates VIRTIO_NET_F_MAC (and VIRTIO_F_VERSION_1 on the modern layout), sets up
 * the receiveq and the transmitq, 16 descriptors each, in the driver's DMA region, and tells
 * the client the MAC address. Each frame is a chain of two descriptors: the virtio-net header
 * (in the driver's region) and the client's buffer (in the shared data region, by physical
 * address: the device reads and writes it directly). The client's empty buffers go on the
 * receiveq, its frames to send on the transmitq; the device's interrupt (SPI 47, INTID 79)
 * hands them back.
 */
#include <microkit.h>
#include "net_queue.h"

#define CLIENT 0
#define IRQ 1

/* Patched by the tool: virtual addresses (setvar_vaddr) and physical ones (region_paddr). */
seL4_Word virtio_regs;
seL4_Word net_virtio;
seL4_Word net_virtio_paddr;
seL4_Word net_queues;
seL4_Word net_data;
seL4_Word net_data_paddr;

/* The first device on QEMU's command line takes the highest transport, 0xa003e00. */
#define TRANSPORT_OFFSET 0xe00

/* virtio-mmio registers (virtio 1.2 §4.2.2; the legacy ones §4.2.4). */
#define MagicValue 0x000
#define Version 0x004
#define DeviceID 0x008
#define DeviceFeatures 0x010
#define DeviceFeaturesSel 0x014
#define DriverFeatures 0x020
#define DriverFeaturesSel 0x024
#define LegacyGuestPageSize 0x028
#define QueueSel 0x030
#define QueueNumMax 0x034
#define QueueNum 0x038
#define LegacyQueueAlign 0x03c
#define LegacyQueuePFN 0x040
#define QueueReady 0x044
#define QueueNotify 0x050
#define InterruptStatus 0x060
#define InterruptACK 0x064
#define Status 0x070
#define QueueDescLow 0x080
#define QueueDescHigh 0x084
#define QueueDriverLow 0x090
#define QueueDriverHigh 0x094
#define QueueDeviceLow 0x0a0
#define QueueDeviceHigh 0x0a4
#define Config 0x100

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u
#define STATUS_FAILED 128u

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_F_VERSION_1 32

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

#define RECEIVEQ 0
#define TRANSMITQ 1
#define QUEUE_SIZE 16u
/* Two descriptors a frame. */
#define SLOTS (QUEUE_SIZE / 2)
#define PAGE 4096u

struct virtq_desc {
    seL4_Uint64 addr;
    seL4_Uint32 len;
    seL4_Uint16 flags;
    seL4_Uint16 next;
};

struct virtq_avail {
    seL4_Uint16 flags;
    seL4_Uint16 idx;
    seL4_Uint16 ring[QUEUE_SIZE];
    seL4_Uint16 used_event;
};

struct virtq_used_elem {
    seL4_Uint32 id;
    seL4_Uint32 len;
};

struct virtq_used {
    seL4_Uint16 flags;
    seL4_Uint16 idx;
    struct virtq_used_elem ring[QUEUE_SIZE];
    seL4_Uint16 avail_event;
};

/*
 * Layout of the DMA region: one 8 KiB area a queue, laid out so that it also suits the legacy
 * layout (the available ring right after the descriptors, the used ring at the next page).
 */
#define QUEUE_AREA 0x2000
#define DESC_OFFSET 0x0000
#define AVAIL_OFFSET (16 * QUEUE_SIZE)
#define USED_OFFSET 0x1000
#define HEADER_OFFSET 0x0800

struct queue {
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    seL4_Uint64 paddr;
    seL4_Uint16 last_used;
    seL4_Uint32 in_use; /* bit s: slot s holds a buffer */
    seL4_Uint32 buffer[SLOTS];
};

static struct queue queues[2];
static seL4_Uint32 header_length; /* struct virtio_net_hdr: 12 bytes, 10 on a legacy device */

static volatile seL4_Uint32 *reg(seL4_Word offset)
{
    return (volatile seL4_Uint32 *)(virtio_regs + TRANSPORT_OFFSET + offset);
}

static net_queues_t *q(void)
{
    return (net_queues_t *)net_queues;
}

static void fail(const char *why)
{
    microkit_dbg_puts("net_driver: ");
    microkit_dbg_puts(why);
    microkit_dbg_puts("\n");
    *reg(Status) = STATUS_FAILED;
}

static void put_hex8(seL4_Uint8 x)
{
    static const char digits[] = "0123456789abcdef";
    char s[3];
    s[0] = digits[x >> 4];
    s[1] = digits[x & 0xf];
    s[2] = '\0';
    microkit_dbg_puts(s);
}

static int setup_queue(unsigned index, seL4_Uint32 version)
{
    struct queue *vq = &queues[index];
    seL4_Word area = index * QUEUE_AREA;
    vq->desc = (volatile struct virtq_desc *)(net_virtio + area + DESC_OFFSET);
    vq->avail = (volatile struct virtq_avail *)(net_virtio + area + AVAIL_OFFSET);
    vq->used = (volatile struct virtq_used *)(net_virtio + area + USED_OFFSET);
    vq->paddr = net_virtio_paddr + area;
    for (unsigned s = 0; s < SLOTS; s++) {
        /* The header descriptor of each slot stays as it is; only the buffer changes. */
        vq->desc[2 * s].addr = vq->paddr + HEADER_OFFSET + 16 * s;
        vq->desc[2 * s].len = header_length;
        vq->desc[2 * s].flags = VIRTQ_DESC_F_NEXT | (index == RECEIVEQ ? VIRTQ_DESC_F_WRITE : 0);
        vq->desc[2 * s].next = 2 * s + 1;
        volatile seL4_Uint8 *h = (volatile seL4_Uint8 *)(net_virtio + area + HEADER_OFFSET + 16 * s);
        for (unsigned i = 0; i < 16; i++) {
            h[i] = 0; /* on transmit: no checksum offload, no segmentation */
        }
    }
    *reg(QueueSel) = index;
    if (*reg(QueueNumMax) < QUEUE_SIZE) {
        return 0;
    }
    *reg(QueueNum) = QUEUE_SIZE;
    if (version == 1) {
        *reg(LegacyQueueAlign) = PAGE;
        *reg(LegacyQueuePFN) = (seL4_Uint32)(vq->paddr / PAGE);
    } else {
        *reg(QueueDescLow) = (seL4_Uint32)(vq->paddr + DESC_OFFSET);
        *reg(QueueDescHigh) = (seL4_Uint32)((vq->paddr + DESC_OFFSET) >> 32);
        *reg(QueueDriverLow) = (seL4_Uint32)(vq->paddr + AVAIL_OFFSET);
        *reg(QueueDriverHigh) = (seL4_Uint32)((vq->paddr + AVAIL_OFFSET) >> 32);
        *reg(QueueDeviceLow) = (seL4_Uint32)(vq->paddr + USED_OFFSET);
        *reg(QueueDeviceHigh) = (seL4_Uint32)((vq->paddr + USED_OFFSET) >> 32);
        *reg(QueueReady) = 1;
    }
    return 1;
}

void init(void)
{
    if (*reg(MagicValue) != 0x74726976 || *reg(DeviceID) != 1) {
        fail("no virtio-net device at 0xa003e00");
        return;
    }
    seL4_Uint32 version = *reg(Version);
    *reg(Status) = 0;
    *reg(Status) = STATUS_ACKNOWLEDGE;
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;

    *reg(DeviceFeaturesSel) = 0;
    seL4_Uint32 offered_lo = *reg(DeviceFeatures);
    *reg(DriverFeaturesSel) = 0;
    *reg(DriverFeatures) = offered_lo & (1u << VIRTIO_NET_F_MAC);
    if (version == 1) {
        /* Legacy: no VIRTIO_F_VERSION_1, no FEATURES_OK; the header has no num_buffers. */
        header_length = 10;
        *reg(LegacyGuestPageSize) = PAGE;
    } else {
        *reg(DeviceFeaturesSel) = 1;
        seL4_Uint32 offered_hi = *reg(DeviceFeatures);
        if (!(offered_hi & (1u << (VIRTIO_F_VERSION_1 - 32)))) {
            fail("the device does not offer VIRTIO_F_VERSION_1");
            return;
        }
        *reg(DriverFeaturesSel) = 1;
        *reg(DriverFeatures) = 1u << (VIRTIO_F_VERSION_1 - 32);
        *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
        if (!(*reg(Status) & STATUS_FEATURES_OK)) {
            fail("the device refused the features");
            return;
        }
        header_length = 12;
    }
    if (!setup_queue(RECEIVEQ, version) || !setup_queue(TRANSMITQ, version)) {
        fail("a queue is too small");
        return;
    }
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | (version == 1 ? 0 : STATUS_FEATURES_OK) | STATUS_DRIVER_OK;

    microkit_dbg_puts("net_driver: virtio-net, virtio-mmio version ");
    microkit_dbg_put32(version);
    microkit_dbg_puts(", MAC ");
    for (unsigned i = 0; i < 6; i++) {
        /* Config space byte by byte (the legacy layout is guest-endian, the modern little-endian). */
        seL4_Uint8 b = *(volatile seL4_Uint8 *)(virtio_regs + TRANSPORT_OFFSET + Config + i);
        if (!(offered_lo & (1u << VIRTIO_NET_F_MAC))) {
            b = 0;
        }
        q()->mac[i] = b;
        if (i) {
            microkit_dbg_puts(":");
        }
        put_hex8(b);
    }
    microkit_dbg_puts("\n");
    net_barrier();
    q()->ready = 1;
}

/* Put one buffer of the data region on a queue (there must be a free slot). */
static void post(unsigned index, seL4_Uint32 offset, seL4_Uint32 len)
{
    struct queue *vq = &queues[index];
    unsigned s = 0;
    while (vq->in_use & (1u << s)) {
        s++;
    }
    vq->in_use |= 1u << s;
    vq->buffer[s] = offset;
    vq->desc[2 * s + 1].addr = net_data_paddr + offset;
    vq->desc[2 * s + 1].len = index == RECEIVEQ ? NET_BUFFER_SIZE : len;
    vq->desc[2 * s + 1].flags = index == RECEIVEQ ? VIRTQ_DESC_F_WRITE : 0;
    vq->desc[2 * s + 1].next = 0;
    vq->avail->ring[vq->avail->idx % QUEUE_SIZE] = 2 * s;
    net_barrier();
    vq->avail->idx = vq->avail->idx + 1;
}

static int full(unsigned index)
{
    return queues[index].in_use == (1u << SLOTS) - 1;
}

/* The client's empty buffers to the receiveq, its frames to the transmitq. */
static void take_from_client(void)
{
    int rx = 0, tx = 0;
    while (!net_queue_empty(&q()->rx_free) && !full(RECEIVEQ)) {
        net_buff_desc_t d = net_dequeue(&q()->rx_free);
        post(RECEIVEQ, d.offset, 0);
        rx = 1;
    }
    while (!net_queue_empty(&q()->tx_active) && !full(TRANSMITQ)) {
        net_buff_desc_t d = net_dequeue(&q()->tx_active);
        post(TRANSMITQ, d.offset, d.len);
        tx = 1;
    }
    net_barrier();
    if (rx) {
        *reg(QueueNotify) = RECEIVEQ;
    }
    if (tx) {
        *reg(QueueNotify) = TRANSMITQ;
    }
}

/* What the device has used goes back to the client: received frames, sent buffers. */
static int give_to_client(unsigned index)
{
    struct queue *vq = &queues[index];
    int given = 0;
    net_barrier();
    while (vq->last_used != vq->used->idx) {
        net_barrier();
        volatile struct virtq_used_elem *e = &vq->used->ring[vq->last_used % QUEUE_SIZE];
        unsigned s = e->id / 2;
        seL4_Uint32 len = e->len;
        vq->last_used++;
        vq->in_use &= ~(1u << s);
        if (index == RECEIVEQ) {
            net_enqueue(&q()->rx_active, vq->buffer[s], len > header_length ? len - header_length : 0);
        } else {
            net_enqueue(&q()->tx_free, vq->buffer[s], 0);
        }
        given = 1;
    }
    return given;
}

void notified(microkit_channel ch)
{
    if (ch == IRQ) {
        seL4_Uint32 isr = *reg(InterruptStatus);
        *reg(InterruptACK) = isr;
        int given = give_to_client(RECEIVEQ);
        given |= give_to_client(TRANSMITQ);
        microkit_irq_ack(IRQ);
        /* Slots have come free: buffers the client left waiting can go now. */
        take_from_client();
        if (given) {
            microkit_notify(CLIENT);
        }
    } else if (ch == CLIENT) {
        take_from_client();
    }
}
