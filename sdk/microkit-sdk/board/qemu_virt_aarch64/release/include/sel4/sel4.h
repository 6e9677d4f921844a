/*
 * sel4ts SDK: libsel4-compatible umbrella header.
 *
 * A small, self-contained subset of libsel4 for seL4 MCS on AArch64, configured like the
 * Microkit SDK for qemu_virt_aarch64 (see sel4/config.h; -DMICROKIT_CONFIG_DEBUG selects
 * the debug configuration). It needs no C library.
 */
#pragma once

#include <sel4/config.h>
#include <sel4/simple_types.h>
#include <sel4/constants.h>
#include <sel4/errors.h>
#include <sel4/types.h>
#include <sel4/invocation.h>
#include <sel4/functions.h>
#include <sel4/syscalls.h>
#include <sel4/invocations.h>
