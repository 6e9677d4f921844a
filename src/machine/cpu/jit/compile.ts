import type { CodePage, Cpu } from '../cpu.js';
import { usesFpState } from '../context.js';
import { disassemble } from '../decoder.js';
import { SP } from '../slots.js';
import { Emitter } from './emitter.js';
import { directTarget, discoverRegion, isTerminator, MAX_REGION, reachableRegion, type Region, type RegionBlock } from './region.js';
import { ROWS } from './rows.js';
import { SIMD_ROWS } from './simd-rows.js';
import { FP_ROWS } from './fp-rows.js';
import { fma, FMA_IO, ixAdd, ixDiv, ixMul, ixSqrt, mulhs, mulhu, sdiv64, smulh, storeFlags, udiv64, umulh } from './runtime.js';

/**
 * The block compiler: the hot part of a code page becomes one JavaScript function.
 *
 * The function is a loop over a `switch` on the number of the next block, so branches inside
 * the page (loops, if/else, calls and returns between functions of the page) never leave it. Guest registers live in JS locals for the whole run of the function.
 * `limit` caps the retired instructions: a block runs only if all of it fits, so counts,
 * virtual time and interrupts stay exact. The function returns how many instructions it
 * retired and leaves the next PC in `cpu.nextPc`.
 *
 * A fault unwinds through the function's `catch`, which writes the registers back and leaves
 * in `cpu.faultAt` which instruction faulted (its page index × 64 + how many instructions of
 * its block remain, itself included) and in `cpu.faultDone` the retired count including its
 * whole block.
 */
export type RegionFn = (cpu: Cpu, base: number, pageIndex: number, limit: number) => number;

/** Rows that neither read nor write NZCV (their handlers, when no emitter handles a form). */
const FLAG_NEUTRAL = new Set([
  'ADD_i',
  'SUB_i',
  'MOVZ',
  'MOVN',
  'MOVK',
  'AND_i',
  'ORR_i',
  'EOR_i',
  'UBFM',
  'SBFM',
  'BFM',
  'EXTR',
  'ADR',
  'ADRP',
  'DP1',
  'CLZ_CLS',
  'DP2',
  'DP3',
  'LDST_ui',
  'LDST_imm9',
  'LDST_reg',
  'LDSTP',
  'LDR_lit',
  'CBZ',
  'TBZ',
  'FP_2SRC',
  'FP_3SRC',
  'FP_1SRC',
  'FRINT',
  'FCVT',
  'FMOV_i',
  'FP_INT',
  'FP_FIXED',
  'FMOV_gen',
]);
/** Whether a handler may read or write NZCV (then pending flags are stored before it). */
export function touchesFlags(name: string): boolean {
  return !(FLAG_NEUTRAL.has(name) || name.startsWith('SIMD'));
}

/**
 * Rows whose handlers touch neither the general registers nor memory (SIMD&FP data
 * processing): calls to them need no register sync and cannot fault.
 */
export const REGISTER_FREE = new Set([
  'FP_2SRC',
  'FP_3SRC',
  'FP_1SRC',
  'FRINT',
  'FCVT',
  'FMOV_i',
  'FCMP',
  'FCCMP',
  'FCSEL',
  'SIMD_3SAME',
  'SIMD_3DIFF',
  'SIMD_2MISC',
  'SIMD_ACROSS',
  'SIMD_MODIMM',
  'SIMD_SHIFT',
  'SIMD_PERMUTE',
  'SIMD_EXT',
  'SIMD_TBL',
  'SIMD_ELEM',
  'SIMD_3SAME_FP',
  'SIMD_2MISC_FP',
  'SIMD_ACROSS_FP',
  'SIMD_ELEM_FP',
  'SIMDS_3SAME',
  'SIMDS_PAIR',
  'SIMDS_DUP',
  'SIMDS_2MISC',
  'SIMDS_SHIFT',
  'SIMDS_ELEM_FP',
]);

/** The general registers an instruction's handler may read or write: those its fields name. */
export function fieldSlots(word: number, name: string): number[] {
  const fields = [word & 31, (word >>> 5) & 31, (word >>> 10) & 31, (word >>> 16) & 31];
  // CASP works on register pairs.
  if (name === 'CASP') fields.push((fields[0]! + 1) & 31, (fields[3]! + 1) & 31);
  // Field value 31 is SP or XZR; XZR needs no sync, SP does.
  return [...new Set(fields.map((f) => (f === 31 ? SP : f)))];
}

