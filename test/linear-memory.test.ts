import { describe, expect, it } from 'vitest';
import { Cpu } from '../src/machine/cpu/cpu.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { GenericTimer } from '../src/machine/devices/generic-timer.js';
import { Machine } from '../src/machine/machine.js';
import { FlatSpace, PERM_R, PERM_W, PERM_X } from '../src/machine/memory/flat-space.js';
import { CPU_STATE, CURRENT_SET, LinearMemory, MAX_RAM, RAM_START, TLB_EMPTY, TLB_F_BASE, TLB_F_TAG, TLB_MASK, TLB_R_BASE, TLB_R_TAG, TLB_SET_BYTES, TLB_SETS, TLB_SIZE, TLB_W_BASE, TLB_W_TAG } from '../src/machine/memory/linear-memory.js';
import { TableBuilder } from '../src/machine/mmu/table-builder.js';
import { asm, wordsToBytes } from './helpers/a64-asm.js';
import { CPU_MODES, cpuInMode } from './helpers/cpu-modes.js';

/** The TLB entry of the current ASID for `va`, read from the memory as compiled WebAssembly would. */
function entry(linear: LinearMemory, va: number): { r: number; rBase: number; w: number; wBase: number; f: number; fBase: number } {
  const all = new DataView(linear.memory.buffer);
  const set = all.getInt32(CURRENT_SET, true);
  const i = Math.floor(va / 4096) & TLB_MASK;
  return {
    r: all.getFloat64(set + TLB_R_TAG + 8 * i, true),
    rBase: all.getInt32(set + TLB_R_BASE + 4 * i, true),
    w: all.getFloat64(set + TLB_W_TAG + 8 * i, true),
    wBase: all.getInt32(set + TLB_W_BASE + 4 * i, true),
    f: all.getFloat64(set + TLB_F_TAG + 8 * i, true),
    fBase: all.getInt32(set + TLB_F_BASE + 4 * i, true),
  };
}

const ADD_X = (d: number, n: number, m: number): number => (0x8b000000 | (m << 16) | (n << 5) | d) >>> 0;
const LDR_X_REG = (t: number, n: number, m: number): number => (0xf8606800 | (m << 16) | (n << 5) | t) >>> 0; // ldr xt, [xn, xm]
const NE = 1;

