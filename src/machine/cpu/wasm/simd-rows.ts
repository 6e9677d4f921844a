import { Op, SimdLanes as L, SimdOp as S, V128 } from './encoder.js';
import type { WasmEmitter } from './emitter.js';
import { vAt } from './layout.js';
import type { WasmRow } from './rows.js';

/**
 * WebAssembly v128 for the Advanced SIMD integer instructions compilers emit in hot loops
 * (gcc's vectorised SHA-256 message schedule, -O3 and clang loops): vector logic, add/sub,
 * compares, shifts, widening and lane moves, permutes, reductions. Each works on the SIMD&FP registers
 * where they live (VREGS + 16·n): load the sources, compute, store the destination (so a
 * destination that is also a source is read first). A 64-bit form (Q = 0) zeroes the upper
 * half of the destination, as the handlers' `commit` does. An emitter returns false, before
 * emitting anything, for a form it does not do; the instruction's handler runs then.
 *
 * Each emitter must do exactly what the row's handler (insns/simd-int.ts, simd-scalar.ts)
 * does; the argument records are the rows' own. Nothing here touches FPSR: the saturating
 * forms (which set QC) stay with the handlers.
 */

// biome-ignore lint/suspicious/noExplicitAny: the argument records of the rows handled here differ per row (see insns/simd-*.ts for their fields).
type Args = any;

/** Lane-size index: 0…3 for 8, 16, 32, 64-bit elements (the index of SimdLanes' entries). */
const Z: Record<number, number> = { 8: 0, 16: 1, 32: 2, 64: 3 };

/** Push V[r] as a v128. */
function vload(e: WasmEmitter, r: number): void {
  e.f.i32(0).simdMem(S.v128_load, 4, vAt(r));
}

/** The low 64 bits set: what a 64-bit form keeps. */
const LOW_HALF = [...Array(8).fill(0xff), ...Array(8).fill(0)];

/** Write the v128 `push` leaves to V[d]; its upper half zero unless `q`. */
function vstore(e: WasmEmitter, d: number, q: number, push: () => void): true {
  e.fpReady();
  e.f.i32(0);
  push();
  if (!q) e.f.v128(LOW_HALF).simd(S.v128_and);
  e.f.simdMem(S.v128_store, 4, vAt(d));
  return true;
}

/** 16 bytes holding `value` (taken modulo 2^esize) in every lane of `esize` bits. */
function splat(esize: number, value: bigint): number[] {
  const bytes: number[] = [];
  const v = BigInt.asUintN(esize, value);
  for (let k = 0; k < 16; k++) bytes.push(Number((v >> BigInt(8 * (k % (esize / 8)))) & 0xffn));
  return bytes;
}

/** Push one lane operation of the size (an opcode SimdLanes has, checked by the caller). */
function lane(e: WasmEmitter, family: string, esize: number): void {
  e.f.simd(L[family]![Z[esize]!]!);
}

const has = (family: string, esize: number): boolean => L[family]![Z[esize]!] !== undefined;

/** The sign bit of every 64-bit lane: unsigned compares of 64-bit lanes are signed ones of the flipped values. */
const SIGN64 = splat(64, 1n << 63n);

/** Push V[r] with each 64-bit lane's sign bit flipped. */
function vloadFlipped(e: WasmEmitter, r: number): void {
  vload(e, r);
  e.f.v128(SIGN64).simd(S.v128_xor);
}

/** CMGT/CMHI (gt) or CMGE/CMHS (ge) of x and y, signed or not: all-ones lanes where it holds. */
function compare(e: WasmEmitter, ge: boolean, unsigned: boolean, esize: number, x: number, y: number): void {
  if (unsigned && esize === 64) {
    vloadFlipped(e, x);
    vloadFlipped(e, y);
    lane(e, ge ? 'ge_s' : 'gt_s', 64);
    return;
  }
  vload(e, x);
  vload(e, y);
  lane(e, `${ge ? 'ge' : 'gt'}_${unsigned ? 'u' : 's'}`, esize);
}

/** Push the 8-byte half (high when `high`) of V[r] widened to lanes of twice `esize`, signed or not. */
function widen(e: WasmEmitter, r: number, esize: number, high: number, signed: boolean): void {
  vload(e, r);
  lane(e, `extend_${high ? 'high' : 'low'}_${signed ? 's' : 'u'}`, 2 * esize);
}

