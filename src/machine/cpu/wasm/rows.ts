import { K_LDR, K_LDR_FP, K_LDRS64, K_PRFM, K_STR, K_STR_FP } from '../insns/ldst.js';
import { ZR_SINK } from '../slots.js';
import { Op } from './encoder.js';
import type { WasmEmitter } from './emitter.js';
import { condition, setFlags } from './flags.js';
import { WASM_FP_ROWS } from './fp-rows.js';
import { RAM_START } from '../../memory/linear-memory.js';
import { vAt } from './layout.js';
import { loadInto, loadPairInto, quadAccess, store, storeDone, storePair } from './memory-access.js';
import { SIMD_WASM_ROWS } from './simd-rows.js';

/**
 * WebAssembly for the commonest integer A64 instructions: registers are i64 locals, every
 * register number, immediate and shift amount a constant. An emitter returns false, before
 * emitting anything, for a form it does not handle; the compiled function then calls the
 * instruction's handler (compile.ts), as the JavaScript tier declines instructions.
 *
 * Each emitter must do exactly what the row's handler (insns/*.ts) does; the argument records
 * are the rows' own (see insns/*.ts and jit/rows.ts, which handles the same rows in JavaScript).
 */

// biome-ignore lint/suspicious/noExplicitAny: the argument records of the rows handled here differ per row (see insns/*.ts for their fields).
type Args = any;

export type WasmRow = (e: WasmEmitter, a: Args) => boolean;

