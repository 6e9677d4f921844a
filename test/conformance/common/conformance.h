/*
 * Helpers shared by the kernel conformance scenarios. Each scenario is a Microkit system whose
 * PDs print what they observe; the same sources are built against real Microkit SDKs, and
 * what real seL4 prints in QEMU is the expected output of sel4ts (see ../README.md).
 *
 * Only the libmicrokit API common to Microkit 2.0.1 and 2.3 is used, and <microkit.h> comes
 * before any <sel4/...> header (2.0.1 needs that order).
 */
#pragma once
#include <microkit.h>

/* The line that ends every scenario: the recording and the test stop when it appears. */
#define CONFORMANCE_END "== conformance end ==\n"

static inline void say(const char *s) { microkit_dbg_puts(s); }

static inline void say_hex(seL4_Word x)
{
    char buf[19];
    buf[0] = '0';
    buf[1] = 'x';
    int n = 0;
    seL4_Word t = x;
    do { n++; t >>= 4; } while (t != 0);
    for (int i = 0; i < n; i++) {
        int d = (int)((x >> (4 * (n - 1 - i))) & 0xf);
        buf[2 + i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    buf[2 + n] = 0;
    microkit_dbg_puts(buf);
}

static inline void say_dec(seL4_Word x)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + x % 10); x /= 10; } while (x != 0);
    microkit_dbg_puts(&buf[i]);
}

/* "<name>: <text><hex>\n" in one call, the most common line. */
static inline void say_kv(const char *text, seL4_Word value)
{
    say(microkit_name);
    say(": ");
    say(text);
    say_hex(value);
    say("\n");
}

static inline void say_line(const char *text)
{
    say(microkit_name);
    say(": ");
    say(text);
    say("\n");
}

static inline void conformance_end(void) { say(CONFORMANCE_END); }
