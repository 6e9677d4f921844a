import type { Emitter } from './emitter.js';
import type { RowEmitter } from './rows.js';

/**
 * Floating-point arithmetic in compiled code, on the common fast path: FPCR all zero (round
 * to nearest, no flush-to-zero, no default NaN) and results that are normal numbers (so no
 * overflow, underflow, invalid operation, division by zero or NaN can be involved). FPSR.IXC
 * is set from an error-free transformation while it is still clear (once set it is sticky,
 * and the test is skipped). JavaScript's + − × ÷ and
 * Math.sqrt are IEEE binary64 round-to-nearest, so on that path the result is exactly what
 * the ARM ARM gives; single precision rounds once more with Math.fround, which is exact for
 * these operations. Anything else calls the instruction's handler, which does the whole of
 * FPProcessException, NaN propagation and the rounding modes.
 *
 * Names: `F` (cpu.VF64: lane i of register r is F[2r + i]), `S` (cpu.VF32: S[4r + i]), `V`
 * (cpu.V32), `fma`/`FMA_IO` (a fused multiply-add on operands in FMA_IO[0..2]: its result
 * in FMA_IO[3], and whether it was exact, inexact, or beyond the fast path), `ixAdd`/`ixMul`/`ixDiv`/`ixSqrt` (exactness tests).
 */

const MIN_D = '2.2250738585072014e-308';
const MAX_D = '1.7976931348623157e308';
const MIN_S = '1.1754943508222875e-38';
const MAX_S = '3.4028234663852886e38';

interface Lane {
  code: string;
  r: string;
  /** Inexactness of the lane (runtime.ts ix*): 0, 1, or 2 for "ask the handler". */
  ix: string;
  /** When a zero result is exact (not an underflow), as JS; absent: never. */
  zero?: string;
}

/** Lane results, then the fast-path test, FPSR.IXC, and the write-back; else the handler. */
function lanes(e: Emitter, double: boolean, count: number, d: number, compute: (i: number) => Lane): string {
  const results = Array.from({ length: count }, (_, i) => compute(i));
  const arr = double ? 'F' : 'S';
  const per = double ? 2 : 4;
  let write = results.map((x, i) => `${arr}[${per * d + i}] = ${x.r};`).join(' ');
  // The rest of the register is zeroed (scalar forms, and 64-bit vectors).
  const wordsWritten = (count * (double ? 8 : 4)) / 4;
  for (let w = wordsWritten; w < 4; w++) write += ` V[${4 * d + w}] = 0;`;
  const [min, max] = double ? [MIN_D, MAX_D] : [MIN_S, MAX_S];
  // A normal number above the smallest normal (a result rounded up to it may have been tiny
  // before rounding, which raises Underflow); or a zero the operation gave exactly
  // (JavaScript's signed zeros follow IEEE 754 in round-to-nearest, as ARM's do).
  const normal = results.map(({ r, zero }) => `(${r} > ${min} ? ${r} <= ${max} : ${r} < -${min} ? ${r} >= -${max} : ${zero === undefined ? 'false' : `${r} === 0 && (${zero})`})`).join(' && ');
  const [ok, k] = [e.temp(), e.temp()];
  // IXC is sticky: once set, exactness no longer matters.
  const ix = `if (${ok} && (cpu.fpsr & 16) === 0) { const ${k} = ${results.map((x) => x.ix).join(' | ')}; if (${k} >= 2) ${ok} = false; else if (${k} === 1) cpu.fpsr |= 16; }`;
  return `{ ${results.map((x) => x.code).join(' ')} let ${ok} = ${normal} && cpu.fpcr === 0; ${ix} if (${ok}) { ${write} } else { ${e.fallback()} } }`;
}

/** The JS for a binary op (FP_2SRC opcode numbering: fmul, fdiv, fadd, fsub, …, fnmul), and its inexactness test. */
function binary(op: number, x: string, y: string, r: string, double: boolean): { v: string; ix: string; zero: string } | undefined {
  // Single precision rounds twice (in double, then to single): only the handler knows whether that was exact.
  const ix = (f: string): string => (double ? f : '2');
  switch (op) {
    case 0:
      return { v: `${x} * ${y}`, ix: ix(`ixMul(${x}, ${y}, ${r})`), zero: `${x} === 0 || ${y} === 0` };
    case 1:
      return { v: `${x} / ${y}`, ix: ix(`ixDiv(${x}, ${y}, ${r})`), zero: `${x} === 0` };
    case 2:
      return { v: `${x} + ${y}`, ix: ix(`ixAdd(${x}, ${y}, ${r})`), zero: `${x} === -${y}` };
    case 3:
      return { v: `${x} - ${y}`, ix: ix(`ixAdd(${x}, -${y}, ${r})`), zero: `${x} === ${y}` };
    case 8:
      return { v: `-(${x} * ${y})`, ix: ix(`ixMul(${x}, ${y}, -${r})`), zero: `${x} === 0 || ${y} === 0` };
    default:
      return undefined;
  }
}