/** The 64-bit value of two int32 halves. */
function i64Of(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Opcodes at a width: 64-bit (sf 1) or 32-bit. */
function ops(sf: number) {
  return sf
    ? { add: Op.i64_add, sub: Op.i64_sub, and: Op.i64_and, or: Op.i64_or, xor: Op.i64_xor, shl: Op.i64_shl, shrU: Op.i64_shr_u, shrS: Op.i64_shr_s, rotr: Op.i64_rotr, mul: Op.i64_mul, eqz: Op.i64_eqz }
    : { add: Op.i32_add, sub: Op.i32_sub, and: Op.i32_and, or: Op.i32_or, xor: Op.i32_xor, shl: Op.i32_shl, shrU: Op.i32_shr_u, shrS: Op.i32_shr_s, rotr: Op.i32_rotr, mul: Op.i32_mul, eqz: Op.i32_eqz };
}

/** Push a constant of the width (`hi` ignored for 32 bits). */
function konst(e: WasmEmitter, sf: number, lo: number, hi = 0): void {
  if (sf) e.f.i64(i64Of(lo, hi));
  else e.f.i32(lo);
}

function tmp(e: WasmEmitter, sf: number): number {
  return sf ? e.tmp64() : e.tmp32();
}

/** Push register m shifted by a constant (LSL, LSR, ASR, ROR) at the width. */
function shifted(e: WasmEmitter, sf: number, m: number, type: number, amount: number): void {
  e.get(sf, m);
  if (amount === 0) return;
  const o = ops(sf);
  konst(e, sf, amount);
  e.f.op([o.shl, o.shrU, o.shrS, o.rotr][type]!);
}

/** Push register m extended (UXTB…SXTX) and shifted left by 0–4, at the width. */
function extended(e: WasmEmitter, sf: number, m: number, option: number, amount: number): void {
  const f = e.f;
  e.get(sf, m);
  if (sf) {
    if (option === 0) f.i64(0xff).op(Op.i64_and);
    else if (option === 1) f.i64(0xffff).op(Op.i64_and);
    else if (option === 2) f.i64(0xffffffff).op(Op.i64_and);
    else if (option === 4) f.op(Op.i64_extend8_s);
    else if (option === 5) f.op(Op.i64_extend16_s);
    else if (option === 6) f.op(Op.i64_extend32_s);
    if (amount) f.i64(amount).op(Op.i64_shl);
  } else {
    if (option === 0) f.i32(0xff).op(Op.i32_and);
    else if (option === 1) f.i32(0xffff).op(Op.i32_and);
    else if (option === 4) f.op(Op.i32_extend8_s);
    else if (option === 5) f.op(Op.i32_extend16_s);
    if (amount) f.i32(amount).op(Op.i32_shl);
  }
}

/**
 * Push the high 64 bits of the 128-bit product of registers n and m (UMULH, or SMULH when
 * `signed`): WebAssembly has no 64×64→128 multiply, so the product is formed from 32-bit
 * halves (each partial product fits an i64), and the signed one corrects the unsigned high
 * half by subtracting m when n is negative and n when m is negative (mod 2^64).
 */
function mulHigh(e: WasmEmitter, signed: boolean, n: number, m: number): void {
  const f = e.f;
  const a = e.tmp64();
  const b = e.tmp64();
  const lh = e.tmp64();
  const hl = e.tmp64();
  const lo32 = (x: number): void => void f.get(x).i64(0xffffffff).op(Op.i64_and);
  const hi32 = (x: number): void => void f.get(x).i64(32).op(Op.i64_shr_u);
  e.getX(n);
  f.set(a);
  e.getX(m);
  f.set(b);
  lo32(a);
  hi32(b);
  f.op(Op.i64_mul).set(lh);
  hi32(a);
  lo32(b);
  f.op(Op.i64_mul).set(hl);
  // hi(a)·hi(b) + hi(lh) + hi(hl) + the carry out of the middle column.
  hi32(a);
  hi32(b);
  f.op(Op.i64_mul);
  hi32(lh);
  f.op(Op.i64_add);
  hi32(hl);
  f.op(Op.i64_add);
  lo32(a);
  lo32(b);
  f.op(Op.i64_mul).i64(32).op(Op.i64_shr_u);
  lo32(lh);
  f.op(Op.i64_add);
  lo32(hl);
  f.op(Op.i64_add).i64(32).op(Op.i64_shr_u).op(Op.i64_add);
  if (signed) {
    // − (n < 0 ? m : 0) − (m < 0 ? n : 0), with the sign as an all-ones or zero mask.
    f.get(a).i64(63).op(Op.i64_shr_s).get(b).op(Op.i64_and).op(Op.i64_sub);
    f.get(b).i64(63).op(Op.i64_shr_s).get(a).op(Op.i64_and).op(Op.i64_sub);
  }
}

/** d = n ± (the operand `pushB` pushes), with or without flags. */
function addSub(e: WasmEmitter, sf: number, sub: number, flags: number, d: number, n: number, pushB: () => void): boolean {
  const o = ops(sf);
  const f = e.f;
  if (!flags) {
    e.get(sf, n);
    pushB();
    f.op(sub ? o.sub : o.add);
    e.put(sf, d);
    return true;
  }
  const [a, b, r] = [tmp(e, sf), tmp(e, sf), tmp(e, sf)];
  e.get(sf, n);
  f.set(a);
  pushB();
  f.set(b);
  f.get(a)
    .get(b)
    .op(sub ? o.sub : o.add)
    .tee(r);
  e.put(sf, d);
  setFlags(e, (sub ? 1 : 3) + (sf ? 0 : 1), a, b, r, sf);
  return true;
}

/** A logical result (pushed by `push`) into d, setting N and Z when `flags` (ANDS, BICS). */
function logical(e: WasmEmitter, sf: number, flags: boolean, d: number, push: () => void): boolean {
  push();
  if (!flags) {
    e.put(sf, d);
    return true;
  }
  const r = tmp(e, sf);
  e.f.tee(r);
  e.put(sf, d);
  setFlags(e, sf ? 5 : 6, undefined, undefined, r, sf);
  return true;
}

/** Push a byte-reversed i32 of the i32 local `x`. */
function bswap32(e: WasmEmitter, x: number): void {
  const f = e.f;
  f.get(x)
    .i32(8)
    .op(Op.i32_rotr)
    .i32(0xff00ff00 | 0)
    .op(Op.i32_and);
  f.get(x).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and);
  f.op(Op.i32_or);
}

