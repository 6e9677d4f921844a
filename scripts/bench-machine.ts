// The machine model's micro-benchmarks for `npm run bench`: the cost of a soft-TLB miss (a
// full three-level stage-2 walk) and of a device register access, each measured as the extra
// time over a loop of TLB-hitting loads that is otherwise identical.
import { performance } from 'node:perf_hooks';
import { TLB_MASK } from '../src/machine/cpu/cpu.js';
import { Stop } from '../src/machine/cpu/fault.js';
import { Machine } from '../src/machine/machine.js';
import { TableBuilder } from '../src/machine/mmu/table-builder.js';

const CODE_VA = 0x1000;
const CODE_PA = 0x4000_0000;
const DATA_VA = 0x1000_0000;
const UART_VA = 0x2000_0000;
const PAGES = 2 * (TLB_MASK + 1); // twice the TLB's entries, so a page stride misses every time

// outer: mov x0, x2; movz x4, #PAGES
// inner: ldr w1, [x0]; add x0, x0, x3; subs x4, x4, #1; b.ne inner
//        subs x5, x5, #1; b.ne outer; svc #0
const LOOP = [0xaa0203e0, (0xd2800004 | (PAGES << 5)) >>> 0, 0xb9400001, 0x8b030000, 0xf1000484, 0x54ffffa1, 0xf10004a5, 0x54ffff21, 0xd4000001];

function loadLoop(base: number, stride: number, outer: number): number {
  const m = new Machine();
  const t = new TableBuilder(m.memory);
  t.map(CODE_VA, CODE_PA, 4096, { write: false });
  LOOP.forEach((w, i) => m.memory.write32(CODE_PA + 4 * i, w));
  for (let p = 0; p < PAGES; p++) t.map(DATA_VA + p * 4096, 0x4100_0000 + p * 4096, 4096);
  t.map(UART_VA, 0x0900_0000, 4096, { device: true, exec: false });
  m.setAddressSpace(t.root, 1);
  m.cpu.pc = CODE_VA;
  m.cpu.setX(2, BigInt(base));
  m.cpu.setX(3, BigInt(stride));
  m.cpu.setX(5, BigInt(outer));
  const t0 = performance.now();
  const stop = m.cpu.run(Number.MAX_SAFE_INTEGER);
  const ms = performance.now() - t0;
  if (stop !== Stop.Svc) throw new Error(`the benchmark loop stopped with ${stop}`);
  return (ms * 1e6) / (outer * PAGES); // ns per iteration
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function machineModelSection(): Record<string, unknown> {
  const outer = Math.round(1_000_000 / PAGES); // about a million loads per run
  const runs = 7;
  const measure = (base: number, stride: number) => median(Array.from({ length: runs }, () => loadLoop(base, stride, outer)));
  measure(DATA_VA, 8); // warm up the compiler tiers
  const hit = measure(DATA_VA, 8);
  const miss = measure(DATA_VA, 4096);
  const device = measure(UART_VA + 0x18, 0); // UARTFR
  const r = (x: number) => Number(x.toFixed(1));
  return {
    nsPerLoopIterationTlbHit: r(hit),
    nsPerLoopIterationTlbMiss: r(miss),
    nsPerLoopIterationDeviceRead: r(device),
    tlbMissNs: r(miss - hit),
    deviceReadNs: r(device - hit),
    note: 'each loop iteration is LDR, ADD, SUBS, B.NE; the miss and device costs are the extra time over the TLB-hitting loop',
  };
}
