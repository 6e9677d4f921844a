/*
 * probe: what the virtio-mmio registers of three transports read, as a driver sees them
 * before and during feature negotiation: 0xa003e00 (the first device of the command line, a
 * virtio-blk disk), 0xa003c00 (the second, a console) and 0xa003a00 (no device).
 */
#include <microkit.h>

seL4_Word virtio_regs;

static volatile seL4_Uint32 *reg(seL4_Word transport, seL4_Word offset)
{
    return (volatile seL4_Uint32 *)(virtio_regs + transport + offset);
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

static void field(const char *name, seL4_Uint32 value)
{
    microkit_dbg_puts(" ");
    microkit_dbg_puts(name);
    microkit_dbg_puts("=");
    put_hex32(value);
}

static void probe(seL4_Word t, unsigned config_words)
{
    microkit_dbg_puts("probe: 0xa003");
    microkit_dbg_puts(t == 0xe00 ? "e00" : t == 0xc00 ? "c00" : "a00");
    field("magic", *reg(t, 0x000));
    field("version", *reg(t, 0x004));
    field("device", *reg(t, 0x008));
    field("vendor", *reg(t, 0x00c));
    microkit_dbg_puts("\n");
    seL4_Uint32 version = *reg(t, 0x004);
    *reg(t, 0x070) = 0;
    *reg(t, 0x070) = 1;
    *reg(t, 0x070) = 3;
    microkit_dbg_puts("probe:  ");
    for (seL4_Uint32 sel = 0; sel < 3; sel++) {
        *reg(t, 0x014) = sel;
        field(sel == 0 ? "features0" : sel == 1 ? "features1" : "features2", *reg(t, 0x010));
    }
    for (seL4_Uint32 q = 0; q < 3; q++) {
        *reg(t, 0x030) = q;
        field(q == 0 ? "qmax0" : q == 1 ? "qmax1" : "qmax2", *reg(t, 0x034));
    }
    field("status", *reg(t, 0x070));
    microkit_dbg_puts("\n");
    if (config_words > 0) {
        microkit_dbg_puts("probe:  config");
        for (unsigned i = 0; i < config_words; i++) {
            microkit_dbg_puts(" ");
            put_hex32(*reg(t, 0x100 + 4 * i));
        }
        microkit_dbg_puts("\n");
    }
    if (version == 2 && config_words > 0) {
        /* A feature the device did not offer (bit 31 is reserved): FEATURES_OK must not stick. */
        *reg(t, 0x024) = 0;
        *reg(t, 0x020) = 1u << 31;
        *reg(t, 0x024) = 1;
        *reg(t, 0x020) = 1;
        *reg(t, 0x070) = 3 | 8;
        microkit_dbg_puts("probe:  ");
        field("status after an unoffered feature", *reg(t, 0x070));
        *reg(t, 0x070) = 0;
        *reg(t, 0x070) = 3;
        *reg(t, 0x024) = 0;
        *reg(t, 0x020) = 0;
        *reg(t, 0x024) = 1;
        *reg(t, 0x020) = 1;
        *reg(t, 0x070) = 3 | 8;
        field("after VERSION_1 alone", *reg(t, 0x070));
        *reg(t, 0x024) = 1;
        *reg(t, 0x020) = 0;
        *reg(t, 0x070) = 0;
        *reg(t, 0x070) = 3 | 8;
        field("after no features", *reg(t, 0x070));
        microkit_dbg_puts("\n");
    }
    *reg(t, 0x070) = 0;
}

void init(void)
{
    probe(0xe00, 15);
    probe(0xc00, 3);
    probe(0xa00, 0);
    microkit_dbg_puts("probe: end\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
