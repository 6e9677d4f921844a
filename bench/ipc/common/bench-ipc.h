/*
 * Helpers of the IPC benchmark programs (see ../README.md). The same sources are built against
 * Microkit 2.3 (the committed ELFs sel4ts runs) and 2.0.1 (for real seL4 in QEMU), so only the
 * libmicrokit API the two share is used, and <microkit.h> comes first.
 */
#pragma once
#include <microkit.h>

/*
 * How many rounds the benchmark runs: `npm run bench` writes another value into the ELF file at
 * this symbol (scripts/bench-ipc.ts), so one program serves every N. Volatile, so that the
 * compiler reads it rather than the initial value.
 */
volatile seL4_Word bench_rounds = 1000;

static inline void say(const char *s) { microkit_dbg_puts(s); }

static inline void say_dec(seL4_Word x)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + x % 10); x /= 10; } while (x != 0);
    microkit_dbg_puts(&buf[i]);
}
