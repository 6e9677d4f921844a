/* Answers every notification from ping with one. */
#include "bench-ipc.h"

#define PING 0

void init(void) {}

void notified(microkit_channel ch)
{
    if (ch == PING) microkit_notify(PING);
}
