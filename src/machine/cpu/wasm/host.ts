import type { Cpu, Handler } from '../cpu.js';
import { S_FPCR, S_FPSR, S_FPSTALE, S_NZCV, S_VAL } from './layout.js';
import { wasmTierStats } from './compile.js';

/**
 * The JavaScript side of compiled WebAssembly: memory accesses through the CPU's soft TLB
 * (memory-access.ts is the WebAssembly side) and calls of instruction handlers. A helper
 * never throws into WebAssembly: it keeps the error (a MemoryFault, a watchpoint hit) in the
 * context and returns status 2; the function then stores its state and leaves, and the
 * wrapper (compile.ts) throws the error to the run loop, as a JavaScript tier function does.
 */

/** An instruction the compiled function leaves to its handler. */
export interface HostHandler {
  fn: Handler;
  args: unknown;
  /** Its page index. */
  index: number;
  /** Whether the handler may read or write NZCV (then it is synced through S_NZCV). */
  flags: boolean;
}

/** What the helpers of one instance work on; the wrapper sets `base` before each call. */
export interface HostContext {
  cpu: Cpu;
  base: number;
  /**
   * The linear memory's header (layout.ts) as int32 words: the register file's home, which
   * the CPU's own views (`Cpu.R`, `Cpu.V8`…) share, so nothing is ever copied.
   */
  readonly m32: Int32Array<ArrayBuffer>;
  fault: unknown;
  handlers: HostHandler[];
}

export function hostContext(cpu: Cpu, handlers: HostHandler[]): HostContext {
  return { cpu, base: 0, m32: new Int32Array(cpu.linear.memory.buffer, 0, 1024), fault: undefined, handlers };
}

const V = S_VAL >> 2;

/** The import object's functions for one instance. */
export function hostImports(c: HostContext): Record<string, (...args: number[]) => number> {
  const { cpu, handlers, m32 } = c;
  return {
    ld(lo: number, hi: number, bytes: number): number {
      wasmTierStats.memoryMisses++;
      try {
        if (bytes === 8) {
          cpu.load64(lo, hi);
          m32[V] = cpu.l64lo;
          m32[V + 1] = cpu.l64hi;
          return 0;
        }
        const v = bytes === 4 ? cpu.load32(lo, hi) : bytes === 2 ? cpu.load16(lo, hi) : cpu.load8(lo, hi);
        m32[V] = v;
        m32[V + 1] = 0;
        return 0;
      } catch (err) {
        c.fault = err;
        return 2;
      }
    },
    st(lo: number, hi: number, bytes: number, vlo: number, vhi: number): number {
      wasmTierStats.memoryMisses++;
      try {
        if (bytes === 8) cpu.store64(lo, hi, vlo, vhi);
        else if (bytes === 4) cpu.store32(lo, hi, vlo);
        else if (bytes === 2) cpu.store16(lo, hi, vlo & 0xffff);
        else cpu.store8(lo, hi, vlo & 0xff);
        return cpu.codeChanged ? 1 : 0;
      } catch (err) {
        c.fault = err;
        return 2;
      }
    },
    ldPair(lo: number, hi: number, bytes: number): number {
      wasmTierStats.memoryMisses++;
      try {
        const lo2 = (lo + bytes) | 0;
        const hi2 = lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
        if (bytes === 8) {
          cpu.load64(lo, hi);
          const a = cpu.l64lo;
          const b = cpu.l64hi;
          cpu.load64(lo2, hi2);
          m32[V] = a;
          m32[V + 1] = b;
          m32[V + 2] = cpu.l64lo;
          m32[V + 3] = cpu.l64hi;
          return 0;
        }
        const a = cpu.load32(lo, hi);
        const b = cpu.load32(lo2, hi2);
        m32[V + 2] = b;
        m32[V] = a;
        m32[V + 1] = 0;
        m32[V + 3] = 0;
        return 0;
      } catch (err) {
        c.fault = err;
        return 2;
      }
    },
    stPair(lo: number, hi: number, bytes: number, alo: number, ahi: number, blo: number, bhi: number): number {
      wasmTierStats.memoryMisses++;
      try {
        // Both can be written, or neither is: probe the whole range first.
        cpu.probeWrite(lo, hi, 2 * bytes);
        const lo2 = (lo + bytes) | 0;
        const hi2 = lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
        if (bytes === 8) {
          cpu.store64(lo, hi, alo, ahi);
          cpu.store64(lo2, hi2, blo, bhi);
        } else {
          cpu.store32(lo, hi, alo);
          cpu.store32(lo2, hi2, blo);
        }
        return cpu.codeChanged ? 1 : 0;
      } catch (err) {
        c.fault = err;
        return 2;
      }
    },
    fpSwitch(): number {
      if (cpu.fpStale) {
        cpu.fpSwitch();
        m32[S_FPCR >> 2] = cpu.fpcr;
        m32[S_FPSR >> 2] = cpu.fpsr;
      }
      m32[S_FPSTALE >> 2] = 0;
      return 0;
    },
    handler(k: number): number {
      const h = handlers[k]!;
      // The compiled code stored the registers the handler's fields name just before the call
      // (their home is the memory both sides work on), and loads them again after it.
      if (h.flags) cpu.nzcv = m32[S_NZCV >> 2]!;
      // FPSR as compiled floating point left it (fp-rows.ts); any handler may read or replace it (MSR, a system call's context switch).
      cpu.fpsr = m32[S_FPSR >> 2]!;
      const next = c.base + (h.index + 1) * 4;
      cpu.nextPc = next;
      try {
        (h.fn as (cpu: Cpu, a: unknown) => void)(cpu, h.args);
      } catch (err) {
        c.fault = err;
        // The fault leaves with the registers of before the instruction (the function's locals).
        return 2;
      } finally {
        // FPCR and FPSR are CPU fields, not in the register file: back to the words compiled code reads.
        m32[S_FPCR >> 2] = cpu.fpcr;
        m32[S_FPSR >> 2] = cpu.fpsr;
      }
      m32[S_FPSTALE >> 2] = cpu.fpStale ? 1 : 0;
      if (h.flags) m32[S_NZCV >> 2] = cpu.nzcv;
      return cpu.codeChanged || cpu.nextPc !== next ? 1 : 0;
    },
  };
}
