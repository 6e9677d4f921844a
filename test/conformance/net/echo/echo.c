/*
 * echo: a minimal network guest for sel4ts's user networking tests. One PD drives a
 * virtio-net device (the modern virtio-mmio layout, the first device: 0xa003e00, INTID 79)
 * and, at 10.0.2.15 (the address QEMU's DHCP gives), answers ARP, ICMP echo, UDP on port
 * 1235 (each datagram sent back) and TCP on port 1236 (each byte sent back, FIN answered
 * with FIN). Its TCP keeps no retransmission timer: the link to the emulator loses nothing.
 * It first asks DHCP for an address and prints the offer.
 *
 * Not a network stack to copy: just enough for a host's `nc` to talk to a guest through
 * `--netdev user,hostfwd=tcp::1236-:1236`, as it does to sDDF's echo server under QEMU.
 */
#include <microkit.h>

#define IRQ 1

/* Patched by the tool. */
seL4_Word virtio_regs;
seL4_Word net_dma;
seL4_Word net_dma_paddr;

#define TRANSPORT_OFFSET 0xe00

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

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_F_VERSION_1 32
#define VIRTQ_DESC_F_WRITE 2

#define QSIZE 16u
#define BUF 2048u
/* struct virtio_net_hdr with VIRTIO_F_VERSION_1: 12 bytes. */
#define HDR 12u

struct virtq_desc {
    seL4_Uint64 addr;
    seL4_Uint32 len;
    seL4_Uint16 flags;
    seL4_Uint16 next;
};
struct virtq_avail {
    seL4_Uint16 flags;
    seL4_Uint16 idx;
    seL4_Uint16 ring[QSIZE];
};
struct virtq_used_elem {
    seL4_Uint32 id;
    seL4_Uint32 len;
};
struct virtq_used {
    seL4_Uint16 flags;
    seL4_Uint16 idx;
    struct virtq_used_elem ring[QSIZE];
};

/* The DMA region: per queue (0 receive, 1 transmit) descriptors, available and used rings, then the buffers. */
#define QUEUE_AREA(q) ((q) * 0x2000u)
#define AVAIL_AT 0x800u
#define USED_AT 0x1000u
#define RX_BUFS 0x4000u
#define TX_BUFS (RX_BUFS + QSIZE * BUF)

struct queue {
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    seL4_Uint16 last_used;
};
static struct queue rxq, txq;
static seL4_Uint16 tx_next;
static seL4_Uint8 mac[6];

#define MY_IP 0x0a00020fu

static volatile seL4_Uint32 *reg(seL4_Word offset)
{
    return (volatile seL4_Uint32 *)(virtio_regs + TRANSPORT_OFFSET + offset);
}

static void puts_(const char *s)
{
    microkit_dbg_puts(s);
}

static void put_dec(seL4_Uint32 x)
{
    char b[11];
    int i = 10;
    b[i] = 0;
    do {
        b[--i] = '0' + x % 10;
        x /= 10;
    } while (x);
    puts_(&b[i]);
}

static void put_ip(seL4_Uint32 a)
{
    put_dec(a >> 24);
    puts_(".");
    put_dec((a >> 16) & 0xff);
    puts_(".");
    put_dec((a >> 8) & 0xff);
    puts_(".");
    put_dec(a & 0xff);
}

static seL4_Uint16 get16(const seL4_Uint8 *p)
{
    return (seL4_Uint16)(p[0] << 8 | p[1]);
}
static seL4_Uint32 get32(const seL4_Uint8 *p)
{
    return (seL4_Uint32)p[0] << 24 | (seL4_Uint32)p[1] << 16 | (seL4_Uint32)p[2] << 8 | p[3];
}
static void put16(seL4_Uint8 *p, seL4_Uint32 v)
{
    p[0] = v >> 8;
    p[1] = v;
}
static void put32(seL4_Uint8 *p, seL4_Uint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}
static void copy(seL4_Uint8 *d, const seL4_Uint8 *s, seL4_Uint32 n)
{
    while (n--) *d++ = *s++;
}
static void zero(seL4_Uint8 *d, seL4_Uint32 n)
{
    while (n--) *d++ = 0;
}

/* RFC 1071. */
static seL4_Uint32 sum(const seL4_Uint8 *p, seL4_Uint32 n, seL4_Uint32 s)
{
    for (; n > 1; n -= 2, p += 2) s += get16(p);
    if (n) s += (seL4_Uint32)p[0] << 8;
    return s;
}
static seL4_Uint16 fold(seL4_Uint32 s)
{
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (seL4_Uint16)~s;
}

