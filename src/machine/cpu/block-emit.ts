/**
 * Inline JavaScript for the commonest instructions in compiled blocks: register numbers,
 * immediates and branch targets become constants, and the register file is used directly
 * (`R`, an Int32Array of 32-bit halves). An emitter returns undefined for the forms it does
 * not specialise; the block then calls the instruction's handler instead.
 *
 * Every emitter must do exactly what the handler does; the differential fuzz runs blocks in
 * this tier against QEMU to check it.
 *
 * Names available to the generated code: `cpu`, `R` (cpu.R), `pc` (the block's first PC),
 * `awc64`/`awc32` (AddWithCarry), `F` and `T` (their results).
 */

// The argument records of the rows emitted here (see insns/*.ts for their meaning).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = any;

export type Emitter = (a: Args, next: number) => string | undefined;

const flags = 'cpu.n = F.n; cpu.z = F.z; cpu.c = F.c; cpu.v = F.v;';

/** The condition test of B.cond / CSEL as a JS expression. */
export function conditionExpr(cond: number): string {
  const base = [
    'cpu.z === 1',
    'cpu.c === 1',
    'cpu.n === 1',
    'cpu.v === 1',
    '(cpu.c === 1 && cpu.z === 0)',
    'cpu.n === cpu.v',
    '(cpu.n === cpu.v && cpu.z === 0)',
    'true',
  ][cond >> 1]!;
  return (cond & 1) === 1 && cond !== 15 ? `!(${base})` : base;
}

function addImm(a: Args, sub: boolean): string | undefined {
  const d = 2 * a.d;
  const n = 2 * a.n;
  if (!a.sf) return `R[${d}] = (R[${n}] ${sub ? '-' : '+'} ${a.imm}) | 0; R[${d + 1}] = 0;`;
  if (sub) return `{ const l = (R[${n}] >>> 0) - ${a.imm}; R[${d + 1}] = (R[${n + 1}] - (l < 0 ? 1 : 0)) | 0; R[${d}] = l | 0; }`;
  return `{ const l = (R[${n}] >>> 0) + ${a.imm}; R[${d + 1}] = (R[${n + 1}] + (l > 4294967295 ? 1 : 0)) | 0; R[${d}] = l | 0; }`;
}

function addImmFlags(a: Args, sub: boolean): string {
  const n = 2 * a.n;
  const b = sub ? ~a.imm : a.imm;
  const call = a.sf ? `awc64(R[${n}], R[${n + 1}], ${b}, ${sub ? -1 : 0}, ${sub ? 1 : 0});` : `awc32(R[${n}], ${b}, ${sub ? 1 : 0});`;
  return `${call} R[${2 * a.d}] = T.lo; R[${2 * a.d + 1}] = T.hi; ${flags}`;
}

/**
 * JS computing a shifted 64-bit operand of register slot m into `bl`/`bh` (or a 32-bit one
 * into `bl`), for a constant shift type and amount.
 */
function shifted(m: number, type: number, amount: number, sf: number): string {
  const lo = `R[${2 * m}]`;
  const hi = `R[${2 * m + 1}]`;
  if (!sf) {
    if (amount === 0) return `const bl = ${lo};`;
    const x = ['<<', '>>>', '>>'][type];
    if (type === 3) return `const bl = (${lo} >>> ${amount}) | (${lo} << ${32 - amount});`;
    return `const bl = (${lo} ${x} ${amount}) | 0;`;
  }
  if (amount === 0) return `const bl = ${lo}, bh = ${hi};`;
  const a = amount;
  switch (type) {
    case 0:
      return a < 32 ? `const bl = ${lo} << ${a}, bh = (${hi} << ${a}) | (${lo} >>> ${32 - a});` : `const bl = 0, bh = ${lo} << ${a - 32};`;
    case 1:
      return a < 32 ? `const bl = (${lo} >>> ${a}) | (${hi} << ${32 - a}), bh = (${hi} >>> ${a}) | 0;` : `const bl = (${hi} >>> ${a - 32}) | 0, bh = 0;`;
    case 2:
      return a < 32 ? `const bl = (${lo} >>> ${a}) | (${hi} << ${32 - a}), bh = ${hi} >> ${a};` : `const bl = ${hi} >> ${a - 32}, bh = ${hi} >> 31;`;
    default:
      if (a === 32) return `const bl = ${hi}, bh = ${lo};`;
      return a < 32
        ? `const bl = (${lo} >>> ${a}) | (${hi} << ${32 - a}), bh = (${hi} >>> ${a}) | (${lo} << ${32 - a});`
        : `const bl = (${hi} >>> ${a - 32}) | (${lo} << ${64 - a}), bh = (${lo} >>> ${a - 32}) | (${hi} << ${64 - a});`;
  }
}

