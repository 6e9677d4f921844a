/*
 * sel4ts Microkit-shaped SDK: the libsel4 configuration, in the form of a seL4 build's
 * sel4/gen_config.h (the functions of sel4/*.h are static inline).
 */
#pragma once

#define CONFIG_LIB_SEL4_INLINE_INVOCATIONS  1
#define CONFIG_LIB_SEL4_FUNCTION_ATTRIBUTE  inline
#define CONFIG_LIB_SEL4_PRINT_INVOCATION_ERRORS  0
