import { BRANCH_SYS } from './branch-sys.js';
import { DP_IMM } from './dp-imm.js';
import { DP_REG } from './dp-reg.js';
import { LDST } from './ldst.js';
import type { AnyInsnDef } from './types.js';

/** The A64 instruction table: every row the decoder, interpreter and disassembler know. */
export const INSNS: AnyInsnDef[] = [...DP_IMM, ...DP_REG, ...BRANCH_SYS, ...LDST];
