#include "conformance.h"

void init(void) { say_line("init"); }
void notified(microkit_channel ch) {}
