import { describe, expect, it } from 'vitest';
import { Access, type AddressSpace } from '../src/machine/cpu/address-space.js';
import type { Cpu } from '../src/machine/cpu/cpu.js';
import { FSC, MemoryFault, Stop } from '../src/machine/cpu/fault.js';
import { mulhs, mulhu, sdiv64, smulh, udiv64, umulh } from '../src/machine/cpu/jit/runtime.js';
import { wasmTierStats } from '../src/machine/cpu/wasm/compile.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from '../src/machine/memory/flat-space.js';
import { PhysPage } from '../src/machine/memory/phys-page.js';
import { asm, wordsToBytes } from './helpers/a64-asm.js';
import { CPU_MODES, type CpuMode, cpuInMode } from './helpers/cpu-modes.js';
import { rng } from './helpers/rng.js';

/**
 * The block compiler against the interpreter on programs built to stress what compiled code
 * must get exactly right: faults in the middle of a block, code that rewrites itself, runs
 * cut at arbitrary instruction counts (as timer interrupts cut them), and mappings that change
 * under compiled code. Each program runs interpreted, compiled at first sight, and compiled
 * when hot; registers, flags, the stop, the PC and the retired-instruction count must agree.
 */

const CODE = 0x10000;
const DATA = 0x20000;
const EQ = 0;
const NE = 1;

/** The interpreter, the JavaScript tier at first sight and when hot, the WebAssembly tier likewise. */
type Mode = CpuMode;
const MODES = CPU_MODES;

function makeCpu(space: AddressSpace, mode: Mode): Cpu {
  return cpuInMode(space, mode, CODE);
}

function flatProgram(words: number[], dataBytes = 4096): FlatSpace {
  const space = new FlatSpace();
  space.map(CODE, 4096, PERM_R | PERM_W | PERM_X);
  space.write(CODE, wordsToBytes(words));
  space.map(DATA, dataBytes, PERM_R | PERM_W);
  return space;
}

/** Everything a run leaves behind that both tiers must agree on. */
function state(cpu: Cpu, stop: Stop): unknown {
  return { stop, pc: cpu.pc, icount: cpu.icount, x: Array.from({ length: 32 }, (_, i) => cpu.getX(i)), nzcv: cpu.nzcv, esr: cpu.esr, far: [cpu.farLo, cpu.farHi] };
}

/** Run to a stop other than Budget, in chunks of `chunk()` instructions; the stops along the way are recorded. */
function runAll(cpu: Cpu, chunk: () => number): { end: unknown; stops: [number, number][] } {
  const stops: [number, number][] = [];
  for (let guard = 0; guard < 1e6; guard++) {
    const stop = cpu.run(chunk());
    stops.push([cpu.pc, cpu.icount]);
    if (stop !== Stop.Budget && stop !== Stop.TimeSync) return { end: state(cpu, stop), stops };
  }
  throw new Error('the program did not stop');
}

/** A counting loop that walks a pointer off the end of its data page: the load faults on iteration 513. */
const FAULTING_LOOP = [
  asm.movz(0, 0),
  asm.movz(1, 1000),
  asm.movz(2, DATA & 0xffff),
  asm.movk(2, DATA >>> 16, 16),
  // loop:
  asm.addImm(0, 0, 1),
  asm.subsImm(1, 1, 1),
  asm.ldrX(3, 2, 0),
  asm.addImm(2, 2, 8),
  asm.bcond(NE, -4),
  asm.svc0,
];

