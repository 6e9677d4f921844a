import type { CodePage } from '../cpu.js';
import { decodeInstruction } from '../decoder.js';

/**
 * Which instructions of a code page one compiled function covers: everything reachable from
 * an entry point through direct branches and fall-through without leaving the page, and
 * that the interpreter has run often, cut into basic blocks at every branch target
 * ("leaders"). Branches to code left out leave the function.
 */

/** Rows that end a basic block: they branch, or may stop or redirect the CPU. */
const TERMINATORS = new Set(['B', 'BL', 'B_cond', 'CBZ', 'TBZ', 'BR', 'SVC', 'BRK', 'HINT', 'MRS', 'MSR_r', 'SYS', 'UNDEFINED']);

/** Does the instruction end a basic block? Hints other than WFI/WFE are NOPs and do not. */
export function isTerminator(name: string, args: unknown): boolean {
  if (name === 'HINT') return (args as { op: number }).op === 2 || (args as { op: number }).op === 3;
  return TERMINATORS.has(name);
}

/** Rows whose branch target is a constant (`args.offset` from the instruction). */
const DIRECT = new Set(['B', 'BL', 'B_cond', 'CBZ', 'TBZ']);

/** At most this many instructions in one function, so V8 still optimises it. */
export const MAX_REGION = 256;
/** Blocks are split after this many instructions (the fault bookkeeping packs 6 bits). */
const MAX_BLOCK = 48;

export interface RegionBlock {
  start: number;
  /** One past the last instruction. */
  end: number;
}

export interface Region {
  /** Blocks in ascending order of their first instruction, which is how they are emitted. */
  blocks: RegionBlock[];
  leaders: Set<number>;
}

/** Make sure instruction `i` of the page is decoded; returns its row name. */
function decodeAt(code: CodePage, i: number): string {
  let name = code.names[i];
  if (name === undefined) {
    const d = decodeInstruction(code.page.view.getUint32(code.page.base + i * 4, true));
    code.fns[i] = d.exec;
    code.args[i] = d.args;
    code.names[i] = name = d.def?.name ?? 'UNDEFINED';
  }
  return name;
}

/** The page-relative instruction index a direct branch at `i` goes to, or undefined if it leaves the page. */
export function directTarget(code: CodePage, i: number): number | undefined {
  const offset = (code.args[i] as { offset: number }).offset;
  const t = i + offset / 4;
  return t >= 0 && t < 1024 ? t : undefined;
}

/**
 * The blocks of a page's function: every instruction the interpreter ran at least `minHeat`
 * times, every instruction an earlier function of the page covered, and the new entry point.
 * Code run rarely stays out: V8 compiles small functions fast, and code a function never ran
 * before V8 optimised it deoptimises the function when first reached. Indirect branch
 * targets (jump tables, returns) are included when they are hot, so they stay inside too.
 */
export function discoverRegion(code: CodePage, entry: number, minHeat: number): Region {
  const hot = code.hot;
  hot[entry] = 1;
  for (let i = 0; i < 1024; i++) if (code.heat[i]! >= minHeat) hot[i] = 1;
  // The rest of a basic block runs whenever its start does.
  for (let i = 0; i < 1024; i++) {
    if (hot[i] === 0) continue;
    while (i < 1023 && !isTerminator(decodeAt(code, i), code.args[i])) hot[++i] = 1;
  }
  // A debugger's breakpoint stays out: the block before it ends there (Cpu.cutAtBreakpoints).
  const cuts = code.cuts?.at;
  if (cuts !== undefined) for (const c of cuts) hot[c] = 0;
  let size = 0;
  for (let i = 0; i < 1024; i++) size += hot[i]!;
  if (size > MAX_REGION) return reachableRegion(code, entry, minHeat, MAX_REGION);
  const leaders = new Set<number>([entry]);
  for (let i = 0; i < 1024; i++) {
    if (hot[i] === 0) continue;
    if (i === 0 || hot[i - 1] === 0 || code.fnAt[i] !== undefined || isTerminator(code.names[i - 1]!, code.args[i - 1])) leaders.add(i);
    const name = code.names[i]!;
    if (DIRECT.has(name)) {
      const t = directTarget(code, i);
      if (t !== undefined && hot[t] === 1) leaders.add(t);
    }
  }
  return cutBlocks(code, leaders, hot);
}

/** For a page with too much hot code: what is reachable from the entry by direct branches, up to about `max` instructions. */
export function reachableRegion(code: CodePage, entry: number, minHeat: number, max: number): Region {
  const leaders = new Set<number>([entry]);
  const seen = new Uint8Array(1024);
  const work: number[] = [entry];
  let size = 0;
  const cuts = code.cuts?.at;
  const addLeader = (t: number | undefined): void => {
    if (t === undefined || t >= 1024 || (code.heat[t]! < minHeat && code.hot[t] === 0) || cuts?.has(t) === true) return;
    if (!leaders.has(t) && size < max) {
      leaders.add(t);
      work.push(t);
    }
  };
  while (work.length > 0) {
    let i = work.pop()!;
    for (; i < 1024 && seen[i] === 0 && cuts?.has(i) !== true; i++) {
      seen[i] = 1;
      size++;
      const name = decodeAt(code, i);
      if (!isTerminator(name, code.args[i])) continue;
      if (DIRECT.has(name)) addLeader(directTarget(code, i));
      // Where execution continues after the instruction: a not-taken branch, a call's return.
      if (name !== 'B' && name !== 'BR') addLeader(i + 1);
      break;
    }
  }
  return cutBlocks(code, leaders, seen);
}

/** Blocks from each leader to a terminator, the next leader, the end of `inside`, or MAX_BLOCK instructions. */
function cutBlocks(code: CodePage, leaderSet: Set<number>, inside: Uint8Array): Region {
  const starts = [...leaderSet].filter((l) => inside[l] === 1).sort((a, b) => a - b);
  const leaders = new Set(starts);
  const blocks: RegionBlock[] = [];
  const isLeader = new Uint8Array(1025);
  for (const s of starts) isLeader[s] = 1;
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k]!;
    let i = start;
    for (;;) {
      const name = code.names[i]!;
      i++;
      if (isTerminator(name, code.args[i - 1]) || i >= 1024 || isLeader[i] === 1 || inside[i] === 0) break;
      if (i - start === MAX_BLOCK) {
        // Split: the rest becomes a block of its own.
        isLeader[i] = 1;
        starts.splice(k + 1, 0, i);
        leaders.add(i);
        break;
      }
    }
    blocks.push({ start, end: i });
  }
  return { blocks, leaders };
}
