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
  FMOV_gen(e, a) {
    const b = 4 * (a.toFp ? a.d : a.n) + (a.top ? 2 : 0);
    if (!a.toFp) return e.set(a.d, `V[${b}] | 0`, a.sf ? `V[${b + 1}] | 0` : '0');
    const lo = e.lo(a.n);
    const hi = a.sf ? e.hi(a.n) : '0';
    if (a.top) return `V[${b}] = ${lo}; V[${b + 1}] = ${hi};`;
    return `V[${b}] = ${lo}; V[${b + 1}] = ${hi}; V[${b + 2}] = 0; V[${b + 3}] = 0;`;
  },
  FP_1SRC(e, a) {
    if (a.op > 2) return undefined;
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
      return `${x.code} ${y.code} ${d.code} ${writeWords(a.d, x.w.map((xi, i) => f(xi, y.w[i]!, d.w[i] ?? '')))}`;
    }
    if (a.op === 16 && a.esize === 32) {
      const x = readWords(e, a.n, count);
      const y = readWords(e, a.m, count);
      return `${x.code} ${y.code} ${writeWords(a.d, x.w.map((xi, i) => `(${xi} ${a.u ? '-' : '+'} ${y.w[i]}) | 0`))}`;
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