/** Logic of SIMD_3SAME (opcode 3), by u:size: AND BIC ORR ORN EOR BSL BIT BIF. */
function logic(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const { d, n, m } = a;
  return vstore(e, d, a.q, () => {
    const op = (a.u << 2) | a.size;
    if (op <= 4) {
      // AND, BIC (n & ~m), ORR, ORN (n | ~m), EOR of n and m.
      vload(e, n);
      vload(e, m);
      if (op === 3) f.simd(S.v128_not);
      f.simd([S.v128_and, S.v128_andnot, S.v128_or, S.v128_or, S.v128_xor][op]!);
      return;
    }
    switch (op) {
      // bitselect(x, y, c) = (x & c) | (y & ~c).
      case 5: // BSL: d selects between n (1) and m (0)
        vload(e, n);
        vload(e, m);
        vload(e, d);
        break;
      case 6: // BIT: n where m is 1
        vload(e, n);
        vload(e, d);
        vload(e, m);
        break;
      default: // BIF: n where m is 0
        vload(e, d);
        vload(e, n);
        vload(e, m);
    }
    f.simd(S.v128_bitselect);
  });
}

function threeSame(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const { esize, d, n, m, u } = a;
  const binary = (family: string): boolean =>
    vstore(e, d, a.q, () => {
      vload(e, n);
      vload(e, m);
      lane(e, family, esize);
    });
  switch (a.op) {
    case 3:
      return logic(e, a);
    case 16:
      return binary(u ? 'sub' : 'add');
    case 17:
      if (u) return binary('eq'); // CMEQ
      // CMTST: lanes where n & m is not zero.
      return vstore(e, d, a.q, () => {
        vload(e, n);
        vload(e, m);
        f.simd(S.v128_and).v128(splat(8, 0n));
        lane(e, 'ne', esize);
      });
    case 6:
    case 7:
      return vstore(e, d, a.q, () => compare(e, a.op === 7, u === 1, esize, n, m));
    case 12:
    case 13: {
      const family = `${a.op === 12 ? 'max' : 'min'}_${u ? 'u' : 's'}`;
      return has(family, esize) && binary(family);
    }
    case 19:
      // MUL (PMUL, u = 1, is carry-less).
      return u === 0 && has('mul', esize) && esize < 64 && binary('mul');
    case 18:
      // MLA, MLS: d ± n·m.
      if (!has('mul', esize) || esize === 64) return false;
      return vstore(e, d, a.q, () => {
        vload(e, d);
        vload(e, n);
        vload(e, m);
        lane(e, 'mul', esize);
        lane(e, u ? 'sub' : 'add', esize);
      });
    default:
      return false;
  }
}

/** Shift by immediate (SIMD_SHIFT): SSHR USHR SSRA USRA SHL SLI SRI SSHLL USHLL. */
function shiftImm(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const { esize, shift: s, d, n, u, q } = a;
  /** Push n shifted right by s (1…esize; an unsigned shift by esize, zero, is the caller's): a signed one by esize is the sign. */
  const shiftedRight = (): void => {
    vload(e, n);
    f.i32(Math.min(s, esize - 1));
    lane(e, u ? 'shr_u' : 'shr_s', esize);
  };
  switch (a.op) {
    case 0: // SSHR, USHR
      if (s === esize && u) return vstore(e, d, q, () => f.v128(splat(8, 0n)));
      return vstore(e, d, q, shiftedRight);
    case 2: // SSRA, USRA
      return vstore(e, d, q, () => {
        vload(e, d);
        if (s === esize && u) return;
        shiftedRight();
        lane(e, 'add', esize);
      });
    case 10:
      if (!u)
        // SHL (0 ≤ shift < esize)
        return vstore(e, d, q, () => {
          vload(e, n);
          if (s === 0) return;
          f.i32(s);
          lane(e, 'shl', esize);
        });
      // SLI: the low `shift` bits of each lane of d stay.
      return vstore(e, d, q, () => {
        vload(e, n);
        if (s === 0) return;
        f.i32(s);
        lane(e, 'shl', esize);
        vload(e, d);
        f.v128(splat(esize, (1n << BigInt(s)) - 1n))
          .simd(S.v128_and)
          .simd(S.v128_or);
      });
    case 8:
      if (!u) return false;
      // SRI: the top `shift` bits of each lane of d stay (1 ≤ shift ≤ esize).
      return vstore(e, d, q, () => {
        vload(e, d);
        if (s === esize) return;
        f.v128(splat(esize, ((1n << BigInt(s)) - 1n) << BigInt(esize - s))).simd(S.v128_and);
        vload(e, n);
        f.i32(s);
        lane(e, 'shr_u', esize);
        f.simd(S.v128_or);
      });
    case 20: // SSHLL, USHLL (SXTL, UXTL): always 128 bits
      return vstore(e, d, 1, () => {
        widen(e, n, esize, q, u === 0);
        if (s === 0) return;
        f.i32(s);
        lane(e, 'shl', 2 * esize);
      });
    default:
      return false;
  }
}

