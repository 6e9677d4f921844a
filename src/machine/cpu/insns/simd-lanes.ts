import type { Cpu } from '../cpu.js';

/**
 * Lane access for Advanced SIMD. A result is built in a 16-byte staging buffer and then
 * copied to the destination, so destinations may overlap sources. Lanes of up to 32 bits are
 * Numbers (unsigned); 64-bit lanes are BigInts.
 */

const STAGE = new ArrayBuffer(16);
export const S8 = new Uint8Array(STAGE);
export const S16 = new Uint16Array(STAGE);
export const S32 = new Uint32Array(STAGE);
export const S64 = new BigUint64Array(STAGE);

/** Element sizes by the `size` field. */
export const ESIZE = [8, 16, 32, 64];

export function clearStage(): void {
  S32[0] = 0;
  S32[1] = 0;
  S32[2] = 0;
  S32[3] = 0;
}

/** Unsigned lane `i` of register `r` for esize ≤ 32. */
export function lane(cpu: Cpu, r: number, esize: number, i: number): number {
  switch (esize) {
    case 8:
      return cpu.V8[16 * r + i]!;
    case 16:
      return cpu.V16[8 * r + i]!;
    default:
      return cpu.V32[4 * r + i]!;
  }
}

/** Signed lane `i` for esize ≤ 32. */
export function slane(cpu: Cpu, r: number, esize: number, i: number): number {
  const v = lane(cpu, r, esize, i);
  const s = 32 - esize;
  return (v << s) >> s;
}

export function lane64(cpu: Cpu, r: number, i: number): bigint {
  return cpu.V64[2 * r + i]!;
}

/** Set staged lane `i` (value taken modulo 2^esize). */
export function stage(esize: number, i: number, v: number): void {
  switch (esize) {
    case 8:
      S8[i] = v;
      return;
    case 16:
      S16[i] = v;
      return;
    default:
      S32[i] = v;
  }
}

export function stage64(i: number, v: bigint): void {
  S64[i] = v;
}

/** Copy the staged result to V register d: 16 bytes when q, else 8 (and zero the top half). */
export function commit(cpu: Cpu, d: number, q: number): void {
  const V32 = cpu.V32;
  const b = 4 * d;
  V32[b] = S32[0]!;
  V32[b + 1] = S32[1]!;
  if (q) {
    V32[b + 2] = S32[2]!;
    V32[b + 3] = S32[3]!;
  } else {
    V32[b + 2] = 0;
    V32[b + 3] = 0;
  }
}

/** Arrangement text (`.16b`, `.4s`, `.2d`…). */
function arrangement(esize: number, q: number): string {
  const lanes = (q ? 128 : 64) / esize;
  const letter = esize === 8 ? 'b' : esize === 16 ? 'h' : esize === 32 ? 's' : 'd';
  return `${lanes}${letter}`;
}

export function vreg(r: number, esize: number, q: number): string {
  return `v${r}.${arrangement(esize, q)}`;
}

export const ELEM_LETTER: Record<number, string> = { 8: 'b', 16: 'h', 32: 's', 64: 'd' };