describe('compiled code and the interpreter agree', () => {
  it('on a fault in the middle of a compiled block: PC, registers, flags, count and syndrome', () => {
    const results = MODES.map((mode) => runAll(makeCpu(flatProgram(FAULTING_LOOP), mode), () => 1e6).end);
    const interpreted = results[0] as { stop: Stop; pc: number; icount: number; x: bigint[]; far: number[] };
    expect(interpreted.stop).toBe(Stop.DataAbort);
    expect(interpreted.pc).toBe(CODE + 6 * 4);
    // The flags are those of the SUBS just before the faulting load.
    expect(interpreted.x[1]).toBe(1000n - 513n);
    expect(interpreted.far[0]).toBe(DATA + 4096);
    expect(interpreted.icount).toBe(4 + 512 * 5 + 2);
    for (const r of results) expect(r).toEqual(interpreted);
  });

  it('when runs are cut at arbitrary instruction counts, as interrupts cut them', () => {
    for (const seed of [1, 2, 3]) {
      const results = MODES.map((mode) => {
        const r = rng(seed);
        return runAll(makeCpu(flatProgram(FAULTING_LOOP), mode), () => 1 + Math.floor(r() * 23));
      });
      for (const r of results) expect(r).toEqual(results[0]);
    }
  });

  it('on the flags of 32- and 64-bit ADDS/SUBS/ADCS/SBCS at the carry and overflow edges, through branches', () => {
    // Each operation runs 100 times in a loop that counts, through conditional branches (which
    // compiled code fuses with the compare), how often C, V, N and Z were set. The counts must
    // be the ARM pseudocode's AddWithCarry, computed here with BigInt, in every mode.
    const OPS: { name: string; word: number; bits: 32 | 64; sub: boolean; carryIn: boolean }[] = [
      { name: 'adds w3, w1, w2', word: 0x2b020023, bits: 32, sub: false, carryIn: false },
      { name: 'adds x3, x1, x2', word: 0xab020023, bits: 64, sub: false, carryIn: false },
      { name: 'subs w3, w1, w2', word: 0x6b020023, bits: 32, sub: true, carryIn: false },
      { name: 'subs x3, x1, x2', word: 0xeb020023, bits: 64, sub: true, carryIn: false },
      { name: 'cmn w1, w2', word: 0x2b02003f, bits: 32, sub: false, carryIn: false },
      { name: 'cmp x1, x2', word: 0xeb02003f, bits: 64, sub: true, carryIn: false },
      { name: 'adcs w3, w1, w2', word: 0x3a020023, bits: 32, sub: false, carryIn: true },
      { name: 'sbcs x3, x1, x2', word: 0xfa020023, bits: 64, sub: true, carryIn: true },
    ];
    const EDGES = [0n, 1n, 2n ** 64n - 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 2n ** 63n, 2n ** 63n - 1n, 0xffff_ffff_0000_0001n];
    const CC = 3,
      VC = 7,
      PL = 5;
    const loop = (op: number) => [op, asm.bcond(CC, 2), asm.addImm(6, 6, 1), asm.bcond(VC, 2), asm.addImm(7, 7, 1), asm.bcond(PL, 2), asm.addImm(8, 8, 1), asm.bcond(NE, 2), asm.addImm(9, 9, 1), asm.subsImm(5, 5, 1), asm.bcond(NE, -10), asm.svc0];
    const addWithCarry = (x: bigint, y: bigint, carry: bigint, bits: number) => {
      const mask = (1n << BigInt(bits)) - 1n;
      const sint = (v: bigint) => BigInt.asIntN(bits, v);
      const unsigned = (x & mask) + (y & mask) + carry;
      const result = unsigned & mask;
      return { n: result >> BigInt(bits - 1), z: result === 0n ? 1n : 0n, c: result !== unsigned ? 1n : 0n, v: sint(result) !== sint(x) + sint(y) + carry ? 1n : 0n };
    };
    for (const op of OPS) {
      for (const a of EDGES) {
        for (const b of EDGES) {
          const mask = (1n << BigInt(op.bits)) - 1n;
          // The loop's SUBS leaves C = 1 for every turn but the first, where NZCV starts at 0.
          const counts = [0n, 0n, 0n, 0n];
          for (let turn = 0; turn < 100; turn++) {
            const carry = op.carryIn ? (turn === 0 ? 0n : 1n) : op.sub ? 1n : 0n;
            const f = addWithCarry(a, op.sub ? ~b & mask : b, carry, op.bits);
            counts[0]! += f.c;
            counts[1]! += f.v;
            counts[2]! += f.n;
            counts[3]! += f.z;
          }
          for (const mode of MODES) {
            const cpu = makeCpu(flatProgram(loop(op.word)), mode);
            cpu.setX(1, a);
            cpu.setX(2, b);
            cpu.setX(5, 100n);
            runAll(cpu, () => 1e6);
            expect(
              [6, 7, 8, 9].map((r) => cpu.getX(r)),
              `${op.name} with x1 = 0x${a.toString(16)}, x2 = 0x${b.toString(16)} (${mode})`,
            ).toEqual(counts);
          }
        }
      }
    }
  });

  it('on code that rewrites an instruction of its own hot loop', () => {
    // x0 counts by 1 for 100 iterations; then the loop's ADD #1 is overwritten with ADD #2 and
    // it runs 100 more: 300 in the end, however the loop was compiled.
    const addTwo = asm.addImm(0, 0, 2);
    const words = [
      asm.movz(0, 0),
      asm.movz(1, 100),
      asm.movz(5, addTwo & 0xffff),
      asm.movk(5, addTwo >>> 16, 16),
      asm.movz(6, CODE & 0xffff),
      asm.movk(6, CODE >>> 16, 16),
      asm.movz(7, 2),
      // loop (index 7):
      asm.addImm(0, 0, 1),
      asm.subsImm(1, 1, 1),
      asm.bcond(NE, -2),
      asm.subsImm(7, 7, 1),
      asm.bcond(EQ, 4),
      asm.strW(5, 6, 7 * 4),
      asm.movz(1, 100),
      asm.b(-7),
      asm.svc0,
    ];
    for (const chunk of [1e6, 13]) {
      const results = MODES.map((mode) => runAll(makeCpu(flatProgram(words), mode), () => chunk).end);
      expect((results[0] as { x: bigint[] }).x[0]).toBe(300n);
      expect((results[0] as { stop: Stop }).stop).toBe(Stop.Svc);
      for (const r of results) expect(r).toEqual(results[0]);
    }
  });

  it('on stores with base writeback into the page of their own hot loop (the writeback happens before the run stops)', () => {
    // STR W5, [X6], #8 (post-index) and STR W5, [X6, #8]! (pre-index) in the loop, to words
    // of the loop's own page past the code: each store hits a page holding code, which ends a
    // compiled run after the instruction, whose writeback of X6 must have happened.
    const strW = (mode: number, imm9: number): number => (0xb8000000 | ((imm9 & 0x1ff) << 12) | (mode << 10) | (6 << 5) | 5) >>> 0;
    const x6 = CODE + 0x800;
    for (const mode of [1, 3]) {
      const words = [
        asm.movz(1, 100),
        asm.movz(5, 7),
        asm.movz(6, x6 & 0xffff),
        asm.movk(6, x6 >>> 16, 16),
        // loop (index 4):
        strW(mode, 8),
        asm.addImm(5, 5, 1),
        asm.subsImm(1, 1, 1),
        asm.bcond(NE, -3),
        asm.svc0,
      ];
      for (const chunk of [1e6, 13]) {
        const results = MODES.map((m) => runAll(makeCpu(flatProgram(words), m), () => chunk).end);
        expect((results[0] as { x: bigint[] }).x[6]).toBe(BigInt(x6 + 800));
        for (const r of results) expect(r).toEqual(results[0]);
      }
    }
  });

  it('WebAssembly: loads and stores that hit the soft TLB stay inside the compiled code', () => {
    // 1000 iterations of LDR/STR/LDP/STP on one data page: only the first access of each kind misses.
    const words = [
      asm.movz(1, 1000),
      asm.movz(2, DATA & 0xffff),
      asm.movk(2, DATA >>> 16, 16),
      asm.movz(3, 0),
      // loop (index 4):
      asm.ldrX(4, 2, 8),
      asm.addImm(4, 4, 3),
      asm.strX(4, 2, 8),
      asm.ldpX(5, 6, 2, 16),
      asm.addImm(5, 5, 1),
      asm.stpX(5, 4, 2, 16),
      asm.subsImm(1, 1, 1),
      asm.bcond(NE, -7),
      asm.ldrX(3, 2, 16),
      asm.svc0,
    ];
    const before = wasmTierStats.memoryMisses;
    const regions = wasmTierStats.regions;
    const results = MODES.map((mode) => runAll(makeCpu(flatProgram(words), mode), () => 1e6).end);
    expect((results[0] as { x: bigint[] }).x[3]).toBe(1000n);
    expect((results[0] as { x: bigint[] }).x[4]).toBe(3000n);
    for (const r of results) expect(r).toEqual(results[0]);
    // Two WebAssembly modes, each with a first miss of the read and the write half at most per kind.
    expect(wasmTierStats.regions).toBeGreaterThan(regions);
    expect(wasmTierStats.memoryMisses - before).toBeLessThanOrEqual(2 * 4);
  });

  it('when the page under compiled code is remapped', () => {
    // Two physical pages with the same loop, adding 1 or 3; the virtual page moves from one to the other.
    const loop = (k: number): number[] => [asm.movz(1, 50), asm.addImm(0, 0, k), asm.subsImm(1, 1, 1), asm.bcond(NE, -2), asm.svc0];
    const pages = [1, 3].map((k, i) => {
      const page = new PhysPage(100 + i, new DataView(new ArrayBuffer(4096)), 0);
      page.bytes.set(wordsToBytes(loop(k)));
      return page;
    });
    let current = pages[0]!;
    const space: AddressSpace = {
      translate(lo, hi, access) {
        if (hi === 0 && lo >>> 12 === CODE >>> 12 && access !== Access.Write) return current;
        throw new MemoryFault(FSC.translation(3), lo, hi, access === Access.Write, access === Access.Fetch);
      },
    };
    for (const mode of MODES) {
      current = pages[0]!;
      const cpu = makeCpu(space, mode);
      for (let round = 0; round < 4; round++) {
        expect(cpu.run(1e6)).toBe(Stop.Svc);
        cpu.pc = CODE;
      }
      current = pages[1]!;
      cpu.flushTlb();
      expect(cpu.run(1e6)).toBe(Stop.Svc);
      expect(cpu.getX(0)).toBe(4n * 50n + 3n * 50n);
      expect(cpu.icount).toBe(5 * (1 + 50 * 3 + 1));
    }
  });
});

