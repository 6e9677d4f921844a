import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePattern } from '../../src/machine/cpu/decode.js';
import { disassemble, matchInstruction } from '../../src/machine/cpu/decoder.js';
import { INSNS } from '../../src/machine/cpu/insns/index.js';
import type { AnyInsnDef } from '../../src/machine/cpu/insns/types.js';
import { runLinuxUser } from '../../src/machine/linux-user.js';
import { asm, wordsToBytes, writeElf } from './a64-asm.js';
import { rng } from './rng.js';

export { rng };

/**
 * Differential testing of the CPU model against qemu-aarch64: blocks of random instructions,
 * drawn from our own instruction table, run from random register, flag, FP-control and memory
 * state; the architectural state after each block is compared.
 */

const BASE = 0x400000 + 120; // the image starts after the ELF headers
const X_BYTES = 288; // x0–x30, then NZCV @256, FPCR @264, FPSR @272
const Q_BYTES = 512;
const MEM_BYTES = 1024;
export const OUT_BYTES = X_BYTES + Q_BYTES + MEM_BYTES;
/** The register that points into a block's scratch memory; random instructions never write it. */
const MEM_REG = 28;


/** Rows the fuzz draws from, and how to constrain their fields. */
const EXCLUDED = new Set(['B', 'BL', 'B_cond', 'CBZ', 'TBZ', 'BR', 'SVC', 'BRK', 'HINT', 'BARRIER', 'MRS', 'MSR_r', 'SYS', 'LDST_reg', 'SIMD_LDST_MULTI_POST', 'SIMD_LDST_SINGLE_POST']);
const MEMORY = new Set(['LDST_ui', 'LDST_imm9', 'LDR_lit', 'LDSTP', 'LDSTX', 'LDATOMIC', 'CAS', 'CASP', 'SIMD_LDST_MULTI', 'SIMD_LDST_SINGLE']);
const SP_DEST = new Set(['ADD_i', 'SUB_i', 'ADDSUB_ext', 'AND_i', 'ORR_i', 'EOR_i']);

interface Candidate {
  def: AnyInsnDef;
  mask: number;
  match: number;
  fields: { name: string; shift: number; width: number }[];
}

const CANDIDATES: Candidate[] = INSNS.filter((d) => !EXCLUDED.has(d.name)).map((def) => {
  const p = compilePattern(def.pattern);
  return { def, mask: p.mask, match: p.match, fields: p.fields };
});

function setField(word: number, c: Candidate, name: string, value: number): number {
  const f = c.fields.find((x) => x.name === name);
  if (!f) return word;
  const m = ((1 << f.width) - 1) << f.shift;
  return ((word & ~m) | ((value << f.shift) & m)) >>> 0;
}

/** One random instruction word that decodes to an allowed row and respects the constraints. */
function randomInstruction(r: () => number): number {
  for (;;) {
    const c = CANDIDATES[Math.floor(r() * CANDIDATES.length)]!;
    let w = ((Math.floor(r() * 4294967296) & ~c.mask) | c.match) >>> 0;
    if (MEMORY.has(c.def.name)) {
      w = setField(w, c, 'rn', MEM_REG);
      w = setField(w, c, 'imm12', Math.floor(r() * 32));
      w = setField(w, c, 'imm9', Math.floor(r() * 128) - 64);
      w = setField(w, c, 'imm7', Math.floor(r() * 16) - 8);
      w = setField(w, c, 'imm19', Math.floor(r() * 64) - 32);
      if (c.def.name === 'LDST_imm9') w = setField(w, c, 'idx', r() < 0.5 ? 0 : 2);
      if (c.def.name === 'LDSTP') w = setField(w, c, 'mode', r() < 0.5 ? 0 : 2);
    }
    const m = matchInstruction(w);
    if (!m || m.def !== c.def) continue;
    const f = m.fields;
    // Never write the memory base register, nor SP.
    if ([f.rd, f.rt, f.rt2, f.rs, f.ra].includes(MEM_REG)) continue;
    if (c.def.name === 'CASP' && (f.rs === 28 - 1 || f.rt === 28 - 1 || f.rs === 26 || f.rt === 26)) continue;
    if (SP_DEST.has(c.def.name) && f.rd === 31 && !(c.def.name === 'ADDSUB_ext' && f.S === 1)) continue;
    if (c.def.name === 'LDSTX' && f.o2 === 0) continue; // exclusives: monitor models differ
    if (c.def.name === 'LDSTP' && f.l === 1 && f.rt === f.rt2) continue; // CONSTRAINED UNPREDICTABLE
    if (c.def.name === 'LDR_lit' && f.opc === 3) continue;
    return w;
  }
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

export interface Block {
  words: number[];
  /** Seed of the initial state. */
  stateSeed: number;
}

export function randomBlock(r: () => number, length: number): Block {
  const words: number[] = [];
  for (let i = 0; i < length; i++) words.push(randomInstruction(r));
  return { words, stateSeed: Math.floor(r() * 2 ** 31) };
}

/** Build one program running every block from its own initial state; returns the ELF. */
export function buildProgram(blocks: Block[]): Uint8Array {
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
    dv.setBigUint64(MEM_REG * 8, BigInt(BASE + inBlock(i) + X_BYTES + Q_BYTES + 512), true);
    dv.setBigUint64(256, BigInt(Math.floor(r() * 16)) << 28n, true);
    const fpcr = (Math.floor(r() * 4) << 22) | (r() < 0.3 ? 1 << 24 : 0) | (r() < 0.3 ? 1 << 25 : 0) | (r() < 0.1 ? 1 << 26 : 0);
    dv.setBigUint64(264, BigInt(fpcr), true);
    dv.setBigUint64(272, r() < 0.5 ? 0n : BigInt(Math.floor(r() * 32)), true);
    data.set(x, off);
    data.set(randomBytes(r, Q_BYTES), off + X_BYTES);
    data.set(randomBytes(r, MEM_BYTES), off + X_BYTES + Q_BYTES);
  });
  const image = new Uint8Array(codeBytes + data.length);
  image.set(wordsToBytes(code));
  image.set(data, codeBytes);
  return writeElf(image, BASE, BASE);
}

