import { describe, expect, it } from 'vitest';
import type { AddressSpace } from '../src/machine/cpu/address-space.js';
import { Cpu } from '../src/machine/cpu/cpu.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { FP_SCALAR } from '../src/machine/cpu/insns/fp.js';
import { SIMD_FP } from '../src/machine/cpu/insns/simd-fp.js';
import { decompose, RM_NEAREST, roundExact } from '../src/machine/cpu/softfloat.js';
import { GenericTimer } from '../src/machine/devices/generic-timer.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from '../src/machine/memory/flat-space.js';
import { asm, wordsToBytes } from './helpers/a64-asm.js';
import { rng } from './helpers/rng.js';

/**
 * Floating point inline in the WebAssembly tier (src/machine/cpu/wasm/fp-rows.ts) against the
 * interpreter and against exact arithmetic: values and FPSR bit for bit, on edge operands and
 * under every FPCR (where the handler must take over), and the fused multiply-add (TwoProduct
 * and Boldo-Melquiond's round-to-odd sum in WebAssembly) against an exact BigInt FMA.
 */

// The handlers of the rows fp-rows.ts compiles, counted: compiled code on its fast path must not call them.
const calls = { n: 0 };
const COUNTED = new Set(['FP_2SRC', 'FP_3SRC', 'FP_1SRC', 'FCMP', 'SIMD_3SAME_FP', 'SIMD_ELEM_FP']);
for (const def of [...FP_SCALAR, ...SIMD_FP]) {
  if (!COUNTED.has(def.name)) continue;
  const exec = def.exec;
  def.exec = (cpu, a) => {
    calls.n++;
    exec(cpu, a);
  };
}

const CODE = 0x10000;
const DATA = 0x100000;
const OUT = 0x200000;

type Mode = 'interp' | 'wasm-eager' | 'wasm-hot';
const MODES: Mode[] = ['interp', 'wasm-eager', 'wasm-hot'];

function makeCpu(space: AddressSpace, mode: Mode): Cpu {
  let cpu: Cpu | undefined;
  cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
  if (mode === 'interp') cpu.blocksEnabled = false;
  else cpu.tier = 'wasm';
  if (mode === 'wasm-eager') cpu.hotThreshold = 1;
  cpu.pc = CODE;
  return cpu;
}

function program(words: number[], data = 0): FlatSpace {
  const space = new FlatSpace();
  space.map(CODE, 4096, PERM_R | PERM_W | PERM_X);
  space.write(CODE, wordsToBytes(words));
  if (data) {
    space.map(DATA, data, PERM_R | PERM_W);
    space.map(OUT, data, PERM_R | PERM_W);
  }
  return space;
}

// Encodings (ARM DDI 0487 C4.1.90–C4.1.95), with register fields ORed in.
const r3 =
  (base: number) =>
  (d: number, n: number, m: number): number =>
    (base | (m << 16) | (n << 5) | d) >>> 0;
const r4 =
  (base: number) =>
  (d: number, n: number, m: number, a: number): number =>
    (base | (m << 16) | (a << 10) | (n << 5) | d) >>> 0;
const r2 =
  (base: number) =>
  (d: number, n: number): number =>
    (base | (n << 5) | d) >>> 0;

