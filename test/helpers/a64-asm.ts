/**
 * A few A64 instruction encoders and a minimal static ELF writer, enough to build test
 * programs without a cross assembler.
 */

const x = (n: number): number => n & 31;

export const asm = {
  /** ADR Xd, pc + offset */
  adr: (d: number, offset: number): number => (((offset & 3) << 29) | (0x10 << 24) | (((offset >> 2) & 0x7ffff) << 5) | x(d)) >>> 0,
  /** MOVZ Xd, #imm16, LSL #shift */
  movz: (d: number, imm16: number, shift = 0): number => (0xd2800000 | ((shift / 16) << 21) | ((imm16 & 0xffff) << 5) | x(d)) >>> 0,
  /** MOVK Xd, #imm16, LSL #shift */
  movk: (d: number, imm16: number, shift = 0): number => (0xf2800000 | ((shift / 16) << 21) | ((imm16 & 0xffff) << 5) | x(d)) >>> 0,
  /** LDP Xt1, Xt2, [Xn, #imm] (imm a multiple of 8) */
  ldpX: (t1: number, t2: number, n: number, imm: number): number => (0xa9400000 | (((imm / 8) & 0x7f) << 15) | (x(t2) << 10) | (x(n) << 5) | x(t1)) >>> 0,
  stpX: (t1: number, t2: number, n: number, imm: number): number => (0xa9000000 | (((imm / 8) & 0x7f) << 15) | (x(t2) << 10) | (x(n) << 5) | x(t1)) >>> 0,
  /** LDP Qt1, Qt2, [Xn, #imm] (imm a multiple of 16) */
  ldpQ: (t1: number, t2: number, n: number, imm: number): number => (0xad400000 | (((imm / 16) & 0x7f) << 15) | (x(t2) << 10) | (x(n) << 5) | x(t1)) >>> 0,
  stpQ: (t1: number, t2: number, n: number, imm: number): number => (0xad000000 | (((imm / 16) & 0x7f) << 15) | (x(t2) << 10) | (x(n) << 5) | x(t1)) >>> 0,
  /** LDR Xt, [Xn, #imm] (imm a multiple of 8) */
  ldrX: (t: number, n: number, imm: number): number => (0xf9400000 | ((imm / 8) << 10) | (x(n) << 5) | x(t)) >>> 0,
  strX: (t: number, n: number, imm: number): number => (0xf9000000 | ((imm / 8) << 10) | (x(n) << 5) | x(t)) >>> 0,
  /** MSR/MRS of NZCV, FPCR, FPSR, TPIDR_EL0 */
  msr: (reg: 'nzcv' | 'fpcr' | 'fpsr' | 'tpidr_el0', t: number): number => (0xd5100000 | (SYSREG_BITS[reg] << 5) | x(t)) >>> 0,
  mrs: (t: number, reg: 'nzcv' | 'fpcr' | 'fpsr' | 'tpidr_el0'): number => (0xd5300000 | (SYSREG_BITS[reg] << 5) | x(t)) >>> 0,
  /** MOV SP, Xn (ADD SP, Xn, #0) */
  movToSp: (n: number): number => (0x91000000 | (x(n) << 5) | 31) >>> 0,
  /** ADD Xd, Xn, #imm12 */
  addImm: (d: number, n: number, imm: number): number => (0x91000000 | ((imm & 0xfff) << 10) | (x(n) << 5) | x(d)) >>> 0,
  /** SUBS Xd, Xn, #imm12 */
  subsImm: (d: number, n: number, imm: number): number => (0xf1000000 | ((imm & 0xfff) << 10) | (x(n) << 5) | x(d)) >>> 0,
  /** B.cond to an offset in instructions */
  bcond: (cond: number, words: number): number => (0x54000000 | ((words & 0x7ffff) << 5) | (cond & 15)) >>> 0,
  /** B to an offset in instructions */
  b: (words: number): number => (0x14000000 | (words & 0x3ffffff)) >>> 0,
  /** STR Wt, [Xn, #imm] (imm a multiple of 4) */
  strW: (t: number, n: number, imm: number): number => (0xb9000000 | ((imm / 4) << 10) | (x(n) << 5) | x(t)) >>> 0,
  svc0: 0xd4000001,
  nop: 0xd503201f,
};

// op0:op1:CRn:CRm:op2 << 5 within bits [20:5] (without the L bit and the top bits).
const SYSREG_BITS = {
  nzcv: (1 << 14) | (3 << 11) | (4 << 7) | (2 << 3) | 0,
  fpcr: (1 << 14) | (3 << 11) | (4 << 7) | (4 << 3) | 0,
  fpsr: (1 << 14) | (3 << 11) | (4 << 7) | (4 << 3) | 1,
  tpidr_el0: (1 << 14) | (3 << 11) | (13 << 7) | (0 << 3) | 2,
};

/** A static AArch64 ELF with one read/write/execute segment holding `image` at `vaddr`. */
export function writeElf(image: Uint8Array, vaddr: number, entry: number): Uint8Array {
  const headerSize = 64 + 56;
  const out = new Uint8Array(headerSize + image.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 183, true); // EM_AARCH64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(entry), true);
  v.setBigUint64(32, 64n, true); // phoff
  v.setBigUint64(40, 0n, true); // shoff
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint16(58, 64, true);
  // PT_LOAD: the whole file, RWX
  v.setUint32(64, 1, true);
  v.setUint32(68, 7, true);
  v.setBigUint64(72, 0n, true);
  v.setBigUint64(80, BigInt(vaddr - headerSize), true);
  v.setBigUint64(88, BigInt(vaddr - headerSize), true);
  v.setBigUint64(96, BigInt(out.length), true);
  v.setBigUint64(104, BigInt(out.length), true);
  v.setBigUint64(112, 0x1000n, true);
  out.set(image, headerSize);
  return out;
}

/** Little-endian bytes of 32-bit words. */
export function wordsToBytes(words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return b;
}
