/*
 * The CRC benchmark's protection domain (npm run bench -- crc): fills a 64 KiB buffer with a
 * fixed pseudo-random sequence, then runs a table-driven CRC-32 (reflected, polynomial
 * 0xEDB88320, the table built at init, as zlib's crc32) over it crc_rounds times, each round
 * continuing the last one's CRC: the result is the CRC-32 of the buffer repeated crc_rounds
 * times, so no round can be left out. Prints the CRC and a done line, then waits forever.
 * The same source is built against sel4ts's SDK (Makefile, crc.elf) and Microkit 2.0.1.
 */
#include <microkit.h>

#define BUFFER_BYTES 65536u

/* Rounds over the buffer (the bench patches this word in the ELF file; volatile: read at run time). */
volatile seL4_Word crc_rounds = 64;

static seL4_Uint32 table[256];
static seL4_Uint8 buffer[BUFFER_BYTES];

static void make_table(void)
{
    for (seL4_Uint32 n = 0; n < 256; n++) {
        seL4_Uint32 c = n;
        for (int k = 0; k < 8; k++) {
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        table[n] = c;
    }
}

/* The bytes: the top byte of a 32-bit linear congruential sequence (Numerical Recipes' constants). */
static void fill(void)
{
    seL4_Uint32 x = 1;
    for (seL4_Uint32 i = 0; i < BUFFER_BYTES; i++) {
        x = x * 1664525u + 1013904223u;
        buffer[i] = (seL4_Uint8)(x >> 24);
    }
}

/* zlib's crc32(crc, buf, len): continuing from crc, the CRC of what came before. */
static seL4_Uint32 crc32(seL4_Uint32 crc, const seL4_Uint8 *p, seL4_Uint32 len)
{
    crc = ~crc;
    for (seL4_Uint32 i = 0; i < len; i++) {
        crc = table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
    }
    return ~crc;
}

static void put_decimal(seL4_Word n)
{
    char digits[21];
    int i = 20;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    microkit_dbg_puts(&digits[i]);
}

static void put_hex32(seL4_Uint32 x)
{
    char digits[11] = "0x";
    for (int i = 0; i < 8; i++) {
        digits[2 + i] = "0123456789abcdef"[(x >> (28 - 4 * i)) & 0xfu];
    }
    digits[10] = '\0';
    microkit_dbg_puts(digits);
}

void init(void)
{
    make_table();
    fill();
    seL4_Word rounds = crc_rounds;
    seL4_Uint32 crc = 0;
    for (seL4_Word r = 0; r < rounds; r++) {
        crc = crc32(crc, buffer, BUFFER_BYTES);
    }
    microkit_dbg_puts("crc: ");
    put_decimal(rounds);
    microkit_dbg_puts(" rounds of 65536 bytes, crc32 ");
    put_hex32(crc);
    microkit_dbg_puts("\ncrc: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
