import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Cpu } from '../src/machine/cpu/cpu.js';
import { compilePattern } from '../src/machine/cpu/decode.js';
import { matchInstruction } from '../src/machine/cpu/decoder.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { INSNS } from '../src/machine/cpu/insns/index.js';
import { ROWS } from '../src/machine/cpu/jit/rows.js';
import { GenericTimer } from '../src/machine/devices/generic-timer.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from '../src/machine/memory/flat-space.js';
import { asm, wordsToBytes } from './helpers/a64-asm.js';
import { rng } from './helpers/rng.js';

/**
 * The block compiler's inline rows (src/machine/cpu/jit/rows.ts), row by row, against the
 * interpreter: straight-line programs of one row's instructions with random fields leaning to
 * the edges (shift amounts 0, 31, 32, 63; immediates 0, 1, the largest; every extend, shift
 * type and addressing mode), from random register values leaning to the carry and sign edges,
 * run by the interpreter and compiled from their first instruction. Registers, SP, NZCV, the
 * SIMD&FP registers, memory, the stop and the syndrome must agree.
 *
 * Memory rows address through pointer registers x20–x25 and SP: into data pages placed out of
 * order in the host memory (an access crossing pages through one page's host bytes reads the
 * wrong ones), next to an unmapped page (faults), across the 4 GiB boundary (carries into the
 * address's high word), and into the code page (a store there ends the compiled run).
 * Programs of more than 40 accesses take the compiler's non-inline memory path.
 *
 * The fuzz against QEMU (cpu-fuzz.test.ts) says what the interpreter's answers should be;
 * this test is the fast, systematic check that compiled code gives the same ones (it is the
 * test set of the mutation score of rows.ts, docs/mutation.md).
 */

interface Layout {
  code: number;
  data: number;
}
/** Low addresses; data across the 4 GiB boundary (code just below it); everything above it. */
const LAYOUTS: Layout[] = [
  { code: 0x10000, data: 0x20000 },
  { code: 0xffff_f000, data: 0xffff_8000 },
  { code: 0x5_8000_0000, data: 0x5_8001_0000 },
];
const DATA_BYTES = 0x10000;
/** An unmapped page inside the data range. */
const HOLE = 0xc000;
const INDEX_REG = 19;
const POINTERS = [20, 21, 22, 23, 24, 25];
const MEMORY_ROWS = new Set(['LDST_ui', 'LDST_imm9', 'LDST_reg', 'LDSTP']);
const FLAG_SETTERS = new Set(['ADDS_i', 'SUBS_i', 'ANDS_i', 'LOG_r', 'ADDSUB_r', 'ADDSUB_ext', 'CCMP_r', 'CCMP_i']);

const EDGES = [0n, 1n, 2n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_0000_0000n, 0x8000_0000_ffff_ffffn, 0xffn, 0xffffn, 0x80n, 0x8000n];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function edgeValue(r: () => number): bigint {
  const p = r();
  const e = pick(r, EDGES);
  if (p < 0.4) return e;
  if (p < 0.6) return BigInt.asUintN(64, e + BigInt(Math.floor(r() * 5) - 2));
  if (p < 0.7) return BigInt.asUintN(64, -e);
  return (BigInt(Math.floor(r() * 4294967296)) << 32n) | BigInt(Math.floor(r() * 4294967296));
}

/** Values at the edges for the fields that decide carries, shifts and extensions. */
const FIELD_EDGES: Record<string, number[]> = {
  imm12: [0, 1, 0xfff, 0x800, 0x7ff],
  imm16: [0, 1, 0x7fff, 0x8000, 0xffff],
  imm6: [0, 1, 31, 32, 63],
  immr: [0, 1, 31, 32, 63],
  imms: [0, 1, 30, 31, 32, 62, 63],
  imm5: [0, 1, 31],
  imm3: [0, 1, 4],
  imm9: [0, 1, 0x1ff, 0x100, 0xff, 0x1f8, 8],
  imm7: [0, 1, 0x7f, 0x40, 0x3f],
};

interface Candidate {
  name: string;
  mask: number;
  match: number;
  fields: { name: string; shift: number; width: number }[];
}

const CANDIDATES = new Map<string, Candidate>(
  INSNS.filter((d) => d.name in ROWS).map((d) => {
    const p = compilePattern(d.pattern);
    return [d.name, { name: d.name, mask: p.mask, match: p.match, fields: p.fields }];
  }),
);

function setField(word: number, c: Candidate, name: string, value: number): number {
  const f = c.fields.find((x) => x.name === name);
  if (!f) return word;
  const m = ((1 << f.width) - 1) << f.shift;
  return ((word & ~m) | ((value << f.shift) & m)) >>> 0;
}

