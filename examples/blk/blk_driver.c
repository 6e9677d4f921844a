/*
 * blk_driver: a virtio-blk driver for the virtio-mmio transport of QEMU's virt board (the
 * modern layout, version 2, as sDDF's driver uses it: QEMU needs
 * -global virtio-mmio.force-legacy=false, sel4ts --global virtio-mmio.force-legacy=false).
 *
 * init() negotiates features and sets up one split virtqueue of 16 descriptors in the
 * driver's DMA region. Each client request becomes a chain of three descriptors (header,
 * data in the shared data region, status byte; two for a flush); the device's interrupt
 * (SPI 47, INTID 79) completes them, and the driver answers on the response ring.
 */
#include <microkit.h>
#include "blk_queue.h"

#define CLIENT 0
#define IRQ 1

/* Patched by the tool: virtual addresses (setvar_vaddr) and physical ones (region_paddr). */
seL4_Word virtio_regs;
seL4_Word blk_virtio;
seL4_Word blk_virtio_paddr;
seL4_Word blk_queues;
seL4_Word blk_data;
seL4_Word blk_data_paddr;

/* The first device on QEMU's command line takes the highest transport, 0xa003e00. */
#define TRANSPORT_OFFSET 0xe00

/* virtio-mmio registers (virtio 1.2 §4.2.2). */
#define MagicValue 0x000
#define Version 0x004
#define DeviceID 0x008
#define DeviceFeatures 0x010
#define DeviceFeaturesSel 0x014
#define DriverFeatures 0x020
#define DriverFeaturesSel 0x024
#define QueueSel 0x030
#define QueueNumMax 0x034
#define QueueNum 0x038
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

#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_F_VERSION_1 32

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4

#define QUEUE_SIZE 16u
#define SLOTS 5u

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

struct virtio_blk_req_header {
    seL4_Uint32 type;
    seL4_Uint32 reserved;
    seL4_Uint64 sector;
};

/* Layout of the DMA region. */
#define DESC_OFFSET 0x0000
#define AVAIL_OFFSET 0x0800
#define USED_OFFSET 0x1000
#define HEADER_OFFSET 0x2000
#define STATUS_OFFSET 0x2800

static volatile struct virtq_desc *desc;
static volatile struct virtq_avail *avail;
static volatile struct virtq_used *used;
static seL4_Uint16 last_used;
static seL4_Uint32 slot_id[SLOTS];

static volatile seL4_Uint32 *reg(seL4_Word offset)
{
    return (volatile seL4_Uint32 *)(virtio_regs + TRANSPORT_OFFSET + offset);
}

static volatile struct virtio_blk_req_header *header(unsigned slot)
{
    return (volatile struct virtio_blk_req_header *)(blk_virtio + HEADER_OFFSET + 16 * slot);
}

static volatile seL4_Uint8 *status_byte(unsigned slot)
{
    return (volatile seL4_Uint8 *)(blk_virtio + STATUS_OFFSET + slot);
}

static blk_queues_t *q(void)
{
    return (blk_queues_t *)blk_queues;
}

static void fail(const char *why)
{
    microkit_dbg_puts("blk_driver: ");
    microkit_dbg_puts(why);
    microkit_dbg_puts("\n");
    *reg(Status) = STATUS_FAILED;
}

