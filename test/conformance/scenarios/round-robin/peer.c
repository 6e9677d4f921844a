#include "conformance.h"

volatile seL4_Word *shared;

/*
 * shared[0] is the turn, shared[1] hands out the parities. Each PD takes the turns of its
 * parity and spins, silently, until the other has taken the next one, which can only happen
 * when the kernel switches between them at the end of a budget. Only the PD whose turn it is
 * prints, and the lines do not name it: which of the two equal-priority PDs starts first is up
 * to the initialiser, not the kernel.
 */
void init(void)
{
    seL4_Word parity = __atomic_fetch_add(&shared[1], 1, __ATOMIC_SEQ_CST);
    for (seL4_Word turn = parity; turn < 6; turn += 2) {
        while (__atomic_load_n(&shared[0], __ATOMIC_ACQUIRE) != turn) {
        }
        say("turn ");
        say_dec(turn);
        say(parity == 0 ? ": the PD that started first\n" : ": the other PD\n");
        if (turn == 5) conformance_end();
        __atomic_store_n(&shared[0], turn + 1, __ATOMIC_RELEASE);
    }
    while (1) {
    }
}

void notified(microkit_channel ch) {}
