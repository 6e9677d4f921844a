/**
 * 64-bit arithmetic on 32-bit halves: the one module that knows how a 64-bit value is
 * represented, so the representation can change without touching instruction handlers.
 *
 * A value is a pair (lo, hi) of int32s. Functions that produce a pair write it to `T`
 * (no allocation); callers copy `T.lo`/`T.hi` out at once.
 */

export const T = { lo: 0, hi: 0 };

/** ARM ARM `AddWithCarry`, 64-bit, with NZCV. The result is in `T`; flags in `F`. */
export const F = { n: 0, z: 0, c: 0, v: 0 };

export function addWithCarry64(alo: number, ahi: number, blo: number, bhi: number, carryIn: number): void {
  const lo = (alo >>> 0) + (blo >>> 0) + carryIn;
  const c0 = lo > 0xffffffff ? 1 : 0;
  const hi = (ahi >>> 0) + (bhi >>> 0) + c0;
  const rhi = hi | 0;
  T.lo = lo | 0;
  T.hi = rhi;
  F.n = rhi >>> 31;
  F.z = (T.lo | rhi) === 0 ? 1 : 0;
  F.c = hi > 0xffffffff ? 1 : 0;
  F.v = ((ahi ^ rhi) & (bhi ^ rhi)) >>> 31;
}

/** `AddWithCarry`, 32-bit. The result is in `T.lo` (T.hi = 0); flags in `F`. */
export function addWithCarry32(a: number, b: number, carryIn: number): void {
  const r = (a >>> 0) + (b >>> 0) + carryIn;
  const res = r | 0;
  T.lo = res;
  T.hi = 0;
  F.n = res >>> 31;
  F.z = res === 0 ? 1 : 0;
  F.c = r > 0xffffffff ? 1 : 0;
  F.v = ((a ^ res) & (b ^ res)) >>> 31;
}

/** Add a signed offset (|off| < 2^52) to a 64-bit value, into `T`. */
export function addOffset(lo: number, hi: number, off: number): void {
  const s = (lo >>> 0) + off;
  T.lo = s | 0;
  // off is small (|off| < 2^32): the carry is −1, 0 or +1.
  T.hi = (hi + (s > 0xffffffff ? 1 : s < 0 ? -1 : 0)) | 0;
}

/** Shift types of shifted-register operands (3 is ROR, the switches' default). */
const LSL = 0;
const LSR = 1;
const ASR = 2;

/** `ShiftReg` for 64-bit values, amount 0..63, into `T`. */
export function shift64(lo: number, hi: number, type: number, amount: number): void {
  if (amount === 0) {
    T.lo = lo;
    T.hi = hi;
    return;
  }
  switch (type) {
    case LSL:
      if (amount < 32) {
        T.hi = (hi << amount) | (lo >>> (32 - amount));
        T.lo = lo << amount;
      } else {
        T.hi = lo << (amount - 32);
        T.lo = 0;
      }
      return;
    case LSR:
      if (amount < 32) {
        T.lo = (lo >>> amount) | (hi << (32 - amount));
        T.hi = hi >>> amount;
      } else {
        T.lo = hi >>> (amount - 32);
        T.hi = 0;
      }
      T.lo |= 0;
      T.hi |= 0;
      return;
    case ASR:
      if (amount < 32) {
        T.lo = (lo >>> amount) | (hi << (32 - amount));
        T.hi = hi >> amount;
      } else {
        T.lo = hi >> (amount - 32);
        T.hi = hi >> 31;
      }
      return;
    default: {
      // ROR
      let l = lo;
      let h = hi;
      let a = amount;
      if (a >= 32) {
        l = hi;
        h = lo;
        a -= 32;
      }
      if (a === 0) {
        T.lo = l;
        T.hi = h;
      } else {
        T.lo = (l >>> a) | (h << (32 - a));
        T.hi = (h >>> a) | (l << (32 - a));
      }
    }
  }
}