describe('compiled LDP/STP of Q registers', () => {
  const LDP_Q_POST = (t: number, t2: number, n: number, imm: number): number => (0xacc00000 | (((imm / 16) & 0x7f) << 15) | (t2 << 10) | (n << 5) | t) >>> 0;
  const STP_Q_PRE = (t: number, t2: number, n: number, imm: number): number => (0xad800000 | (((imm / 16) & 0x7f) << 15) | (t2 << 10) | (n << 5) | t) >>> 0;
  const LDP_Q = (t: number, t2: number, n: number, imm: number): number => (0xad400000 | (((imm / 16) & 0x7f) << 15) | (t2 << 10) | (n << 5) | t) >>> 0;
  const STP_Q = (t: number, t2: number, n: number, imm: number): number => (0xad000000 | (((imm / 16) & 0x7f) << 15) | (t2 << 10) | (n << 5) | t) >>> 0;
  const PAGES = 3;
  const program = (x1: number, x2: number, x4: number, rounds: number): FlatSpace => {
    const space = flatProgram(
      [
        asm.movz(1, x1 & 0xffff),
        asm.movk(1, x1 >>> 16, 16),
        asm.movz(2, x2 & 0xffff),
        asm.movk(2, x2 >>> 16, 16),
        asm.movz(4, x4 & 0xffff),
        asm.movk(4, x4 >>> 16, 16),
        asm.movz(6, rounds),
        // loop:
        LDP_Q_POST(0, 1, 1, 32),
        STP_Q_PRE(0, 1, 2, -32),
        LDP_Q(2, 3, 2, 16),
        STP_Q(2, 3, 4, 0),
        asm.subsImm(6, 6, 1),
        asm.bcond(NE, -5),
        asm.svc0,
      ],
      PAGES * 4096,
    );
    space.write(
      DATA,
      Uint8Array.from({ length: PAGES * 4096 }, (_, i) => (i * 7 + (i >> 8)) & 0xff),
    );
    return space;
  };
  const everything = (cpu: Cpu, space: FlatSpace, stop: Stop): unknown => ({ ...(state(cpu, stop) as object), v: Array.from(cpu.V8.subarray(0, 64)), memory: Array.from(space.read(DATA, PAGES * 4096) ?? []) });

  it('move the same bytes and write the same base back in every tier, across page boundaries (the handler) too', () => {
    // Forward from DATA + 8 and backward from the end: both cross a page boundary on the way.
    const results = MODES.map((mode) => {
      const space = program(DATA + 8, DATA + PAGES * 4096 - 40, DATA + 4096 + 50, 140);
      const cpu = makeCpu(space, mode);
      return everything(cpu, space, cpu.run(1e6));
    });
    for (const r of results) expect(r).toEqual(results[0]);
    expect((results[0] as { stop: Stop }).stop).toBe(Stop.Svc);
  });

  it('fault at the end of the mapped pages with the state of before the instruction, in every tier', () => {
    // The load runs off the end of the data pages on its second round: a translation fault.
    const results = MODES.map((mode) => {
      const space = program(DATA + PAGES * 4096 - 40, DATA + 4096, DATA + 200, 20);
      const cpu = makeCpu(space, mode);
      return everything(cpu, space, cpu.run(1e6));
    });
    for (const r of results) expect(r).toEqual(results[0]);
    // At the LDP of the second round (program word 7), x1 not yet written back (first round: +32),
    // the fault address the first byte of the unmapped page.
    const first = results[0] as { stop: Stop; pc: number; x: bigint[]; far: number[] };
    expect([first.stop, first.pc, first.x[1], first.far[0]]).toEqual([Stop.DataAbort, CODE + 4 * 7, BigInt(DATA + PAGES * 4096 - 8), DATA + PAGES * 4096]);
  });
});