/** FMUL FDIV FADD FSUB FNMUL (S and D), vector FADD FSUB FMUL FDIV FMLA FMLS (.4S .2S .2D). */
const BINARY = [
  0x1e200800, 0x1e201800, 0x1e202800, 0x1e203800, 0x1e208800, 0x1e600800, 0x1e601800, 0x1e602800, 0x1e603800, 0x1e608800, 0x4e20d400, 0x0e20d400, 0x4ea0d400, 0x6e20dc00, 0x6e20fc00, 0x4e20cc00, 0x0ea0cc00, 0x4e60cc00, 0x4ee0cc00, 0x4e60d400,
  0x6e60dc00, 0x4ee0d400, 0x6e60fc00,
].map(r3);
/** FMADD FMSUB FNMADD FNMSUB, single and double. */
const FUSED = [0x1f000000, 0x1f008000, 0x1f200000, 0x1f208000, 0x1f400000, 0x1f408000, 0x1f600000, 0x1f608000].map(r4);
/** FSQRT FMOV FABS FNEG (register), single and double. */
const UNARY = [0x1e21c000, 0x1e61c000, 0x1e204000, 0x1e20c000, 0x1e214000, 0x1e604000, 0x1e60c000, 0x1e614000].map(r2);
/** FMUL FMLA FMLS by element: .4S, .2S (index h:l) and .2D (index h). */
const ELEMENT = [0x4f809000, 0x4f801000, 0x0f805000, 0x4fc09000, 0x4fc01000, 0x4fc05000];
const element = (base: number, d: number, n: number, m: number, index: number): number => {
  const double = (base & 0x00400000) !== 0;
  const hl = double ? (index & 1) << 11 : ((index >> 1) << 11) | ((index & 1) << 21);
  return (base | (m << 16) | hl | (n << 5) | d) >>> 0;
};
/** FCMP, FCMPE with a register or #0.0. */
const compare = (double: boolean, n: number, m: number, signal: boolean, zero: boolean): number => ((double ? 0x1e602000 : 0x1e202000) | (m << 16) | (n << 5) | (signal ? 0x10 : 0) | (zero ? 8 : 0)) >>> 0;
const fcsel = (double: boolean, d: number, n: number, m: number, cond: number): number => ((double ? 0x1e600c00 : 0x1e200c00) | (m << 16) | (cond << 12) | (n << 5) | d) >>> 0;
/** SCVTF, UCVTF (W/X to S/D: d a V register, n a general one), FCVTZS, FCVTZU (S/D to W/X), FCVT S↔D. */
const TO_FP = [0x9e620000, 0x9e630000, 0x1e220000, 0x1e230000, 0x1e620000, 0x9e230000, 0x1e630000, 0x9e220000].map(r2);
const TO_INT = [0x9e780000, 0x9e790000, 0x1e380000, 0x1e790000, 0x1e780000, 0x9e390000, 0x1e390000, 0x9e380000].map(r2);
const FCVT = [0x1e624000, 0x1e22c000].map(r2);
/** 64-bit integers at the edges of the conversions. */
const EDGE_INT = [0n, 1n, -1n, 2n ** 31n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 24n + 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 64n - 1n, -(2n ** 53n) - 3n, 0x123456789abcdefn];
const fmovImm = (double: boolean, d: number, imm8: number): number => ((double ? 0x1e601000 : 0x1e201000) | (imm8 << 13) | d) >>> 0;

const f64bits = (x: number): [number, number] => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return [v.getUint32(0, true), v.getUint32(4, true)];
};
const f32bits = (x: number): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x, true);
  return v.getUint32(0, true);
};

/** 64-bit patterns at the edges of double precision (as [lo, hi] words). */
const EDGE64: [number, number][] = [
  [0, 0],
  [0, 0x80000000],
  [0, 0x00100000], // the smallest normal
  [1, 0x00100000],
  [0xffffffff, 0x000fffff], // the largest subnormal
  [1, 0],
  [0, 0x80100000],
  [0xffffffff, 0x7fefffff], // the largest finite
  [0xfffffffe, 0xffefffff],
  [0, 0x7ff00000],
  [0, 0xfff00000],
  [0, 0x7ff80000], // the default NaN
  [0x1234, 0x7ff80001], // a quiet NaN with a payload
  [1, 0x7ff00000], // a signalling NaN
  [0x5678, 0xfff40000],
  f64bits(1),
  f64bits(-1.5),
  f64bits(0.1),
  f64bits(2 ** -1000),
  f64bits(2 ** 1000),
  f64bits(3 * 2 ** -1023),
  f64bits(2 ** 63),
  f64bits(-(2 ** 63)),
  f64bits(2 ** 31 - 0.5),
  f64bits(-0.5),
  f64bits(4294967295.5),
  f64bits(2 ** 64),
];
/** 32-bit patterns at the edges of single precision. */
const EDGE32 = [
  0,
  0x80000000,
  0x00800000,
  0x00800001,
  0x007fffff,
  1,
  0x80800000,
  0x7f7fffff,
  0xff7ffffe,
  0x7f800000,
  0xff800000,
  0x7fc00000,
  0x7fc01234,
  0x7f800001,
  0xffa00000,
  f32bits(1),
  f32bits(-1.5),
  f32bits(0.1),
  f32bits(2 ** -120),
  f32bits(2 ** 120),
  f32bits(3 * 2 ** -127),
];

