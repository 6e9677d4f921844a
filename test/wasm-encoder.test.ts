import { describe, expect, it } from 'vitest';
import { Bytes, F64, I32, I64, ModuleBuilder, Op, SimdLanes, SimdOp, V128 } from '../src/machine/cpu/wasm/encoder.js';

/**
 * The WebAssembly binary encoder of the CPU's WebAssembly tier: LEB128 as the core
 * specification gives it, and modules that V8 accepts and that compute what they should.
 */

function hex(fill: (b: Bytes) => void): string {
  const b = new Bytes();
  fill(b);
  return Buffer.from(b.view()).toString('hex');
}

describe('the WebAssembly encoder', () => {
  it('writes LEB128 as the specification does', () => {
    // The examples of the LEB128 article the specification cites, and the edges.
    expect(hex((b) => b.u32(624485))).toBe('e58e26');
    expect(hex((b) => b.u32(0))).toBe('00');
    expect(hex((b) => b.u32(127))).toBe('7f');
    expect(hex((b) => b.u32(128))).toBe('8001');
    expect(hex((b) => b.u32(0xffffffff))).toBe('ffffffff0f');
    expect(hex((b) => b.s32(-123456))).toBe('c0bb78');
    expect(hex((b) => b.s32(-1))).toBe('7f');
    expect(hex((b) => b.s32(63))).toBe('3f');
    expect(hex((b) => b.s32(64))).toBe('c000');
    expect(hex((b) => b.s32(-64))).toBe('40');
    expect(hex((b) => b.s32(-65))).toBe('bf7f');
    expect(hex((b) => b.s32(0x7fffffff))).toBe('ffffffff07');
    expect(hex((b) => b.s32(-0x80000000))).toBe('8080808078');
    expect(hex((b) => b.s64(-1n))).toBe('7f');
    expect(hex((b) => b.s64(0x7fffffffffffffffn))).toBe('ffffffffffffffffff00');
    expect(hex((b) => b.s64(-0x8000000000000000n))).toBe('8080808080808080807f');
    // Taken modulo 2^64, as i64.const does.
    expect(hex((b) => b.s64(0xffffffffffffffffn))).toBe('7f');
  });

  it('builds a module with imported functions and memory, loops, br_if and br_table that computes', () => {
    const m = new ModuleBuilder();
    const log: number[] = [];
    const note = m.importFunc('env', 'note', [I32], [I32]);
    m.importMemory('env', 'mem', 1);
    // sum(n): 1 + 2 + … + n in i64, noting each step through the import; stored at byte 8.
    const sum = m.func([I32], [I64]);
    const f = sum.body;
    const acc = f.local(I64);
    const i = f.local(I32);
    const done = f.block();
    const loop = f.loop();
    f.get(i).get(0).op(Op.i32_ge_s).brIf(done);
    f.get(i).i32(1).op(Op.i32_add).tee(i).call(note).op(Op.drop);
    f.get(acc).get(i).op(Op.i64_extend_i32_u).op(Op.i64_add).set(acc);
    f.br(loop);
    f.end();
    f.end();
    f.i32(0).get(acc).mem(Op.i64_store, 3, 8);
    f.get(acc);
    m.exportFunc('sum', sum.index);
    // pick(k): a switch through br_table; 0 → 10, 1 → 20, anything else → 99.
    const pick = m.func([I32], [I32]);
    const g = pick.body;
    const out = g.block();
    const b1 = g.block();
    const b0 = g.block();
    const other = g.block();
    g.get(0).brTable([b0, b1], other);
    g.end();
    g.i32(99).op(Op.return);
    g.end();
    g.i32(10).op(Op.return);
    g.end();
    g.i32(20).op(Op.return);
    g.end();
    void out;
    g.i32(-1);
    m.exportFunc('pick', pick.index);
    // big(): an i64 constant beyond 32 bits and an f64 constant, through f64 → i64.
    const big = m.func([], [I64]);
    big.body.i64(0x123456789abcdefn).f64(2.5).op(Op.i64_trunc_f64_u).op(Op.i64_add);
    m.exportFunc('big', big.index);
    void F64;

    const bytes = m.encode();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { note: (x: number) => (log.push(x), 0), mem: memory } });
    const ex = instance.exports as { sum: (n: number) => bigint; pick: (k: number) => number; big: () => bigint };
    expect(ex.sum(100)).toBe(5050n);
    expect(log.length).toBe(100);
    expect(new BigUint64Array(memory.buffer, 8, 1)[0]).toBe(5050n);
    expect([0, 1, 2, -1].map(ex.pick)).toEqual([10, 20, 99, 99]);
    expect(ex.big()).toBe(0x123456789abcdefn + 2n);
  });

  it('refuses a branch to a label that is not open and a body with an open block', () => {
    const m = new ModuleBuilder();
    const { body } = m.func([], []);
    const b = body.block();
    body.end();
    expect(() => body.br(b)).toThrow(/not open/);
    body.block();
    expect(() => m.encode()).toThrow(/still open/);
  });

  it('encodes the vector instructions (0xfd prefix, LEB128 opcodes, memargs, v128.const, shuffle lanes) as V8 takes and computes them', () => {
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', 1);
    // One function per lane operation of the table, with the operands its type wants: V8
    // validates each opcode against its signature (a number off by one in the table is
    // another instruction, of another type, or none).
    const unary = /^(abs|neg|extend_)/;
    const shift = /^sh[lr]/;
    for (const [family, ops] of Object.entries(SimdLanes)) {
      for (const op of ops) {
        if (op === undefined) continue;
        const { body } = m.func([V128, V128], [V128]);
        body.get(0);
        if (shift.test(family)) body.i32(3);
        else if (!unary.test(family)) body.get(1);
        body.simd(op);
      }
    }
    // mix(): loads, splats, logic, shuffle, swizzle and popcnt on known bytes at 0…31, the result at 32.
    const mix = m.func([], []);
    const f = mix.body;
    const t = f.local(V128);
    f.i32(0).simdMem(SimdOp.v128_load, 4, 0).set(t);
    f.i32(0);
    f.get(t).i32(0).simdMem(SimdOp.v128_load, 4, 16);
    // Bytes 4…19 of the 32-byte pair: EXT #4.
    f.shuffle(Array.from({ length: 16 }, (_, i) => i + 4));
    f.i32(0).simdMem(SimdOp.v128_load8_splat, 0, 1).simd(SimdOp.v128_xor);
    f.v128([...Array(8).fill(0xff), ...Array(8).fill(0)]).simd(SimdOp.v128_and);
    f.simdMem(SimdOp.v128_store, 4, 32);
    f.i32(0).i32(0x01020304).simd(SimdOp.i32x4_splat).get(t).simd(SimdOp.i8x16_swizzle).simd(SimdOp.i8x16_popcnt).simdMem(SimdOp.v128_store, 4, 48);
    f.i32(0).get(t).get(t).i32(0).simdMem(SimdOp.v128_load64_splat, 3, 8).simd(SimdOp.v128_bitselect).simd(SimdOp.v128_not).simdMem(SimdOp.v128_store, 4, 64);
    m.exportFunc('mix', mix.index);
    const bytes = m.encode();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const mem = new Uint8Array(memory.buffer);
    for (let i = 0; i < 32; i++) mem[i] = i * 17 + 3;
    (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } }).exports as { mix: () => void }).mix();
    const expected = Array.from({ length: 16 }, (_, i) => (i < 8 ? (((i + 4) * 17 + 3) & 0xff) ^ (1 * 17 + 3) : 0));
    expect(Array.from(mem.subarray(32, 48))).toEqual(expected);
    // swizzle of the word 0x01020304 by bytes 0…15 (indices ≥ 16 give 0), then each byte's bit count.
    const word = [4, 3, 2, 1];
    const pop = (b: number): number => b.toString(2).replace(/0/g, '').length;
    expect(Array.from(mem.subarray(48, 64))).toEqual(Array.from({ length: 16 }, (_, i) => pop(mem[i]! < 16 ? word[mem[i]! % 4]! : 0)));
    // bitselect(t, t, c) is t; then NOT.
    expect(Array.from(mem.subarray(64, 80))).toEqual(Array.from({ length: 16 }, (_, i) => ~mem[i]! & 0xff));
    expect(() => f.v128([1, 2, 3])).toThrow(/16 bytes/);
    expect(() => f.shuffle([1])).toThrow(/16 lane/);
  });
});