/** Byte lanes for an element permutation: element i of the result is element src(i) of the 32-byte pair (n, m). */
function elementShuffle(esize: number, count: number, src: (i: number) => number): number[] {
  const b = esize / 8;
  const lanes: number[] = [];
  for (let i = 0; i < 16 / b; i++) for (let j = 0; j < b; j++) lanes.push(i < count ? src(i) * b + j : 0);
  return lanes;
}

/** Two-register miscellaneous (SIMD_2MISC): REV*, NOT, CNT, compares with zero, ABS, NEG, XTN, SHLL. */
function twoMisc(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const { esize, d, n, u, q, op } = a;
  const lanes = (q ? 128 : 64) / esize;
  const zeroCompare = (family: string): boolean =>
    vstore(e, d, q, () => {
      vload(e, n);
      f.v128(splat(8, 0n));
      lane(e, family, esize);
    });
  switch (op) {
    case 0:
    case 1: {
      // REV64, REV32, REV16: elements reversed within containers.
      const per = (op === 1 ? 16 : u ? 32 : 64) / esize;
      const shuffle = elementShuffle(esize, lanes, (i) => i - (i % per) + (per - 1 - (i % per)));
      return vstore(e, d, q, () => {
        vload(e, n);
        vload(e, n);
        f.shuffle(shuffle);
      });
    }
    case 5:
      if (a.size !== 0) return false; // RBIT
      return vstore(e, d, q, () => {
        vload(e, n);
        f.simd(u ? S.v128_not : S.i8x16_popcnt);
      });
    case 8: // CMGT, CMGE #0
      return zeroCompare(u ? 'ge_s' : 'gt_s');
    case 9: // CMEQ, CMLE #0
      return zeroCompare(u ? 'le_s' : 'eq');
    case 10: // CMLT #0
      return zeroCompare('lt_s');
    case 11: // ABS, NEG (of the most negative value: itself)
      return vstore(e, d, q, () => {
        vload(e, n);
        lane(e, u ? 'neg' : 'abs', esize);
      });
    case 18: {
      if (u) return false; // SQXTUN
      // XTN, XTN2: the low halves of n's wide lanes, into the low half of d (XTN) or the high one, d's low half kept (XTN2).
      const narrow = elementShuffle(esize, 64 / esize, (i) => 2 * i).slice(0, 8);
      return vstore(e, d, q, () => {
        vload(e, n);
        if (q) {
          vload(e, d);
          f.shuffle([16, 17, 18, 19, 20, 21, 22, 23, ...narrow]);
        } else {
          vload(e, n);
          f.shuffle([...narrow, ...narrow]);
        }
      });
    }
    case 19: // SHLL, SHLL2: widened and shifted left by the element size (always 128 bits)
      return vstore(e, d, 1, () => {
        widen(e, n, esize, q, false);
        f.i32(esize);
        lane(e, 'shl', 2 * esize);
      });
    default:
      return false;
  }
}

/** Three different (SIMD_3DIFF): [SU]ADDL, [SU]ADDW, [SU]SUBL, [SU]SUBW, [SU]MULL, [SU]MLAL, [SU]MLSL (and their "2" forms). */
function threeDiff(e: WasmEmitter, a: Args): boolean {
  const { esize, d, n, m, u, q, op } = a;
  const signed = u === 0;
  const w = 2 * esize;
  if (op <= 3)
    return vstore(e, d, 1, () => {
      if (op === 1 || op === 3) vload(e, n);
      else widen(e, n, esize, q, signed);
      widen(e, m, esize, q, signed);
      lane(e, op >= 2 ? 'sub' : 'add', w);
    });
  if (op !== 8 && op !== 10 && op !== 12) return false;
  return vstore(e, d, 1, () => {
    if (op !== 12) vload(e, d);
    vload(e, n);
    vload(e, m);
    lane(e, `extmul_${q ? 'high' : 'low'}_${signed ? 's' : 'u'}`, w);
    if (op !== 12) lane(e, op === 8 ? 'add' : 'sub', w);
  });
}