function randomWords(r: () => number): number[] {
  const k = r();
  if (k < 0.25) return [...EDGE64[Math.floor(r() * EDGE64.length)]!, ...EDGE64[Math.floor(r() * EDGE64.length)]!];
  if (k < 0.5) return Array.from({ length: 4 }, () => EDGE32[Math.floor(r() * EDGE32.length)]!);
  if (k < 0.75) {
    // Ordinary doubles: small integers (exact results), and numbers of any magnitude.
    const d = (): [number, number] => f64bits(r() < 0.4 ? Math.floor(r() * 64) - 32 : (r() - 0.5) * 2 ** Math.floor(r() * 80 - 40));
    return [...d(), ...d()];
  }
  return Array.from({ length: 4 }, () => f32bits(r() < 0.4 ? Math.floor(r() * 64) - 32 : (r() - 0.5) * 2 ** Math.floor(r() * 60 - 30)));
}

/** FPCR values: mostly the default; the rounding modes, FZ, DN, AHP and mixtures. */
function randomFpcr(r: () => number): number {
  if (r() < 0.6) return 0;
  return [1 << 22, 2 << 22, 3 << 22, 1 << 24, 1 << 25, 1 << 26, (1 << 24) | (1 << 25), (3 << 22) | (1 << 24), (1 << 22) | (1 << 25)][Math.floor(r() * 9)]!;
}

