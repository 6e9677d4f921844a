import type { Emitter } from './emitter.js';
import type { RowEmitter } from './rows.js';

/**
 * JavaScript for the SIMD&FP register moves and the whole-word vector operations compilers
 * use as spare registers and for bit twiddling (FMOV, vector logic, 32-bit lane add/sub and
 * shifts). `V` is cpu.V32: register r is words 4r…4r+3. Every source word is read before
 * the destination is written, since it may be a source too. 64-bit (Q = 0) forms zero the
 * upper half, as the handlers do.
 */

/** Write `words` (expressions over temps) to register d, zeroing the words above `count`. */
function writeWords(d: number, words: string[], total = 4): string {
  let out = '';
  for (let i = 0; i < total; i++) out += `V[${4 * d + i}] = ${i < words.length ? words[i] : '0'}; `;
  return out;
}

/** Read the first `count` words of register r into temps. */
function readWords(e: Emitter, r: number, count: number): { code: string; w: string[] } {
  const w = Array.from({ length: count }, () => e.temp());
  return { code: `const ${w.map((t, i) => `${t} = V[${4 * r + i}]`).join(', ')};`, w };
}

const LOGIC = [
  (x: string, y: string): string => `${x} & ${y}`,
  (x: string, y: string): string => `${x} & ~${y}`,
  (x: string, y: string): string => `${x} | ${y}`,
  (x: string, y: string): string => `${x} | ~${y}`,
  (x: string, y: string): string => `${x} ^ ${y}`,
  (x: string, y: string, d: string): string => `(${d} & ${x}) | (~${d} & ${y})`,
  (x: string, y: string, d: string): string => `(${x} & ${y}) | (${d} & ~${y})`,
  (x: string, y: string, d: string): string => `(${d} & ${y}) | (${x} & ~${y})`,
];