const LOAD: Record<number, number> = { 8: Op.i32_load8_u, 16: Op.i32_load16_u, 32: Op.i32_load, 64: Op.i64_load };
const STORE: Record<number, number> = { 8: Op.i32_store8, 16: Op.i32_store16, 32: Op.i32_store, 64: Op.i64_store };
const LOAD64: Record<number, [number, number]> = {
  8: [Op.i64_load8_u, Op.i64_load8_s],
  16: [Op.i64_load16_u, Op.i64_load16_s],
  32: [Op.i64_load32_u, Op.i64_load32_s],
  64: [Op.i64_load, Op.i64_load],
};
const SPLAT_LOAD: Record<number, number> = { 8: S.v128_load8_splat, 16: S.v128_load16_splat, 32: S.v128_load32_splat, 64: S.v128_load64_splat };
const SPLAT: Record<number, number> = { 8: S.i8x16_splat, 16: S.i16x8_splat, 32: S.i32x4_splat, 64: S.i64x2_splat };
const log2 = (esize: number): number => Z[esize]!;

/** SIMD_COPY: INS (element, general), DUP (element, general), SMOV, UMOV. */
function copy(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const { esize, d, n, q, index } = a;
  const bytes = esize / 8;
  const wide = esize === 64;
  if (a.op !== 1 && ![0, 1, 3, 5, 7].includes(a.imm4)) return false;
  e.fpReady();
  if (a.op === 1) {
    // INS (element): one lane; the rest of d stays.
    f.i32(0)
      .i32(0)
      .mem(LOAD[esize]!, log2(esize), vAt(n, a.index2 * bytes))
      .mem(STORE[esize]!, log2(esize), vAt(d, index * bytes));
    return true;
  }
  switch (a.imm4) {
    case 0: // DUP (element)
      return vstore(e, d, q, () => f.i32(0).simdMem(SPLAT_LOAD[esize]!, log2(esize), vAt(n, index * bytes)));
    case 1: // DUP (general)
      return vstore(e, d, q, () => {
        if (wide) e.getX(n);
        else e.getW(n);
        f.simd(SPLAT[esize]!);
      });
    case 3: // INS (general): one lane
      f.i32(0);
      if (wide) e.getX(n);
      else e.getW(n);
      f.mem(STORE[esize]!, log2(esize), vAt(d, index * bytes));
      return true;
    case 5: // SMOV: sign-extended to X (q) or W
      f.i32(0).mem(LOAD64[esize]![1], log2(esize), vAt(n, index * bytes));
      if (q) e.setX(d);
      else {
        f.op(Op.i32_wrap_i64);
        e.setW(d);
      }
      return true;
    case 7: // UMOV
      f.i32(0).mem(LOAD64[esize]![0], log2(esize), vAt(n, index * bytes));
      e.setX(d);
      return true;
    default:
      return false;
  }
}

/** SIMD_MODIMM: MOVI, MVNI, ORR, BIC (vector, immediate), FMOV (vector, immediate): constants. */
function modImm(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const c = a.cmode;
  const word = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  const imm = [...word(a.lo), ...word(a.hi), ...word(a.lo), ...word(a.hi)];
  if (c < 12 && (c & 1) === 1)
    // ORR (op 0) or BIC (op 1) of d with the immediate.
    return vstore(e, a.d, a.q, () => {
      vload(e, a.d);
      f.v128(imm).simd(a.op ? S.v128_andnot : S.v128_or);
    });
  const mvn = a.op === 1 && c < 14;
  return vstore(e, a.d, a.q, () => f.v128(mvn ? imm.map((b) => b ^ 0xff) : imm));
}

/** SIMD_PERMUTE: UZP1/2, TRN1/2, ZIP1/2. */
function permute(e: WasmEmitter, a: Args): boolean {
  const lanes = (a.q ? 128 : 64) / a.esize;
  const half = lanes / 2;
  const part = a.op >= 5 ? 1 : 0;
  // Element j of m is element 16/b + j of the shuffle's operand pair.
  const M = 128 / a.esize;
  const src = (i: number): number => {
    switch (a.op & 3) {
      case 1: {
        const j = 2 * i + part;
        return j < lanes ? j : M + j - lanes;
      }
      case 2:
        return (i % 2 === 0 ? 0 : M) + 2 * (i >> 1) + part;
      default:
        return (i % 2 === 0 ? 0 : M) + part * half + (i >> 1);
    }
  };
  const shuffle = elementShuffle(a.esize, lanes, src);
  return vstore(e, a.d, a.q, () => {
    vload(e, a.n);
    vload(e, a.m);
    e.f.shuffle(shuffle);
  });
}