describe('compiled multiply-high', () => {
  it('UMULH and SMULH give the 128-bit product’s high half in every tier, on edge operands', () => {
    const UMULH = (d: number, n: number, m: number): number => (0x9bc07c00 | (m << 16) | (n << 5) | d) >>> 0;
    const SMULH = (d: number, n: number, m: number): number => (0x9b407c00 | (m << 16) | (n << 5) | d) >>> 0;
    const EOR = (d: number, n: number, m: number): number => (0xca000000 | (m << 16) | (n << 5) | d) >>> 0;
    const ADD = (d: number, n: number, m: number): number => (0x8b000000 | (m << 16) | (n << 5) | d) >>> 0;
    // 20 rounds (hot in every tier): x3 = umulh(x1, x2), x4 = smulh(x1, x2), folded into x5 and x6.
    const loop = [asm.movz(7, 20), UMULH(3, 1, 2), SMULH(4, 1, 2), EOR(5, 5, 3), ADD(6, 6, 4), asm.subsImm(7, 7, 1), asm.bcond(NE, -5), asm.svc0];
    const M64 = (1n << 64n) - 1n;
    const edges = [0n, 1n, 2n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, M64, M64 - 1n, 0x8000000080000000n, 0xdeadbeefcafebabfn, 0x00000001ffffffffn];
    const signed = (x: bigint): bigint => BigInt.asIntN(64, x);
    for (const p of edges) {
      for (const q of edges) {
        const hiU = (p * q) >> 64n;
        const hiS = BigInt.asUintN(64, (signed(p) * signed(q)) >> 64n);
        for (const mode of MODES) {
          const cpu = makeCpu(flatProgram(loop), mode);
          cpu.setX(1, p);
          cpu.setX(2, q);
          expect(cpu.run(1e6)).toBe(Stop.Svc);
          expect([mode, cpu.getX(3), cpu.getX(4), cpu.getX(5), cpu.getX(6)]).toEqual([mode, hiU, hiS, 0n, BigInt.asUintN(64, 20n * hiS)]);
          expect(cpu.icount).toBe(1 + 20 * 6 + 1);
        }
      }
    }
  });
});