/** One random instruction of row `name`, its fields leaning to the edges. */
function randomInstruction(r: () => number, name: string): number {
  const c = CANDIDATES.get(name)!;
  for (;;) {
    let w = ((Math.floor(r() * 4294967296) & ~c.mask) | c.match) >>> 0;
    for (const f of c.fields) if (FIELD_EDGES[f.name] && r() < 0.5) w = setField(w, c, f.name, pick(r, FIELD_EDGES[f.name]!));
    if (MEMORY_ROWS.has(name)) {
      // The code page (x24) and the page before the hole (x25) are small targets: a register
      // offset would leave them at once.
      const rn = r() < 0.15 ? 31 : name !== 'LDST_reg' && r() < 0.1 ? 24 : name !== 'LDST_reg' && r() < 0.04 ? 25 : pick(r, [20, 21, 22, 23]);
      w = setField(w, c, 'rn', rn);
      if (name === 'LDST_ui') w = setField(w, c, 'imm12', r() < 0.3 ? 0 : Math.floor(r() * 128));
      if (name === 'LDST_reg') w = setField(w, c, 'rm', INDEX_REG);
    }
    const m = matchInstruction(w);
    if (!m || m.def.name !== name) continue;
    const f = m.fields;
    if (MEMORY_ROWS.has(name)) {
      // Never load into the index or the pointers (nor, with writeback, into the base).
      if ([f.rt, f.rt2].some((t) => t !== undefined && (t === INDEX_REG || POINTERS.includes(t)))) continue;
      if (name === 'LDSTP' && f.l === 1 && f.rt === f.rt2) continue; // CONSTRAINED UNPREDICTABLE
    }
    return w;
  }
}

/** `mrs xt, nzcv`, or CSEL/CSINC/CSINV/CSNEG on a random condition: what reads the flags. */
function observer(r: () => number): number {
  const t = Math.floor(r() * 19);
  if (r() < 0.5) return asm.mrs(t, 'nzcv');
  const [sf, op, o2] = [r() < 0.5 ? 1 : 0, r() < 0.5 ? 1 : 0, r() < 0.5 ? 1 : 0];
  return ((sf << 31) | (op << 30) | 0x1a800000 | (Math.floor(r() * 32) << 16) | (Math.floor(r() * 16) << 12) | (o2 << 10) | (Math.floor(r() * 32) << 5) | t) >>> 0;
}

/** A program of `length` instructions of row `name` (with readers of the flags after flag-setters), then SVC. */
function program(r: () => number, name: string, length: number): number[] {
  const words: number[] = [];
  for (let i = 0; i < length; i++) {
    // Flags come from the row itself, or (for its readers) from compares before it.
    if ((name === 'CSEL' || name.startsWith('CCMP')) && r() < 0.3) words.push(randomInstruction(r, pick(r, ['ADDSUB_r', 'SUBS_i', 'ANDS_i'])));
    words.push(randomInstruction(r, name));
    if ((FLAG_SETTERS.has(name) || name === 'CSEL') && r() < 0.6) words.push(observer(r));
  }
  words.push(asm.svc0);
  return words;
}

/** A pointer into the data, often next to a page boundary (or the 4 GiB one). */
function pointer(r: () => number, l: Layout): bigint {
  const p = r();
  if (p < 0.35) return BigInt(l.data + 0x1000 * (1 + Math.floor(r() * 10)) + Math.floor(r() * 40) - 20);
  if (p < 0.5) return BigInt(l.data + 0x8000 + Math.floor(r() * 64) - 32);
  return BigInt(l.data + 0x1000 + Math.floor(r() * 0xa000));
}

interface Start {
  x: bigint[];
  nzcv: number;
  v: Uint32Array;
  data: Uint8Array;
}

