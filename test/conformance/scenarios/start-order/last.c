#include "conformance.h"

void init(void)
{
    say_line("init");
    conformance_end();
}
void notified(microkit_channel ch) {}
