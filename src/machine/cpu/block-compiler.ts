import type { Cpu, CodePage } from './cpu.js';
import { addWithCarry32, addWithCarry64, F, T } from './alu.js';
import { EMITTERS, SETS_NEXT_PC } from './block-emit.js';
import { decodeInstruction } from './decoder.js';

/**
 * The first compilation tier: a hot basic block becomes one JavaScript function that calls the
 * instructions' handlers in sequence, with their argument records as constants. Each call
 * site then sees one handler only, so V8 inlines the small ones, and the per-instruction
 * dispatch of the interpreter disappears.
 *
 * The generated code is position independent (the block's PC is a parameter), so a block
 * serves every virtual alias of its physical page. Before each instruction it sets
 * `cpu.nextPc` to the following instruction, exactly as the interpreter does: handlers,
 * faults and exceptions therefore see the same state in both tiers.
 */

/** A compiled block: runs from its first instruction, returns how many it retired. */
export type BlockFn = (cpu: Cpu, pc: number) => number;

export interface Block {
  fn: BlockFn;
  length: number;
}

/** Blocks stop here at the latest, so budgets and timers stay fine-grained. */
export const MAX_BLOCK = 32;
/** Entries into a block start before it is compiled. */
export const HOT_THRESHOLD = 16;

/** Rows that end a block: they change control flow, may stop the CPU, or may change code. */
const TERMINATORS = new Set(['B', 'BL', 'B_cond', 'CBZ', 'TBZ', 'BR', 'SVC', 'BRK', 'HINT', 'MRS', 'MSR_r', 'SYS', 'BARRIER']);
/** Rows that store to memory: a store may hit this very page (self-modifying code). */
/**
 * Rows that neither read the PC nor can fault: their handlers do not need `cpu.nextPc` set
 * (register and floating-point data processing).
 */
const PC_FREE = new Set([
  'ADD_i', 'ADDS_i', 'SUB_i', 'SUBS_i', 'AND_i', 'ORR_i', 'EOR_i', 'ANDS_i', 'MOVN', 'MOVZ', 'MOVK', 'UBFM', 'SBFM', 'BFM', 'EXTR',
  'LOG_r', 'ADDSUB_r', 'ADDSUB_ext', 'ADC_SBC', 'CCMP_r', 'CCMP_i', 'CSEL', 'DP1', 'CLZ_CLS', 'DP2', 'DP3',
  'FP_2SRC', 'FP_3SRC', 'FP_1SRC', 'FRINT', 'FCVT', 'FCMP', 'FCCMP', 'FCSEL', 'FMOV_i', 'FP_INT', 'FP_FIXED', 'FMOV_gen',
  'SIMD_3SAME', 'SIMD_3DIFF', 'SIMD_2MISC', 'SIMD_ACROSS', 'SIMD_COPY', 'SIMD_MODIMM', 'SIMD_SHIFT', 'SIMD_PERMUTE', 'SIMD_EXT', 'SIMD_TBL', 'SIMD_ELEM',
  'SIMD_3SAME_FP', 'SIMD_2MISC_FP', 'SIMD_ACROSS_FP', 'SIMD_ELEM_FP', 'SIMDS_3SAME', 'SIMDS_PAIR', 'SIMDS_DUP', 'SIMDS_2MISC', 'SIMDS_SHIFT', 'SIMDS_ELEM_FP',
]);
const STORES = new Set(['LDST_ui', 'LDST_imm9', 'LDST_reg', 'LDSTP', 'LDSTX', 'LDATOMIC', 'CAS', 'CASP', 'SIMD_LDST_MULTI', 'SIMD_LDST_MULTI_POST', 'SIMD_LDST_SINGLE', 'SIMD_LDST_SINGLE_POST']);

let compiled = 0;

/** Compile the block starting at instruction `idx` of a code page. */
export function compileBlock(code: CodePage, idx: number): Block {
  const handlers: unknown[] = [];
  const body: string[] = [];
  const view = code.page.view;
  let n = 0;
  let lastPcFree = false;
  for (let i = idx; i < 1024 && n < MAX_BLOCK; i++) {
    let fn = code.fns[i];
    let a = code.args[i];
    let name: string | undefined;
    if (fn === undefined) {
      const d = decodeInstruction(view.getUint32(code.page.base + i * 4, true));
      code.fns[i] = fn = d.exec;
      code.args[i] = a = d.args;
      code.names[i] = name = d.def?.name ?? 'UNDEFINED';
    } else name = code.names[i] ?? 'UNDEFINED';
    handlers.push(fn, a);
    const pcFree = PC_FREE.has(name);
    const inline = EMITTERS[name]?.(a, 4 * (n + 1));
    const setPc = pcFree || SETS_NEXT_PC.has(name) ? '' : `cpu.nextPc = pc + ${4 * (n + 1)}; `;
    body.push(inline !== undefined && SETS_NEXT_PC.has(name) ? inline : `${setPc}${inline ?? `h${n}(cpu, a${n});`}`);
    n++;
    lastPcFree = pcFree;
    if (STORES.has(name)) body.push(`if (cpu.codeChanged) return ${n};`);
    if (TERMINATORS.has(name) || name === 'UNDEFINED') break;
  }
  // A block that ends on a register instruction continues with the next one.
  if (lastPcFree) body.push(`cpu.nextPc = pc + ${4 * n};`);
  body.push(`return ${n};`);
  // Every block gets its own source text (the comment), so it gets its own function and its
  // own type feedback: each call site then sees exactly one handler.
  const source = `// block ${compiled++}\nreturn function block(cpu, pc) {\nconst R = cpu.R;\n${body.join('\n')}\n};`;
  const factory = new Function('awc64', 'awc32', 'F', 'T', ...Array.from({ length: n }, (_, k) => [`h${k}`, `a${k}`]).flat(), source) as (...fns: unknown[]) => BlockFn;
  return { fn: factory(addWithCarry64, addWithCarry32, F, T, ...handlers), length: n };
}