/** Push 64 bits of V[t] at byte `off` (0 or 8). */
function vGet(e: WasmEmitter, t: number, off: number): void {
  e.f.i32(0).mem(Op.i64_load, 3, vAt(t, off));
}

/** Write V[t]: the low 64 bits from the i64 local `lo`, the high 64 from `hi` (undefined: zero). */
function vSet(e: WasmEmitter, t: number, lo: number, hi: number | undefined): void {
  e.f.i32(0).get(lo).mem(Op.i64_store, 3, vAt(t));
  e.f.i32(0);
  if (hi === undefined) e.f.i64(0);
  else e.f.get(hi);
  e.f.mem(Op.i64_store, 3, vAt(t, 8));
}

/** The transfers `transfer` does inline: integer ones, and SIMD&FP ones of 4, 8 and 16 bytes. */
function inlineTransfer(kind: number, bytes: number): boolean {
  if (kind === K_STR_FP || kind === K_LDR_FP) return bytes >= 4;
  return kind <= K_PRFM;
}

/**
 * Load or store register t at the address in the i64 local `addr`. A store returns its status
 * local: the caller does the base writeback, then `storeDone`.
 */
function transfer(e: WasmEmitter, kind: number, bytes: number, t: number, addr: number): number | undefined {
  const f = e.f;
  if (kind === K_LDR_FP) {
    // Everything is read before the register is written: a fault leaves it as it was.
    const [lo, hi] = [e.tmp64(), e.tmp64()];
    if (bytes === 16) loadPairInto(e, addr, 8, lo, hi);
    else loadInto(e, addr, bytes, lo);
    vSet(e, t, lo, bytes === 16 ? hi : undefined);
    return undefined;
  }
  if (kind === K_STR_FP) {
    const [lo, hi] = [e.tmp64(), e.tmp64()];
    vGet(e, t, 0);
    f.set(lo);
    if (bytes === 16) {
      vGet(e, t, 8);
      f.set(hi);
      return storePair(e, addr, 8, lo, hi);
    }
    return store(e, addr, bytes, lo);
  }
  if (kind === K_STR) {
    const v = e.tmp64();
    e.getX(t);
    f.set(v);
    return store(e, addr, bytes, v);
  }
  const v = e.tmp64();
  loadInto(e, addr, bytes, v);
  f.get(v);
  if (kind === K_LDR) {
    e.setX(t);
    return undefined;
  }
  if (kind === K_LDRS64) {
    f.op(bytes === 1 ? Op.i64_extend8_s : bytes === 2 ? Op.i64_extend16_s : Op.i64_extend32_s);
    e.setX(t);
    return undefined;
  }
  // LDRSB/LDRSH to a W register (kind 3).
  f.op(Op.i32_wrap_i64).op(bytes === 1 ? Op.i32_extend8_s : Op.i32_extend16_s);
  e.setW(t);
  return undefined;
}

/**
 * LDP/STP of two Q registers (memcpy's and clang's 32-byte moves): a hit moves the four
 * doublewords inline, then the base writeback; a miss runs the instruction's handler.
 */
function ldstPairQ(e: WasmEmitter, a: Args): boolean {
  const f = e.f;
  e.fpReady();
  e.faultable();
  const addr = e.tmp64();
  e.getX(a.n);
  if (a.index !== 1 && a.offset !== 0) f.i64(a.offset).op(Op.i64_add);
  f.set(addr);
  const w = [e.tmp64(), e.tmp64(), e.tmp64(), e.tmp64()];
  quadAccess(
    e,
    addr,
    !a.load,
    (at) => {
      if (a.load) {
        // All four are read before either register is written.
        for (let k = 0; k < 4; k++)
          f.get(at)
            .mem(Op.i64_load, 3, RAM_START + 8 * k)
            .set(w[k]!);
        vSet(e, a.t, w[0]!, w[1]);
        vSet(e, a.t2, w[2]!, w[3]);
      } else {
        for (let k = 0; k < 4; k++) {
          vGet(e, k < 2 ? a.t : a.t2, 8 * (k & 1));
          f.set(w[k]!);
        }
        for (let k = 0; k < 4; k++)
          f.get(at)
            .get(w[k]!)
            .mem(Op.i64_store, 3, RAM_START + 8 * k);
      }
      if (a.index === 1) {
        e.getX(a.n);
        f.i64(a.offset).op(Op.i64_add);
        e.setX(a.n);
      } else if (a.index === 2) {
        f.get(addr);
        e.setX(a.n);
      }
    },
    () => e.fallback(),
  );
  return true;
}

