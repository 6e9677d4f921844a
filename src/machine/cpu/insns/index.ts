import { BRANCH_SYS } from './branch-sys.js';
import { DP_IMM } from './dp-imm.js';
import { DP_REG } from './dp-reg.js';
import { FP_SCALAR } from './fp.js';
import { LDST } from './ldst.js';
import { SIMD_FP } from './simd-fp.js';
import { SIMD_INT } from './simd-int.js';
import { SIMD_LDST } from './simd-ldst.js';
import { SIMD_SCALAR } from './simd-scalar.js';
import type { AnyInsnDef } from './types.js';

/** The A64 instruction table: every row the decoder, interpreter and disassembler know. */
export const INSNS: AnyInsnDef[] = [...DP_IMM, ...DP_REG, ...BRANCH_SYS, ...LDST, ...FP_SCALAR, ...SIMD_INT, ...SIMD_FP, ...SIMD_SCALAR, ...SIMD_LDST];
