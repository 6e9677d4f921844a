import { RAM_START, TLB_MASK, TLB_R_BASE, TLB_R_TAG, TLB_W_BASE, TLB_W_TAG } from '../../memory/linear-memory.js';
import { Op } from './encoder.js';
import { Exit, type WasmEmitter } from './emitter.js';
import { S_VAL, S_VAL2 } from './layout.js';

/**
 * Guest memory accesses of compiled WebAssembly: the one place that knows how a load or store
 * reaches guest RAM.
 *
 * Guest RAM and the soft TLB are in the module's memory (the machine's linear memory,
 * linear-memory.ts): each access probes the current TLB set inline (tag compare, page-crossing
 * check, then a load or store at RAM_START + the entry's RAM offset + the page offset). A miss
 * (or a page crossing, a device, a watched page, a page holding code) calls a host helper
 * (host.ts), which takes the CPU's own access: translation, fills, devices, watchpoints, faults.
 * Write entries are never filled for pages holding code, so only the miss path of a store can
 * end the run (`cpu.codeChanged`).
 *
 * Addresses are in i64 locals. A fault leaves through `exitFault` with the state before the
 * instruction (its caller has run `faultable()` before computing anything it writes).
 */

const LOAD = [0, Op.i64_load8_u, Op.i64_load16_u, 0, Op.i64_load32_u, 0, 0, 0, Op.i64_load];
const STORE = [0, Op.i64_store8, Op.i64_store16, 0, Op.i64_store32, 0, 0, 0, Op.i64_store];
const LOG2 = [0, 0, 1, 0, 2, 0, 0, 0, 3];

/**
 * The inline probe for `size` bytes at `addr` in the read (or write) half: leaves an `if` open
 * whose then-branch is the hit, with the byte address less RAM_START in the returned i32 local;
 * the caller emits the hit, `else_()`, the miss, `end()`.
 */
function probe(e: WasmEmitter, addr: number, size: number, write: boolean): number {
  const f = e.f;
  const vpn = e.tmp64();
  const ent = e.tmp32();
  const off = e.tmp32();
  const set = e.tlbSet;
  f.get(addr).i64(12).op(Op.i64_shr_s).set(vpn);
  f.get(vpn).op(Op.i32_wrap_i64).i32(TLB_MASK).op(Op.i32_and).set(ent);
  f.get(addr).op(Op.i32_wrap_i64).i32(4095).op(Op.i32_and).set(off);
  // tag == vpn && off <= 4096 - size (a single byte never crosses a page)
  f.get(set)
    .get(ent)
    .i32(3)
    .op(Op.i32_shl)
    .op(Op.i32_add)
    .mem(Op.f64_load, 3, write ? TLB_W_TAG : TLB_R_TAG);
  f.get(vpn).op(Op.f64_convert_i64_s).op(Op.f64_eq);
  if (size > 1)
    f.get(off)
      .i32(4096 - size)
      .op(Op.i32_le_u)
      .op(Op.i32_and);
  f.if_();
  // The byte address, less RAM_START (added in each access's memarg offset).
  f.get(set)
    .get(ent)
    .i32(2)
    .op(Op.i32_shl)
    .op(Op.i32_add)
    .mem(Op.i32_load, 2, write ? TLB_W_BASE : TLB_R_BASE)
    .get(off)
    .op(Op.i32_add)
    .set(off);
  return off;
}

/**
 * Four doublewords at `addr` (LDP/STP of two Q registers): on a hit, `hit(at)` emits the
 * accesses at RAM_START + `at` + 0…24; on a miss, `miss()` (the instruction's handler: it
 * does the whole instruction through the CPU's own accesses, so a fault or a store into a
 * page holding code behaves exactly as interpreted). No host helper moves 32 bytes at once.
 */
export function quadAccess(e: WasmEmitter, addr: number, write: boolean, hit: (at: number) => void, miss: () => void): void {
  const at = probe(e, addr, 32, write);
  hit(at);
  e.f.else_();
  miss();
  e.f.end();
}