describe('the helpers compiled code calls', () => {
  const r = rng(11);
  const word = (): number => {
    const k = Math.floor(r() * 8);
    return k === 0 ? 0 : k === 1 ? -1 : k === 2 ? 0x7fffffff : k === 3 ? -0x80000000 : k === 4 ? 1 : (r() * 2 ** 32) | 0;
  };
  const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const W = new Int32Array(2);

  it('multiply: mulhu, mulhs, umulh and smulh match BigInt', () => {
    for (let i = 0; i < 20000; i++) {
      const [al, ah, bl, bh] = [word(), word(), word(), word()];
      expect(mulhu(al, bl) >>> 0).toBe(Number(((BigInt(al >>> 0) * BigInt(bl >>> 0)) >> 32n) & 0xffffffffn));
      expect(mulhs(al, bl)).toBe(Number(BigInt.asIntN(32, (BigInt(al) * BigInt(bl)) >> 32n)));
      const [a, b] = [big(al, ah), big(bl, bh)];
      let lo = umulh(al, ah, bl, bh, W);
      expect(big(lo, W[1]!)).toBe(BigInt.asUintN(64, (a * b) >> 64n));
      lo = smulh(al, ah, bl, bh, W);
      expect(big(lo, W[1]!)).toBe(BigInt.asUintN(64, (BigInt.asIntN(64, a) * BigInt.asIntN(64, b)) >> 64n));
    }
  });

  it('divide: udiv64 and sdiv64 match BigInt, with x / 0 = 0', () => {
    for (let i = 0; i < 20000; i++) {
      const [al, ah, bl] = [word(), word(), word()];
      const bh = i % 2 === 0 ? 0 : word();
      const [a, b] = [big(al, ah), big(bl, bh)];
      let lo = udiv64(al, ah, bl, bh, W);
      expect(big(lo, W[1]!)).toBe(b === 0n ? 0n : a / b);
      lo = sdiv64(al, ah, bl, bh, W);
      const [sa, sb] = [BigInt.asIntN(64, a), BigInt.asIntN(64, b)];
      expect(big(lo, W[1]!)).toBe(BigInt.asUintN(64, sb === 0n ? 0n : sa / sb));
    }
  });
});

