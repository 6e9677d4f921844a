/*
 * console: a virtio-console driver (modern transport, one port, no MULTIPORT). It sends a
 * greeting on transmitq, then takes what arrives on receiveq and sends it back upper-cased,
 * reporting each step on the debug console, until it has received a line ending in '.'.
 * The device is the first virtio device: transport 0xa003e00, INTID 79.
 */
#include <microkit.h>

#define IRQ 1

seL4_Word virtio_regs;
seL4_Word dma;
seL4_Word dma_paddr;

#define T 0xe00
#define QUEUE_SIZE 8u

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
};
struct virtq_used {
    seL4_Uint16 flags;
    seL4_Uint16 idx;
    struct {
        seL4_Uint32 id;
        seL4_Uint32 len;
    } ring[QUEUE_SIZE];
};

/* Per queue q: descriptors at q*0x1000, avail at +0x200, used at +0x400; buffers at 0x4000 + q*0x1000. */
#define QOFF(q) ((seL4_Word)(q) * 0x1000)
#define BUF(q) (0x4000 + (seL4_Word)(q) * 0x1000)

static seL4_Uint16 last_used[2];
static unsigned received;

static volatile seL4_Uint32 *reg(seL4_Word off)
{
    return (volatile seL4_Uint32 *)(virtio_regs + T + off);
}
static volatile struct virtq_desc *desc(unsigned q)
{
    return (volatile struct virtq_desc *)(dma + QOFF(q));
}
static volatile struct virtq_avail *avail(unsigned q)
{
    return (volatile struct virtq_avail *)(dma + QOFF(q) + 0x200);
}
static volatile struct virtq_used *used(unsigned q)
{
    return (volatile struct virtq_used *)(dma + QOFF(q) + 0x400);
}

static void barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void offer(unsigned q, seL4_Uint32 len, int writable)
{
    unsigned slot = avail(q)->idx % QUEUE_SIZE;
    desc(q)[slot].addr = dma_paddr + BUF(q) + slot * 0x100;
    desc(q)[slot].len = len;
    desc(q)[slot].flags = writable ? 2 : 0;
    desc(q)[slot].next = 0;
    avail(q)->ring[slot] = slot;
    barrier();
    avail(q)->idx = avail(q)->idx + 1;
    barrier();
    *reg(0x050) = q;
}

static void transmit(const char *s, seL4_Uint32 n)
{
    unsigned slot = avail(1)->idx % QUEUE_SIZE;
    char *b = (char *)(dma + BUF(1) + slot * 0x100);
    for (seL4_Uint32 i = 0; i < n; i++) {
        b[i] = s[i];
    }
    offer(1, n, 0);
}

void init(void)
{
    if (*reg(0x008) != 3 || *reg(0x004) != 2) {
        microkit_dbg_puts("console: no modern virtio-console at 0xa003e00\n");
        return;
    }
    *reg(0x070) = 0;
    *reg(0x070) = 3;
    *reg(0x024) = 0;
    *reg(0x020) = 0;
    *reg(0x024) = 1;
    *reg(0x020) = 1; /* VIRTIO_F_VERSION_1 */
    *reg(0x070) = 3 | 8;
    for (unsigned q = 0; q < 2; q++) {
        *reg(0x030) = q;
        *reg(0x038) = QUEUE_SIZE;
        seL4_Uint64 pa = dma_paddr + QOFF(q);
        *reg(0x080) = (seL4_Uint32)pa;
        *reg(0x084) = (seL4_Uint32)(pa >> 32);
        *reg(0x090) = (seL4_Uint32)(pa + 0x200);
        *reg(0x094) = (seL4_Uint32)((pa + 0x200) >> 32);
        *reg(0x0a0) = (seL4_Uint32)(pa + 0x400);
        *reg(0x0a4) = (seL4_Uint32)((pa + 0x400) >> 32);
        *reg(0x044) = 1;
    }
    *reg(0x070) = 3 | 8 | 4;
    microkit_dbg_puts("console: ready\n");
    transmit("hello from the guest\n", 21);
    offer(0, 64, 1);
}

void notified(microkit_channel ch)
{
    if (ch != IRQ) {
        return;
    }
    *reg(0x064) = *reg(0x060);
    barrier();
    while (last_used[1] != used(1)->idx) {
        last_used[1]++;
        microkit_dbg_puts("console: transmitted\n");
    }
    while (last_used[0] != used(0)->idx) {
        unsigned slot = used(0)->ring[last_used[0] % QUEUE_SIZE].id;
        seL4_Uint32 n = used(0)->ring[last_used[0] % QUEUE_SIZE].len;
        last_used[0]++;
        char *b = (char *)(dma + BUF(0) + slot * 0x100);
        char up[64];
        int end = 0;
        for (seL4_Uint32 i = 0; i < n && i < 64; i++) {
            up[i] = b[i] >= 'a' && b[i] <= 'z' ? b[i] - 32 : b[i];
            end |= b[i] == '.';
        }
        received += n;
        microkit_dbg_puts("console: received some bytes\n");
        transmit(up, n);
        if (end) {
            microkit_dbg_puts("console: received ");
            microkit_dbg_put32(received);
            microkit_dbg_puts(" bytes in all\nconsole: end\n");
        } else {
            offer(0, 64, 1);
        }
    }
    microkit_irq_ack(IRQ);
}
