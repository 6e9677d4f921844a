/*
 * client: answers ARP requests for its IPv4 address (10.0.2.15, QEMU user networking's guest
 * address) and echoes UDP datagrams sent to port 7 (echo, RFC 862), with the driver's buffers
 * in the shared data region: a reply is built in the received buffer itself (addresses and
 * ports swapped, the IPv4 and UDP checksums computed anew) and sent from it. It prints a line
 * for every frame. Frames for another MAC address are ignored; datagrams with a bad IPv4 header
 * or UDP checksum are dropped. A datagram to port 9 (discard, RFC 863) is not answered: the
 * client then prints how many frames it has handled and "client: done".
 */
#include <microkit.h>
#include "net_queue.h"

#define DRIVER 0

/* Patched by the tool (setvar_vaddr). */
seL4_Word net_queues;
seL4_Word net_data;

#define IP_ADDRESS 0x0a00020fu /* 10.0.2.15 */
#define ECHO_PORT 7
#define DISCARD_PORT 9

#define ETH_HEADER 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define IPPROTO_UDP 17

static seL4_Uint8 mac[6];
static seL4_Uint32 frames, replies;

static net_queues_t *q(void)
{
    return (net_queues_t *)net_queues;
}

static seL4_Uint32 be16(const seL4_Uint8 *p)
{
    return (seL4_Uint32)p[0] << 8 | p[1];
}

static seL4_Uint32 be32(const seL4_Uint8 *p)
{
    return be16(p) << 16 | be16(p + 2);
}

static void put_be16(seL4_Uint8 *p, seL4_Uint32 v)
{
    p[0] = (seL4_Uint8)(v >> 8);
    p[1] = (seL4_Uint8)v;
}

static void swap(seL4_Uint8 *a, seL4_Uint8 *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        seL4_Uint8 t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
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

static void put_mac(const seL4_Uint8 *m)
{
    for (unsigned i = 0; i < 6; i++) {
        if (i) {
            microkit_dbg_puts(":");
        }
        put_hex8(m[i]);
    }
}

static void put_ip(seL4_Uint32 ip)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        microkit_dbg_put32((ip >> shift) & 0xff);
        if (shift) {
            microkit_dbg_puts(".");
        }
    }
}

/* The Internet checksum's running sum (RFC 1071) over n bytes; an odd last byte is padded with zero. */
static seL4_Uint32 sum16(seL4_Uint32 sum, const seL4_Uint8 *p, seL4_Uint32 n)
{
    for (seL4_Uint32 i = 0; i + 1 < n; i += 2) {
        sum += be16(p + i);
    }
    if (n & 1) {
        sum += (seL4_Uint32)p[n - 1] << 8;
    }
    return sum;
}

