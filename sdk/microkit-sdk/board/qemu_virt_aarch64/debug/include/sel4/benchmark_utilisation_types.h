/*
 * sel4ts SDK: the thread-utilisation indices of libsel4's benchmark interface.
 *
 * seL4 declares them (enum benchmark_track_util_ipc_index) only in a kernel built with
 * CONFIG_BENCHMARK_TRACK_UTILISATION, a benchmark configuration that sel4ts does not model.
 * The header exists because programs include it unconditionally and test the option
 * themselves, as sDDF's benchmark PD does; with debug or release it declares nothing.
 */
#pragma once

#include <sel4/config.h>
