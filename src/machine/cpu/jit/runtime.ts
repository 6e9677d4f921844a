/** Helpers the generated code calls. */

/** The high 32 bits of the unsigned product of two 32-bit words, as an int32. */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = ((a0 * b0) >>> 16) + (a1 * b0 & 0xffff) + (a0 * b1 & 0xffff);
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
    cpu.c = (sf ? (ah >>> 0) > (bh >>> 0) || (ah === bh && al >>> 0 >= bl >>> 0) : al >>> 0 >= bl >>> 0) ? 1 : 0;
    cpu.v = (sf ? (ah ^ bh) & (ah ^ rh) : (al ^ bl) & (al ^ rl)) < 0 ? 1 : 0;
  } else {
    cpu.c = (sf ? rh >>> 0 < ah >>> 0 || (rh === ah && rl >>> 0 < al >>> 0) : rl >>> 0 < al >>> 0) ? 1 : 0;
    cpu.v = (sf ? ~(ah ^ bh) & (ah ^ rh) : ~(al ^ bl) & (al ^ rl)) < 0 ? 1 : 0;
  }
}
