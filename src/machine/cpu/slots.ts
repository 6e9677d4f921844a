/**
 * Register slots of the CPU's register file: X0–X30 are slots 0–30, then SP, then a zero
 * register for reads (never written), a sink for writes to XZR, and scratch slots for
 * instructions that stage 64-bit values. Register fields are mapped to slots at decode time.
 */
export const SP = 31;
export const ZR = 32;
export const ZR_SINK = 33;
export const SCRATCH0 = 35;
export const SCRATCH1 = 36;
export const SLOTS = 38;