static void setup_queue(unsigned q, struct queue *out)
{
    seL4_Uint64 pa = net_dma_paddr + QUEUE_AREA(q);
    out->desc = (volatile struct virtq_desc *)(net_dma + QUEUE_AREA(q));
    out->avail = (volatile struct virtq_avail *)(net_dma + QUEUE_AREA(q) + AVAIL_AT);
    out->used = (volatile struct virtq_used *)(net_dma + QUEUE_AREA(q) + USED_AT);
    *reg(QueueSel) = q;
    *reg(QueueNum) = QSIZE;
    *reg(QueueDescLow) = (seL4_Uint32)pa;
    *reg(QueueDescHigh) = (seL4_Uint32)(pa >> 32);
    *reg(QueueDriverLow) = (seL4_Uint32)(pa + AVAIL_AT);
    *reg(QueueDriverHigh) = (seL4_Uint32)((pa + AVAIL_AT) >> 32);
    *reg(QueueDeviceLow) = (seL4_Uint32)(pa + USED_AT);
    *reg(QueueDeviceHigh) = (seL4_Uint32)((pa + USED_AT) >> 32);
    *reg(QueueReady) = 1;
}

static void post_rx(seL4_Uint16 i)
{
    rxq.desc[i].addr = net_dma_paddr + RX_BUFS + i * BUF;
    rxq.desc[i].len = BUF;
    rxq.desc[i].flags = VIRTQ_DESC_F_WRITE;
    rxq.avail->ring[rxq.avail->idx % QSIZE] = i;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    rxq.avail->idx++;
}

/* A transmit buffer's frame (after the header); `send` queues it with its length. */
static seL4_Uint8 *tx_frame(void)
{
    seL4_Uint8 *b = (seL4_Uint8 *)(net_dma + TX_BUFS + tx_next * BUF);
    zero(b, HDR);
    return b + HDR;
}

static void send(seL4_Uint32 length)
{
    seL4_Uint16 i = tx_next;
    tx_next = (tx_next + 1) % QSIZE;
    txq.desc[i].addr = net_dma_paddr + TX_BUFS + i * BUF;
    txq.desc[i].len = HDR + length;
    txq.desc[i].flags = 0;
    txq.avail->ring[txq.avail->idx % QSIZE] = i;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    txq.avail->idx++;
    *reg(QueueNotify) = 1;
}

/* An IPv4 packet to `dst` (Ethernet to `dst_mac`) with `payload_len` bytes after the 20-byte header, already written at f + 34. */
static void send_ip(seL4_Uint8 *f, const seL4_Uint8 *dst_mac, seL4_Uint32 dst, seL4_Uint8 protocol, seL4_Uint32 payload_len)
{
    copy(f, dst_mac, 6);
    copy(f + 6, mac, 6);
    put16(f + 12, 0x0800);
    seL4_Uint8 *ip = f + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, 20 + payload_len);
    put32(ip + 4, 0);
    ip[8] = 64;
    ip[9] = protocol;
    put16(ip + 10, 0);
    put32(ip + 12, MY_IP);
    put32(ip + 16, dst);
    put16(ip + 10, fold(sum(ip, 20, 0)));
    if (protocol == 6 || protocol == 17) {
        seL4_Uint8 *t = ip + 20;
        seL4_Uint32 at = protocol == 6 ? 16 : 6;
        put16(t + at, 0);
        seL4_Uint32 s = (MY_IP >> 16) + (MY_IP & 0xffff) + (dst >> 16) + (dst & 0xffff) + protocol + payload_len;
        seL4_Uint16 c = fold(sum(t, payload_len, s));
        put16(t + at, protocol == 17 && c == 0 ? 0xffff : c);
    }
    send(14 + 20 + payload_len);
}

/* ------------------------------------------------------------------ DHCP (DISCOVER, then the offer printed) */

static void dhcp_discover(void)
{
    static const seL4_Uint8 broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    seL4_Uint8 *f = tx_frame();
    seL4_Uint8 *udp = f + 34;
    seL4_Uint8 *b = udp + 8;
    zero(b, 300);
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    put32(b + 4, 0x5e140001);
    put16(b + 10, 0x8000);
    copy(b + 28, mac, 6);
    put32(b + 236, 0x63825363);
    b[240] = 53;
    b[241] = 1;
    b[242] = 1;
    b[243] = 255;
    put16(udp, 68);
    put16(udp + 2, 67);
    put16(udp + 4, 8 + 300);
    /* From 0.0.0.0: send_ip writes MY_IP, so patch the source and recompute afterwards is more code; use MY_IP (slirp does not care). */
    send_ip(f, broadcast, 0xffffffffu, 17, 8 + 300);
}