function startState(r: () => number, l: Layout, memory: boolean): Start {
  const x = Array.from({ length: 31 }, () => edgeValue(r));
  if (memory) {
    x[INDEX_REG] = BigInt.asUintN(64, BigInt(r() < 0.15 ? pick(r, [-1, -8, -100]) : pick(r, [0, 1, 7, 100, 255])));
    for (const p of [20, 21, 22, 23]) x[p] = pointer(r, l);
    x[24] = BigInt(l.code + 0x800 + Math.floor(r() * 0x100));
    x[25] = BigInt(l.data + HOLE - Math.floor(r() * 64));
  }
  // SP: a pointer for the memory rows, any value for the others.
  x.push(memory ? pointer(r, l) & ~15n : edgeValue(r));
  const v = new Uint32Array(128);
  for (let i = 0; i < v.length; i++) v[i] = Math.floor(r() * 4294967296);
  const data = new Uint8Array(DATA_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  return { x, nzcv: Math.floor(r() * 16) << 28, v, data };
}

/** Run interpreted (`false`), or compiled from the first instruction by a tier. */
function run(words: number[], l: Layout, s: Start, compiled: false | 'js' | 'wasm'): unknown {
  const space = new FlatSpace();
  space.map(l.code, 4096, PERM_R | PERM_W | PERM_X);
  space.write(l.code, wordsToBytes(words));
  space.map(l.data, HOLE, PERM_R | PERM_W);
  space.map(l.data + HOLE + 0x1000, DATA_BYTES - HOLE - 0x1000, PERM_R | PERM_W);
  // Touched from the last page to the first: consecutive guest pages are not consecutive in
  // the host memory.
  for (let off = DATA_BYTES - 0x1000; off >= 0; off -= 0x1000) if (off !== HOLE) space.write(l.data + off, s.data.subarray(off, off + 0x1000));
  let cpu: Cpu | undefined;
  cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
  if (compiled) {
    cpu.hotThreshold = 1;
    cpu.tier = compiled;
  } else cpu.blocksEnabled = false;
  cpu.pc = l.code;
  s.x.forEach((v, i) => cpu.setX(i, v));
  cpu.nzcv = s.nzcv;
  cpu.V32.set(s.v);
  const stop = cpu.run(100_000);
  // Memory as digests: deep equality over 64 KiB of bytes per run would cost more than the run.
  const digest = (bytes: Uint8Array | undefined): string => (bytes ? createHash('sha256').update(bytes).digest('hex').slice(0, 16) : 'unmapped');
  const memory: string[] = [];
  for (let off = 0; off < DATA_BYTES; off += 0x1000) memory.push(digest(space.read(l.data + off, 0x1000)));
  return {
    stop,
    pc: cpu.pc,
    icount: cpu.icount,
    x: Array.from({ length: 32 }, (_, i) => cpu.getX(i)),
    nzcv: cpu.nzcv,
    v: Array.from(cpu.V32.subarray(0, 128)),
    esr: cpu.esr,
    far: [cpu.farLo, cpu.farHi],
    memory,
    code: digest(space.read(l.code, 4096)),
  };
}

/** Programs per row, and how long they are. Memory rows also get programs beyond 40 accesses. */
const TRIALS = 36;

function check(name: string): void {
  const memory = MEMORY_ROWS.has(name);
  let svc = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const r = rng(trial * 1000 + [...name].reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7));
    const l = LAYOUTS[trial % LAYOUTS.length]!;
    const words = program(r, name, memory && trial % 4 === 3 ? 48 : 12);
    const s = startState(r, l, memory);
    const interpreted = run(words, l, s, false);
    if ((interpreted as { stop: Stop }).stop === Stop.Svc) svc++;
    // Both compiled tiers (this file measures jit/rows.ts; the WebAssembly tier's rows get the same programs).
    for (const tier of ['js', 'wasm'] as const) expect(run(words, l, s, tier), `${name}, ${tier}, trial ${trial}: ${words.map((w) => w.toString(16).padStart(8, '0')).join(' ')}`).toEqual(interpreted);
  }
  // Most programs run to their end (a memory program may fault on the unmapped page).
  expect(svc).toBeGreaterThan(TRIALS / 2);
}