/** The effective address of base slot n plus a constant offset, into `al`/`ah`. */
function address(n: number, offset: number): string {
  if (offset === 0) return `const al = R[${2 * n}], ah = R[${2 * n + 1}];`;
  const carry = offset > 0 ? '(s > 4294967295 ? 1 : 0)' : '(s < 0 ? -1 : 0)';
  return `const s = (R[${2 * n}] >>> 0) + ${offset}, al = s | 0, ah = (R[${2 * n + 1}] + ${carry}) | 0;`;
}

// Transfer kinds of insns/ldst.ts
const K_STR = 0;
const K_LDR = 1;
const K_LDRS64 = 2;
const K_LDRS32 = 3;

function transfer(kind: number, bytes: number, t: number): string | undefined {
  const lo = `R[${2 * t}]`;
  const hi = `R[${2 * t + 1}]`;
  switch (kind) {
    case K_LDR:
      if (bytes === 8) return `cpu.load64(al, ah); ${lo} = cpu.l64lo; ${hi} = cpu.l64hi;`;
      return `${lo} = cpu.load${bytes * 8}(al, ah); ${hi} = 0;`;
    case K_STR:
      if (bytes === 8) return `cpu.store64(al, ah, ${lo}, ${hi});`;
      if (bytes === 4) return `cpu.store32(al, ah, ${lo});`;
      return `cpu.store${bytes * 8}(al, ah, ${lo} & ${bytes === 1 ? 0xff : 0xffff});`;
    case K_LDRS64:
    case K_LDRS32: {
      const load = bytes === 4 ? 'cpu.load32(al, ah)' : bytes === 1 ? '(cpu.load8(al, ah) << 24) >> 24' : '(cpu.load16(al, ah) << 16) >> 16';
      return `{ const v = ${load}; ${lo} = v; ${hi} = ${kind === K_LDRS64 ? 'v >> 31' : '0'}; }`;
    }
    default:
      return undefined;
  }
}

