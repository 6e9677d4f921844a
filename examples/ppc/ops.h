/*
 * The server's operations: the label of a PPC message selects one.
 * Arguments and results travel as message registers (MR0..MR3 in registers,
 * MR4 and up in the IPC buffer).
 */
#pragma once

#define OP_STATS   1   /* n words in -> 5 words out: count, sum, min, max, xor of all */
#define OP_REVERSE 2   /* n words in -> the same n words in reverse order */
#define OP_ERROR   0xe /* reply label for an unknown operation or a bad length */

#define MAX_WORDS 12