static seL4_Uint32 fold(seL4_Uint32 sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

/* The UDP checksum over the IPv4 pseudo-header and the datagram (RFC 768). */
static seL4_Uint32 udp_checksum(const seL4_Uint8 *ip, const seL4_Uint8 *udp, seL4_Uint32 udp_len)
{
    seL4_Uint32 sum = sum16(0, ip + 12, 8); /* source and destination addresses */
    sum += IPPROTO_UDP + udp_len;
    return fold(sum16(sum, udp, udp_len));
}

static void line_start(void)
{
    microkit_dbg_puts("client: frame ");
    microkit_dbg_put32(frames);
    microkit_dbg_puts(": ");
}

/* An ARP frame: a reply (in f) if it asks for our address. Returns the reply's length, or 0. */
static seL4_Uint32 arp(seL4_Uint8 *f, seL4_Uint32 len)
{
    seL4_Uint8 *a = f + ETH_HEADER;
    if (len < ETH_HEADER + 28 || be16(a) != 1 || be16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4) {
        microkit_dbg_puts("ARP, not Ethernet/IPv4: ignored\n");
        return 0;
    }
    seL4_Uint32 op = be16(a + 6), sender = be32(a + 14), target = be32(a + 24);
    if (op != 1) {
        microkit_dbg_puts("ARP operation ");
        microkit_dbg_put32(op);
        microkit_dbg_puts(": ignored\n");
        return 0;
    }
    microkit_dbg_puts("ARP who-has ");
    put_ip(target);
    microkit_dbg_puts(" tell ");
    put_ip(sender);
    if (target != IP_ADDRESS) {
        microkit_dbg_puts(": not ours, ignored\n");
        return 0;
    }
    microkit_dbg_puts(": replied\n");
    put_be16(a + 6, 2);
    for (unsigned i = 0; i < 10; i++) {
        a[18 + i] = a[8 + i]; /* the target is the sender */
    }
    for (unsigned i = 0; i < 6; i++) {
        a[8 + i] = mac[i];
        f[i] = f[6 + i];
        f[6 + i] = mac[i];
    }
    a[14] = IP_ADDRESS >> 24;
    a[15] = (IP_ADDRESS >> 16) & 0xff;
    a[16] = (IP_ADDRESS >> 8) & 0xff;
    a[17] = IP_ADDRESS & 0xff;
    return ETH_HEADER + 28;
}

/* An IPv4 frame: the echo (in f) of a UDP datagram to port 7. Returns the reply's length, or 0. */
static seL4_Uint32 ipv4(seL4_Uint8 *f, seL4_Uint32 len)
{
    seL4_Uint8 *ip = f + ETH_HEADER;
    seL4_Uint32 ihl = (ip[0] & 0xf) * 4;
    if (len < ETH_HEADER + 20 || ip[0] >> 4 != 4 || ihl < 20 || len < ETH_HEADER + ihl) {
        microkit_dbg_puts("IPv4, malformed header: dropped\n");
        return 0;
    }
    seL4_Uint32 total = be16(ip + 2);
    if (total < ihl || total > len - ETH_HEADER) {
        microkit_dbg_puts("IPv4, bad total length: dropped\n");
        return 0;
    }
    if (fold(sum16(0, ip, ihl)) != 0) {
        microkit_dbg_puts("IPv4, bad header checksum: dropped\n");
        return 0;
    }
    seL4_Uint32 src = be32(ip + 12), dst = be32(ip + 16);
    if (ip[9] != IPPROTO_UDP || dst != IP_ADDRESS || (be16(ip + 6) & 0x3fff) != 0) {
        microkit_dbg_puts("IPv4 ");
        put_ip(src);
        microkit_dbg_puts(" > ");
        put_ip(dst);
        microkit_dbg_puts(", protocol ");
        microkit_dbg_put32(ip[9]);
        microkit_dbg_puts(", not a UDP datagram for us: ignored\n");
        return 0;
    }
    seL4_Uint8 *udp = ip + ihl;
    seL4_Uint32 udp_len = be16(udp + 4);
    if (total - ihl < 8 || udp_len < 8 || udp_len > total - ihl) {
        microkit_dbg_puts("UDP, bad length: dropped\n");
        return 0;
    }
    seL4_Uint32 sport = be16(udp), dport = be16(udp + 2);
    microkit_dbg_puts("UDP ");
    put_ip(src);
    microkit_dbg_puts(":");
    microkit_dbg_put32(sport);
    microkit_dbg_puts(" > ");
    put_ip(dst);
    microkit_dbg_puts(":");
    microkit_dbg_put32(dport);
    microkit_dbg_puts(", ");
    microkit_dbg_put32(udp_len - 8);
    microkit_dbg_puts(udp_len - 8 == 1 ? " byte" : " bytes");
    /* A checksum of 0: the sender computed none (RFC 768). */
    if (be16(udp + 6) != 0 && udp_checksum(ip, udp, udp_len) != 0) {
        microkit_dbg_puts(": bad UDP checksum, dropped\n");
        return 0;
    }
    if (dport == DISCARD_PORT) {
        microkit_dbg_puts(": discarded\n");
        microkit_dbg_puts("client: ");
        microkit_dbg_put32(frames);
        microkit_dbg_puts(" frames, ");
        microkit_dbg_put32(replies);
        microkit_dbg_puts(" replies\nclient: done\n");
        return 0;
    }
    if (dport != ECHO_PORT) {
        microkit_dbg_puts(": no service on that port, ignored\n");
        return 0;
    }
    microkit_dbg_puts(": echoed\n");
    for (unsigned i = 0; i < 6; i++) {
        f[i] = f[6 + i];
        f[6 + i] = mac[i];
    }
    swap(ip + 12, ip + 16, 4);
    ip[8] = 64; /* TTL */
    put_be16(ip + 10, 0);
    put_be16(ip + 10, fold(sum16(0, ip, ihl)));
    swap(udp, udp + 2, 2);
    put_be16(udp + 6, 0);
    seL4_Uint32 c = udp_checksum(ip, udp, udp_len);
    put_be16(udp + 6, c == 0 ? 0xffff : c);
    /* The datagram as the IPv4 header says, without any padding the frame had. */
    return ETH_HEADER + total;
}

/* One received frame: the length of the reply built in its place, or 0. */
static seL4_Uint32 handle(seL4_Uint8 *f, seL4_Uint32 len)
{
    frames++;
    line_start();
    if (len < ETH_HEADER) {
        microkit_dbg_puts("runt of ");
        microkit_dbg_put32(len);
        microkit_dbg_puts(" bytes: dropped\n");
        return 0;
    }
    int broadcast = 1, ours = 1;
    for (unsigned i = 0; i < 6; i++) {
        broadcast &= f[i] == 0xff;
        ours &= f[i] == mac[i];
    }
    if (!broadcast && !ours) {
        microkit_dbg_puts("for ");
        put_mac(f);
        microkit_dbg_puts(", not us: ignored\n");
        return 0;
    }
    seL4_Uint32 type = be16(f + 12);
    if (type == ETHERTYPE_ARP) {
        return arp(f, len);
    }
    if (type == ETHERTYPE_IPV4 && ours) {
        return ipv4(f, len);
    }
    microkit_dbg_puts("ethertype 0x");
    put_hex8(type >> 8);
    put_hex8(type & 0xff);
    microkit_dbg_puts(": ignored\n");
    return 0;
}

void init(void)
{
    /* The driver has the higher priority: its init() has run, and the device is ready. */
    if (!q()->ready) {
        microkit_dbg_puts("client: the driver is not ready\n");
        return;
    }
    for (unsigned i = 0; i < 6; i++) {
        mac[i] = q()->mac[i];
    }
    microkit_dbg_puts("client: ");
    put_ip(IP_ADDRESS);
    microkit_dbg_puts(" at ");
    put_mac(mac);
    microkit_dbg_puts(", UDP echo on port 7\n");
    for (unsigned i = 0; i < NET_BUFFERS; i++) {
        net_enqueue(&q()->rx_free, i * NET_BUFFER_SIZE, 0);
    }
    microkit_notify(DRIVER);
}

void notified(microkit_channel ch)
{
    if (ch != DRIVER) {
        return;
    }
    while (!net_queue_empty(&q()->rx_active)) {
        net_buff_desc_t d = net_dequeue(&q()->rx_active);
        seL4_Uint32 reply = handle((seL4_Uint8 *)(net_data + d.offset), d.len);
        if (reply) {
            replies++;
            net_enqueue(&q()->tx_active, d.offset, reply);
        } else {
            net_enqueue(&q()->rx_free, d.offset, 0);
        }
    }
    /* Sent buffers are empty buffers again. */
    while (!net_queue_empty(&q()->tx_free)) {
        net_buff_desc_t d = net_dequeue(&q()->tx_free);
        net_enqueue(&q()->rx_free, d.offset, 0);
    }
    microkit_notify(DRIVER);
}
