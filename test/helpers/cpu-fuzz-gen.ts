import { compilePattern } from '../../src/machine/cpu/decode.js';
import { matchInstruction } from '../../src/machine/cpu/decoder.js';
import { INSNS } from '../../src/machine/cpu/insns/index.js';
import type { AnyInsnDef } from '../../src/machine/cpu/insns/types.js';
import { asm } from './a64-asm.js';

/**
 * The random blocks of the differential fuzz (cpu-fuzz.ts runs them). A block is a loop, so
 * that its code gets hot and compiled while it runs:
 *
 *   movz x27, #iterations          the loop counter (20–40 iterations)
 *   head: movz x26, #4             the budget of backward branches in one iteration
 *   body…                          random items (below)
 *   sub x27, x27, #1; cbnz x27, head
 *
 * Body items: a random instruction from our table (branches, register-offset memory and
 * system registers excepted); a flag-setter followed by B.cond; B.cond on whatever flags are
 * there; CBZ/CBNZ and TBZ/TBNZ; B; forward to a later item or to the loop's tail; a backward
 * branch guarded by the budget (`cbz x26, over; sub x26, x26, #1; b.cond/cbz/tbz back`);
 * a register-offset load or store whose index is first cut to a few bits (so the address
 * stays in the block's scratch memory); MRS/MSR of NZCV, FPCR, FPSR, TPIDR_EL0.
 * Immediates and (in cpu-fuzz.ts) initial values lean towards the edges: 0, ±1, 2^31, 2^32,
 * 2^63 and their neighbours, where carries and overflows are decided.
 */

/** The register that points into a block's scratch memory; random instructions never write it. */
export const MEM_REG = 28;
/** The loop counter and the backward-branch budget. */
const LOOP_REG = 27;
const BUDGET_REG = 26;
const RESERVED = [BUDGET_REG, LOOP_REG, MEM_REG];
/** Words before the body (movz x27; movz x26) and after it (sub; cbnz). */
export const HEAD_WORDS = 2;
export const TAIL_WORDS = 2;

/** Rows the fuzz draws from, and how to constrain their fields. */
const EXCLUDED = new Set(['B', 'BL', 'B_cond', 'CBZ', 'TBZ', 'BR', 'SVC', 'BRK', 'HINT', 'BARRIER', 'MRS', 'MSR_r', 'SYS', 'LDST_reg', 'SIMD_LDST_MULTI_POST', 'SIMD_LDST_SINGLE_POST']);
const MEMORY = new Set(['LDST_ui', 'LDST_imm9', 'LDR_lit', 'LDSTP', 'LDSTX', 'LDATOMIC', 'CAS', 'CASP', 'SIMD_LDST_MULTI', 'SIMD_LDST_SINGLE']);
const SP_DEST = new Set(['ADD_i', 'SUB_i', 'ADDSUB_ext', 'AND_i', 'ORR_i', 'EOR_i']);
/** Flag-setting rows, with the field value that makes them set flags. */
const FLAG_SETTERS: Record<string, [string, number] | undefined> = {
  ADDS_i: undefined,
  SUBS_i: undefined,
  ANDS_i: undefined,
  CCMP_r: undefined,
  CCMP_i: undefined,
  LOG_r: ['opc', 3],
  ADDSUB_r: ['S', 1],
  ADDSUB_ext: ['S', 1],
  ADC_SBC: ['S', 1],
};

interface Candidate {
  def: AnyInsnDef;
  mask: number;
  match: number;
  fields: { name: string; shift: number; width: number }[];
}

function candidate(def: AnyInsnDef): Candidate {
  const p = compilePattern(def.pattern);
  return { def, mask: p.mask, match: p.match, fields: p.fields };
}

const CANDIDATES: Candidate[] = INSNS.filter((d) => !EXCLUDED.has(d.name)).map(candidate);
const SETTERS = CANDIDATES.filter((c) => c.def.name in FLAG_SETTERS);
const LDST_REG = candidate(INSNS.find((d) => d.name === 'LDST_reg')!);

