import { FMA_NEAREST, fmaNearest, productIsSafe, twoProductError, twoSumError } from '../softfloat.js';

/** Helpers the generated code calls. */

/** The high 32 bits of the unsigned product of two 32-bit words, as an int32. */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = ((a0 * b0) >>> 16) + ((a1 * b0) & 0xffff) + ((a0 * b1) & 0xffff);
  return (a1 * b1 + ((a1 * b0) >>> 16) + ((a0 * b1) >>> 16) + (mid >>> 16)) | 0;
}

/** The high 32 bits of the signed product of two int32s. */
export function mulhs(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/**
 * Write NZCV from a flag-setter's operands and result, for an exit of compiled code (the
 * `kind` numbering is Emitter's: 1/2 SUBS 64/32, 3/4 ADDS 64/32, 5/6 ANDS 64/32).
 */
export function storeFlags(cpu: { n: number; z: number; c: number; v: number }, kind: number, al: number, ah: number, bl: number, bh: number, rl: number, rh: number): void {
  const sf = (kind & 1) === 1;
  cpu.n = (sf ? rh : rl) < 0 ? 1 : 0;
  cpu.z = (sf ? rl | rh : rl) === 0 ? 1 : 0;
  if (kind >= 5) {
    cpu.c = 0;
    cpu.v = 0;
  } else if (kind <= 2) {
    cpu.c = (sf ? ah >>> 0 > bh >>> 0 || (ah === bh && al >>> 0 >= bl >>> 0) : al >>> 0 >= bl >>> 0) ? 1 : 0;
    cpu.v = (sf ? (ah ^ bh) & (ah ^ rh) : (al ^ bl) & (al ^ rl)) < 0 ? 1 : 0;
  } else {
    cpu.c = (sf ? rh >>> 0 < ah >>> 0 || (rh === ah && rl >>> 0 < al >>> 0) : rl >>> 0 < al >>> 0) ? 1 : 0;
    cpu.v = (sf ? ~(ah ^ bh) & (ah ^ rh) : ~(al ^ bl) & (al ^ rl)) < 0 ? 1 : 0;
  }
}

/**
 * The high 64 bits of the unsigned 128-bit product of (al, ah) and (bl, bh): returns the low
 * word and leaves the high word in `out[1]`.
 */
export function umulh(al: number, ah: number, bl: number, bh: number, out: Int32Array): number {
  // Schoolbook on 32-bit words: (ah·2^32 + al)(bh·2^32 + bl).
  const ll = mulhu(al, bl) >>> 0; // high word of al·bl (its low word only feeds the carry below)
  const lhLo = Math.imul(al, bh) >>> 0;
  const lhHi = mulhu(al, bh) >>> 0;
  const hlLo = Math.imul(ah, bl) >>> 0;
  const hlHi = mulhu(ah, bl) >>> 0;
  const hhLo = Math.imul(ah, bh) >>> 0;
  const hhHi = mulhu(ah, bh) >>> 0;
  // Word 1 (bits 32–63): ll + lhLo + hlLo, its carry goes to word 2.
  const w1 = ll + lhLo + hlLo;
  const c1 = Math.floor(w1 / 4294967296);
  const w2 = hhLo + lhHi + hlHi + c1;
  const c2 = Math.floor(w2 / 4294967296);
  out[1] = (hhHi + c2) | 0;
  return w2 | 0;
}

/** The high 64 bits of the signed 128-bit product (see `umulh`). */
export function smulh(al: number, ah: number, bl: number, bh: number, out: Int32Array): number {
  let lo = umulh(al, ah, bl, bh, out);
  let hi = out[1]!;
  // Signed correction: subtract b·2^64 if a < 0 and a·2^64 if b < 0 (from the high half).
  if (ah < 0) {
    const s = (lo >>> 0) - (bl >>> 0);
    hi = (hi - bh - (s < 0 ? 1 : 0)) | 0;
    lo = s | 0;
  }
  if (bh < 0) {
    const s = (lo >>> 0) - (al >>> 0);
    hi = (hi - ah - (s < 0 ? 1 : 0)) | 0;
    lo = s | 0;
  }
  out[1] = hi;
  return lo;
}

/** UDIV (64-bit): returns the low word of the quotient, the high word in `out[1]`; x / 0 = 0. */
export function udiv64(al: number, ah: number, bl: number, bh: number, out: Int32Array): number {
  if (bh === 0) {
    // A 32-bit divisor: long division in 32-, 16- and 16-bit steps, each exact in a double.
    const b = bl >>> 0;
    if (b === 0) {
      out[1] = 0;
      return 0;
    }
    const a1 = ah >>> 0;
    const qh = Math.floor(a1 / b);
    const x = (a1 - qh * b) * 65536 + (al >>> 16);
    const q1 = Math.floor(x / b);
    const y = (x - q1 * b) * 65536 + (al & 0xffff);
    const q0 = Math.floor(y / b);
    out[1] = qh | 0;
    return (q1 << 16) | q0;
  }
  const q = ((BigInt(ah >>> 0) << 32n) | BigInt(al >>> 0)) / ((BigInt(bh >>> 0) << 32n) | BigInt(bl >>> 0));
  out[1] = Number(q >> 32n) | 0;
  return Number(q & 0xffffffffn) | 0;
}

/** SDIV (64-bit), as `udiv64`: truncating, x / 0 = 0, and INT64_MIN / −1 = INT64_MIN. */
export function sdiv64(al: number, ah: number, bl: number, bh: number, out: Int32Array): number {
  const negA = ah < 0;
  const negB = bh < 0;
  if (negA) ({ al, ah } = negate(al, ah));
  if (negB) ({ al: bl, ah: bh } = negate(bl, bh));
  const lo = udiv64(al, ah, bl, bh, out);
  if (negA === negB) return lo;
  const r = negate(lo, out[1]!);
  out[1] = r.ah;
  return r.al;
}

function negate(al: number, ah: number): { al: number; ah: number } {
  const l = ((~al >>> 0) + 1) >>> 0;
  return { al: l | 0, ah: (~ah + (l === 0 ? 1 : 0)) | 0 };
}

/**
 * The operands and result of `fma`: [a, b, c, a·b + c]. Doubles passed to or returned from a
 * call V8 does not inline are boxed (allocated); typed-array slots are not.
 */
export const FMA_IO = new Float64Array(4);

/**
 * FMA_IO[3] = FMA_IO[0]·FMA_IO[1] + FMA_IO[2], rounded once to nearest, for the fast path of
 * compiled code: softfloat.ts `fmaNearest` (0 exact, 1 inexact, 2 beyond its range).
 */
export function fma(): number {
  const k = fmaNearest(FMA_IO[0]!, FMA_IO[1]!, FMA_IO[2]!);
  FMA_IO[3] = FMA_NEAREST[0]!;
  return k;
}

// Inexactness of a normal double result r of an operation: 0 exact, 1 inexact, 2 cannot tell cheaply.
export function ixAdd(x: number, y: number, r: number): number {
  return twoSumError(x, y, r) !== 0 ? 1 : 0;
}

export function ixMul(x: number, y: number, r: number): number {
  if (!productIsSafe(x, y)) return 2;
  return twoProductError(x, y, r) !== 0 ? 1 : 0;
}

export function ixDiv(x: number, y: number, r: number): number {
  if (!productIsSafe(r, y)) return 2;
  const p = r * y;
  return p === x && twoProductError(r, y, p) === 0 ? 0 : 1;
}

export function ixSqrt(x: number, r: number): number {
  return ixDiv(x, r, r);
}