/** SIMD_EXT: bytes index… of n, then m. */
function ext(e: WasmEmitter, a: Args): boolean {
  const bytes = a.q ? 16 : 8;
  const lanes = Array.from({ length: 16 }, (_, i) => {
    if (i >= bytes) return 0;
    const j = i + a.index;
    return j < bytes ? j : 16 + j - bytes;
  });
  return vstore(e, a.d, a.q, () => {
    vload(e, a.n);
    vload(e, a.m);
    e.f.shuffle(lanes);
  });
}

/**
 * SIMD_TBL: TBL and TBX over 1–4 table registers. Table register k answers the indices
 * 16k…16k+15: i8x16.swizzle of it by (index − 16k), modulo 256, gives zero for every other
 * index (at most 63 below or 255 − 16k above), so the OR of the swizzles is the lookup.
 */
function tbl(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  return vstore(e, a.d, a.q, () => {
    if (a.tbx) vload(e, a.d);
    for (let k = 0; k < a.len; k++) {
      vload(e, (a.n + k) % 32);
      vload(e, a.m);
      if (k) f.v128(splat(8, BigInt(16 * k))).simd(L.sub![0]!);
      f.simd(S.i8x16_swizzle);
      if (k) f.simd(S.v128_or);
    }
    if (!a.tbx) return;
    // TBX: d's byte where the index is out of the table (index ≥ 16·len, unsigned).
    vload(e, a.m);
    f.v128(splat(8, BigInt(16 * a.len)));
    lane(e, 'ge_u', 8);
    f.simd(S.v128_bitselect);
  });
}

/** One v128 scratch local per compiled function. */
const scratch = new WeakMap<WasmEmitter, number>();
function v128Local(e: WasmEmitter): number {
  let l = scratch.get(e);
  if (l === undefined) {
    l = e.f.local(V128);
    scratch.set(e, l);
  }
  return l;
}

/**
 * SIMD_ACROSS: ADDV, SMAXV, UMAXV, SMINV, UMINV (not the long SADDLV/UADDLV): halve the lanes
 * in play until one is left (lane i with lane i + half), then lane 0 alone, the rest of d zero.
 */
function across(e: WasmEmitter, a: Args): boolean {
  const { esize, u, q } = a;
  const family = a.op === 27 ? 'add' : a.op === 10 ? `max_${u ? 'u' : 's'}` : a.op === 26 ? `min_${u ? 'u' : 's'}` : undefined;
  if (family === undefined) return false;
  const f = e.f;
  const t = v128Local(e);
  const b = esize / 8;
  return vstore(e, a.d, 1, () => {
    vload(e, a.n);
    for (let half = (q ? 16 : 8) / 2; half >= b; half /= 2) {
      f.tee(t).get(t).get(t);
      f.shuffle(Array.from({ length: 16 }, (_, i) => (i + half) % 16));
      lane(e, family, esize);
    }
    f.v128(Array.from({ length: 16 }, (_, i) => (i < b ? 0xff : 0))).simd(S.v128_and);
  });
}

/** SIMDS_DUP: MOV (scalar) Bd/Hd/Sd/Dd, Vn.T[index]: the lane zero-extended to the whole register. */
function scalarDup(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  const bytes = a.esize / 8;
  e.fpReady();
  const v = e.tmp64();
  f.i32(0)
    .mem(LOAD64[a.esize]![0], log2(a.esize), vAt(a.n, a.index * bytes))
    .set(v);
  f.i32(0).get(v).mem(Op.i64_store, 3, vAt(a.d));
  f.i32(0).i64(0).mem(Op.i64_store, 3, vAt(a.d, 8));
  return true;
}

export const SIMD_WASM_ROWS: Record<string, WasmRow> = {
  SIMD_3SAME: threeSame,
  SIMD_3DIFF: threeDiff,
  SIMD_2MISC: twoMisc,
  SIMD_SHIFT: shiftImm,
  SIMD_COPY: copy,
  SIMD_MODIMM: modImm,
  SIMD_PERMUTE: permute,
  SIMD_EXT: ext,
  SIMD_TBL: tbl,
  SIMD_ACROSS: across,
  SIMDS_DUP: scalarDup,
};
