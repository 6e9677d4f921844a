/*
 * sel4ts SDK: fixed-width integer types with the libsel4 names (AArch64, LP64).
 */
#pragma once

typedef signed char seL4_Int8;
typedef unsigned char seL4_Uint8;
typedef signed short seL4_Int16;
typedef unsigned short seL4_Uint16;
typedef signed int seL4_Int32;
typedef unsigned int seL4_Uint32;
typedef signed long seL4_Int64;
typedef unsigned long seL4_Uint64;

_Static_assert(sizeof(seL4_Uint8) == 1, "seL4_Uint8 must be 1 byte");
_Static_assert(sizeof(seL4_Uint16) == 2, "seL4_Uint16 must be 2 bytes");
_Static_assert(sizeof(seL4_Uint32) == 4, "seL4_Uint32 must be 4 bytes");
_Static_assert(sizeof(seL4_Uint64) == 8, "seL4_Uint64 must be 8 bytes (LP64)");

#define SEL4_PRId64 "ld"
#define SEL4_PRIi64 "li"
#define SEL4_PRIu64 "lu"
#define SEL4_PRIx64 "lx"

typedef seL4_Int8 seL4_Bool;
#define seL4_True 1
#define seL4_False 0

#define seL4_Null ((void *)0)

typedef seL4_Uint64 seL4_Word;
typedef seL4_Word seL4_CPtr;
