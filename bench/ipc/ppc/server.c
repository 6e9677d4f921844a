/* Answers each call with the sum of its two message registers, in one. */
#include "bench-ipc.h"

void init(void) {}

void notified(microkit_channel ch) { (void)ch; }

microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)ch;
    (void)msginfo;
    microkit_mr_set(0, microkit_mr_get(0) + microkit_mr_get(1));
    return microkit_msginfo_new(0, 1);
}