static void dhcp_reply(const seL4_Uint8 *b, seL4_Uint32 n)
{
    if (n < 244 || b[0] != 2 || get32(b + 4) != 0x5e140001) return;
    seL4_Uint32 router = 0, dns = 0, type = 0;
    for (seL4_Uint32 i = 240; i + 1 < n && b[i] != 255;) {
        if (b[i] == 0) {
            i++;
            continue;
        }
        if (b[i] == 53) type = b[i + 2];
        if (b[i] == 3) router = get32(b + i + 2);
        if (b[i] == 6) dns = get32(b + i + 2);
        i += 2 + b[i + 1];
    }
    if (type != 2) return;
    puts_("echo: DHCP offers ");
    put_ip(get32(b + 16));
    puts_(", router ");
    put_ip(router);
    puts_(", DNS ");
    put_ip(dns);
    puts_("\n");
}

/* ------------------------------------------------------------------ TCP echo */

#define CONNS 4
struct conn {
    int used;
    seL4_Uint32 ip;
    seL4_Uint16 port;
    seL4_Uint8 mac[6];
    seL4_Uint32 snd_nxt;
    seL4_Uint32 rcv_nxt;
    int fin_sent;
};
static struct conn conns[CONNS];
static seL4_Uint32 next_iss = 0x10000000;

static void tcp_send(struct conn *c, seL4_Uint8 flags, const seL4_Uint8 *data, seL4_Uint32 n, int syn)
{
    seL4_Uint8 *f = tx_frame();
    seL4_Uint8 *t = f + 34;
    seL4_Uint32 opt = syn ? 4 : 0;
    put16(t, 1236);
    put16(t + 2, c->port);
    put32(t + 4, c->snd_nxt);
    put32(t + 8, c->rcv_nxt);
    t[12] = (seL4_Uint8)(((20 + opt) / 4) << 4);
    t[13] = flags;
    put16(t + 14, 8192);
    put16(t + 18, 0);
    if (syn) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, 1460);
    }
    copy(t + 20 + opt, data, n);
    send_ip(f, c->mac, c->ip, 6, 20 + opt + n);
}

static void tcp(const seL4_Uint8 *src_mac, seL4_Uint32 src, const seL4_Uint8 *t, seL4_Uint32 n)
{
    if (n < 20 || get16(t + 2) != 1236) return;
    seL4_Uint16 port = get16(t);
    seL4_Uint32 seq = get32(t + 4);
    seL4_Uint8 flags = t[13];
    seL4_Uint32 off = (t[12] >> 4) * 4;
    if (off < 20 || off > n) return;
    const seL4_Uint8 *data = t + off;
    seL4_Uint32 len = n - off;
    struct conn *c = 0;
    for (int i = 0; i < CONNS; i++)
        if (conns[i].used && conns[i].ip == src && conns[i].port == port) c = &conns[i];
    if (flags & 0x04) { /* RST */
        if (c) c->used = 0;
        return;
    }
    if ((flags & 0x12) == 0x02) { /* SYN */
        if (!c)
            for (int i = 0; i < CONNS && !c; i++)
                if (!conns[i].used) c = &conns[i];
        if (!c) return;
        c->used = 1;
        c->ip = src;
        c->port = port;
        copy(c->mac, src_mac, 6);
        c->snd_nxt = next_iss;
        next_iss += 0x10000;
        c->rcv_nxt = seq + 1;
        c->fin_sent = 0;
        tcp_send(c, 0x12, 0, 0, 1);
        c->snd_nxt++;
        puts_("echo: TCP connection from ");
        put_ip(src);
        puts_("\n");
        return;
    }
    if (!c) return;
    if (seq != c->rcv_nxt) { /* out of order or a repeat: acknowledge what is expected */
        if (len || (flags & 0x01)) tcp_send(c, 0x10, 0, 0, 0);
        return;
    }
    if (len) {
        c->rcv_nxt += len;
        tcp_send(c, 0x18, data, len, 0);
        c->snd_nxt += len;
    }
    if (flags & 0x01) { /* FIN: ours goes with it */
        c->rcv_nxt++;
        tcp_send(c, 0x11, 0, 0, 0);
        c->snd_nxt++;
        c->fin_sent = 1;
        return;
    }
    /* The host acknowledged our FIN: the connection is over (the host has everything by now). */
    if (c->fin_sent && (flags & 0x10) && get32(t + 8) == c->snd_nxt) {
        c->used = 0;
        puts_("echo: TCP connection closed\n");
    }
}

/* ------------------------------------------------------------------ frames */