describe('linear memory', () => {
  it('has its full size from the start, shared, and hands RAM out in order', () => {
    const m = new LinearMemory(8 * 1024 * 1024);
    expect(m.shared).toBe(true);
    expect(m.memory.buffer.byteLength).toBe(RAM_START + 8 * 1024 * 1024);
    const first = m.allocate(4096);
    expect(first).toBe(0);
    m.bytes[first] = 7;
    const big = m.allocate(3 * 1024 * 1024);
    expect(big).toBe(4096);
    m.view.setUint8(big + 3 * 1024 * 1024 - 1, 9); // the view covers all RAM, late pages too
    expect(m.bytes[big + 3 * 1024 * 1024 - 1]).toBe(9);
    expect(m.memory.buffer.byteLength).toBe(RAM_START + 8 * 1024 * 1024); // never grows
    expect(m.allocated).toBe(4096 + 3 * 1024 * 1024);
  });

  it('without shared memory, is an unshared memory of the same size that works the same', () => {
    const m = new LinearMemory(8 * 1024 * 1024, { shared: false });
    expect(m.shared).toBe(false);
    expect(m.memory.buffer.byteLength).toBe(RAM_START + 8 * 1024 * 1024);
    m.allocate(4096);
    const at = m.allocate(6 * 1024 * 1024);
    m.view.setUint32(at, 0xdeadbeef, true);
    expect(m.bytes[at]).toBe(0xef);
    expect(() => m.allocate(2 * 1024 * 1024)).toThrow(/out of memory/);
  });

  it('gives one register file per memory: a second CPU on it is refused', () => {
    const space = new FlatSpace(new LinearMemory(1024 * 1024));
    let cpu: Cpu | undefined;
    cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
    cpu.setX(3, 0x1234_5678_9abc_def0n);
    // The register file is in the memory's header (CPU_STATE), where compiled WebAssembly finds it.
    expect(new DataView(space.linear.memory.buffer).getBigUint64(CPU_STATE + 8 * 3, true)).toBe(0x1234_5678_9abc_def0n);
    expect(() => new Cpu(space, new GenericTimer(() => 0))).toThrow(/two CPUs on one linear memory/);
  });

  it('refuses more RAM than it was given, with a message', () => {
    const m = new LinearMemory(8192);
    m.allocate(8192);
    expect(() => m.allocate(4096)).toThrow(/out of memory: more than 0.0078125 MiB of RAM touched/);
    expect(() => new LinearMemory(MAX_RAM + 4096)).toThrow(/does not fit a linear memory/);
    expect(MAX_RAM).toBe(2 ** 31); // RAM offsets are i32
    expect(RAM_START).toBeGreaterThanOrEqual(4096 + TLB_SETS * TLB_SET_BYTES);
    expect(CPU_STATE).toBeGreaterThan(CURRENT_SET + 4); // the header word stays clear of compiled code's state
  });

  it('keeps an idle 2 GiB board small, touched chunks in touch order', () => {
    const mc = new Machine();
    const linear = mc.memory.linear;
    expect(linear.memory.buffer.byteLength).toBe(RAM_START + 2 ** 31); // address space: nothing is touched
    // Three chunks far apart in physical memory: three chunks of the memory, in touch order.
    mc.memory.write32(0xbfff_fffc, 0x1111_1111);
    mc.memory.write32(0x4000_0000, 0x2222_2222);
    mc.memory.write32(0x8000_0000, 0x3333_3333);
    expect(mc.memory.allocatedBytes).toBe(3 * 2 * 2 ** 20);
    expect(linear.allocated).toBe(3 * 2 * 2 ** 20);
    expect([mc.memory.read32(0xbfff_fffc), mc.memory.read32(0x4000_0000), mc.memory.read32(0x8000_0000)]).toEqual([0x1111_1111, 0x2222_2222, 0x3333_3333]);
    expect(linear.view.getUint32(2 * 2 ** 20 - 4, true)).toBe(0x1111_1111); // the first chunk touched is first
  });

  it('reaches chunks touched late through the same view as the first ones', () => {
    const mc = new Machine();
    const linear = mc.memory.linear;
    const chunks = 40;
    const first = mc.memory.page(0x4000_0000 / 4096)!;
    for (let k = 0; k < chunks; k++) mc.memory.write32(0x4000_0000 + k * 2 * 2 ** 20 + 4 * k, k + 1);
    const last = mc.memory.page((0x4000_0000 + (chunks - 1) * 2 * 2 ** 20) / 4096)!;
    expect(first.view).toBe(linear.view);
    expect(last.view).toBe(linear.view);
    expect(first.view.getUint32(first.base, true)).toBe(1);
    expect(Array.from({ length: chunks }, (_, k) => mc.memory.read32(0x4000_0000 + k * 2 * 2 ** 20 + 4 * k))).toEqual(Array.from({ length: chunks }, (_, k) => k + 1));
  });

  it('holds the TLB: a load, a store and a fetch enter the current set, devices and code pages stay out', () => {
    const mc = new Machine();
    const t = new TableBuilder(mc.memory);
    const CODE_VA = 0x1000;
    const DATA_VA = 0x20_0000;
    const UART_VA = 0x30_0000;
    // ldr w1, [x2]; str w1, [x2, #4]; ldr w3, [x4]; str w3, [x5]; svc #0
    const code = [0xb9400041, 0xb9000441, 0xb9400083, 0xb90000a3, asm.svc0];
    t.map(CODE_VA, 0x4000_0000, 4096, { write: true });
    code.forEach((w, i) => mc.memory.write32(0x4000_0000 + 4 * i, w));
    t.map(DATA_VA, 0x5000_0000, 4096);
    mc.memory.write32(0x5000_0000, 0xdead_beef);
    t.map(UART_VA, 0x0900_0000, 4096, { device: true, exec: false });
    mc.setAddressSpace(t.root, 1);
    const cpu = mc.cpu;
    cpu.blocksEnabled = false;
    cpu.pc = CODE_VA;
    cpu.setX(2, BigInt(DATA_VA));
    cpu.setX(4, BigInt(UART_VA + 0x18)); // UARTFR
    cpu.setX(5, BigInt(CODE_VA + 0x100)); // a store into the code page
    expect(cpu.run(100)).toBe(Stop.Svc);
    const linear = mc.memory.linear;
    const data = entry(linear, DATA_VA);
    expect(data.r).toBe(DATA_VA / 4096);
    expect(data.w).toBe(DATA_VA / 4096);
    expect(data.rBase).toBe(data.wBase);
    expect(linear.view.getUint32(data.rBase + 4, true)).toBe(0xdead_beef);
    expect(entry(linear, UART_VA)).toMatchObject({ r: TLB_EMPTY, w: TLB_EMPTY });
    const codeEntry = entry(linear, CODE_VA);
    expect(codeEntry).toMatchObject({ f: CODE_VA / 4096, w: TLB_EMPTY });
    expect(linear.view.getUint32(codeEntry.fBase, true)).toBe(code[0]);
    // Another ASID gets its own set; coming back finds the entries again.
    const before = linear.currentSetOffset;
    mc.setAddressSpace(t.root, 2);
    expect(linear.currentSetOffset).not.toBe(before);
    expect(entry(linear, DATA_VA).r).toBe(TLB_EMPTY);
    mc.setAddressSpace(t.root, 1);
    expect(linear.currentSetOffset).toBe(before);
    expect(entry(linear, DATA_VA).r).toBe(DATA_VA / 4096);
    expect(TLB_SIZE).toBe(TLB_MASK + 1);
  });

  it('gives the same results in every tier on shared and unshared memories, fresh pages touched inside compiled loops', () => {
    // For 3000 fresh pages: load the (zero) first word, store the counter at +8, load it back;
    // then sum the stored counters again from the start. Every fresh page is allocated in the
    // middle of a compiled loop.
    const CODE = 0x10000;
    const DATA = 0x100_0000;
    const N = 3000;
    const loop = [
      asm.movz(1, DATA >>> 16, 16),
      asm.movz(2, 0x1000),
      asm.movz(3, N),
      asm.movz(4, 0),
      // loop:
      asm.ldrX(5, 1, 0),
      ADD_X(4, 4, 5),
      asm.strX(3, 1, 8),
      asm.ldrX(6, 1, 8),
      ADD_X(4, 4, 6),
      ADD_X(1, 1, 2),
      asm.subsImm(3, 3, 1),
      asm.bcond(NE, -7),
      // again: sum the counters
      asm.movz(1, DATA >>> 16, 16),
      asm.movz(3, N),
      asm.movz(7, 8),
      LDR_X_REG(6, 1, 7),
      ADD_X(4, 4, 6),
      ADD_X(1, 1, 2),
      asm.subsImm(3, 3, 1),
      asm.bcond(NE, -4),
      asm.svc0,
    ];
    // Shared, and unshared (what a host without shared memory gets).
    const results = (['shared', 'unshared'] as const).flatMap((kind) =>
      CPU_MODES.map((mode) => {
        const space = new FlatSpace(new LinearMemory(16 * 1024 * 1024, { shared: kind === 'shared' }));
        space.map(CODE, 4096, PERM_R | PERM_X);
        space.write(CODE, wordsToBytes(loop));
        space.map(DATA, N * 4096, PERM_R | PERM_W);
        const cpu = cpuInMode(space, mode, CODE);
        const stop = cpu.run(1e7);
        expect(space.linear.shared).toBe(kind === 'shared');
        return { mode, stop, x4: cpu.getX(4), icount: cpu.icount, pc: cpu.pc, compiled: cpu.compiledIcount > 0 };
      }),
    );
    const expected = { stop: Stop.Svc, x4: BigInt(N * (N + 1)), icount: 4 + 8 * N + 3 + 5 * N + 1, pc: CODE + 4 * 21 };
    for (const r of results) expect(r).toEqual({ ...expected, mode: r.mode, compiled: r.mode !== 'off' });
  });

  it('a store that makes compiled code leave still writes its base register back (STR and STP, post- and pre-index)', () => {
    // Stores into the page holding the loop: each drops the page's code, and compiled code
    // leaves after the store; the instruction retires, writeback included.
    const CODE = 0x10000;
    const STR_W_POST = (t: number, n: number, imm: number): number => (0xb8000400 | ((imm & 0x1ff) << 12) | (n << 5) | t) >>> 0;
    const STP_X_PRE = (t1: number, t2: number, n: number, imm: number): number => (0xa9800000 | (((imm / 8) & 0x7f) << 15) | (t2 << 10) | (n << 5) | t1) >>> 0;
    const loop = [asm.movz(2, CODE >>> 16, 16), asm.addImm(2, 2, 0x800), asm.movz(3, 40), STR_W_POST(3, 2, 4), STP_X_PRE(3, 3, 2, 16), asm.subsImm(3, 3, 1), asm.bcond(NE, -3), asm.svc0];
    const results = (['off', 'eager', 'hot'] as const).map((mode) => {
      const space = new FlatSpace();
      space.map(CODE, 4096, PERM_R | PERM_W | PERM_X);
      space.write(CODE, wordsToBytes(loop));
      let cpu: Cpu | undefined;
      cpu = new Cpu(space, new GenericTimer(() => cpu?.icount ?? 0));
      if (mode === 'off') cpu.blocksEnabled = false;
      if (mode === 'eager') cpu.hotThreshold = 1;
      cpu.pc = CODE;
      const stop = cpu.run(1e6);
      return { stop, x2: cpu.getX(2), icount: cpu.icount, compiled: cpu.compiledIcount > 0 };
    });
    expect(results[0]).toEqual({ stop: Stop.Svc, x2: BigInt(CODE + 0x800 + 40 * 20), icount: 3 + 4 * 40 + 1, compiled: false });
    expect(results[1]).toEqual({ ...results[0], compiled: true });
    expect(results[2]).toEqual({ ...results[0], compiled: results[2]!.compiled }); // the page's code is dropped too often to get hot
  });
});