export const FP_ROWS: Record<string, RowEmitter> = {
  SIMD_ELEM_FP(e, a) {
    // By element, double precision: FMUL, FMLA, FMLS (the element is read first: it may be a destination lane).
    if (!a.double || a.scalar || !['fmul', 'fmla', 'fmls'].includes(a.name)) return undefined;
    const el = e.temp();
    const body = lanes(e, true, 2, a.d, (i) => {
      const [x, r, k] = [e.temp(), e.temp(), e.temp()];
      if (a.name === 'fmul') return { code: `const ${x} = F[${2 * a.n + i}], ${r} = ${x} * ${el};`, r, ix: `ixMul(${x}, ${el}, ${r})`, zero: `${x} === 0 || ${el} === 0` };
      return { code: `FMA_IO[0] = ${a.name === 'fmls' ? '-' : ''}F[${2 * a.n + i}]; FMA_IO[1] = ${el}; FMA_IO[2] = F[${2 * a.d + i}]; const ${k} = fma(), ${r} = FMA_IO[3];`, r, ix: k, zero: 'true' };
    });
    return `{ const ${el} = F[${2 * a.m + a.index}]; ${body} }`;
  },
  FP_2SRC(e, a) {
    const double = a.ftype === 1;
    if (binary(a.op, 'x', 'y', 'r', double) === undefined) return undefined;
    return lanes(e, double, 1, a.d, () => {
      const [x, y, r] = [e.temp(), e.temp(), e.temp()];
      const get = (k: number): string => (double ? `F[${2 * k}]` : `S[${4 * k}]`);
      const { v, ix, zero } = binary(a.op, x, y, r, double)!;
      return { code: `const ${x} = ${get(a.n)}, ${y} = ${get(a.m)}, ${r} = ${double ? v : `Math.fround(${v})`};`, r, ix, zero };
    });
  },
  FP_3SRC(e, a) {
    if (a.ftype !== 1) return undefined;
    return lanes(e, true, 1, a.d, () => {
      const [r, k] = [e.temp(), e.temp()];
      return { code: `FMA_IO[0] = ${a.negProduct ? '-' : ''}F[${2 * a.n}]; FMA_IO[1] = F[${2 * a.m}]; FMA_IO[2] = ${a.negAddend ? '-' : ''}F[${2 * a.a}]; const ${k} = fma(), ${r} = FMA_IO[3];`, r, ix: k, zero: 'true' };
    });
  },
  SIMD_3SAME_FP(e, a) {
    const ops: Record<string, number> = { fmul: 0, fdiv: 1, fadd: 2, fsub: 3 };
    const fused = a.name === 'fmla' || a.name === 'fmls';
    if (!(a.name in ops) && !(fused && a.double)) return undefined;
    const count = a.double ? (a.q ? 2 : 1) : a.q ? 4 : 2;
    return lanes(e, a.double, count, a.d, (i) => {
      const [x, y, r] = [e.temp(), e.temp(), e.temp()];
      const get = (k: number): string => (a.double ? `F[${2 * k + i}]` : `S[${4 * k + i}]`);
      if (fused) {
        const k = e.temp();
        return { code: `FMA_IO[0] = ${a.name === 'fmls' ? '-' : ''}${get(a.n)}; FMA_IO[1] = ${get(a.m)}; FMA_IO[2] = ${get(a.d)}; const ${k} = fma(), ${r} = FMA_IO[3];`, r, ix: k, zero: 'true' };
      }
      const { v, ix, zero } = binary(ops[a.name]!, x, y, r, a.double)!;
      return { code: `const ${x} = ${get(a.n)}, ${y} = ${get(a.m)}, ${r} = ${a.double ? v : `Math.fround(${v})`};`, r, ix, zero };
    });
  },
};