function setField(word: number, c: Candidate, name: string, value: number): number {
  const f = c.fields.find((x) => x.name === name);
  if (!f) return word;
  const m = ((1 << f.width) - 1) << f.shift;
  return ((word & ~m) | ((value << f.shift) & m)) >>> 0;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Immediates at the edges: ADDS #0 decides a carry by equality, a shift by 31 or 63 moves the sign. */
function edgeImmediates(r: () => number, w: number, c: Candidate): number {
  const name = c.def.name;
  if (r() < 0.6) return w;
  if (name === 'ADD_i' || name === 'SUB_i' || name === 'ADDS_i' || name === 'SUBS_i') return setField(setField(w, c, 'imm12', pick(r, [0, 0, 1, 0xfff, 0x800])), c, 'sh', r() < 0.8 ? 0 : 1);
  if (name === 'MOVZ' || name === 'MOVN' || name === 'MOVK') return setField(w, c, 'imm16', pick(r, [0, 1, 0x7fff, 0x8000, 0xffff]));
  if (name === 'ADDSUB_r' || name === 'LOG_r') return setField(w, c, 'imm6', pick(r, [0, 0, 1, 31, 32, 63]));
  if (name === 'CCMP_i') return setField(w, c, 'imm5', pick(r, [0, 1, 31]));
  return w;
}

/** One random instruction word that decodes to an allowed row and respects the constraints. */
function randomInstruction(r: () => number, pool: Candidate[] = CANDIDATES): number {
  for (;;) {
    const c = pool[Math.floor(r() * pool.length)]!;
    let w = ((Math.floor(r() * 4294967296) & ~c.mask) | c.match) >>> 0;
    if (MEMORY.has(c.def.name)) {
      w = setField(w, c, 'rn', MEM_REG);
      w = setField(w, c, 'imm12', Math.floor(r() * 32));
      w = setField(w, c, 'imm9', Math.floor(r() * 128) - 64);
      w = setField(w, c, 'imm7', Math.floor(r() * 16) - 8);
      w = setField(w, c, 'imm19', Math.floor(r() * 64) - 32);
      if (c.def.name === 'LDST_imm9') w = setField(w, c, 'idx', r() < 0.5 ? 0 : 2);
      if (c.def.name === 'LDSTP') w = setField(w, c, 'mode', r() < 0.5 ? 0 : 2);
    } else {
      w = edgeImmediates(r, w, c);
    }
    const force = FLAG_SETTERS[c.def.name];
    if (pool === SETTERS && force) w = setField(w, c, force[0], force[1]);
    const m = matchInstruction(w);
    if (!m || m.def !== c.def) continue;
    const f = m.fields;
    // Never write the memory base register, the loop's registers (CASP's pairs start at an
    // even register, so 26 covers 27), nor SP.
    if ([f.rd, f.rt, f.rt2, f.rs, f.ra].some((n) => n !== undefined && RESERVED.includes(n))) continue;
    if (SP_DEST.has(c.def.name) && f.rd === 31 && !(c.def.name === 'ADDSUB_ext' && f.S === 1)) continue;
    if (c.def.name === 'LDSTX' && f.o2 === 0) continue; // exclusives: monitor models differ
    if (c.def.name === 'LDSTP' && f.l === 1 && f.rt === f.rt2) continue; // CONSTRAINED UNPREDICTABLE
    if (c.def.name === 'LDR_lit' && f.opc === 3) continue;
    return w;
  }
}

/** A general register a body item may write: not reserved, not SP/XZR. */
function freeReg(r: () => number): number {
  for (;;) {
    const n = Math.floor(r() * 31);
    if (!RESERVED.includes(n)) return n;
  }
}

const SUB_IMM_X = (d: number, n: number, imm: number): number => (0xd1000000 | (imm << 10) | (n << 5) | d) >>> 0;
const CB = (sf: number, nonzero: number, t: number, words: number): number => ((sf << 31) | 0x34000000 | (nonzero << 24) | ((words & 0x7ffff) << 5) | t) >>> 0;
const TB = (bit: number, nonzero: number, t: number, words: number): number => (((bit >> 5) << 31) | 0x36000000 | (nonzero << 24) | ((bit & 31) << 19) | ((words & 0x3fff) << 5) | t) >>> 0;
/** UBFM/SBFM: the field [lsb, lsb + width) of Rn, zero- or sign-extended. */
const BFX = (signed: boolean, sf: number, d: number, n: number, lsb: number, width: number): number => ((sf << 31) | (signed ? 0x13000000 : 0x53000000) | (sf << 22) | (lsb << 16) | ((lsb + width - 1) << 10) | (n << 5) | d) >>> 0;

/** A branch to encode once the body's layout is known: the target is an item index. */
interface Item {
  words: number[];
  /** Which word branches, where to (an item index; the item count means the loop's tail), and its encoder. */
  branch?: { at: number; target: number; encode: (words: number) => number };
}

const BITS = [0, 1, 31, 32, 63];

/** A conditional branch of a random kind (B.cond, CBZ/CBNZ W or X, TBZ/TBNZ) to `target`. */
function conditionalBranch(r: () => number, at: number, target: number): Item['branch'] {
  const p = r();
  if (p < 0.5) {
    const cond = Math.floor(r() * 16);
    return { at, target, encode: (w) => asm.bcond(cond, w) };
  }
  const t = Math.floor(r() * 32); // 31 is XZR
  const nonzero = r() < 0.5 ? 1 : 0;
  if (p < 0.75) {
    const sf = r() < 0.5 ? 1 : 0;
    return { at, target, encode: (w) => CB(sf, nonzero, t, w) };
  }
  const bit = r() < 0.4 ? pick(r, BITS) : Math.floor(r() * 64);
  return { at, target, encode: (w) => TB(bit, nonzero, t, w) };
}

const SYSREGS = ['nzcv', 'fpcr', 'fpsr', 'tpidr_el0'] as const;

function randomItem(r: () => number, index: number): Item {
  const p = r();
  const forward = (): number => index + 1 + Math.floor(r() * 6);
  if (p < 0.6) return { words: [randomInstruction(r)] };
  if (p < 0.72) {
    // A flag-setter and a B.cond right after it: the compiler fuses the two. Carry conditions
    // (CS, CC, HI, LS) get a larger share: a carry decided by equality (ADDS #0) is easy to get wrong.
    const cond = r() < 0.3 ? pick(r, [2, 3, 8, 9]) : Math.floor(r() * 16);
    return { words: [randomInstruction(r, SETTERS), 0], branch: { at: 1, target: forward(), encode: (w) => asm.bcond(cond, w) } };
  }
  if (p < 0.82) return { words: [0], branch: conditionalBranch(r, 0, forward()) };
  if (p < 0.83) return { words: [0], branch: { at: 0, target: forward(), encode: (w) => asm.b(w) } };
  if (p < 0.87) {
    // Backward, within the iteration's budget.
    const back = Math.max(0, index - Math.floor(r() * 8));
    const item: Item = { words: [CB(1, 0, BUDGET_REG, 3), SUB_IMM_X(BUDGET_REG, BUDGET_REG, 1), 0] };
    item.branch = conditionalBranch(r, 2, back);
    return item;
  }
  if (p < 0.95) {
    // Register-offset load or store: the index register cut to 5 bits (±16 elements at most
    // from the middle of the scratch memory), then extended as the instruction says.
    const i = freeReg(r);
    const m = Math.floor(r() * 31);
    const option = pick(r, [2, 3, 6, 7]); // UXTW, LSL, SXTW, SXTX
    const cut = option === 2 ? BFX(false, 0, i, m, Math.floor(r() * 28), 5) : option === 6 ? BFX(true, 0, i, m, Math.floor(r() * 28), 5) : BFX(true, 1, i, m, Math.floor(r() * 60), 5);
    for (;;) {
      let w = ((Math.floor(r() * 4294967296) & ~LDST_REG.mask) | LDST_REG.match) >>> 0;
      w = setField(setField(setField(w, LDST_REG, 'rn', MEM_REG), LDST_REG, 'rm', i), LDST_REG, 'option', option);
      const d = matchInstruction(w);
      if (!d || d.def !== LDST_REG.def || RESERVED.includes(d.fields.rt!)) continue;
      return { words: [cut, w] };
    }
  }
  const reg = pick(r, SYSREGS);
  if (r() < 0.5) return { words: [asm.mrs(freeReg(r), reg)] };
  return { words: [asm.msr(reg, Math.floor(r() * 31))] };
}

export interface Block {
  words: number[];
  /** Seed of the initial state. */
  stateSeed: number;
}

/** A random block whose body has about `length` instructions. */
export function randomBlock(r: () => number, length: number): Block {
  const items: Item[] = [];
  let size = 0;
  while (size < length) {
    const item = randomItem(r, items.length);
    items.push(item);
    size += item.words.length;
  }
  const starts: number[] = [];
  let at = 0;
  for (const item of items) {
    starts.push(at);
    at += item.words.length;
  }
  starts.push(at); // the tail
  const body: number[] = [];
  for (const item of items) {
    const words = [...item.words];
    if (item.branch) {
      const from = body.length + item.branch.at;
      words[item.branch.at] = item.branch.encode(starts[Math.min(item.branch.target, items.length)]! - from);
    }
    body.push(...words);
  }
  const iterations = 20 + Math.floor(r() * 21);
  const words = [asm.movz(LOOP_REG, iterations), asm.movz(BUDGET_REG, 4), ...body, SUB_IMM_X(LOOP_REG, LOOP_REG, 1), CB(1, 1, LOOP_REG, -(body.length + 2))];
  return { words, stateSeed: Math.floor(r() * 2 ** 31) };
}

/**
 * The block cut after `n` instructions of its body (for narrowing a divergence down): branches
 * past the cut go to the loop's tail instead.
 */
export function truncateBlock(block: Block, n: number): Block {
  const body = block.words.slice(HEAD_WORDS, HEAD_WORDS + n);
  const cut = body.map((w, i) => {
    const d = matchInstruction(w);
    if (!d) return w;
    const to = (field: 'imm19' | 'imm14' | 'imm26', bits: number): number => {
      const off = (d.fields[field]! << (32 - bits)) >> (32 - bits);
      if (i + off <= n) return w;
      const m = ((1 << bits) - 1) << 5;
      return ((w & ~m) | (((n - i) << 5) & m)) >>> 0;
    };
    if (d.def.name === 'B_cond' || d.def.name === 'CBZ') return to('imm19', 19);
    if (d.def.name === 'TBZ') return to('imm14', 14);
    if (d.def.name === 'B') {
      const off = (d.fields.imm26! << 6) >> 6;
      return i + off <= n ? w : asm.b(n - i);
    }
    return w;
  });
  const tail = block.words.slice(-TAIL_WORDS);
  tail[1] = CB(1, 1, LOOP_REG, -(n + 2));
  return { words: [...block.words.slice(0, HEAD_WORDS), ...cut, ...tail], stateSeed: block.stateSeed };
}