/** Push lo (i32) and hi (i32) of the address in `addr`. */
function halves(e: WasmEmitter, addr: number): void {
  e.f.get(addr).op(Op.i32_wrap_i64);
  e.f.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
}

/** Load `bytes` (1, 2, 4, 8) at `addr` into the i64 local `dst`, zero-extended. */
export function loadInto(e: WasmEmitter, addr: number, bytes: number, dst: number): void {
  const f = e.f;
  const at = probe(e, addr, bytes, false);
  f.get(at).mem(LOAD[bytes]!, LOG2[bytes]!, RAM_START).set(dst);
  f.else_();
  halves(e, addr);
  f.i32(bytes).call(e.helpers.ld).if_();
  e.exitFault();
  f.end();
  f.i32(0).mem(Op.i64_load, 3, S_VAL).set(dst);
  f.end();
}

/** Load two values of `bytes` (4 or 8) at `addr` and `addr + bytes` into `dst1`, `dst2`. */
export function loadPairInto(e: WasmEmitter, addr: number, bytes: number, dst1: number, dst2: number): void {
  const f = e.f;
  const at = probe(e, addr, 2 * bytes, false);
  f.get(at).mem(LOAD[bytes]!, LOG2[bytes]!, RAM_START).set(dst1);
  f.get(at)
    .mem(LOAD[bytes]!, LOG2[bytes]!, RAM_START + bytes)
    .set(dst2);
  f.else_();
  halves(e, addr);
  f.i32(bytes).call(e.helpers.ldPair).if_();
  e.exitFault();
  f.end();
  f.i32(0).mem(Op.i64_load, 3, S_VAL).set(dst1);
  f.i32(0).mem(Op.i64_load, 3, S_VAL2).set(dst2);
  f.end();
}

/** Push lo and hi of the i64 local `v`. */
function valueHalves(e: WasmEmitter, v: number): void {
  e.f.get(v).op(Op.i32_wrap_i64);
  e.f.get(v).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
}

/**
 * Store the low `bytes` of the i64 local `v` at `addr`. A fault leaves at once; the returned
 * i32 local is 1 when the store went through the miss path and must end the run after this
 * instruction (it hit a page holding code, or a device write ended the run): the caller does
 * the instruction's base writeback, then `storeDone`.
 */
export function store(e: WasmEmitter, addr: number, bytes: number, v: number): number {
  const f = e.f;
  const status = e.tmp32();
  const at = probe(e, addr, bytes, true);
  f.get(at).get(v).mem(STORE[bytes]!, LOG2[bytes]!, RAM_START);
  f.i32(0).set(status);
  f.else_();
  halves(e, addr);
  f.i32(bytes);
  valueHalves(e, v);
  f.call(e.helpers.st).set(status);
  faultExit(e, status);
  f.end();
  return status;
}

/** Store `bytes` (4 or 8) of `v1` at `addr` and of `v2` after it: both or, on a fault, neither. As `store`. */
export function storePair(e: WasmEmitter, addr: number, bytes: number, v1: number, v2: number): number {
  const f = e.f;
  const status = e.tmp32();
  const at = probe(e, addr, 2 * bytes, true);
  f.get(at).get(v1).mem(STORE[bytes]!, LOG2[bytes]!, RAM_START);
  f.get(at)
    .get(v2)
    .mem(STORE[bytes]!, LOG2[bytes]!, RAM_START + bytes);
  f.i32(0).set(status);
  f.else_();
  halves(e, addr);
  f.i32(bytes);
  valueHalves(e, v1);
  valueHalves(e, v2);
  f.call(e.helpers.stPair).set(status);
  faultExit(e, status);
  f.end();
  return status;
}

function faultExit(e: WasmEmitter, status: number): void {
  e.f.get(status).i32(2).op(Op.i32_eq).if_();
  e.exitFault();
  e.f.end();
}

/** After a store and the instruction's base writeback: leave after the instruction when `store` said so. */
export function storeDone(e: WasmEmitter, status: number): void {
  e.f.get(status).if_();
  e.exit(Exit.Store, e.index * 4 + 4);
  e.f.end();
}