/** LDR/STR (immediate), in the handler's order: the access, then the base writeback. */
function ldstImm(e: WasmEmitter, a: Args): boolean {
  if (!inlineTransfer(a.kind, a.bytes)) return false;
  if (a.kind === K_PRFM) return true;
  const f = e.f;
  if (a.kind >= K_STR_FP) e.fpReady();
  e.faultable();
  const addr = e.tmp64();
  e.getX(a.n);
  if (a.index !== 1 && a.offset !== 0) f.i64(a.offset).op(Op.i64_add);
  f.set(addr);
  // The post-index address is computed before the access, which may overwrite the base.
  let post = -1;
  if (a.index === 1) {
    post = e.tmp64();
    e.getX(a.n);
    f.i64(a.offset).op(Op.i64_add).set(post);
  }
  const status = transfer(e, a.kind, a.bytes, a.t, addr);
  if (a.index === 1) {
    f.get(post);
    e.setX(a.n);
  } else if (a.index === 2) {
    f.get(addr);
    e.setX(a.n);
  }
  if (status !== undefined) storeDone(e, status);
  return true;
}

function ldstReg(e: WasmEmitter, a: Args): boolean {
  if (!inlineTransfer(a.kind, a.bytes)) return false;
  if (a.kind === K_PRFM) return true;
  if (a.kind >= K_STR_FP) e.fpReady();
  e.faultable();
  const addr = e.tmp64();
  e.getX(a.n);
  extended(e, 1, a.m, a.option, a.shift);
  e.f.op(Op.i64_add).set(addr);
  const status = transfer(e, a.kind, a.bytes, a.t, addr);
  if (status !== undefined) storeDone(e, status);
  return true;
}

/** LDP/STP (and LDPSW) of general registers and of 4- and 8-byte SIMD&FP ones, with their pre/post-index forms. */
function ldstPair(e: WasmEmitter, a: Args): boolean {
  if (a.fp && a.bytes === 16) return ldstPairQ(e, a);
  const f = e.f;
  if (a.fp) e.fpReady();
  e.faultable();
  const addr = e.tmp64();
  e.getX(a.n);
  if (a.index !== 1 && a.offset !== 0) f.i64(a.offset).op(Op.i64_add);
  f.set(addr);
  let post = -1;
  if (a.index === 1) {
    post = e.tmp64();
    e.getX(a.n);
    f.i64(a.offset).op(Op.i64_add).set(post);
  }
  const [v1, v2] = [e.tmp64(), e.tmp64()];
  let status: number | undefined;
  if (a.load) {
    // Both are read before either register is written: a fault leaves them as they were.
    loadPairInto(e, addr, a.bytes, v1, v2);
    for (const [v, t] of [
      [v1, a.t],
      [v2, a.t2],
    ] as const) {
      if (a.fp) {
        vSet(e, t, v, undefined);
        continue;
      }
      f.get(v);
      if (a.signed) f.op(Op.i64_extend32_s);
      e.setX(t);
    }
  } else {
    if (a.fp) {
      vGet(e, a.t, 0);
      f.set(v1);
      vGet(e, a.t2, 0);
      f.set(v2);
    } else {
      e.getX(a.t);
      f.set(v1);
      e.getX(a.t2);
      f.set(v2);
    }
    status = storePair(e, addr, a.bytes, v1, v2);
  }
  if (a.index === 1) {
    f.get(post);
    e.setX(a.n);
  } else if (a.index === 2) {
    f.get(addr);
    e.setX(a.n);
  }
  if (status !== undefined) storeDone(e, status);
  return true;
}

