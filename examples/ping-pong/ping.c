/*
 * ping: starts every round of the game by notifying pong, and counts the answers.
 * After ROUNDS answers it stops; with nothing left to do the system goes idle.
 */
#include <microkit.h>

#define PONG 1      /* this PD's end of the channel to pong */
#define ROUNDS 5

static unsigned round;

static void serve(void)
{
    round++;
    microkit_dbg_puts("ping: round ");
    microkit_dbg_put32(round);
    microkit_dbg_puts(": notify pong\n");
    microkit_notify(PONG);
}

void init(void)
{
    microkit_dbg_puts("ping: starting a game of ");
    microkit_dbg_put32(ROUNDS);
    microkit_dbg_puts(" rounds\n");
    serve();
}

void notified(microkit_channel ch)
{
    if (ch != PONG) {
        microkit_dbg_puts("ping: unexpected notification\n");
        return;
    }
    microkit_dbg_puts("ping: round ");
    microkit_dbg_put32(round);
    microkit_dbg_puts(": pong answered\n");
    if (round < ROUNDS) {
        serve();
    } else {
        microkit_dbg_puts("ping: game over after ");
        microkit_dbg_put32(round);
        microkit_dbg_puts(" rounds\n");
    }
}
