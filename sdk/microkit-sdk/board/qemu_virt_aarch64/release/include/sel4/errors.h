/*
 * sel4ts SDK: seL4 error codes. A kernel reply to an invocation carries one of these
 * as its message label (sel4-abi.md §2.5); the invocation stubs return it.
 */
#pragma once

typedef enum {
    seL4_NoError = 0,
    seL4_InvalidArgument = 1,    /* MR0 = index of the bad argument */
    seL4_InvalidCapability = 2,  /* MR0 = index of the bad cap */
    seL4_IllegalOperation = 3,
    seL4_RangeError = 4,         /* MR0 = minimum, MR1 = maximum */
    seL4_AlignmentError = 5,
    seL4_FailedLookup = 6,       /* MR0 = source lookup?, MR1.. = lookup failure */
    seL4_TruncatedMessage = 7,
    seL4_DeleteFirst = 8,
    seL4_RevokeFirst = 9,
    seL4_NotEnoughMemory = 10,   /* MR0 = bytes available */
    seL4_NumErrors
} seL4_Error;