export function haveQemu(): boolean {
  return spawnSync('qemu-aarch64', ['--version']).status === 0;
}

/** Run a program under qemu-aarch64 (Cortex-A76: ARMv8.2 with LSE atomics, no PAuth). */
export function runQemu(elf: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'sel4ts-fuzz-'));
  const path = join(dir, 'prog');
  writeFileSync(path, elf, { mode: 0o755 });
  const r = spawnSync('qemu-aarch64', ['-cpu', 'cortex-a76', path], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`qemu-aarch64 exited with ${r.status}: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

export function runOurs(elf: Uint8Array, jit: 'off' | 'eager' | 'hot' = 'eager', slice?: () => number): { output: Uint8Array; error?: string } {
  const chunks: Uint8Array[] = [];
  const result = runLinuxUser(elf, { argv: ['prog'], stdout: (b) => chunks.push(b), stderr: () => undefined, maxInstructions: 1e8, jit, slice });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const output = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    output.set(c, o);
    o += c.length;
  }
  const outcome = result.outcome;
  return outcome.kind === 'exit' ? { output } : { output, error: JSON.stringify(outcome) };
}

export function hashBlock(out: Uint8Array, i: number): string {
  return createHash('sha256').update(out.subarray(i * OUT_BYTES, (i + 1) * OUT_BYTES)).digest('hex').slice(0, 16);
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
  for (const [name, off] of [['nzcv', 256], ['fpcr', 264], ['fpsr', 272]] as const) {
    const x = a.getBigUint64(off, true);
    const y = b.getBigUint64(off, true);
    if (x !== y) lines.push(`${name}: ours 0x${x.toString(16)}, qemu 0x${y.toString(16)}`);
  }
  for (let q = 0; q < 32; q++) {
    const o = X_BYTES + 16 * q;
    const x = `${a.getBigUint64(o + 8, true).toString(16).padStart(16, '0')}${a.getBigUint64(o, true).toString(16).padStart(16, '0')}`;
    const y = `${b.getBigUint64(o + 8, true).toString(16).padStart(16, '0')}${b.getBigUint64(o, true).toString(16).padStart(16, '0')}`;
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

/**
 * Find the first instruction of a block after which our state differs from QEMU's, by running
 * growing prefixes of the block. Returns a report naming it, disassembled.
 */
export function locateDivergence(block: Block): string {
  let lo = 1;
  let hi = block.words.length;
  let lastDiff = '';
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const prefix = { words: block.words.slice(0, mid), stateSeed: block.stateSeed };
    const elf = buildProgram([prefix]);
    const ours = runOurs(elf);
    const theirs = runQemu(elf);
    const same = ours.error === undefined && Buffer.compare(Buffer.from(ours.output), Buffer.from(theirs)) === 0;
    if (same) lo = mid + 1;
    else {
      hi = mid;
      lastDiff = ours.error ?? diffState(ours.output, theirs);
    }
  }
  const w = block.words[lo - 1]!;
  const prefix = { words: block.words.slice(0, lo), stateSeed: block.stateSeed };
  // The operands as they were just before the diverging instruction (QEMU's state).
  const before = runQemu(buildProgram([{ words: block.words.slice(0, lo - 1), stateSeed: block.stateSeed }]));
  const text = disassemble(w, 0);
  const bv = new DataView(before.buffer, before.byteOffset);
  const operands: string[] = [];
  for (const m of text.matchAll(/\b([xwvdsqhb])(\d+)\b/g)) {
    const n = Number(m[2]);
    if (m[1] === 'x' || m[1] === 'w') operands.push(`x${n}=0x${n === 31 ? '?' : bv.getBigUint64(8 * n, true).toString(16)}`);
    else operands.push(`v${n}=0x${bv.getBigUint64(X_BYTES + 16 * n + 8, true).toString(16).padStart(16, '0')}${bv.getBigUint64(X_BYTES + 16 * n, true).toString(16).padStart(16, '0')}`);
  }
  operands.push(`nzcv=0x${bv.getBigUint64(256, true).toString(16)} fpcr=0x${bv.getBigUint64(264, true).toString(16)} fpsr=0x${bv.getBigUint64(272, true).toString(16)}`);
  if (!lastDiff) {
    const elf = buildProgram([prefix]);
    const ours = runOurs(elf);
    lastDiff = ours.error ?? diffState(ours.output, runQemu(elf));
  }
  return `first diverging instruction #${lo - 1}: ${w.toString(16).padStart(8, '0')}  ${text}\nbefore: ${operands.join(' ')}\n${lastDiff}`;
}
