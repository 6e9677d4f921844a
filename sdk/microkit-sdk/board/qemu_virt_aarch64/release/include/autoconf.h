/* sel4ts Microkit-shaped SDK: the kernel and libsel4 configurations, as in a seL4 build. */
#pragma once

#include <kernel/gen_config.h>
#include <sel4/gen_config.h>