/** Rows that load or store. */
const MEMORY = new Set(['LDST_ui', 'LDST_imm9', 'LDST_reg', 'LDSTP']);
/** Functions with more loads and stores than this call the CPU's access methods (see Emitter.inlineMemory). */
const INLINE_ACCESSES = 40;

/**
 * The longest generated source (without debugging comments): V8 does not optimise functions
 * whose bytecode exceeds 60 KiB (--max-optimized-bytecode-size), about 80 KB of our source;
 * smaller functions also reach optimised code sooner (measured best near 30,000).
 */
const MAX_SOURCE = 30_000;
/** Conditional branches: a block ending in one may fall through. */
const CONDITIONAL = new Set(['B_cond', 'CBZ', 'TBZ']);
/** A superblock copies in fall-through blocks up to this many instructions. */
const MAX_SUPERBLOCK = 48;

let compiled = 0;
/**
 * SEL4TS_JIT_DUMP=dir writes each generated function there, with the disassembly (debugging):
 * the command line provides the writer (src/cli/node-host.ts), so that the core needs no file system.
 */
let DUMP: ((name: string, source: string) => void) | undefined;

export function provideJitDump(write: ((name: string, source: string) => void) | undefined): void {
  DUMP = write;
}

/**
 * Compile the hot code of a page (see `discoverRegion`), which can start at `entry` and at
 * every leader the returned set names.
 */
export function compileRegion(code: CodePage, entry: number, minHeat: number): { fn: RegionFn; leaders: Set<number> } {
  let region = discoverRegion(code, entry, minHeat);
  let generated = generate(code, region);
  // V8 never optimises a function beyond a bytecode size: too much code is compiled again
  // from the entry alone, smaller each time, until it fits.
  for (let cap = MAX_REGION >> 1; sourceSize(generated.source) > MAX_SOURCE && cap >= 8; cap >>= 1) {
    region = reachableRegion(code, entry, minHeat, cap);
    generated = generate(code, region);
  }
  // Code compiled here no longer runs in the interpreter: its counts start again, so that an
  // occasional interpreted step (the end of a budget) does not make it a new entry point.
  for (const b of region.blocks) code.heat.fill(0, b.start, b.end);
  const { source, params, values } = generated;
  if (DUMP) DUMP(`region-${compiled}.js`, source);
  const factory = new Function(...params, source) as (...v: unknown[]) => RegionFn;
  return { fn: factory(...values), leaders: region.leaders };
}

/** The size of generated source as V8 sees it, without the disassembly comments of SEL4TS_JIT_DUMP. */
function sourceSize(source: string): number {
  return DUMP ? source.replace(/^\/\/ .*$/gm, '').length : source.length;
}

