/*
 * sel4ts SDK: the kernel-entry tracking types of libsel4's benchmark interface.
 *
 * seL4 declares benchmark_track_kernel_entry_t (and seL4_BenchmarkSetLogBuffer and its
 * friends) only in a kernel built with CONFIG_BENCHMARK_TRACK_KERNEL_ENTRIES, a benchmark
 * configuration that sel4ts does not model (the Microkit SDK's "benchmark" config is not
 * provided). The header exists because programs include it unconditionally and test the
 * option themselves, as sDDF's benchmark PD does; with debug or release it declares nothing.
 * (A real debug build also declares kernel_entry_t here; nothing outside a benchmark kernel
 * reads it.)
 */
#pragma once

#include <sel4/config.h>