/** CCMP/CCMN: if the condition holds, the flags of n − b (n + b); else the immediate NZCV. */
function condCompare(e: WasmEmitter, a: Args, pushB: () => void): boolean {
  const f = e.f;
  const c = e.tmp32();
  condition(e, a.cond);
  f.set(c);
  f.get(c).if_();
  addSub(e, a.sf, a.sub, 1, ZR_SINK, a.n, pushB);
  f.else_();
  f.i32(a.nzcv << 28).set(e.nzcv);
  f.i32(0).set(e.fk);
  f.end();
  // Which setter the locals hold depends on the branch taken.
  e.pending = undefined;
  return true;
}

export const WASM_ROWS: Record<string, WasmRow> = {
  // The Advanced SIMD integer rows (simd-rows.ts).
  ...SIMD_WASM_ROWS,
  ADD_i: (e, a) => addSub(e, a.sf, 0, 0, a.d, a.n, () => konst(e, a.sf, a.imm)),
  SUB_i: (e, a) => addSub(e, a.sf, 1, 0, a.d, a.n, () => konst(e, a.sf, a.imm)),
  ADDS_i: (e, a) => addSub(e, a.sf, 0, 1, a.d, a.n, () => konst(e, a.sf, a.imm)),
  SUBS_i: (e, a) => addSub(e, a.sf, 1, 1, a.d, a.n, () => konst(e, a.sf, a.imm)),
  ADDSUB_r: (e, a) => addSub(e, a.sf, a.sub, a.flags, a.d, a.n, () => shifted(e, a.sf, a.m, a.shift, a.amount)),
  ADDSUB_ext: (e, a) => addSub(e, a.sf, a.sub, a.flags, a.d, a.n, () => extended(e, a.sf, a.m, a.option, a.amount)),
  MOVZ(e, a) {
    konst(e, a.sf, a.lo, a.hi);
    e.put(a.sf, a.d);
    return true;
  },
  MOVN(e, a) {
    konst(e, a.sf, ~a.lo, ~a.hi);
    e.put(a.sf, a.d);
    return true;
  },
  MOVK(e, a) {
    const shift = a.hw * 16;
    const mask = ~(0xffffn << BigInt(shift));
    const v = BigInt(a.imm16) << BigInt(shift);
    if (a.sf) {
      e.getX(a.d);
      e.f.i64(mask).op(Op.i64_and).i64(v).op(Op.i64_or);
      e.setX(a.d);
    } else {
      e.getW(a.d);
      e.f
        .i32(Number(BigInt.asIntN(32, mask)))
        .op(Op.i32_and)
        .i32(Number(v))
        .op(Op.i32_or);
      e.setW(a.d);
    }
    return true;
  },
  AND_i: (e, a) => logical(e, a.sf, false, a.d, () => (e.get(a.sf, a.n), konst(e, a.sf, a.lo, a.hi), e.f.op(ops(a.sf).and))),
  ORR_i: (e, a) => logical(e, a.sf, false, a.d, () => (e.get(a.sf, a.n), konst(e, a.sf, a.lo, a.hi), e.f.op(ops(a.sf).or))),
  EOR_i: (e, a) => logical(e, a.sf, false, a.d, () => (e.get(a.sf, a.n), konst(e, a.sf, a.lo, a.hi), e.f.op(ops(a.sf).xor))),
  ANDS_i: (e, a) => logical(e, a.sf, true, a.d, () => (e.get(a.sf, a.n), konst(e, a.sf, a.lo, a.hi), e.f.op(ops(a.sf).and))),
  LOG_r(e, a) {
    const o = ops(a.sf);
    return logical(e, a.sf, a.op === 3, a.d, () => {
      e.get(a.sf, a.n);
      shifted(e, a.sf, a.m, a.shift, a.amount);
      if (a.invert) {
        konst(e, a.sf, -1, -1);
        e.f.op(o.xor);
      }
      e.f.op(a.op === 1 ? o.or : a.op === 2 ? o.xor : o.and);
    });
  },
  UBFM(e, a) {
    const o = ops(a.sf);
    e.get(a.sf, a.n);
    if (a.immr !== 0) {
      konst(e, a.sf, a.immr);
      e.f.op(o.rotr);
    }
    konst(e, a.sf, a.wlo & a.tlo, a.whi & a.thi);
    e.f.op(o.and);
    e.put(a.sf, a.d);
    return true;
  },
  SBFM(e, a) {
    const o = ops(a.sf);
    const f = e.f;
    const width = a.sf ? 64 : 32;
    // top: bit `imms` of the source replicated.
    e.get(a.sf, a.n);
    konst(e, a.sf, width - 1 - a.imms);
    f.op(o.shl);
    konst(e, a.sf, width - 1);
    f.op(o.shrS);
    konst(e, a.sf, ~a.tlo, ~a.thi);
    f.op(o.and);
    e.get(a.sf, a.n);
    if (a.immr !== 0) {
      konst(e, a.sf, a.immr);
      f.op(o.rotr);
    }
    konst(e, a.sf, a.wlo & a.tlo, a.whi & a.thi);
    f.op(o.and);
    f.op(o.or);
    e.put(a.sf, a.d);
    return true;
  },
  EXTR(e, a) {
    const o = ops(a.sf);
    const r = a.lsb;
    e.get(a.sf, a.m);
    if (r !== 0) {
      konst(e, a.sf, r);
      e.f.op(o.shrU);
      e.get(a.sf, a.n);
      konst(e, a.sf, (a.sf ? 64 : 32) - r);
      e.f.op(o.shl).op(o.or);
    }
    e.put(a.sf, a.d);
    return true;
  },
  CSEL(e, a) {
    const o = ops(a.sf);
    const f = e.f;
    const c = e.tmp32();
    condition(e, a.cond);
    f.set(c);
    e.get(a.sf, a.n);
    e.get(a.sf, a.m);
    if (a.kind === 1) {
      konst(e, a.sf, 1);
      f.op(o.add);
    } else if (a.kind === 2) {
      konst(e, a.sf, -1, -1);
      f.op(o.xor);
    } else if (a.kind === 3) {
      const m = tmp(e, a.sf);
      f.set(m);
      konst(e, a.sf, 0);
      f.get(m).op(o.sub);
    }
    f.get(c).op(Op.select);
    e.put(a.sf, a.d);
    return true;
  },
  CCMP_r: (e, a) => condCompare(e, a, () => e.get(a.sf, a.m)),
  CCMP_i: (e, a) => condCompare(e, a, () => konst(e, a.sf, a.imm)),
  DP1(e, a) {
    if (a.op !== 2 && a.op !== 3) return false;
    const f = e.f;
    const [lo, hi] = [e.tmp32(), e.tmp32()];
    e.getW(a.n);
    f.set(lo);
    if (!a.sf) {
      bswap32(e, lo);
      e.setW(a.d);
      return true;
    }
    e.getX(a.n);
    f.i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).set(hi);
    // REV: the words swap places; REV32: each stays.
    bswap32(e, a.op === 3 ? lo : hi);
    f.op(Op.i64_extend_i32_u).i64(32).op(Op.i64_shl);
    bswap32(e, a.op === 3 ? hi : lo);
    f.op(Op.i64_extend_i32_u).op(Op.i64_or);
    e.setX(a.d);
    return true;
  },
  CLZ_CLS(e, a) {
    if (a.op !== 4) return false;
    e.get(a.sf, a.n);
    e.f.op(a.sf ? Op.i64_clz : Op.i32_clz);
    e.put(a.sf, a.d);
    return true;
  },
  DP2(e, a) {
    const o = ops(a.sf);
    const f = e.f;
    if (a.op === 2 || a.op === 3) {
      // x / 0 = 0; INT_MIN / −1 = INT_MIN (WebAssembly would trap on both).
      const [n, m, q] = [tmp(e, a.sf), tmp(e, a.sf), tmp(e, a.sf)];
      e.get(a.sf, a.n);
      f.set(n);
      e.get(a.sf, a.m);
      f.tee(m);
      konst(e, a.sf, 0);
      f.set(q);
      f.op(o.eqz).op(Op.i32_eqz).if_();
      if (a.op === 3) {
        f.get(m);
        konst(e, a.sf, -1, -1);
        f.op(a.sf ? Op.i64_eq : Op.i32_eq).if_();
        konst(e, a.sf, 0);
        f.get(n).op(o.sub).set(q);
        f.else_();
        f.get(n)
          .get(m)
          .op(a.sf ? Op.i64_div_s : Op.i32_div_s)
          .set(q);
        f.end();
      } else
        f.get(n)
          .get(m)
          .op(a.sf ? Op.i64_div_u : Op.i32_div_u)
          .set(q);
      f.end();
      f.get(q);
      e.put(a.sf, a.d);
      return true;
    }
    if (a.op < 8 || a.op > 11) return false;
    // The amount is taken modulo the width, as WebAssembly's shifts do.
    e.get(a.sf, a.n);
    e.get(a.sf, a.m);
    f.op([o.shl, o.shrU, o.shrS, o.rotr][a.op - 8]!);
    e.put(a.sf, a.d);
    return true;
  },
  DP3(e, a) {
    const f = e.f;
    const sub = a.op & 1;
    if (!a.sf) {
      if (a.op > 1) return false;
      e.getW(a.a);
      e.getW(a.n);
      e.getW(a.m);
      f.op(Op.i32_mul).op(sub ? Op.i32_sub : Op.i32_add);
      e.setW(a.d);
      return true;
    }
    if (a.op === 4 || a.op === 12) {
      mulHigh(e, a.op === 4, a.n, a.m);
      e.setX(a.d);
      return true;
    }
    const widen = a.op === 2 || a.op === 3 ? Op.i64_extend_i32_s : a.op === 10 || a.op === 11 ? Op.i64_extend_i32_u : undefined;
    if (a.op > 1 && widen === undefined) return false;
    e.getX(a.a);
    if (widen === undefined) {
      e.getX(a.n);
      e.getX(a.m);
    } else {
      e.getW(a.n);
      f.op(widen);
      e.getW(a.m);
      f.op(widen);
    }
    f.op(Op.i64_mul).op(sub ? Op.i64_sub : Op.i64_add);
    e.setX(a.d);
    return true;
  },
  ADR(e, a) {
    e.f
      .get(e.base)
      .i64(e.index * 4 + a.offset)
      .op(Op.i64_add);
    e.setX(a.d);
    return true;
  },
  ADRP(e, a) {
    e.f.get(e.base).i64(a.offset).op(Op.i64_add);
    e.setX(a.d);
    return true;
  },
  // FMOV between a general register and a SIMD&FP one (its low 32 or 64 bits, or the top 64 of a V).
  FMOV_gen(e, a) {
    const f = e.f;
    e.fpReady();
    const off = a.top ? 8 : 0;
    const v = a.toFp ? a.d : a.n;
    if (!a.toFp) {
      f.i32(0).mem(a.sf ? Op.i64_load : Op.i64_load32_u, a.sf ? 3 : 2, vAt(v, off));
      e.setX(a.d);
      return true;
    }
    const x = e.tmp64();
    e.get(a.sf, a.n);
    if (!a.sf) f.op(Op.i64_extend_i32_u);
    f.set(x);
    if (a.top) f.i32(0).get(x).mem(Op.i64_store, 3, vAt(v, 8));
    else vSet(e, v, x, undefined);
    return true;
  },
  // NOP, YIELD, BTI…: nothing (WFI and WFE end the block and go to the handler).
  HINT: () => true,
  // One in-order core: DMB, DSB and ISB order nothing; CLREX goes to the handler.
  BARRIER: (_e, a) => a.op !== 2,
  LDST_ui: ldstImm,
  LDST_imm9: ldstImm,
  LDST_reg: ldstReg,
  LDSTP: ldstPair,
  ...WASM_FP_ROWS,
};
