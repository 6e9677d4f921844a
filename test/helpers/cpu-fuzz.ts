import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disassemble } from '../../src/machine/cpu/decoder.js';
import { runLinuxUser } from '../../src/machine/linux-user.js';
import { asm, wordsToBytes, writeElf } from './a64-asm.js';
import { type Block, HEAD_WORDS, MEM_REG, randomBlock, TAIL_WORDS, truncateBlock } from './cpu-fuzz-gen.js';
import { rng } from './rng.js';

export { type Block, randomBlock, rng };

/**
 * Differential testing of the CPU model against qemu-aarch64: blocks of random instructions
 * (cpu-fuzz-gen.ts), run from random register, flag, FP-control and memory state (integers
 * leaning towards the edges); the architectural state after each block is compared.
 */

const BASE = 0x400000 + 120; // the image starts after the ELF headers
const X_BYTES = 288; // x0–x30, then NZCV @256, FPCR @264, FPSR @272
const Q_BYTES = 512;
const MEM_BYTES = 1024;
const OUT_BYTES = X_BYTES + Q_BYTES + MEM_BYTES;

/** Integers where carries, overflows and sign changes happen, 32- and 64-bit. */
const EDGES = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xffffffff00000000n, 0x80000000_00000000n | 0xffffffffn];
const EDGES32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x80000001];
const MASK64 = 0xffffffffffffffffn;

/** An integer at or near an edge: exact, off by up to 2 either way, negated, or with random upper half. */
function edgeValue(r: () => number): bigint {
  const p = r();
  const e = EDGES[Math.floor(r() * EDGES.length)]!;
  if (p < 0.4) return e;
  if (p < 0.65) return (e + BigInt(Math.floor(r() * 5) - 2)) & MASK64;
  if (p < 0.8) return -e & MASK64;
  const hi = r() < 0.3 ? 0n : BigInt(Math.floor(r() * 4294967296));
  return (hi << 32n) | BigInt(EDGES32[Math.floor(r() * EDGES32.length)]!);
}

/** Random 64-bit lane values with a good share of special FP values. */
function randomBytes(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  const specials64 = [0n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000001n, 0x7ff0000000000001n, 0x0000000000000001n, 0x000fffffffffffffn, 0x3ff0000000000000n, 0x7fefffffffffffffn, 0xc000000000000000n];
  const specials32 = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00001, 0x7f800001, 1, 0x007fffff, 0x3f800000, 0x7f7fffff, 0xc0000000];
  for (let i = 0; i < n; i += 8) {
    const p = r();
    if (p < 0.15) v.setBigUint64(i, specials64[Math.floor(r() * specials64.length)]!, true);
    else if (p < 0.3) {
      v.setUint32(i, specials32[Math.floor(r() * specials32.length)]!, true);
      v.setUint32(i + 4, specials32[Math.floor(r() * specials32.length)]!, true);
    } else if (p < 0.45) {
      // small numbers, as integers and as doubles
      if (r() < 0.5) v.setBigUint64(i, BigInt(Math.floor(r() * 200) - 100) & 0xffffffffffffffffn, true);
      else v.setFloat64(i, (r() - 0.5) * 2 ** Math.floor(r() * 20 - 10), true);
    } else {
      v.setUint32(i, Math.floor(r() * 4294967296), true);
      v.setUint32(i + 4, Math.floor(r() * 4294967296), true);
    }
  }
  return out;
}

/** Build one program running every block from its own initial state; returns the ELF. */
function buildProgram(blocks: Block[]): Uint8Array {
  return layoutProgram(blocks).elf;
}

export interface Program {
  elf: Uint8Array;
  /** Where each block's own words are: [start, end) addresses. */
  bodies: [number, number][];
  /** How many instructions run outside the blocks' words (straight-line set-up, dumps, exit). */
  fixed: number;
}

