/**
 * Exact floating-point helpers JavaScript lacks: error-free transformations (TwoSum,
 * TwoProduct), next-after, a correctly rounded fused multiply-add, and rounding of an exact
 * BigInt-scaled value in any IEEE rounding mode. Everything is on doubles; single precision
 * goes through doubles and `Math.fround`, which is exact for one operation in round-to-nearest.
 */

// One double's bits seen three ways. Index 0 (and 1 for u32) always exists: the `!`s on these
// views below are safe.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const i64 = new BigInt64Array(f64.buffer);

/** The error of a + b: s + e == a + b exactly (when s is finite). */
export function twoSumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

const SPLITTER = 134217729; // 2^27 + 1

/**
 * The error of a * b: p + e == a * b exactly, for |a|,|b| < 2^995 and a product not near the
 * subnormal range (callers check `productIsSafe`).
 */
export function twoProductError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (p - ah * bh - al * bh - ah * bl);
}

/** Whether TwoProduct is exact for a and b (no overflow in the split, no underflow in the error). */
export function productIsSafe(a: number, b: number): boolean {
  const aa = Math.abs(a);
  const bb = Math.abs(b);
  if (aa > 2 ** 995 || bb > 2 ** 995) return false;
  const p = aa * bb;
  // A zero product of non-zero operands has underflowed: the error term would be wrong.
  return (p === 0 && (aa === 0 || bb === 0)) || (p > 2 ** -969 && p < 2 ** 1020);
}

function isEvenMantissa(x: number): boolean {
  f64[0] = x;
  return (u32[0]! & 1) === 0;
}

export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] = i64[0]! + (x > 0 ? 1n : -1n);
  return f64[0];
}

/** Next float32 above x (x a float32 value). */
export function nextUpF32(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return 2 ** -149;
  const b = new Float32Array([x]);
  const u = new Int32Array(b.buffer);
  u[0] = u[0]! + (x > 0 ? 1 : -1);
  return b[0]!;
}

export const RM_NEAREST = 0;
export const RM_PLUS = 1;
export const RM_MINUS = 2;
export const RM_ZERO = 3;
/** Round to nearest, ties away from zero (FRINTA, FCVTA*). */
export const RM_AWAY = 4;

/**
 * Given r = RN(exact) and the sign of (exact − r), the result of rounding `exact` in `mode`.
 * `up`/`down` step to the neighbouring representable value (double or single).
 */
export function directed(r: number, errSign: number, mode: number, up: (x: number) => number): number {
  if (errSign === 0 || mode === RM_NEAREST) return r;
  const down = (x: number): number => -up(-x);
  switch (mode) {
    case RM_PLUS:
      return errSign > 0 ? up(r) : r;
    case RM_MINUS:
      return errSign < 0 ? down(r) : r;
    default:
      // Towards zero.
      if (errSign < 0 && r > 0) return down(r);
      if (errSign > 0 && r < 0) return up(r);
      if (r === 0) return r;
      return r;
  }
}

/** Split a finite double into an integer mantissa and exponent: x = m · 2^e exactly. */
export function decompose(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const hi = u32[1]!;
  const lo = u32[0]!;
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return { m: hi >>> 31 ? -m : m, e };
}

/** Result of rounding an exact value: the double, and whether rounding lost anything. */
export interface Rounded {
  value: number;
  inexact: boolean;
  /** Tiny before rounding (below the smallest normal). */
  tiny: boolean;
  overflow: boolean;
}

/**
 * Round m · 2^e (exact) to a binary format with `mantBits` significand bits (53 or 24) and
 * minimum normal exponent `emin` (−1022 or −126), in `mode`.
 */
export function roundExact(m: bigint, e: number, mode: number, mantBits: number, emin: number, emax: number): Rounded {
  if (m === 0n) return { value: 0, inexact: false, tiny: false, overflow: false };
  const negative = m < 0n;
  let mag = negative ? -m : m;
  // Normalise to exactly mantBits significant bits plus what is shifted out.
  const bits = mag.toString(2).length;
  let exp = e + bits - 1; // exponent of the leading bit
  const tiny = exp < emin;
  // The lowest kept bit has weight 2^(exp - mantBits + 1), but never below the subnormal LSB.
  const lsbExp = Math.max(exp - mantBits + 1, emin - mantBits + 1);
  const shift = lsbExp - e;
  let kept: bigint;
  let inexact = false;
  if (shift > 0) {
    const sh = BigInt(shift);
    kept = mag >> sh;
    const rest = mag - (kept << sh);
    if (rest !== 0n) {
      inexact = true;
      const half = 1n << (sh - 1n);
      let roundUp: boolean;
      switch (mode) {
        case RM_NEAREST:
          roundUp = rest > half || (rest === half && (kept & 1n) === 1n);
          break;
        case RM_AWAY:
          roundUp = rest >= half;
          break;
        case RM_PLUS:
          roundUp = !negative;
          break;
        case RM_MINUS:
          roundUp = negative;
          break;
        default:
          roundUp = false;
      }
      if (roundUp) kept += 1n;
    }
  } else {
    kept = mag << BigInt(-shift);
  }
  mag = kept;
  exp = lsbExp + mag.toString(2).length - 1;
  if (exp > emax) {
    const toInf = mode === RM_NEAREST || mode === RM_AWAY || (mode === RM_PLUS && !negative) || (mode === RM_MINUS && negative);
    const max = (2 - 2 ** (1 - mantBits)) * 2 ** emax;
    return { value: negative ? -(toInf ? Infinity : max) : toInf ? Infinity : max, inexact: true, tiny: false, overflow: true };
  }
  // mag < 2^mantBits (+1 after a carry) and lsbExp ≥ the subnormal LSB: exactly representable.
  let value = Number(mag) * 2 ** Math.max(lsbExp, -1000);
  if (lsbExp < -1000) value *= 2 ** (lsbExp + 1000);
  return { value: negative ? -value : value, inexact, tiny, overflow: false };
}