describe('compiled floating point', () => {
  // Scalar double (FMUL FDIV FADD FSUB FNMUL, FMADD FMSUB FNMADD FNMSUB, FSQRT), scalar single,
  // vector double (FMLA FMLS FADD FMUL FSUB FDIV .2D, FMUL/FMLA/FMLS by element).
  const r3 =
    (base: number) =>
    (d: number, n: number, m: number): number =>
      (base | (m << 16) | (n << 5) | d) >>> 0;
  const r4 =
    (base: number) =>
    (d: number, n: number, m: number, a: number): number =>
      (base | (m << 16) | (a << 10) | (n << 5) | d) >>> 0;
  const binary = [0x1e600800, 0x1e601800, 0x1e602800, 0x1e603800, 0x1e608800, 0x1e200800, 0x1e201800, 0x1e202800, 0x1e203800, 0x4e60cc00, 0x4ee0cc00, 0x4e60d400, 0x6e60dc00, 0x4ee0d400, 0x6e60fc00].map(r3);
  const fused = [0x1f400000, 0x1f408000, 0x1f600000, 0x1f608000].map(r4);
  const element = [0x4fc09000, 0x4fc01000, 0x4fc05000].map(
    (base) =>
      (d: number, n: number, m: number, h: number): number =>
        (base | (h << 11) | (m << 16) | (n << 5) | d) >>> 0,
  );
  const sqrt = (d: number, n: number): number => (0x1e61c000 | (n << 5) | d) >>> 0;

  function value(r: () => number): number {
    const k = Math.floor(r() * 10);
    if (k < 3) return Math.floor(r() * 64) - 32; // small integers: exact results
    if (k < 6) return (r() - 0.5) * 10 ** Math.floor(r() * 12 - 6);
    if (k === 6) return (r() - 0.5) * 2 ** -1000; // near the subnormal range
    if (k === 7) return (r() - 0.5) * 2 ** 1000; // near overflow
    if (k === 8) return [0, -0, Infinity, -Infinity, NaN][Math.floor(r() * 5)]!;
    return 2 ** Math.floor(r() * 40 - 20);
  }

  it('gives the interpreter’s registers and FPSR on random operands, exact and inexact', () => {
    for (let trial = 0; trial < 300; trial++) {
      const r = rng(1000 + trial);
      const reg = (): number => Math.floor(r() * 8);
      const words: number[] = [];
      for (let i = 0; i < 24; i++) {
        const k = r();
        if (k < 0.55) words.push(binary[Math.floor(r() * binary.length)]!(reg(), reg(), reg()));
        else if (k < 0.8) words.push(fused[Math.floor(r() * fused.length)]!(reg(), reg(), reg(), reg()));
        else if (k < 0.92) words.push(element[Math.floor(r() * element.length)]!(reg(), reg(), reg(), Math.floor(r() * 2)));
        else words.push(sqrt(reg(), reg()));
      }
      words.push(asm.svc0);
      const start = Array.from({ length: 16 }, () => value(r));
      const fpsr = r() < 0.5 ? 0 : 16;
      const fpcr = r() < 0.8 ? 0 : [1 << 24, 1 << 25, 1 << 22, 2 << 22, 3 << 22][Math.floor(r() * 5)]!;
      const results = MODES.map((mode) => {
        const cpu = makeCpu(flatProgram(words), mode);
        cpu.VF64.set(start);
        cpu.fpsr = fpsr;
        cpu.fpcr = fpcr;
        expect(cpu.run(1000)).toBe(Stop.Svc);
        return { v: Array.from(cpu.V32.subarray(0, 32)), fpsr: cpu.fpsr };
      });
      for (const res of results) expect(res).toEqual(results[0]);
    }
  });
});