export const SIMD_ROWS: Record<string, RowEmitter> = {
  SIMDS_DUP(e, a) {
    // MOV Dd/Sd, Vn.T[index]
    if (a.esize === 64) {
      const src = readWords(e, a.n, 4);
      return `${src.code} ${writeWords(a.d, [src.w[2 * a.index]!, src.w[2 * a.index + 1]!])}`;
    }
    if (a.esize === 32) {
      const src = readWords(e, a.n, 4);
      return `${src.code} ${writeWords(a.d, [src.w[a.index]!])}`;
    }
    return undefined;
  },
  SIMD_COPY(e, a) {
    const count = a.q ? 4 : 2;
    if (a.esize !== 64 && a.esize !== 32) return undefined;
    const wide = a.esize === 64;
    if (a.op === 1) {
      // INS (element): one lane.
      const src = readWords(e, a.n, 4);
      const w = wide ? [2 * a.index2, 2 * a.index2 + 1] : [a.index2];
      const to = wide ? [2 * a.index, 2 * a.index + 1] : [a.index];
      return `${src.code} ${to.map((t, k) => `V[${4 * a.d + t}] = ${src.w[w[k]!]};`).join(' ')}`;
    }
    switch (a.imm4) {
      case 0:
      case 1: {
        // DUP (element), DUP (general)
        let code: string;
        let lane: string[];
        if (a.imm4 === 0) {
          const src = readWords(e, a.n, 4);
          code = src.code;
          lane = wide ? [src.w[2 * a.index]!, src.w[2 * a.index + 1]!] : [src.w[a.index]!];
        } else {
          const [x, y] = [e.temp(), e.temp()];
          code = `const ${x} = ${e.lo(a.n)}, ${y} = ${e.hi(a.n)};`;
          lane = wide ? [x, y] : [x];
        }
        const words = Array.from({ length: count }, (_, i) => lane[i % lane.length]!);
        return `${code} ${writeWords(a.d, words)}`;
      }
      case 3:
        // INS (general)
        return wide ? `V[${4 * a.d + 2 * a.index}] = ${e.lo(a.n)}; V[${4 * a.d + 2 * a.index + 1}] = ${e.hi(a.n)};` : `V[${4 * a.d + a.index}] = ${e.lo(a.n)};`;
      case 7:
        // UMOV (MOV Wd/Xd, Vn.T[index])
        return wide ? e.set(a.d, `V[${4 * a.n + 2 * a.index}] | 0`, `V[${4 * a.n + 2 * a.index + 1}] | 0`) : e.set(a.d, `V[${4 * a.n + a.index}] | 0`, '0');
      default:
        return undefined;
    }
  },
  FMOV_gen(e, a) {
    const b = 4 * (a.toFp ? a.d : a.n) + (a.top ? 2 : 0);
    if (!a.toFp) return e.set(a.d, `V[${b}] | 0`, a.sf ? `V[${b + 1}] | 0` : '0');
    const lo = e.lo(a.n);
    const hi = a.sf ? e.hi(a.n) : '0';
    if (a.top) return `V[${b}] = ${lo}; V[${b + 1}] = ${hi};`;
    return `V[${b}] = ${lo}; V[${b + 1}] = ${hi}; V[${b + 2}] = 0; V[${b + 3}] = 0;`;
  },
  FP_1SRC(e, a) {
    if (a.op === 3) {
      // FSQRT of a positive number: never over- or underflows; the fast path of fp-rows.ts.
      const double = a.ftype === 1;
      const [x, r] = [e.temp(), e.temp()];
      const read = double ? `F[${2 * a.n}]` : `S[${4 * a.n}]`;
      const write = double ? `F[${2 * a.d}] = ${r}; V[${4 * a.d + 2}] = 0; V[${4 * a.d + 3}] = 0;` : `S[${4 * a.d}] = ${r}; V[${4 * a.d + 1}] = 0; V[${4 * a.d + 2}] = 0; V[${4 * a.d + 3}] = 0;`;
      const root = double ? `Math.sqrt(${x})` : `Math.fround(Math.sqrt(${x}))`;
      const [ok, k] = [e.temp(), e.temp()];
      const ix = double ? `ixSqrt(${x}, ${r})` : '2';
      return `{ const ${x} = ${read}, ${r} = ${root}; let ${ok} = ${x} > 0 && ${x} < Infinity && cpu.fpcr === 0; if (${ok} && (cpu.fpsr & 16) === 0) { const ${k} = ${ix}; if (${k} >= 2) ${ok} = false; else if (${k} === 1) cpu.fpsr |= 16; } if (${ok}) { ${write} } else { ${e.fallback()} } }`;
    }
    const double = a.ftype === 1;
    const src = readWords(e, a.n, double ? 2 : 1);
    const top = double ? 1 : 0;
    const w = src.w.slice();
    if (a.op === 1) w[top] = `${w[top]} & 2147483647`;
    if (a.op === 2) w[top] = `${w[top]} ^ -2147483648`;
    return `${src.code} ${writeWords(a.d, w)}`;
  },
  SIMD_3SAME(e, a) {
    const count = a.q ? 4 : 2;
    if (a.op === 3) {
      const x = readWords(e, a.n, count);
      const y = readWords(e, a.m, count);
      const needsD = a.u === 1 && a.size !== 0;
      const d = needsD ? readWords(e, a.d, count) : { code: '', w: [] as string[] };
      const f = LOGIC[(a.u << 2) | a.size]!;
      return `${x.code} ${y.code} ${d.code} ${writeWords(
        a.d,
        x.w.map((xi, i) => f(xi, y.w[i]!, d.w[i] ?? '')),
      )}`;
    }
    if (a.op === 16 && a.esize === 32) {
      const x = readWords(e, a.n, count);
      const y = readWords(e, a.m, count);
      return `${x.code} ${y.code} ${writeWords(
        a.d,
        x.w.map((xi, i) => `(${xi} ${a.u ? '-' : '+'} ${y.w[i]}) | 0`),
      )}`;
    }
    return undefined;
  },
  SIMD_SHIFT(e, a) {
    if (a.esize !== 32) return undefined;
    const s = a.shift;
    let f: (x: string) => string;
    if (a.op === 0) f = s === 32 ? (x) => (a.u ? '0' : `${x} >> 31`) : (x) => (a.u ? `${x} >>> ${s}` : `${x} >> ${s}`);
    else if (a.op === 10 && a.u === 0) f = (x) => `${x} << ${s}`;
    else return undefined;
    const x = readWords(e, a.n, a.q ? 4 : 2);
    return `${x.code} ${writeWords(a.d, x.w.map(f))}`;
  },
};