/** Where `fmaNearest` leaves its result (a returned double would be allocated when not inlined). */
export const FMA_NEAREST = new Float64Array(1);

/** One ulp from x (finite, non-zero) away from zero, or towards it: the bits of f64[0] step. */
function stepUlp(x: number, away: boolean): number {
  f64[0] = x;
  if (away) {
    if (u32[0] === 0xffffffff) {
      u32[0] = 0;
      u32[1]! += 1;
    } else u32[0]! += 1;
  } else if (u32[0] === 0) {
    u32[0] = 0xffffffff;
    u32[1]! -= 1;
  } else u32[0]! -= 1;
  return f64[0]!;
}

/**
 * FMA_NEAREST[0] = a·b + c rounded once to nearest, by error-free transformations: TwoProduct,
 * then Boldo and Melquiond's sum with one rounding to odd. Returns 0 when the result is
 * exact, 1 when inexact, and 2 (result NaN) when the operands are outside the range where
 * the transformations are exact (the caller then takes the exact BigInt path).
 */
export function fmaNearest(a: number, b: number, c: number): number {
  if (!productIsSafe(a, b) || !(Math.abs(c) < 2 ** 1020)) {
    FMA_NEAREST[0] = NaN;
    return 2;
  }
  const p = a * b;
  const pe = twoProductError(a, b, p);
  if (pe === 0) {
    const s = p + c;
    if (!(Math.abs(s) < Infinity)) {
      FMA_NEAREST[0] = NaN;
      return 2;
    }
    FMA_NEAREST[0] = s;
    return twoSumError(p, c, s) !== 0 ? 1 : 0;
  }
  const uh = pe + c;
  const ul = twoSumError(pe, c, uh);
  const th = p + uh;
  const tl = twoSumError(p, uh, th);
  let v = tl + ul;
  const ve = twoSumError(tl, ul, v);
  // Round to odd: an even result with a remainder moves one ulp towards the exact value.
  if (ve !== 0 && isEvenMantissa(v)) v = v === 0 ? (ve > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE) : stepUlp(v, ve > 0 === v > 0);
  const r = th + v;
  if (!(Math.abs(r) > 2 ** -960 && Math.abs(r) < 2 ** 1020)) {
    FMA_NEAREST[0] = NaN;
    return 2;
  }
  FMA_NEAREST[0] = r;
  return ve !== 0 || twoSumError(th, v, r) !== 0 ? 1 : 0;
}

/** Correctly rounded a·b + c in double precision and `mode`, for finite a, b, c. */
export function fmaExact(a: number, b: number, c: number, mode: number): Rounded {
  if (mode === RM_NEAREST) {
    const k = fmaNearest(a, b, c);
    if (k !== 2) {
      const v = FMA_NEAREST[0]!;
      return { value: v, inexact: k === 1, tiny: Math.abs(v) < 2 ** -1022 && v !== 0, overflow: false };
    }
  }
  const da = decompose(a);
  const db = decompose(b);
  const dc = decompose(c);
  const pm = da.m * db.m;
  const pe = da.e + db.e;
  let m: bigint;
  let e: number;
  if (pm === 0n) {
    m = dc.m;
    e = dc.e;
  } else if (dc.m === 0n) {
    m = pm;
    e = pe;
  } else if (pe <= dc.e) {
    m = pm + (dc.m << BigInt(dc.e - pe));
    e = pe;
  } else {
    m = (pm << BigInt(pe - dc.e)) + dc.m;
    e = dc.e;
  }
  if (m === 0n) {
    // An exact zero: its sign follows IEEE 754's rules for sums.
    const productNegative = a < 0 !== b < 0 && a !== 0 && b !== 0 ? true : Object.is(a * b, -0);
    const cNegative = Object.is(c, -0) || c < 0;
    const bothNegative = productNegative && cNegative;
    const zero = bothNegative || (productNegative !== cNegative && mode === RM_MINUS) ? -0 : 0;
    return { value: zero, inexact: false, tiny: false, overflow: false };
  }
  return roundExact(m, e, mode, 53, -1022, 1023);
}