/** Directed programs for what the random forms reach too rarely (each found by a surviving mutant). */
const DIRECTED: { name: string; words: (l: Layout) => number[]; regs: (l: Layout) => Record<number, bigint> }[] = [
  {
    // LSL, LSR, ASR, ROR by exactly 32 of a 64-bit register operand.
    name: 'shifted register operands by 32',
    words: () => [0, 1, 2].map((sh) => (0x8b000000 | (sh << 22) | (2 << 16) | (32 << 10) | (1 << 5) | (3 + sh)) >>> 0).concat([0, 1, 2, 3].map((sh) => (0xca000000 | (sh << 22) | (2 << 16) | (32 << 10) | (1 << 5) | (6 + sh)) >>> 0)),
    regs: () => ({ 1: 0x0123_4567_89ab_cdefn, 2: 0xfedc_ba98_7654_3210n }),
  },
  {
    // Loads at the end of a page the read TLB holds, crossing into a page that is not next to it in the host memory.
    name: 'loads crossing a page through the inline fast path',
    words: () => [asm.ldrX(1, 20, 0), 0xb8400000 | (0xfe << 12) | (21 << 5) | 2, 0xf8400000 | (0xfc << 12) | (21 << 5) | 3, 0x78400000 | (0xff << 12) | (21 << 5) | 4].map((w) => w >>> 0),
    regs: (l) => ({ 20: BigInt(l.data + 0x3000), 21: BigInt(l.data + 0x3f00) }),
  },
  {
    // A pair store whose second word falls in the unmapped page writes nothing.
    name: 'a pair store faulting on its second word',
    words: () => [asm.ldrX(5, 25, 0), asm.stpX(1, 2, 25, 0)],
    regs: (l) => ({ 25: BigInt(l.data + HOLE - 8), 1: 0x1111n, 2: 0x2222n }),
  },
  {
    // A pre-index store, a pair store with writeback, then register-offset stores in the same function.
    name: 'register-offset stores after stores with writeback',
    words: () => [(0xf8000c00 | (8 << 12) | (20 << 5) | 1) >>> 0, (0xf8206800 | (19 << 16) | (21 << 5) | 2) >>> 0, (0xa9800000 | (2 << 15) | (2 << 10) | (22 << 5) | 1) >>> 0, (0xf8206800 | (19 << 16) | (23 << 5) | 2) >>> 0],
    regs: (l) => ({ 19: 16n, 20: BigInt(l.data + 0x1000), 21: BigInt(l.data + 0x2000), 22: BigInt(l.data + 0x3000), 23: BigInt(l.data + 0x4000), 1: 0xaaaan, 2: 0xbbbbn }),
  },
  {
    // MUL (MADD with XZR), 64-bit.
    name: 'MUL',
    words: () => [(0x9b007c00 | (2 << 16) | (1 << 5) | 0) >>> 0, (0x9b007c00 | (1 << 16) | (1 << 5) | 3) >>> 0],
    regs: () => ({ 1: 0xffff_ffff_0000_0003n, 2: 0x1_0000_0005n }),
  },
  {
    // A store rewriting the next instruction of its own block (ADD #1 becomes ADD #2): the compiled run must leave after it.
    name: 'a store rewriting the next instruction',
    words: () => [asm.strW(5, 24, 0), asm.addImm(0, 0, 1), asm.addImm(0, 0, 1)],
    regs: (l) => ({ 0: 0n, 5: BigInt(asm.addImm(0, 0, 2)), 24: BigInt(l.code + 4) }),
  },
];

describe('compiled rows agree with the interpreter', () => {
  for (const name of Object.keys(ROWS)) {
    if (name === 'HINT' || name === 'BARRIER') continue;
    it(name, () => check(name));
  }

  for (const d of DIRECTED) {
    it(d.name, () => {
      for (const l of LAYOUTS) {
        const s = startState(rng(9), l, true);
        for (const [k, v] of Object.entries(d.regs(l))) s.x[Number(k)] = v;
        const words = [...d.words(l), asm.svc0];
        const interpreted = run(words, l, s, false);
        for (const tier of ['js', 'wasm'] as const) expect(run(words, l, s, tier), `${d.name}, ${tier} (code at 0x${l.code.toString(16)})`).toEqual(interpreted);
      }
    });
  }

  it('HINT and BARRIER: nothing inline but CLREX, which clears the exclusive monitor', () => {
    const l = LAYOUTS[0]!;
    const ldxr = (t: number, n: number): number => (0xc85f7c00 | (n << 5) | t) >>> 0;
    const stxr = (s: number, t: number, n: number): number => (0xc8007c00 | (s << 16) | (n << 5) | t) >>> 0;
    const hint = (op: number): number => (0xd503201f | (op << 5)) >>> 0;
    const barrier = (op2: number, crm = 15): number => (0xd503301f | (crm << 8) | (op2 << 5)) >>> 0;
    const CLREX = barrier(2);
    const words = [hint(0), hint(1), ldxr(0, 20), barrier(4), barrier(5), barrier(6), CLREX, stxr(1, 2, 20), asm.addImm(3, 3, 1), ldxr(4, 21), hint(0), barrier(5), stxr(5, 2, 21), asm.svc0];
    const s = startState(rng(5), l, true);
    // Exclusives need aligned addresses.
    s.x[20] = BigInt(l.data + 0x2000);
    s.x[21] = BigInt(l.data + 0x3008);
    const interpreted = run(words, l, s, false) as { x: bigint[] };
    // The first store-exclusive fails (CLREX), the second succeeds.
    expect([interpreted.x[1], interpreted.x[5]]).toEqual([1n, 0n]);
    expect(run(words, l, s, 'js')).toEqual(interpreted);
    expect(run(words, l, s, 'wasm')).toEqual(interpreted);
  });
});
