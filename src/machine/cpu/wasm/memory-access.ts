import { Op } from './encoder.js';
import type { WasmEmitter } from './emitter.js';
import { S_VAL, S_VAL2 } from './layout.js';

/**
 * Guest memory accesses of compiled WebAssembly: the one place that knows how a load or store
 * reaches guest RAM.
 *
 * Today every access calls a host helper (compile.ts `hostHelpers`), which takes the CPU's
 * soft-TLB fast path or its slow path (misses, page crossings, devices, watchpoints, faults):
 * guest RAM is still in JavaScript ArrayBuffers. When RAM and the TLB move into the module's
 * `WebAssembly.Memory` (issue 21 item 5), each function here becomes an inline TLB probe
 * (tag compare, then an i64.load/store at the entry's RAM offset) with the helper call kept as
 * its slow path; nothing outside this file changes.
 *
 * Addresses are in i64 locals. A fault leaves through `exitFault` with the state before the
 * instruction (its caller has run `faultable()` before computing anything it writes).
 */

/** Push lo (i32) and hi (i32) of the address in `addr`. */
function halves(e: WasmEmitter, addr: number): void {
  e.f.get(addr).op(Op.i32_wrap_i64);
  e.f.get(addr).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
}

/** Load `bytes` (1, 2, 4, 8) at `addr` into the i64 local `dst`, zero-extended. */
export function loadInto(e: WasmEmitter, addr: number, bytes: number, dst: number): void {
  const f = e.f;
  const status = e.tmp32();
  halves(e, addr);
  f.i32(bytes).call(e.helpers.ld).tee(status).if_();
  e.exitFault();
  f.end();
  f.i32(0).mem(Op.i64_load, 3, S_VAL).set(dst);
}

/** Load two values of `bytes` (4 or 8) at `addr` and `addr + bytes` into `dst1`, `dst2`. */
export function loadPairInto(e: WasmEmitter, addr: number, bytes: number, dst1: number, dst2: number): void {
  const f = e.f;
  const status = e.tmp32();
  halves(e, addr);
  f.i32(bytes).call(e.helpers.ldPair).tee(status).if_();
  e.exitFault();
  f.end();
  f.i32(0).mem(Op.i64_load, 3, S_VAL).set(dst1);
  f.i32(0).mem(Op.i64_load, 3, S_VAL2).set(dst2);
}

/** Push lo and hi of the i64 local `v`. */
function valueHalves(e: WasmEmitter, v: number): void {
  e.f.get(v).op(Op.i32_wrap_i64);
  e.f.get(v).i64(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64);
}

/**
 * Store the low `bytes` of the i64 local `v` at `addr`. A store that hit a page holding code
 * (or a device write that ended the run) leaves after this instruction.
 */
export function store(e: WasmEmitter, addr: number, bytes: number, v: number): void {
  const status = e.tmp32();
  halves(e, addr);
  e.f.i32(bytes);
  valueHalves(e, v);
  e.f.call(e.helpers.st).set(status);
  e.checkStatus(status, 'store');
}

/** Store `bytes` (4 or 8) of `v1` at `addr` and of `v2` after it: both or, on a fault, neither. */
export function storePair(e: WasmEmitter, addr: number, bytes: number, v1: number, v2: number): void {
  const status = e.tmp32();
  halves(e, addr);
  e.f.i32(bytes);
  valueHalves(e, v1);
  valueHalves(e, v2);
  e.f.call(e.helpers.stPair).set(status);
  e.checkStatus(status, 'store');
}