static void frame(seL4_Uint8 *f, seL4_Uint32 n)
{
    if (n < 14) return;
    seL4_Uint16 type = get16(f + 12);
    if (type == 0x0806 && n >= 42) {
        seL4_Uint8 *a = f + 14;
        if (get16(a + 6) != 1 || get32(a + 24) != MY_IP) return;
        seL4_Uint8 *r = tx_frame();
        copy(r, a + 8, 6);
        copy(r + 6, mac, 6);
        put16(r + 12, 0x0806);
        seL4_Uint8 *ra = r + 14;
        copy(ra, a, 6); /* htype, ptype, hlen, plen */
        put16(ra + 6, 2);
        copy(ra + 8, mac, 6);
        put32(ra + 14, MY_IP);
        copy(ra + 18, a + 8, 10); /* the asker's hardware and protocol address */
        send(42);
        return;
    }
    if (type != 0x0800 || n < 34) return;
    seL4_Uint8 *ip = f + 14;
    seL4_Uint32 ihl = (ip[0] & 0xf) * 4;
    seL4_Uint32 total = get16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || 14 + total > n || fold(sum(ip, ihl, 0)) != 0) return;
    seL4_Uint32 src = get32(ip + 12), dst = get32(ip + 16);
    seL4_Uint8 *p = ip + ihl;
    seL4_Uint32 len = total - ihl;
    if (ip[9] == 17 && len >= 8 && get16(p + 2) == 68) {
        dhcp_reply(p + 8, len - 8);
        return;
    }
    if (dst != MY_IP) return;
    if (ip[9] == 1 && len >= 8 && p[0] == 8) { /* ICMP echo */
        seL4_Uint8 *r = tx_frame();
        seL4_Uint8 *m = r + 34;
        copy(m, p, len);
        m[0] = 0;
        put16(m + 2, 0);
        put16(m + 2, fold(sum(m, len, 0)));
        send_ip(r, f + 6, src, 1, len);
    } else if (ip[9] == 17 && len >= 8 && get16(p + 2) == 1235) { /* UDP echo */
        seL4_Uint32 ulen = get16(p + 4);
        if (ulen < 8 || ulen > len) return;
        seL4_Uint8 *r = tx_frame();
        seL4_Uint8 *u = r + 34;
        put16(u, 1235);
        put16(u + 2, get16(p));
        put16(u + 4, ulen);
        copy(u + 8, p + 8, ulen - 8);
        send_ip(r, f + 6, src, 17, ulen);
    } else if (ip[9] == 6) {
        tcp(f + 6, src, p, len);
    }
}

void init(void)
{
    if (*reg(MagicValue) != 0x74726976 || *reg(DeviceID) != 1 || *reg(Version) != 2) {
        puts_("echo: no modern virtio-net device at 0xa003e00 (run with virtio-mmio.force-legacy=false)\n");
        return;
    }
    *reg(Status) = 0;
    *reg(Status) = STATUS_ACKNOWLEDGE;
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    *reg(DeviceFeaturesSel) = 0;
    seL4_Uint32 lo = *reg(DeviceFeatures);
    *reg(DriverFeaturesSel) = 0;
    *reg(DriverFeatures) = lo & (1u << VIRTIO_NET_F_MAC);
    *reg(DriverFeaturesSel) = 1;
    *reg(DriverFeatures) = 1u << (VIRTIO_F_VERSION_1 - 32);
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
    if (!(*reg(Status) & STATUS_FEATURES_OK)) {
        puts_("echo: the device refused the features\n");
        *reg(Status) = STATUS_FAILED;
        return;
    }
    for (int i = 0; i < 6; i++) mac[i] = *(volatile seL4_Uint8 *)(virtio_regs + TRANSPORT_OFFSET + Config + i);
    setup_queue(0, &rxq);
    setup_queue(1, &txq);
    *reg(Status) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;
    for (seL4_Uint16 i = 0; i < QSIZE; i++) post_rx(i);
    *reg(QueueNotify) = 0;
    puts_("echo: ready at 10.0.2.15, TCP and UDP echo on ports 1236 and 1235\n");
    dhcp_discover();
}

void notified(microkit_channel ch)
{
    if (ch != IRQ) return;
    *reg(InterruptACK) = *reg(InterruptStatus);
    int posted = 0;
    while (rxq.last_used != rxq.used->idx) {
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        volatile struct virtq_used_elem *e = &rxq.used->ring[rxq.last_used % QSIZE];
        seL4_Uint16 id = (seL4_Uint16)e->id;
        seL4_Uint32 len = e->len;
        if (len > HDR) frame((seL4_Uint8 *)(net_dma + RX_BUFS + id * BUF + HDR), len - HDR);
        post_rx(id);
        posted = 1;
        rxq.last_used++;
    }
    txq.last_used = txq.used->idx;
    if (posted) *reg(QueueNotify) = 0;
    microkit_irq_ack(IRQ);
}