/** The program of `buildProgram`, with where its blocks are (to count QEMU's instructions per block). */
export function layoutProgram(blocks: Block[]): Program {
  const bodies: [number, number][] = [];
  let bodyWords = 0;
  // Layout: [code for all blocks][final write/exit][per block: X, Q, MEM in][per block: out]
  const code: number[] = [];
  const fixups: { at: number; target: () => number; reg: number }[] = [];
  const adrTo = (reg: number, target: () => number): void => {
    fixups.push({ at: code.length, target, reg });
    code.push(0);
  };
  const dataStart = (): number => codeBytes;
  const inBlock = (i: number): number => dataStart() + i * (X_BYTES + Q_BYTES + MEM_BYTES);
  const outBlock = (i: number): number => dataStart() + blocks.length * (X_BYTES + Q_BYTES + MEM_BYTES) + i * OUT_BYTES;
  let codeBytes = 0;
  blocks.forEach((block, i) => {
    adrTo(0, () => inBlock(i) + X_BYTES);
    for (let q = 0; q < 32; q += 2) code.push(asm.ldpQ(q, q + 1, 0, q * 16));
    adrTo(0, () => inBlock(i));
    code.push(asm.ldrX(1, 0, 256), asm.msr('nzcv', 1), asm.ldrX(1, 0, 264), asm.msr('fpcr', 1), asm.ldrX(1, 0, 272), asm.msr('fpsr', 1));
    for (let x = 1; x < 31; x += 2) code.push(asm.ldpX(x, x + 1, 0, x * 8));
    code.push(asm.movToSp(MEM_REG)); // SP-relative results must not depend on where the stack is
    code.push(asm.ldrX(0, 0, 0));
    bodies.push([BASE + code.length * 4, BASE + (code.length + block.words.length) * 4]);
    bodyWords += block.words.length;
    code.push(...block.words);
    code.push(asm.msr('tpidr_el0', 0));
    adrTo(0, () => outBlock(i));
    for (let x = 1; x < 31; x += 2) code.push(asm.stpX(x, x + 1, 0, x * 8));
    code.push(asm.mrs(1, 'tpidr_el0'), asm.strX(1, 0, 0));
    code.push(asm.mrs(1, 'nzcv'), asm.strX(1, 0, 256), asm.mrs(1, 'fpcr'), asm.strX(1, 0, 264), asm.mrs(1, 'fpsr'), asm.strX(1, 0, 272));
    adrTo(0, () => outBlock(i) + X_BYTES);
    for (let q = 0; q < 32; q += 2) code.push(asm.stpQ(q, q + 1, 0, q * 16));
    for (const half of [0, 512]) {
      adrTo(1, () => inBlock(i) + X_BYTES + Q_BYTES + half);
      adrTo(0, () => outBlock(i) + X_BYTES + Q_BYTES + half);
      for (let k = 0; k < 512; k += 16) code.push(asm.ldpX(2, 3, 1, k), asm.stpX(2, 3, 0, k));
    }
  });
  code.push(asm.movz(8, 64), asm.movz(0, 1));
  adrTo(1, () => outBlock(0));
  const total = blocks.length * OUT_BYTES;
  code.push(asm.movz(2, total & 0xffff), asm.movk(2, total >>> 16, 16), asm.svc0, asm.movz(8, 93), asm.movz(0, 0), asm.svc0);
  // Align the data (and so every block's scratch memory) to 64 bytes.
  const fixed = code.length - bodyWords;
  while ((BASE + code.length * 4) % 64 !== 0) code.push(asm.nop);
  codeBytes = code.length * 4;
  for (const f of fixups) code[f.at] = asm.adr(f.reg, f.target() - f.at * 4);
  // Data: the initial state of each block.
  const data = new Uint8Array(blocks.length * (X_BYTES + Q_BYTES + MEM_BYTES) + blocks.length * OUT_BYTES);
  blocks.forEach((block, i) => {
    const r = rng(block.stateSeed);
    const off = i * (X_BYTES + Q_BYTES + MEM_BYTES);
    const x = randomBytes(r, X_BYTES);
    const dv = new DataView(x.buffer);
    for (let k = 0; k < 31; k++) if (r() < 0.55) dv.setBigUint64(8 * k, edgeValue(r), true);
    dv.setBigUint64(MEM_REG * 8, BigInt(BASE + inBlock(i) + X_BYTES + Q_BYTES + 512), true);
    dv.setBigUint64(256, BigInt(Math.floor(r() * 16)) << 28n, true);
    const fpcr = (Math.floor(r() * 4) << 22) | (r() < 0.3 ? 1 << 24 : 0) | (r() < 0.3 ? 1 << 25 : 0) | (r() < 0.1 ? 1 << 26 : 0);
    dv.setBigUint64(264, BigInt(fpcr), true);
    dv.setBigUint64(272, r() < 0.5 ? 0n : BigInt(Math.floor(r() * 32)), true);
    data.set(x, off);
    data.set(randomBytes(r, Q_BYTES), off + X_BYTES);
    const mem = randomBytes(r, MEM_BYTES);
    const mv = new DataView(mem.buffer);
    for (let k = 0; k < MEM_BYTES; k += 8) if (r() < 0.25) mv.setBigUint64(k, edgeValue(r), true);
    data.set(mem, off + X_BYTES + Q_BYTES);
  });
  const image = new Uint8Array(codeBytes + data.length);
  image.set(wordsToBytes(code));
  image.set(data, codeBytes);
  return { elf: writeElf(image, BASE, BASE), bodies, fixed };
}