void init(void)
{
    if (*reg(MagicValue) != 0x74726976 || *reg(DeviceID) != 2) {
        fail("no virtio-blk device at 0xa003e00");
        return;
    }
    seL4_Uint32 version = *reg(Version);
    if (version != 2) {
        fail("the transport is legacy (version 1): run with virtio-mmio.force-legacy=false");
        return;
    }
    *reg(Status) = 0;
    *reg(Status) = STATUS_ACKNOWLEDGE;
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;

    *reg(DeviceFeaturesSel) = 0;
    seL4_Uint32 offered_lo = *reg(DeviceFeatures);
    *reg(DeviceFeaturesSel) = 1;
    seL4_Uint32 offered_hi = *reg(DeviceFeatures);
    *reg(DriverFeaturesSel) = 0;
    *reg(DriverFeatures) = offered_lo & (1u << VIRTIO_BLK_F_FLUSH);
    *reg(DriverFeaturesSel) = 1;
    *reg(DriverFeatures) = offered_hi & (1u << (VIRTIO_F_VERSION_1 - 32));
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
    if (!(*reg(Status) & STATUS_FEATURES_OK)) {
        fail("the device refused the features");
        return;
    }

    desc = (volatile struct virtq_desc *)(blk_virtio + DESC_OFFSET);
    avail = (volatile struct virtq_avail *)(blk_virtio + AVAIL_OFFSET);
    used = (volatile struct virtq_used *)(blk_virtio + USED_OFFSET);
    *reg(QueueSel) = 0;
    if (*reg(QueueNumMax) < QUEUE_SIZE) {
        fail("queue 0 is too small");
        return;
    }
    *reg(QueueNum) = QUEUE_SIZE;
    seL4_Uint64 pa = blk_virtio_paddr;
    *reg(QueueDescLow) = (seL4_Uint32)(pa + DESC_OFFSET);
    *reg(QueueDescHigh) = (seL4_Uint32)((pa + DESC_OFFSET) >> 32);
    *reg(QueueDriverLow) = (seL4_Uint32)(pa + AVAIL_OFFSET);
    *reg(QueueDriverHigh) = (seL4_Uint32)((pa + AVAIL_OFFSET) >> 32);
    *reg(QueueDeviceLow) = (seL4_Uint32)(pa + USED_OFFSET);
    *reg(QueueDeviceHigh) = (seL4_Uint32)((pa + USED_OFFSET) >> 32);
    *reg(QueueReady) = 1;
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;

    seL4_Uint32 capacity = *reg(Config); /* the low word of the 64-bit capacity */
    microkit_dbg_puts("blk_driver: virtio-blk, virtio-mmio version ");
    microkit_dbg_put32(version);
    microkit_dbg_puts(", flush ");
    microkit_dbg_puts(offered_lo & (1u << VIRTIO_BLK_F_FLUSH) ? "offered" : "not offered");
    microkit_dbg_puts(", capacity ");
    microkit_dbg_put32(capacity);
    microkit_dbg_puts(" sectors\n");
    q()->capacity = capacity;
    blk_barrier();
    q()->ready = 1;
}

/* Turn one client request into a descriptor chain and make it available. */
static void submit(const blk_request_t *r)
{
    unsigned slot = r->id % SLOTS;
    unsigned d = 3 * slot;
    slot_id[slot] = r->id;
    volatile struct virtio_blk_req_header *h = header(slot);
    h->type = r->op == BLK_READ ? VIRTIO_BLK_T_IN : r->op == BLK_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
    h->reserved = 0;
    h->sector = r->sector;
    *status_byte(slot) = 0xff;

    desc[d].addr = blk_virtio_paddr + HEADER_OFFSET + 16 * slot;
    desc[d].len = 16;
    desc[d].flags = VIRTQ_DESC_F_NEXT;
    desc[d].next = d + 1;
    unsigned last = d + 1;
    if (r->op != BLK_FLUSH) {
        desc[d + 1].addr = blk_data_paddr + r->data_offset;
        desc[d + 1].len = r->count * 512;
        desc[d + 1].flags = VIRTQ_DESC_F_NEXT | (r->op == BLK_READ ? VIRTQ_DESC_F_WRITE : 0);
        desc[d + 1].next = d + 2;
        last = d + 2;
    }
    desc[last].addr = blk_virtio_paddr + STATUS_OFFSET + slot;
    desc[last].len = 1;
    desc[last].flags = VIRTQ_DESC_F_WRITE;
    desc[last].next = 0;

    avail->ring[avail->idx % QUEUE_SIZE] = d;
    blk_barrier();
    avail->idx = avail->idx + 1;
    blk_barrier();
    *reg(QueueNotify) = 0;
}

static void take_requests(void)
{
    blk_request_ring_t *r = &q()->req;
    while (r->head != r->tail) {
        blk_barrier();
        blk_request_t req = r->entries[r->head % BLK_QUEUE_CAPACITY];
        r->head = r->head + 1;
        submit(&req);
    }
}

static void complete(void)
{
    blk_response_ring_t *resp = &q()->resp;
    int answered = 0;
    blk_barrier();
    while (last_used != used->idx) {
        blk_barrier();
        seL4_Uint32 d = used->ring[last_used % QUEUE_SIZE].id;
        unsigned slot = d / 3;
        last_used++;
        seL4_Uint8 s = *status_byte(slot);
        blk_response_t *e = &resp->entries[resp->tail % BLK_QUEUE_CAPACITY];
        e->id = slot_id[slot];
        e->status = s == 0 ? BLK_OK : s == 1 ? BLK_IOERR : BLK_UNSUPP;
        blk_barrier();
        resp->tail = resp->tail + 1;
        answered = 1;
    }
    if (answered) {
        microkit_notify(CLIENT);
    }
}

void notified(microkit_channel ch)
{
    if (ch == IRQ) {
        seL4_Uint32 isr = *reg(InterruptStatus);
        *reg(InterruptACK) = isr;
        complete();
        microkit_irq_ack(IRQ);
    } else if (ch == CLIENT) {
        take_requests();
    }
}
