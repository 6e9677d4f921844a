/* Notifies pong, and again each time pong answers, until bench_rounds answers have come. */
#include "bench-ipc.h"

#define PONG 0

static seL4_Word answers;

void init(void)
{
    say("ping: start\n");
    microkit_notify(PONG);
}

void notified(microkit_channel ch)
{
    if (ch != PONG) {
        say("ping: notified on an unexpected channel\n");
        return;
    }
    if (++answers < bench_rounds) {
        microkit_notify(PONG);
        return;
    }
    say("ping: ");
    say_dec(answers);
    say(" round trips\n");
    say("== notify bench end ==\n");
}
