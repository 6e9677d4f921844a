import { CPU_STATE } from '../../memory/linear-memory.js';
import { SLOTS } from '../slots.js';

/**
 * Where compiled WebAssembly and the CPU exchange state: the memory holding `Cpu.R` (the
 * register file, slot s at byte 8·s) and, after it, a few words the host helpers and the
 * function's exit write. All offsets are bytes from the start of that memory.
 */

/**
 * Where the layout starts in its memory: everything below moves with it (compiled code uses
 * these offsets as constants). Compiled code finds it in the linear memory's free header
 * (linear-memory.ts CPU_STATE), where the CPU keeps its register file (`Cpu.R`, `Cpu.V8`… are
 * views of these bytes).
 */
const BASE = CPU_STATE;
/** The register file: 64-bit slot s at REGS + 8·s (little-endian halves, as `Cpu.R`). */
export const REGS = BASE;
const SCRATCH = (REGS + SLOTS * 8 + 15) & ~15;
/** NZCV as the flags word (N at bit 31): in on entry, out on exit and around handler calls. */
export const S_NZCV = SCRATCH;
/** Exit kind (see compile.ts `Exit`), page offset of the next PC, unretired count, fault bookkeeping. */
export const S_XD = SCRATCH + 4;
export const S_XO = SCRATCH + 8;
export const S_XK = SCRATCH + 12;
export const S_AT = SCRATCH + 16;
/** An absolute next PC (an indirect branch leaving the page): 64 bits. */
export const S_XT = SCRATCH + 24;
/** Values a host load helper returns: two 64-bit words. */
export const S_VAL = SCRATCH + 32;
export const S_VAL2 = SCRATCH + 40;
/** Whether the CPU's SIMD&FP state is stale (context.ts lazy switching): an i32 the wrapper writes on entry. */
export const S_FPSTALE = SCRATCH + 48;
/**
 * FPCR and FPSR (i32 words, `Cpu.fpcr`/`Cpu.fpsr`) for compiled floating point (fp-rows.ts):
 * in on entry, FPSR out on exit, both refreshed around every handler call and FP state load.
 */
export const S_FPCR = SCRATCH + 52;
export const S_FPSR = SCRATCH + 56;
/** The SIMD&FP registers V0–V31 and three scratch ones, 16 bytes each (`Cpu.V8` and its other views); the layout ends after them (byte 1328), well inside the header's 4096 bytes. */
export const VREGS = BASE + 512;
/** Byte offset of SIMD&FP register r's bytes `off`… */
export const vAt = (r: number, off = 0): number => VREGS + 16 * r + off;