export function haveQemu(): boolean {
  return spawnSync('qemu-aarch64', ['--version']).status === 0;
}

/** Run a program under qemu-aarch64 (Cortex-A76: ARMv8.2 with LSE atomics, no PAuth). */
function runQemu(elf: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-fuzz-'));
  const path = join(dir, 'prog');
  writeFileSync(path, elf, { mode: 0o755 });
  const r = spawnSync('qemu-aarch64', ['-cpu', 'cortex-a76', path], { maxBuffer: 1 << 28 });
  rmSync(dir, { recursive: true });
  if (r.status !== 0) throw new Error(`qemu-aarch64 exited with ${r.status}: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Our result: the program's output, how many instructions retired, and why it did not exit if it did not. */
/**
 * Run a program under qemu-aarch64 one instruction per translation block, logging every
 * execution: its output, and how many instructions it retired within each block's words (the
 * harness around them is straight-line code, `Program.fixed` instructions).
 */
export function runQemuCounted(program: Program): { output: Uint8Array; counts: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-fuzz-'));
  const path = join(dir, 'prog');
  const log = join(dir, 'log');
  writeFileSync(path, program.elf, { mode: 0o755 });
  const r = spawnSync('qemu-aarch64', ['-cpu', 'cortex-a76', '-singlestep', '-d', 'exec,nochain', '-D', log, path], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`qemu-aarch64 exited with ${r.status}: ${r.stderr}`);
  const counts = program.bodies.map(() => 0);
  // "Trace 0: <host address> [<cs_base>/<pc>/<flags>/<cflags>] "
  for (const m of readFileSync(log, 'latin1').matchAll(/^Trace \d+: \S+ \[[0-9a-f]+\/([0-9a-f]+)\//gm)) {
    const pc = parseInt(m[1]!, 16);
    const i = program.bodies.findIndex(([a, b]) => pc >= a && pc < b);
    if (i >= 0) counts[i]!++;
  }
  rmSync(dir, { recursive: true });
  return { output: new Uint8Array(r.stdout), counts };
}

export function runOurs(elf: Uint8Array, jit: 'off' | 'eager' | 'hot' = 'eager', slice?: () => number, tier: 'js' | 'wasm' = 'js'): { output: Uint8Array; instructions: number; error?: string } {
  const chunks: Uint8Array[] = [];
  const result = runLinuxUser(elf, { argv: ['prog'], stdout: (b) => chunks.push(b), stderr: () => undefined, maxInstructions: 1e8, jit, slice, tier });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const output = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    output.set(c, o);
    o += c.length;
  }
  const outcome = result.outcome;
  return outcome.kind === 'exit' ? { output, instructions: result.instructions } : { output, instructions: result.instructions, error: JSON.stringify(outcome) };
}

export function hashBlock(out: Uint8Array, i: number): string {
  return createHash('sha256')
    .update(out.subarray(i * OUT_BYTES, (i + 1) * OUT_BYTES))
    .digest('hex')
    .slice(0, 16);
}

/** Describe how two block states differ (registers by name). */
function diffState(ours: Uint8Array, theirs: Uint8Array): string {
  const lines: string[] = [];
  const a = new DataView(ours.buffer, ours.byteOffset, ours.length);
  const b = new DataView(theirs.buffer, theirs.byteOffset, theirs.length);
  for (let k = 0; k < 31; k++) {
    const x = a.getBigUint64(8 * k, true);
    const y = b.getBigUint64(8 * k, true);
    if (x !== y) lines.push(`x${k}: ours 0x${x.toString(16)}, qemu 0x${y.toString(16)}`);
  }
  for (const [name, off] of [
    ['nzcv', 256],
    ['fpcr', 264],
    ['fpsr', 272],
  ] as const) {
    const x = a.getBigUint64(off, true);
    const y = b.getBigUint64(off, true);
    if (x !== y) lines.push(`${name}: ours 0x${x.toString(16)}, qemu 0x${y.toString(16)}`);
  }
  for (let q = 0; q < 32; q++) {
    const o = X_BYTES + 16 * q;
    const x = `${a
      .getBigUint64(o + 8, true)
      .toString(16)
      .padStart(16, '0')}${a.getBigUint64(o, true).toString(16).padStart(16, '0')}`;
    const y = `${b
      .getBigUint64(o + 8, true)
      .toString(16)
      .padStart(16, '0')}${b.getBigUint64(o, true).toString(16).padStart(16, '0')}`;
    if (x !== y) lines.push(`v${q}: ours 0x${x}, qemu 0x${y}`);
  }
  for (let m = 0; m < MEM_BYTES; m += 8) {
    const o = X_BYTES + Q_BYTES + m;
    const x = a.getBigUint64(o, true);
    const y = b.getBigUint64(o, true);
    if (x !== y) lines.push(`mem[${m - 512}]: ours 0x${x.toString(16)}, qemu 0x${y.toString(16)}`);
  }
  return lines.join('\n');
}

const bodyLength = (block: Block): number => block.words.length - HEAD_WORDS - TAIL_WORDS;

/**
 * Find the first instruction of block `index` of a program after which our state differs from
 * QEMU's, by running the block's loop cut after growing prefixes of its body (behind the same
 * blocks as before, so addresses and TPIDR_EL0 are as they were). Returns a report naming it,
 * disassembled.
 */
export function locateDivergence(chunk: Block[], index: number, jit: 'off' | 'eager' | 'hot' = 'eager', tier: 'js' | 'wasm' = 'js'): string {
  const block = chunk[index]!;
  const run = (n: number): { ours: Uint8Array; theirs: Uint8Array; error?: string } => {
    const elf = buildProgram([...chunk.slice(0, index), truncateBlock(block, n)]);
    const ours = runOurs(elf, jit, undefined, tier);
    const at = (b: Uint8Array): Uint8Array => b.subarray(index * OUT_BYTES, (index + 1) * OUT_BYTES);
    return { ours: at(ours.output), theirs: at(runQemu(elf)), error: ours.error };
  };
  const differs = (x: ReturnType<typeof run>): string => x.error ?? diffState(x.ours, x.theirs);
  const full = differs(run(bodyLength(block)));
  if (!full) return `block ${index} agrees with QEMU when run again (${jit}): the divergence depends on the blocks after it`;
  let lo = 0;
  let hi = bodyLength(block);
  let lastDiff = full;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const diff = differs(run(mid));
    if (!diff) lo = mid + 1;
    else {
      hi = mid;
      lastDiff = diff;
    }
  }
  if (lo === 0) return `block ${index} diverges with an empty loop body (${jit}):\n${lastDiff}`;
  const w = block.words[HEAD_WORDS + lo - 1]!;
  // The operands after the loop without the diverging instruction (QEMU's state).
  const before = run(lo - 1).theirs;
  const text = disassemble(w, 0);
  const bv = new DataView(before.buffer, before.byteOffset);
  const operands: string[] = [];
  for (const m of text.matchAll(/\b([xwvdsqhb])(\d+)\b/g)) {
    const n = Number(m[2]);
    if (m[1] === 'x' || m[1] === 'w') operands.push(`x${n}=0x${n === 31 ? '?' : bv.getBigUint64(8 * n, true).toString(16)}`);
    else
      operands.push(
        `v${n}=0x${bv
          .getBigUint64(X_BYTES + 16 * n + 8, true)
          .toString(16)
          .padStart(16, '0')}${bv
          .getBigUint64(X_BYTES + 16 * n, true)
          .toString(16)
          .padStart(16, '0')}`,
      );
  }
  operands.push(`nzcv=0x${bv.getBigUint64(256, true).toString(16)} fpcr=0x${bv.getBigUint64(264, true).toString(16)} fpsr=0x${bv.getBigUint64(272, true).toString(16)}`);
  const words = block.words.map((x) => x.toString(16).padStart(8, '0')).join(' ');
  return `first diverging instruction (the loop cut after it diverges, cut before it does not; ${jit}): body #${lo - 1}: ${w.toString(16).padStart(8, '0')}  ${text}\nafter the loop cut before it: ${operands.join(' ')}\n${lastDiff}\nblock words: ${words}`;
}
