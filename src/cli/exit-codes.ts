// The exit statuses of sel4ts (re-exported by io.ts), in a file of their own so that the
// playground's run verdicts (run/outcome.ts) need nothing of the process.

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;
/** `sel4ts run`: a PD faulted and no PD of the system handles the fault, or the kernel stopped the system. */
export const EXIT_FAULT = 4;
/** `sel4ts run`: the virtual time limit (--max-time) ran out. */
export const EXIT_TIME_LIMIT = 5;
/** `sel4ts run`: the console output is not what --until or --expect asked for. */
export const EXIT_OUTPUT_MISMATCH = 6;
/** `sel4ts run`: stopped by Ctrl-C (SIGINT), as shells report it (128 + 2). */
export const EXIT_INTERRUPTED = 130;
/** Standard output's reader went away (`sel4ts run … | head`): as if killed by SIGPIPE (128 + 13). */
export const EXIT_BROKEN_PIPE = 141;