/** The source of a region's function, with the names and values it closes over. */
function generate(code: CodePage, region: Region): { source: string; params: string[]; values: unknown[] } {
  const { leaders } = region;
  const e = new Emitter();
  let accesses = 0;
  for (const b of region.blocks) for (let i = b.start; i < b.end; i++) if (MEMORY.has(code.names[i]!)) accesses++;
  e.inlineMemory = accesses <= INLINE_ACCESSES;
  const params: string[] = ['mulhu', 'mulhs', 'umulh', 'smulh', 'udiv64', 'sdiv64', 'W', 'storeFlags', 'fma', 'FMA_IO', 'ixAdd', 'ixMul', 'ixDiv', 'ixSqrt'];
  const values: unknown[] = [mulhu, mulhs, umulh, smulh, udiv64, sdiv64, new Int32Array(2), storeFlags, fma, FMA_IO, ixAdd, ixMul, ixDiv, ixSqrt];
  const view = code.page.view;

  const handlerCall = (i: number, name: string, terminator: boolean): string => {
    const k = values.length;
    params.push(`fn${k}`, `ar${k}`);
    values.push(code.fns[i], code.args[i]);
    const pc4 = e.pc(4);
    const free = REGISTER_FREE.has(name);
    const slots = free ? [] : fieldSlots(view.getUint32(code.page.base + i * 4, true), name);
    const flags = touchesFlags(name);
    let out = free ? '' : e.faultable();
    if (flags) out += e.materialise();
    for (const s of slots) out += `R[${2 * s}] = ${e.lo(s)}; R[${2 * s + 1}] = ${e.hi(s)}; `;
    out += `cpu.nextPc = ${pc4}; fn${k}(cpu, ar${k}); `;
    for (const s of slots) {
      e.written.add(s);
      out += `l${s} = R[${2 * s}]; h${s} = R[${2 * s + 1}]; `;
    }
    if (flags) e.flagsStored();
    if (terminator) return `${out}${e.exitAfter('handler')}`;
    return `${out}if (cpu.codeChanged || cpu.nextPc !== ${pc4}) ${e.exitAfter('handler')}`;
  };

  // Blocks are numbered densely, so V8 compiles the switch into a jump table.
  const blockNumber = new Int16Array(1024).fill(-1);
  region.blocks.forEach((b, k) => (blockNumber[b.start] = k));
  e.blockNumber = blockNumber;
  params.push('BLOCK');
  values.push(blockNumber);
  /**
   * One block: its budget check and its instructions. `falls` says whether execution may go
   * on at `block.end` (no terminator, or a conditional branch not taken).
   */
  const emitBlock = (block: RegionBlock): { text: string; falls: boolean } => {
    const len = block.end - block.start;
    const body: string[] = [];
    e.pending = undefined;
    let falls = false;
    let ended = false;
    for (let i = block.start; i < block.end; i++) {
      e.index = i;
      e.remaining = block.end - i;
      const name = code.names[i]!;
      const a = code.args[i] as Record<string, number>;
      if (isTerminator(name, a)) {
        body.push(branch(i, name, a));
        falls = CONDITIONAL.has(name) && leaders.has(i + 1);
        ended = true;
        break;
      }
      // Lazy FP/SIMD switching (context.ts): the thread's FP state is loaded before its first use.
      if (usesFpState(view.getUint32(code.page.base + i * 4, true))) body.push('if (cpu.fpStale) cpu.fpSwitch();');
      e.fallback = () => handlerCall(i, name, false);
      const inline = (ROWS[name] ?? SIMD_ROWS[name] ?? FP_ROWS[name])?.(e, a);
      if (DUMP) body.push(`// ${disassemble(view.getUint32(code.page.base + i * 4, true), i * 4)}${inline === undefined ? ' (handler)' : ''}`);
      body.push(inline ?? handlerCall(i, name, false));
    }
    if (!ended) {
      // Flags leave the block in cpu.n/z/c/v (or the lazy flags): a fault or a budget stop
      // in the next block must see them.
      falls = leaders.has(block.end);
      body.push(falls ? e.keepPending() : e.exitAfter('offset', `${block.end * 4}`));
    }
    return { text: `if ((done += ${len}) > limit) { xk = ${len}; xo = ${block.start * 4}; break run; } {\n${body.join('\n')}\n}`, falls };
  };

  const blockAt = new Map(region.blocks.map((b) => [b.start, b]));
  /**
   * The blocks a superblock starting at `block` copies in: its fall-through successors, up to
   * the last one that branches back to `block` (a loop), or just the block.
   */
  const loopChain = (block: RegionBlock): RegionBlock[] => {
    const chain = [block];
    let keep = 1;
    let size = block.end - block.start;
    for (let cur = block; ; ) {
      const t = cur.end - 1;
      const name = code.names[t]!;
      if (CONDITIONAL.has(name) || name === 'B') {
        if (directTarget(code, t) === block.start) keep = chain.length;
        if (name === 'B') break;
      } else if (isTerminator(name, code.args[t])) break;
      const next = blockAt.get(cur.end);
      if (next === undefined || size + (next.end - next.start) > MAX_SUPERBLOCK) break;
      chain.push(next);
      size += next.end - next.start;
      cur = next;
    }
    return chain.slice(0, keep);
  };
  const cases: string[] = [];
  for (const block of region.blocks) {
    // A superblock: the block, then the blocks it falls through to, copied in (they keep their
    // own cases for other entries). A loop whose back edge returns to the first block then
    // runs in place, without going through the switch.
    e.block = block.start;
    e.selfLoop = false;
    const chain = loopChain(block);
    const parts: string[] = [];
    let falls = false;
    for (const b of chain) {
      const emitted = emitBlock(b);
      parts.push(emitted.text);
      falls = emitted.falls;
    }
    const last = chain[chain.length - 1]!;
    // The next case is the fall-through only when nothing was copied in.
    if (falls && last !== block) parts.push(`idx = ${blockNumber[last.end]}; continue run;`);
    const inner = parts.join('\n');
    const label = `case ${blockNumber[block.start]}: /* ${block.start} */`;
    cases.push(e.selfLoop ? `${label} L${block.start}: for (;;) { ${inner} break; }` : `${label} {\n${inner}\n}`);
  }

  function branch(i: number, name: string, a: Record<string, number>): string {
    // A branch not taken falls through into the next case, when that is the next instruction.
    const fall = (): string => (leaders.has(i + 1) ? '' : e.exitAfter('offset', `${i * 4 + 4}`));
    switch (name) {
      case 'B': {
        const t = directTarget(code, i);
        return `${e.keepPending()}${e.goto(t, leaders, a.offset!)}`;
      }
      case 'BL': {
        const t = directTarget(code, i);
        const link = e.set(30, `(base + ${(i + 1) * 4}) % 4294967296 | 0`, `Math.floor((base + ${(i + 1) * 4}) / 4294967296) | 0`);
        return `${link} ${e.keepPending()}${e.goto(t, leaders, a.offset!)}`;
      }
      case 'B_cond':
      case 'CBZ':
      case 'TBZ': {
        const t = directTarget(code, i);
        let cond: string;
        let pre = '';
        if (name === 'B_cond') ({ pre, expr: cond } = e.condition(a.cond!));
        else if (name === 'CBZ') {
          const zero = a.sf ? `(${e.lo(a.t!)} | ${e.hi(a.t!)}) === 0` : `${e.lo(a.t!)} === 0`;
          cond = a.nonzero ? `!(${zero})` : zero;
        } else {
          const word = a.bit! < 32 ? e.lo(a.t!) : e.hi(a.t!);
          cond = `((${word} >>> ${a.bit! & 31}) & 1) === ${a.nonzero}`;
        }
        const c = e.temp();
        const keep = e.keepPending();
        return `${pre}const ${c} = ${cond}; ${keep}if (${c}) ${e.goto(t, leaders, a.offset!)} ${fall()}`;
      }
      case 'BR': {
        // BR, BLR, RET: a target inside this function continues here; anything else leaves.
        const tl = e.temp();
        const th = e.temp();
        const o = e.temp();
        let out = `${e.keepPending()}const ${tl} = ${e.lo(a.n!)}, ${th} = ${e.hi(a.n!)}; `;
        out += `if (((${tl} & 3) | (${th} >>> 16)) !== 0) { ${handlerCall(i, name, true)} } `;
        if (a.link) out += `${e.set(30, `(base + ${(i + 1) * 4}) % 4294967296 | 0`, `Math.floor((base + ${(i + 1) * 4}) / 4294967296) | 0`)} `;
        out += `const ${o} = ${th} * 4294967296 + (${tl} >>> 0) - base; `;
        out += `if (${o} >= 0 && ${o} < 4096) { pidx = ${o} >>> 2; idx = BLOCK[pidx]; continue run; } `;
        out += e.exitAfter('offset', o);
        return out;
      }
      default:
        return handlerCall(i, name, true);
    }
  }

  const regs = [...e.used].sort((x, y) => x - y);
  const load = regs.map((s) => `l${s} = R[${2 * s}], h${s} = R[${2 * s + 1}]`).join(', ');
  const store = [...e.written]
    .sort((x, y) => x - y)
    .map((s) => `R[${2 * s}] = l${s}; R[${2 * s + 1}] = h${s};`)
    .join(' ');
  const source = `// region ${compiled++}
return function region(cpu, base, pidx, limit) {
const R = cpu.R, V = cpu.V32, F = cpu.VF64, S = cpu.VF32, rTag = cpu.rTag, rBase = cpu.rBase, wTag = cpu.wTag, wBase = cpu.wBase, M = cpu.mem;
let idx = BLOCK[pidx], done = 0, at = 0, xd = 0, xo = 0, xk = 0, fk = 0, fa = 0, fah = 0, fb = 0, fbh = 0, fr = 0, frh = 0${load ? `, ${load}` : ''};
try {
run: for (;;) {
switch (idx) {
${cases.join('\n')}
default: xd = 4; break run;
}
}
} catch (err) {
${store}
if (fk !== 0) storeFlags(cpu, fk, fa, fah, fb, fbh, fr, frh);
cpu.faultAt = at; cpu.faultDone = done;
throw err;
}
${store}
done -= xk;
if (fk !== 0) storeFlags(cpu, fk, fa, fah, fb, fbh, fr, frh);
if (xd === 0) cpu.nextPc = base + xo;
else if (xd === 3) { if (cpu.nextPc === -1) cpu.pc = base + xo; else cpu.nextPc = base + xo; }
else if (xd === 4) cpu.nextPc = base + pidx * 4;
return done;
};`;
  return { source, params, values };
}
