import { describe, expect, it } from 'vitest';
import { Cpu } from '../src/machine/cpu/cpu.js';
import { compilePattern } from '../src/machine/cpu/decode.js';
import { decodeInstruction, disassemble, matchInstruction } from '../src/machine/cpu/decoder.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { INSNS } from '../src/machine/cpu/insns/index.js';
import { wasmTierStats } from '../src/machine/cpu/wasm/compile.js';
import { WasmEmitter } from '../src/machine/cpu/wasm/emitter.js';
import { F64, FunctionBuilder, I32 } from '../src/machine/cpu/wasm/encoder.js';
import { SIMD_WASM_ROWS } from '../src/machine/cpu/wasm/simd-rows.js';
import { GenericTimer } from '../src/machine/devices/generic-timer.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from '../src/machine/memory/flat-space.js';
import { asm, wordsToBytes } from './helpers/a64-asm.js';
import { rng } from './helpers/rng.js';

/**
 * The Advanced SIMD rows the WebAssembly tier does in v128 (wasm/simd-rows.ts) against the
 * interpreter, bit for bit: every encoding of each row (all arrangements, every element
 * index, every shift amount; registers drawn so that destinations often alias sources) runs
 * compiled from its first instruction and interpreted, from registers full of lane-boundary
 * values; all SIMD&FP and general registers, NZCV and FPSR must agree.
 */

const CODE = 0x10000;

/** Fields that name registers or carry data: drawn at random; every other field is enumerated. */
const DATA_FIELDS = new Set(['rd', 'rn', 'rm', 'abc', 'defgh']);

/** Every word of the row with its structural fields enumerated (register fields random, small numbers often). */
function encodings(name: string, r: () => number): number[] {
  const def = INSNS.find((d) => d.name === name)!;
  const p = compilePattern(def.pattern);
  const structural = p.fields.filter((f) => !DATA_FIELDS.has(f.name));
  const total = structural.reduce((n, f) => n * (1 << f.width), 1);
  const words: number[] = [];
  for (let k = 0; k < total; k++) {
    let w = p.match;
    let rest = k;
    for (const f of structural) {
      w |= (rest & ((1 << f.width) - 1)) << f.shift;
      rest >>>= f.width;
    }
    for (const f of p.fields) {
      if (!DATA_FIELDS.has(f.name)) continue;
      const v = f.width === 5 && r() < 0.6 ? Math.floor(r() * 4) : Math.floor(r() * (1 << f.width));
      w |= v << f.shift;
    }
    w >>>= 0;
    if (matchInstruction(w)?.def.name === name) words.push(w);
  }
  return words;
}

/** Whether simd-rows.ts does the word inline (rather than leaving it to the handler). */
function inline(word: number): boolean {
  const d = decodeInstruction(word);
  const row = SIMD_WASM_ROWS[d.def!.name]!;
  const e = new WasmEmitter(new FunctionBuilder([F64, I32, I32]), { ld: 0, st: 1, ldPair: 2, stPair: 3, handler: 4, fpSwitch: 5, nzcvOf: 6 });
  return row(e, d.args);
}

/** A 32-bit word at the lanes' edges, or random. */
function edgeWord(r: () => number): number {
  const EDGES = [0, 0xffffffff, 0x80000000, 0x7fffffff, 1, 0x80, 0x7f, 0xff, 0x100, 0x8000, 0x7fff, 0xffff, 0x10000, 0x80008000, 0x80808080, 0x7f7f7f7f, 0x01010101, 0xfefefefe, 0x3f3f3f3f];
  return r() < 0.5 ? EDGES[Math.floor(r() * EDGES.length)]! : Math.floor(r() * 4294967296);
}

/** Run `words` then SVC from the same random registers, interpreted and compiled; both final states. */
function runBoth(words: number[], seed: number): { interpreted: unknown; compiled: unknown; regions: number } {
  const r = rng(seed);
  const v = Array.from({ length: 128 }, () => edgeWord(r));
  const x = Array.from({ length: 31 }, () => (BigInt(edgeWord(r)) << 32n) | BigInt(edgeWord(r)));
  const fpsr = r() < 0.5 ? 0 : 0x8000010;
  const results = (['interpreter', 'wasm'] as const).map((mode) => {
    const space = new FlatSpace();
    space.map(CODE, 4096, PERM_R | PERM_W | PERM_X);
    space.write(CODE, wordsToBytes([...words, asm.svc0]));
    let cpu: Cpu | undefined;
    cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
    if (mode === 'interpreter') cpu.blocksEnabled = false;
    else {
      cpu.tier = 'wasm';
      cpu.hotThreshold = 1;
    }
    cpu.pc = CODE;
    cpu.V32.set(v);
    x.forEach((value, i) => cpu.setX(i, value));
    cpu.fpsr = fpsr;
    const before = wasmTierStats.regions;
    const stop = cpu.run(1000);
    return {
      state: { stop, pc: cpu.pc, icount: cpu.icount, v: Array.from(cpu.V32.subarray(0, 128)), x: x.map((_, i) => cpu.getX(i)), nzcv: cpu.nzcv, fpsr: cpu.fpsr },
      regions: wasmTierStats.regions - before,
    };
  });
  return { interpreted: results[0]!.state, compiled: results[1]!.state, regions: results[1]!.regions };
}