export const EMITTERS: Record<string, Emitter> = {
  ADD_i: (a) => addImm(a, false),
  SUB_i: (a) => addImm(a, true),
  ADDS_i: (a) => addImmFlags(a, false),
  SUBS_i: (a) => addImmFlags(a, true),
  MOVZ: (a) => `R[${2 * a.d}] = ${a.lo}; R[${2 * a.d + 1}] = ${a.hi};`,
  MOVN: (a) => `R[${2 * a.d}] = ${~a.lo}; R[${2 * a.d + 1}] = ${a.sf ? ~a.hi : 0};`,
  MOVK(a) {
    const i = a.hw < 2 ? 2 * a.d : 2 * a.d + 1;
    const shift = (a.hw & 1) * 16;
    const keep = ~(0xffff << shift);
    return `R[${i}] = (R[${i}] & ${keep}) | ${a.imm16 << shift};${a.sf ? '' : ` R[${2 * a.d + 1}] = 0;`}`;
  },
  AND_i: (a) => `R[${2 * a.d}] = R[${2 * a.n}] & ${a.lo}; R[${2 * a.d + 1}] = R[${2 * a.n + 1}] & ${a.hi};`,
  ORR_i: (a) => `R[${2 * a.d}] = R[${2 * a.n}] | ${a.lo}; R[${2 * a.d + 1}] = ${a.sf ? `R[${2 * a.n + 1}] | ${a.hi}` : '0'};`,
  EOR_i: (a) => `R[${2 * a.d}] = R[${2 * a.n}] ^ ${a.lo}; R[${2 * a.d + 1}] = ${a.sf ? `R[${2 * a.n + 1}] ^ ${a.hi}` : '0'};`,
  LOG_r(a) {
    const op = a.op === 1 ? '|' : a.op === 2 ? '^' : '&';
    const inv = a.invert ? '~' : '';
    const d = 2 * a.d;
    const n = 2 * a.n;
    const b = shifted(a.m, a.shift, a.amount, a.sf);
    const setFlags = a.op === 3 ? ` cpu.n = ${a.sf ? 'h' : 'l'} >>> 31; cpu.z = (l | h) === 0 ? 1 : 0; cpu.c = 0; cpu.v = 0;` : '';
    if (!a.sf) return `{ ${b} const l = R[${n}] ${op} ${inv}bl, h = 0; R[${d}] = l; R[${d + 1}] = 0;${setFlags} }`;
    return `{ ${b} const l = R[${n}] ${op} ${inv}bl, h = R[${n + 1}] ${op} ${inv}bh; R[${d}] = l; R[${d + 1}] = h;${setFlags} }`;
  },
  ADDSUB_r(a) {
    const d = 2 * a.d;
    const n = 2 * a.n;
    const b = shifted(a.m, a.shift, a.amount, a.sf);
    if (a.flags) {
      const call = a.sf ? `awc64(R[${n}], R[${n + 1}], ${a.sub ? '~' : ''}bl, ${a.sub ? '~' : ''}bh, ${a.sub});` : `awc32(R[${n}], ${a.sub ? '~' : ''}bl, ${a.sub});`;
      return `{ ${b} ${call} R[${d}] = T.lo; R[${d + 1}] = T.hi; ${flags} }`;
    }
    if (!a.sf) return `{ ${b} R[${d}] = (R[${n}] ${a.sub ? '-' : '+'} bl) | 0; R[${d + 1}] = 0; }`;
    if (a.sub) return `{ ${b} const l = (R[${n}] >>> 0) - (bl >>> 0); R[${d + 1}] = (R[${n + 1}] - bh - (l < 0 ? 1 : 0)) | 0; R[${d}] = l | 0; }`;
    return `{ ${b} const l = (R[${n}] >>> 0) + (bl >>> 0); R[${d + 1}] = (R[${n + 1}] + bh + (l > 4294967295 ? 1 : 0)) | 0; R[${d}] = l | 0; }`;
  },
  UBFM(a) {
    // ROR by immr, then the masks.
    const r = a.immr;
    const d = 2 * a.d;
    if (!a.sf) {
      const rot = r === 0 ? `R[${2 * a.n}]` : `((R[${2 * a.n}] >>> ${r}) | (R[${2 * a.n}] << ${32 - r}))`;
      return `R[${d}] = ${rot} & ${a.wlo & a.tlo}; R[${d + 1}] = 0;`;
    }
    return `{ ${shifted(a.n, 3, r, 1)} R[${d}] = bl & ${a.wlo & a.tlo}; R[${d + 1}] = bh & ${a.whi & a.thi}; }`;
  },
  EXTR(a) {
    if (a.n !== a.m) return undefined; // ROR (immediate) only
    const d = 2 * a.d;
    if (!a.sf) return `R[${d}] = ${a.lsb === 0 ? `R[${2 * a.n}]` : `(R[${2 * a.n}] >>> ${a.lsb}) | (R[${2 * a.n}] << ${32 - a.lsb})`}; R[${d + 1}] = 0;`;
    return `{ ${shifted(a.n, 3, a.lsb, 1)} R[${d}] = bl; R[${d + 1}] = bh; }`;
  },
  CSEL(a) {
    const d = 2 * a.d;
    const sel = conditionExpr(a.cond);
    const n = `R[${2 * a.n}]`;
    const nh = a.sf ? `R[${2 * a.n + 1}]` : '0';
    const m = `R[${2 * a.m}]`;
    const mh = a.sf ? `R[${2 * a.m + 1}]` : '0';
    switch (a.kind) {
      case 0:
        return `if (${sel}) { R[${d}] = ${n}; R[${d + 1}] = ${nh}; } else { R[${d}] = ${m}; R[${d + 1}] = ${mh}; }`;
      case 1:
        return `if (${sel}) { R[${d}] = ${n}; R[${d + 1}] = ${nh}; } else { const l = (${m} >>> 0) + 1; R[${d + 1}] = ${a.sf ? `(${mh} + (l > 4294967295 ? 1 : 0)) | 0` : '0'}; R[${d}] = l | 0; }`;
      case 2:
        return `if (${sel}) { R[${d}] = ${n}; R[${d + 1}] = ${nh}; } else { R[${d}] = ~${m}; R[${d + 1}] = ${a.sf ? `~${mh}` : '0'}; }`;
      default:
        return undefined;
    }
  },
  LDST_ui: (a) => (a.index === 0 ? ldst(a) : undefined),
  LDST_imm9: (a) => (a.index === 0 ? ldst(a) : undefined),
  B: (a, next) => `cpu.nextPc = pc + ${next - 4 + a.offset};`,
  B_cond: (a, next) => `cpu.nextPc = ${conditionExpr(a.cond)} ? pc + ${next - 4 + a.offset} : pc + ${next};`,
  CBZ(a, next) {
    const t = 2 * a.t;
    const zero = a.sf ? `(R[${t}] | R[${t + 1}]) === 0` : `R[${t}] === 0`;
    return `cpu.nextPc = ${a.nonzero ? `!(${zero})` : zero} ? pc + ${next - 4 + a.offset} : pc + ${next};`;
  },
  TBZ(a, next) {
    const word = a.bit < 32 ? `R[${2 * a.t}]` : `R[${2 * a.t + 1}]`;
    const bit = a.bit & 31;
    return `cpu.nextPc = ((${word} >>> ${bit}) & 1) === ${a.nonzero} ? pc + ${next - 4 + a.offset} : pc + ${next};`;
  },
};

function ldst(a: Args): string | undefined {
  const t = transfer(a.kind, a.bytes, a.t);
  if (t === undefined) return undefined;
  return `{ ${address(a.n, a.offset)} ${t} }`;
}

/** Rows whose emitted code sets `cpu.nextPc` itself (branches). */
export const SETS_NEXT_PC = new Set(['B', 'B_cond', 'CBZ', 'TBZ']);