describe('floating point in the WebAssembly tier', () => {
  it('gives the interpreter’s registers, NZCV and FPSR on edge operands and under every FPCR (arithmetic, FMA, compare, select, moves, conversions)', () => {
    for (let trial = 0; trial < 400; trial++) {
      const r = rng(7000 + trial);
      const reg = (): number => Math.floor(r() * 8);
      const words: number[] = [];
      for (let i = 0; i < 20; i++) {
        const k = r();
        if (k < 0.35) words.push(BINARY[Math.floor(r() * BINARY.length)]!(reg(), reg(), reg()));
        else if (k < 0.55) words.push(FUSED[Math.floor(r() * FUSED.length)]!(reg(), reg(), reg(), reg()));
        else if (k < 0.65) words.push(UNARY[Math.floor(r() * UNARY.length)]!(reg(), reg()));
        else if (k < 0.75) {
          const base = ELEMENT[Math.floor(r() * ELEMENT.length)]!;
          words.push(element(base, reg(), reg(), reg(), Math.floor(r() * 4)));
        } else if (k < 0.8) words.push(compare(r() < 0.5, reg(), reg(), r() < 0.5, r() < 0.3));
        else if (k < 0.85) words.push(fcsel(r() < 0.5, reg(), reg(), reg(), Math.floor(r() * 16)));
        else if (k < 0.88) words.push(fmovImm(r() < 0.5, reg(), Math.floor(r() * 256)));
        else if (k < 0.93) words.push(TO_FP[Math.floor(r() * TO_FP.length)]!(reg(), reg()));
        else if (k < 0.97) words.push(TO_INT[Math.floor(r() * TO_INT.length)]!(reg(), reg()));
        else words.push(FCVT[Math.floor(r() * FCVT.length)]!(reg(), reg()));
      }
      words.push(asm.svc0);
      const start = Array.from({ length: 8 }, () => randomWords(r)).flat();
      const fpsr = r() < 0.5 ? 0 : 16;
      const fpcr = randomFpcr(r);
      const ints = Array.from({ length: 8 }, () => BigInt.asUintN(64, r() < 0.7 ? EDGE_INT[Math.floor(r() * EDGE_INT.length)]! : BigInt(Math.floor(r() * 2 ** 32)) * BigInt(Math.floor(r() * 2 ** 32))));
      const nzcv = Math.floor(r() * 16) << 28;
      const results = MODES.map((mode) => {
        const cpu = makeCpu(program(words), mode);
        cpu.V32.set(start);
        cpu.fpsr = fpsr;
        cpu.fpcr = fpcr;
        cpu.nzcv = nzcv;
        ints.forEach((x, i) => cpu.setX(i, x));
        expect(cpu.run(1000)).toBe(Stop.Svc);
        return { v: Array.from(cpu.V32.subarray(0, 32)), x: ints.map((_, i) => cpu.getX(i)), fpsr: cpu.fpsr, nzcv: cpu.nzcv >>> 0, icount: cpu.icount };
      });
      for (const res of results) expect(res, `trial ${trial}, FPCR 0x${fpcr.toString(16)}`).toEqual(results[0]);
    }
  });

  it('runs the fast path without the exact helpers, and takes them when FPCR is not the default', () => {
    // A loop of FADD, FMUL, FDIV, FMADD, FSQRT, vector FMLA, FMLA by element and FCMP on ordinary numbers.
    const words = [
      asm.movz(9, 200),
      BINARY[7]!(4, 1, 2), // fadd d4, d1, d2
      BINARY[5]!(5, 1, 2), // fmul d5, d1, d2
      BINARY[6]!(6, 1, 2), // fdiv d6, d1, d2
      BINARY[0]!(16, 17, 18), // fmul s16, s17, s18
      FUSED[4]!(7, 1, 2, 3), // fmadd d7, d1, d2, d3
      FUSED[0]!(19, 17, 18, 20), // fmadd s19, s17, s18, s20
      UNARY[1]!(8, 2), // fsqrt d8, d2
      BINARY[17]!(10, 11, 12), // fmla v10.2d, v11.2d, v12.2d
      element(ELEMENT[1]!, 13, 14, 15, 1), // fmla v13.4s, v14.4s, v15.s[1]
      compare(true, 1, 2, false, false),
      asm.subsImm(9, 9, 1),
      asm.bcond(1, -11),
      asm.svc0,
    ];
    for (const [fpcr, fpsr, expectHelpers] of [
      [0, 16, false],
      [0, 0, false],
      [2 << 22, 16, true],
      [1 << 24, 16, true],
    ] as const) {
      const results = MODES.map((mode) => {
        const cpu = makeCpu(program(words), mode);
        cpu.VF64.set([3.5, 0, 0.75, 0, 7, 0], 2); // d1, d2, d3
        cpu.VF64.set([1.5, -2.25, 0.5, 4, 0, 0], 22); // v11, v12
        cpu.VF32.set([1.5, -2.5, 0.75, 8, 0.125, 3, 2.5, -1], 56); // v14, v15
        cpu.VF32.set([1.5, 0, 0, 0, 2.25], 68); // s17, s18
        cpu.VF32[80] = -0.625; // s20
        cpu.fpcr = fpcr;
        cpu.fpsr = fpsr;
        calls.n = 0;
        expect(cpu.run(100000)).toBe(Stop.Svc);
        return { v: Array.from(cpu.V32.subarray(0, 96)), fpsr: cpu.fpsr, nzcv: cpu.nzcv, helpers: calls.n };
      });
      const [interp, eager, hot] = results;
      expect(interp!.helpers).toBeGreaterThan(1000);
      // Compiled at first sight: no helper at all on the fast path (the first inexact result sets IXC inline).
      if (expectHelpers) expect(eager!.helpers).toBeGreaterThan(1000);
      else expect(eager!.helpers).toBe(0);
      for (const res of [eager!, hot!]) expect({ ...res, helpers: 0 }).toEqual({ ...interp!, helpers: 0 });
    }
  });

  it('raises Underflow for a product rounded up to the smallest normal, in both compiled tiers', () => {
    // 0.5 · (2^-1021 − 2^-1074) is halfway below 2^-1022 and rounds up to it: tiny before
    // rounding, so UFC as well as IXC (the JavaScript tier's fast path once took it as normal).
    const words = [BINARY[5]!(0, 1, 2), BINARY[0]!(5, 3, 4), asm.svc0]; // fmul d0, d1, d2; fmul s5, s3, s4
    const runs = (['interp', 'wasm-eager', 'js-eager'] as const).map((mode) => {
      const cpu = makeCpu(program(words), mode === 'js-eager' ? 'wasm-eager' : mode);
      if (mode === 'js-eager') cpu.tier = 'js';
      cpu.VF64[2] = 0.5;
      cpu.VF64[4] = (1 - 2 ** -53) * 2 ** -1021;
      cpu.VF32[12] = 0.5;
      cpu.VF32[16] = Math.fround((1 - 2 ** -24) * 2 ** -125);
      cpu.fpsr = 16;
      expect(cpu.run(100)).toBe(Stop.Svc);
      return [cpu.VF64[0], cpu.VF32[20], cpu.fpsr];
    });
    expect(runs[0]).toEqual([2 ** -1022, 2 ** -126, 8 | 16]);
    for (const r of runs) expect(r).toEqual(runs[0]);
  });

  /** Run FMADD over `cases` (triples of 64-bit patterns), compiled at first sight: each result and the FPSR it raised alone. */
  function runFma(single: boolean, cases: bigint[][]): bigint[][] {
    const fmovIn = single ? 0x1e270000 : 0x9e670000; // fmov s/d<d>, w/x<n>
    const fmovOut = single ? 0x1e260000 : 0x9e660000;
    const words = [
      asm.ldpX(5, 6, 0, 0),
      asm.ldrX(7, 0, 16),
      r2(fmovIn)(0, 5),
      r2(fmovIn)(1, 6),
      r2(fmovIn)(2, 7),
      asm.msr('fpsr', 31),
      FUSED[single ? 0 : 4]!(3, 0, 1, 2), // fmadd d3, d0, d1, d2
      r2(fmovOut)(8, 3),
      asm.mrs(9, 'fpsr'),
      asm.stpX(8, 9, 1, 0),
      asm.addImm(0, 0, 24),
      asm.addImm(1, 1, 16),
      asm.subsImm(2, 2, 1),
      asm.bcond(1, -13),
      asm.svc0,
    ];
    const data = new BigUint64Array(cases.length * 3);
    cases.forEach((c, i) => data.set(c, 3 * i));
    const bytes = Math.ceil((cases.length * 24) / 4096) * 4096;
    const space = program(words, bytes);
    space.write(DATA, new Uint8Array(data.buffer));
    const cpu = makeCpu(space, 'wasm-eager');
    cpu.setX(0, BigInt(DATA));
    cpu.setX(1, BigInt(OUT));
    cpu.setX(2, BigInt(cases.length));
    calls.n = 0;
    expect(cpu.run(100 * cases.length)).toBe(Stop.Svc);
    const out = new BigUint64Array(space.read(OUT, cases.length * 16)!.slice().buffer);
    return cases.map((_, i) => [out[2 * i]!, out[2 * i + 1]!]);
  }

  /** a·b + c rounded once to nearest, exactly (BigInt), with the FPSR it raises (IXC, UFC, OFC): the reference. */
  function exactFma(a: number, b: number, c: number, single: boolean): { value: number; fpsr: number } {
    const [da, db, dc] = [decompose(a), decompose(b), decompose(c)];
    const pm = da.m * db.m;
    const pe = da.e + db.e;
    const e = Math.min(pe, dc.e);
    const m = (pm << BigInt(pe - e)) + (dc.m << BigInt(dc.e - e));
    if (m === 0n) {
      const pNeg = Object.is(a * b, -0) || a * b < 0;
      const cNeg = Object.is(c, -0) || c < 0;
      return { value: pNeg && cNeg ? -0 : 0, fpsr: 0 };
    }
    const r = single ? roundExact(m, e, RM_NEAREST, 24, -126, 127) : roundExact(m, e, RM_NEAREST, 53, -1022, 1023);
    let fpsr = 0;
    if (r.overflow) fpsr = 4 | 16;
    else {
      if (r.tiny && r.inexact) fpsr |= 8;
      if (r.inexact) fpsr |= 16;
    }
    return { value: r.value, fpsr };
  }

  /** Random FMA operands that stress the exact sum: cancellation, halfway cases, every magnitude. */
  function fmaCases(seed: number, count: number, single: boolean): number[][] {
    const r = rng(seed);
    const round = single ? Math.fround : (x: number): number => x;
    const num = (lo: number, hi: number): number => round((r() < 0.5 ? -1 : 1) * (1 + r()) * 2 ** Math.floor(lo + r() * (hi - lo)));
    const ulp = (x: number): number => 2 ** (Math.floor(Math.log2(Math.abs(x))) - (single ? 23 : 52));
    const cases: number[][] = [];
    for (let i = 0; i < count; i++) {
      const k = i % 9;
      if (k === 8) {
        // The product exactly halfway between two results, and a tiny addend that decides the
        // rounding: (1 + i·2^-26)(1 + j·2^-27) for a double, (1 + i·2^-12)(1 + j·2^-12) for a
        // single (i, j odd); single precision needs the rounding to odd at double precision here.
        const [sa, sb] = single ? [2 ** -12, 2 ** -12] : [2 ** -26, 2 ** -27];
        const odd = (): number => 2 * Math.floor(r() * 8) + 1;
        const [ea, eb] = [Math.floor(r() * 40 - 20), Math.floor(r() * 40 - 20)];
        const a = (r() < 0.5 ? -1 : 1) * (1 + odd() * sa) * 2 ** ea;
        const b = (1 + odd() * sb) * 2 ** eb;
        cases.push([a, b, (r() < 0.5 ? -1 : 1) * 2 ** (ea + eb - Math.floor((single ? 20 : 50) + r() * 70))]);
        continue;
      }
      const a = num(-40, 40);
      const b = num(-40, 40);
      let c: number;
      if (k === 0) c = num(-80, 80);
      else if (k === 1)
        c = round(-(a * b)); // catastrophic cancellation: the result is the product's error
      else if (k === 2) c = round(-(a * b) + (r() - 0.5) * 8 * ulp(a * b));
      else if (k === 3)
        c = round(((r() < 0.5 ? 1 : -1) * ulp(a * b)) / 2); // about half an ulp of the product
      else if (k === 4) c = round(((r() < 0.5 ? 1 : -1) * ulp(a * b)) / 2 + (r() - 0.5) * ulp(a * b) * 2 ** -30);
      else if (k === 5) c = round(ulp(a * b) * (Math.floor(r() * 8) - 4) * 2 ** -Math.floor(r() * 60));
      else if (k === 6) {
        // Near the ends of the range: the handler's part.
        const big = r() < 0.5;
        const [lo, hi] = big ? (single ? [60, 66] : [500, 514]) : single ? [-66, -60] : [-540, -500];
        const [clo, chi] = big ? (single ? [120, 127] : [1000, 1023]) : single ? [-149, -120] : [-1074, -1000];
        cases.push([num(lo!, hi!), num(lo!, hi!), r() < 0.5 ? 0 : num(clo!, chi!)]);
        continue;
      } else c = round((r() - 0.5) * 2 ** Math.floor(r() * 200 - 100));
      if (single && k === 0) c = round(c);
      cases.push([a, b, c]);
    }
    return cases;
  }

  function toBits(x: number, single: boolean): bigint {
    if (single) return BigInt(f32bits(x));
    const [lo, hi] = f64bits(x);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  it('computes the double-precision FMA exactly: 200,000 random cases against a BigInt FMA', () => {
    let inexact = 0;
    for (let batch = 0; batch < 10; batch++) {
      const cases = fmaCases(500 + batch, 20000, false);
      const got = runFma(
        false,
        cases.map((c) => c.map((x) => toBits(x, false))),
      );
      // Most cases never leave WebAssembly (the others are near the ends of the range).
      expect(calls.n).toBeLessThan(cases.length / 4);
      cases.forEach(([a, b, c], i) => {
        const want = exactFma(a!, b!, c!, false);
        if (want.fpsr & 16) inexact++;
        expect([got[i]![0], Number(got[i]![1])], `${a} * ${b} + ${c}`).toEqual([toBits(want.value, false), want.fpsr]);
      });
    }
    expect(inexact).toBeGreaterThan(100000);
  }, 300_000);

  it('computes the single-precision FMA exactly (round to odd in double, then to single): 100,000 random cases', () => {
    for (let batch = 0; batch < 5; batch++) {
      const cases = fmaCases(900 + batch, 20000, true);
      const got = runFma(
        true,
        cases.map((c) => c.map((x) => toBits(x, true))),
      );
      expect(calls.n).toBeLessThan(cases.length / 4);
      cases.forEach(([a, b, c], i) => {
        const want = exactFma(a!, b!, c!, true);
        expect([got[i]![0], Number(got[i]![1])], `${a} * ${b} + ${c}`).toEqual([toBits(want.value, true), want.fpsr]);
      });
    }
  }, 300_000);
});