/** `ShiftReg` for 32-bit values, amount 0..31. */
export function shift32(x: number, type: number, amount: number): number {
  if (amount === 0) return x | 0;
  switch (type) {
    case LSL:
      return x << amount;
    case LSR:
      return (x >>> amount) | 0;
    case ASR:
      return x >> amount;
    default:
      return (x >>> amount) | (x << (32 - amount));
  }
}

/** Extend types of extended-register operands (UXTB … SXTX). */
export function extend64(lo: number, hi: number, type: number, shift: number): void {
  let l = lo;
  let h = hi;
  switch (type) {
    case 0: // UXTB
      l &= 0xff;
      h = 0;
      break;
    case 1: // UXTH
      l &= 0xffff;
      h = 0;
      break;
    case 2: // UXTW
      h = 0;
      break;
    case 3: // UXTX
      break;
    case 4: // SXTB
      l = (l << 24) >> 24;
      h = l >> 31;
      break;
    case 5: // SXTH
      l = (l << 16) >> 16;
      h = l >> 31;
      break;
    case 6: // SXTW
      h = l >> 31;
      break;
    default: // SXTX
      break;
  }
  shift64(l, h, LSL, shift);
}

/** The low 64 bits of a 64×64-bit product, into `T` (16-bit partial products, no BigInt). */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  T.lo = (mid << 16) | (p00 & 0xffff);
  const hi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  T.hi = (hi + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/** Number of leading zeros of a 64-bit value. */
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Reverse the bits of a 32-bit value. */
export function rbit32(x: number): number {
  let v = x >>> 0;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16) | 0;
}

/** Reverse the bytes of a 32-bit value. */
export function rev32(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24) | 0;
}

/** Reverse the bytes in each 16-bit half of a 32-bit value. */
export function rev16(x: number): number {
  return ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8) | 0;
}

/**
 * ARM ARM `DecodeBitMasks`: the wmask and tmask of a logical immediate or bitfield
 * instruction, as halves: `[wlo, whi, tlo, thi]`. Returns undefined for a reserved encoding.
 */
export function decodeBitMasks(n: number, imms: number, immr: number, immediate: boolean, dataSize: 32 | 64): [number, number, number, number] | undefined {
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined === 0) return undefined;
  const len = 31 - Math.clz32(combined);
  if (len < 1) return undefined;
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const s = imms & levels;
  const r = immr & levels;
  const diff = (s - r) & levels;
  const esize = 1 << len;
  const welem = ones(s + 1);
  const telem = ones(diff + 1);
  const wmask = replicate(rorBig(welem, r, esize), esize, dataSize);
  const tmask = replicate(telem, esize, dataSize);
  return [Number(wmask & 0xffffffffn) | 0, Number(wmask >> 32n) | 0, Number(tmask & 0xffffffffn) | 0, Number(tmask >> 32n) | 0];
}

function ones(n: number): bigint {
  return (1n << BigInt(n)) - 1n;
}

function rorBig(x: bigint, r: number, size: number): bigint {
  if (r === 0) return x;
  const mask = ones(size);
  return ((x >> BigInt(r)) | (x << BigInt(size - r))) & mask;
}

function replicate(x: bigint, esize: number, total: number): bigint {
  let out = 0n;
  for (let i = 0; i < total; i += esize) out |= x << BigInt(i);
  return out & ones(total);
}

/** ARM ARM `ConditionHolds`. */
export function conditionHolds(cond: number, n: number, z: number, c: number, v: number): boolean {
  let r: boolean;
  switch (cond >> 1) {
    case 0:
      r = z === 1;
      break;
    case 1:
      r = c === 1;
      break;
    case 2:
      r = n === 1;
      break;
    case 3:
      r = v === 1;
      break;
    case 4:
      r = c === 1 && z === 0;
      break;
    case 5:
      r = n === v;
      break;
    case 6:
      r = n === v && z === 0;
      break;
    default:
      r = true;
  }
  return (cond & 1) === 1 && cond !== 15 ? !r : r;
}