/** objdump's text with register numbers and immediates taken out: the form of an instruction. */
const form = (word: number): string =>
  disassemble(word, 0)
    .replace(/\b[xwvqdsbh]\d+\b/g, 'r')
    .replace(/#(0x)?[0-9a-f]+|\[\d+\]/g, '#')
    .replace(/\s+/g, ' ');

describe('the WebAssembly tier’s Advanced SIMD rows', () => {
  const names = Object.keys(SIMD_WASM_ROWS);

  it('do inline the forms hot in the benchmark programs (gcc -O2/-O3, clang -O2)', () => {
    const r = rng(7);
    const done = new Set<string>();
    for (const name of names) for (const w of encodings(name, r)) if (inline(w)) done.add(form(w));
    // From handler-call counts of sha256, sieve, qsort, crc32, memops and hashtab under --tier wasm.
    const HOT = [
      'eor r.8b, r.8b, r.8b',
      'ushr r.2s, r.2s, #',
      'add r.2s, r.2s, r.2s',
      'shl r.2s, r.2s, #',
      'orr r.8b, r.8b, r.8b',
      'and r.8b, r.8b, r.8b',
      'orr r.16b, r.16b, r.16b',
      'uxtl r.4s, r.4h',
      'uxtl2 r.4s, r.8h',
      'uxtl r.8h, r.8b',
      'uxtl2 r.8h, r.16b',
      'uxtl r.2d, r.2s',
      'uxtl2 r.2d, r.4s',
      'sxtl r.2d, r.2s',
      'sxtl2 r.4s, r.8h',
      'shll r.4s, r.4h, #',
      'shll2 r.8h, r.16b, #',
      'mov r, r.s#',
      'mov r, r.d#',
      'mov r.s#, r',
      'mov r.s#, r.s#',
      'add r.4s, r.4s, r.4s',
      'add r.2d, r.2d, r.2d',
      'dup r.2d, r',
      'dup r.8b, r',
      'dup r.8b, r.b#',
      'cmeq r.4s, r.4s, #',
      'cmeq r.2s, r.2s, #',
      'cmeq r.16b, r.16b, #',
      'cmtst r.2s, r.2s, r.2s',
      'cmtst r.16b, r.16b, r.16b',
      'cmge r.4s, r.4s, r.4s',
      'cmge r.2s, r.2s, r.2s',
      'bsl r.16b, r.16b, r.16b',
      'bif r.16b, r.16b, r.16b',
      'bic r.16b, r.16b, r.16b',
      'ext r.8b, r.8b, r.8b, #',
      'uaddw r.2d, r.2d, r.2s',
      'uaddw2 r.2d, r.2d, r.4s',
      'ushr r.4s, r.4s, #',
    ];
    expect(HOT.filter((f) => !done.has(f))).toEqual([]);
  });

  for (const name of names) {
    it(`${name}: every encoding, compiled, gives the interpreter’s registers bit for bit`, () => {
      const r = rng(name.length * 7919 + name.charCodeAt(5));
      const words = encodings(name, r);
      // Shuffled, so a program mixes arrangements and a result feeds the next instruction.
      for (let i = words.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [words[i], words[j]] = [words[j]!, words[i]!];
      }
      const inlined = words.filter(inline).length;
      expect(inlined, `${name}: encodings done inline`).toBeGreaterThan(0);
      for (let k = 0; k < words.length; k += 24) {
        const chunk = words.slice(k, k + 24);
        const { interpreted, compiled, regions } = runBoth(chunk, k + 1);
        expect(regions, 'a compiled region').toBeGreaterThan(0);
        expect((interpreted as { stop: Stop }).stop).toBe(Stop.Svc);
        if (JSON.stringify(compiled, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)) !== JSON.stringify(interpreted, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))) {
          // Narrow to the first instruction that differs, for the message.
          for (let i = 1; i <= chunk.length; i++) {
            const one = runBoth(chunk.slice(0, i), k + 1);
            expect(
              one.compiled,
              `${disassemble(chunk[i - 1]!, 0)} (0x${chunk[i - 1]!.toString(16)}), after ${chunk
                .slice(0, i - 1)
                .map((w) => disassemble(w, 0))
                .join('; ')}`,
            ).toEqual(one.interpreted);
          }
        }
        expect(compiled).toEqual(interpreted);
      }
    });
  }
});
