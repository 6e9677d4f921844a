/*
 * Calls the server bench_rounds times from init: call i sends i and the running sum, and the
 * server answers with their sum, so the result after N calls is N(N+1)/2.
 */
#include "bench-ipc.h"

#define SERVER 0

void init(void)
{
    seL4_Word n = bench_rounds;
    say("client: start\n");
    seL4_Word sum = 0;
    for (seL4_Word i = 1; i <= n; i++) {
        microkit_mr_set(0, i);
        microkit_mr_set(1, sum);
        microkit_ppcall(SERVER, microkit_msginfo_new(1, 2));
        sum = microkit_mr_get(0);
    }
    say("client: ");
    say_dec(n);
    say(" calls, sum ");
    say_dec(sum);
    say(sum == n * (n + 1) / 2 ? " (right)\n" : " (WRONG)\n");
    say("== ppc bench end ==\n");
}

void notified(microkit_channel ch) { (void)ch; }
