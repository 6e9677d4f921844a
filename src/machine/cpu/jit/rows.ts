import { K_LDR, K_LDR_FP, K_LDRS32, K_LDRS64, K_PRFM, K_STR, K_STR_FP } from '../insns/ldst.js';
import { ZR_SINK } from '../slots.js';
import { TLB_MASK } from '../cpu.js';
import type { Emitter } from './emitter.js';

/**
 * JavaScript for the commonest A64 instructions, with registers in locals and every register
 * number, immediate and shift amount a constant of the source. An emitter returns undefined
 * for a form it does not handle; the compiled function then calls the instruction's handler.
 *
 * Each emitter must do exactly what the row's handler (insns/*.ts) does: the differential
 * fuzz runs compiled code against QEMU to check it.
 *
 * Names the generated code can use: `cpu`, `V` (cpu.V32), `base` (the page's guest address),
 * `mulhu`/`mulhs` (high words of 32×32 products), `umulh`/`smulh` (high halves of 64×64
 * products: the low word returned, the high word in `W[1]`), `udiv64`/`sdiv64` (likewise).
 */

// biome-ignore lint/suspicious/noExplicitAny: the argument records of the rows handled here differ per row (see insns/*.ts for their fields).
type Args = any;

export type RowEmitter = (e: Emitter, a: Args) => string | undefined;

const int = (x: number): string => `${x | 0}`;

/** A shifted register operand (constant shift) into two constants; `hi` is '0' for 32 bits. */
function shifted(e: Emitter, m: number, type: number, amount: number, sf: number): { code: string; bl: string; bh: string } {
  const lo = e.lo(m);
  const hi = e.hi(m);
  const bl = e.temp();
  const bh = e.temp();
  const a = amount;
  if (!sf) {
    if (a === 0) return { code: `const ${bl} = ${lo};`, bl, bh: '0' };
    const expr = type === 3 ? `(${lo} >>> ${a}) | (${lo} << ${32 - a})` : `${lo} ${['<<', '>>>', '>>'][type]} ${a}`;
    return { code: `const ${bl} = (${expr}) | 0;`, bl, bh: '0' };
  }
  if (a === 0) return { code: `const ${bl} = ${lo}, ${bh} = ${hi};`, bl, bh };
  const [l, h] = shift64Const(lo, hi, type, a);
  return { code: `const ${bl} = ${l}, ${bh} = ${h};`, bl, bh };
}

/** A 64-bit value (lo, hi expressions) shifted by a constant 1..63, as two int32 expressions. */
function shift64Const(lo: string, hi: string, type: number, a: number): [string, string] {
  switch (type) {
    case 0:
      return a < 32 ? [`${lo} << ${a}`, `(${hi} << ${a}) | (${lo} >>> ${32 - a})`] : [`0`, `${lo} << ${a - 32}`];
    case 1:
      return a < 32 ? [`(${lo} >>> ${a}) | (${hi} << ${32 - a})`, `(${hi} >>> ${a}) | 0`] : [`(${hi} >>> ${a - 32}) | 0`, '0'];
    case 2:
      return a < 32 ? [`(${lo} >>> ${a}) | (${hi} << ${32 - a})`, `${hi} >> ${a}`] : [`${hi} >> ${a - 32}`, `${hi} >> 31`];
    default:
      if (a === 32) return [hi, lo];
      return a < 32 ? [`(${lo} >>> ${a}) | (${hi} << ${32 - a})`, `(${hi} >>> ${a}) | (${lo} << ${32 - a})`] : [`(${hi} >>> ${a - 32}) | (${lo} << ${64 - a})`, `(${lo} >>> ${a - 32}) | (${hi} << ${64 - a})`];
  }
}

/** Add/subtract without flags: d = n ± b. */
function addSub(e: Emitter, d: number, sf: number, sub: number, nl: string, nh: string, bl: string, bh: string): string {
  const op = sub ? '-' : '+';
  if (!sf) return e.set(d, `(${nl} ${op} ${bl}) | 0`, '0');
  // Int32 arithmetic only (wrapping adds, unsigned compares for the carry): V8 then never
  // speculates on a result's range and never deoptimises on an unusual value.
  const [x, y, r] = [e.temp(), e.temp(), e.temp()];
  const carry = sub ? `((${x} >>> 0) < (${y} >>> 0) ? 1 : 0)` : `((${r} >>> 0) < (${x} >>> 0) ? 1 : 0)`;
  return `const ${x} = ${nl}, ${y} = ${bl}, ${r} = (${x} ${op} ${y}) | 0; ${e.set(d, r, `(${nh} ${op} ${bh} ${op} ${carry}) | 0`)}`;
}

/** Add/subtract setting the flags: operands and result become constants the flags refer to. */
function addSubFlags(e: Emitter, d: number, sf: number, sub: number, nl: string, nh: string, bl: string, bh: string): string {
  const al = e.temp();
  const ah = sf ? e.temp() : '0';
  const cl = e.temp();
  const ch = sf ? e.temp() : '0';
  const rl = e.temp();
  const rh = sf ? e.temp() : '0';
  const op = sub ? '-' : '+';
  let code = sf ? `const ${al} = ${nl}, ${ah} = ${nh}, ${cl} = ${bl}, ${ch} = ${bh}; ` : `const ${al} = ${nl}, ${cl} = ${bl}; `;
  if (sf) {
    const carry = sub ? `((${al} >>> 0) < (${cl} >>> 0) ? 1 : 0)` : `((${rl} >>> 0) < (${al} >>> 0) ? 1 : 0)`;
    code += `const ${rl} = (${al} ${op} ${cl}) | 0, ${rh} = (${ah} ${op} ${ch} ${op} ${carry}) | 0; `;
  } else code += `const ${rl} = (${al} ${op} ${cl}) | 0; `;
  code += e.set(d, rl, rh);
  e.setFlags({ kind: sub ? 'sub' : 'add', sf, al, ah, bl: cl, bh: ch, rl, rh });
  return code;
}

function logicFlags(e: Emitter, d: number, sf: number, lo: string, hi: string): string {
  const rl = e.temp();
  const rh = sf ? e.temp() : '0';
  const code = `const ${rl} = ${lo}${sf ? `, ${rh} = ${hi}` : ''}; ${e.set(d, rl, rh)}`;
  e.setFlags({ kind: 'logic', sf, al: '0', ah: '0', bl: '0', bh: '0', rl, rh });
  return code;
}

/** An extended register operand (UXTB…SXTX, then LSL 0–4) into two constants. */
function extended(e: Emitter, m: number, option: number, amount: number): { code: string; bl: string; bh: string } {
  const lo = e.lo(m);
  const hi = e.hi(m);
  const xl = e.temp();
  const xh = e.temp();
  const [l, h] = [
    [`${lo} & 255`, '0'],
    [`${lo} & 65535`, '0'],
    [lo, '0'],
    [lo, hi],
    [`(${lo} << 24) >> 24`, `(${lo} << 24) >> 31`],
    [`(${lo} << 16) >> 16`, `(${lo} << 16) >> 31`],
    [lo, `${lo} >> 31`],
    [lo, hi],
  ][option]!;
  let code = `const ${xl} = ${l}, ${xh} = ${h};`;
  if (amount === 0) return { code, bl: xl, bh: xh };
  const bl = e.temp();
  const bh = e.temp();
  code += ` const ${bl} = ${xl} << ${amount}, ${bh} = (${xh} << ${amount}) | (${xl} >>> ${32 - amount});`;
  return { code, bl, bh };
}

/** The address base + constant offset into two constants. */
function address(e: Emitter, n: number, offset: number): { code: string; al: string; ah: string } {
  const al = e.temp();
  const ah = e.temp();
  if (offset === 0) return { code: `const ${al} = ${e.lo(n)}, ${ah} = ${e.hi(n)};`, al, ah };
  const b = e.temp();
  const carry = offset > 0 ? `((${al} >>> 0) < (${b} >>> 0) ? 1 : 0)` : `((${al} >>> 0) > (${b} >>> 0) ? -1 : 0)`;
  return { code: `const ${b} = ${e.lo(n)}, ${al} = (${b} + ${offset}) | 0, ${ah} = (${e.hi(n)} + ${carry}) | 0;`, al, ah };
}

/** The address plus `k` bytes (k < 4096), for the second register of a pair. */
function next(e: Emitter, al: string, ah: string, k: number): { code: string; al: string; ah: string } {
  const bl = e.temp();
  const bh = e.temp();
  return { code: `const ${bl} = (${al} + ${k}) | 0, ${bh} = (${bl} >>> 0) < (${al} >>> 0) ? (${ah} + 1) | 0 : ${ah};`, al: bl, ah: bh };
}

/**
 * The code after a store: a store to a code page, or to a device that ends the run, or one that
 * grew the memory, leaves (after the base writeback of its instruction, which retires).
 */
function afterStore(e: Emitter): string {
  return ` if (cpu.codeChanged) { ${e.storeWriteback} ${e.exitAfter('store', `${e.index * 4 + 4}`)} }`;
}

/**
 * An inline load of `bytes` (1, 2, 4) at (al, ah): the soft TLB's fast path, and the CPU's
 * load for everything else (misses, page crossings, devices, faults).
 */
function load(e: Emitter, bytes: number, al: string, ah: string): { code: string; v: string } {
  if (!e.inlineMemory) {
    const v = e.temp();
    return { code: `const ${v} = cpu.load${bytes * 8}(${al}, ${ah});`, v };
  }
  const [i, o, v] = [e.temp(), e.temp(), e.temp()];
  const get = bytes === 1 ? 'getUint8' : bytes === 2 ? 'getUint16' : 'getInt32';
  return {
    code: `const ${i} = (${al} >>> 12) & ${TLB_MASK}, ${o} = ${al} & 4095; const ${v} = rTag[${i}] === ${ah} * 1048576 + (${al} >>> 12) && ${o} <= ${4096 - bytes} ? M.${get}(rBase[${i}] + ${o}${bytes > 1 ? ', true' : ''}) : cpu.load${bytes * 8}(${al}, ${ah});`,
    v,
  };
}

/**
 * An inline store: the write TLB's fast path, else the CPU's store, after which a store that
 * hit code or ended the run leaves (pages holding code are never in the write TLB).
 */
function store(e: Emitter, bytes: number, al: string, ah: string, v: string, vh = ''): string {
  const [i, o, p] = [e.temp(), e.temp(), e.temp()];
  const set = bytes === 1 ? 'setUint8' : bytes === 2 ? 'setUint16' : 'setInt32';
  const fast = bytes === 8 ? `const ${p} = wBase[${i}] + ${o}; M.setInt32(${p}, ${v}, true); M.setInt32(${p} + 4, ${vh}, true);` : `M.${set}(wBase[${i}] + ${o}, ${v}${bytes > 1 ? ', true' : ''});`;
  const slow = bytes === 8 ? `cpu.store64(${al}, ${ah}, ${v}, ${vh});` : `cpu.store${bytes * 8}(${al}, ${ah}, ${v});`;
  if (!e.inlineMemory) return `${slow}${afterStore(e)}`;
  return `const ${i} = (${al} >>> 12) & ${TLB_MASK}, ${o} = ${al} & 4095; if (wTag[${i}] === ${ah} * 1048576 + (${al} >>> 12) && ${o} <= ${4096 - bytes}) { ${fast} } else { ${slow}${afterStore(e)} }`;
}

/** One register to or from memory at (al, ah); undefined for forms left to the handler. */
function transfer(e: Emitter, kind: number, bytes: number, t: number, al: string, ah: string): string | undefined {
  switch (kind) {
    case K_LDR: {
      if (bytes === 8) {
        const { code, vals } = loadWords(e, al, ah, [{ off: 0, bytes: 8 }], 8);
        return `${code} ${e.set(t, vals[0]!.x, vals[0]!.y)}`;
      }
      const l = load(e, bytes, al, ah);
      return `${l.code} ${e.set(t, l.v, '0')}`;
    }
    case K_LDRS64:
    case K_LDRS32: {
      const l = load(e, bytes, al, ah);
      const v = e.temp();
      const ext = bytes === 4 ? l.v : bytes === 1 ? `(${l.v} << 24) >> 24` : `(${l.v} << 16) >> 16`;
      return `${l.code} const ${v} = ${ext}; ${e.set(t, v, kind === K_LDRS64 ? `${v} >> 31` : '0')}`;
    }
    case K_STR: {
      const v = e.lo(t);
      if (bytes === 8) return store(e, 8, al, ah, v, e.hi(t));
      return store(e, bytes, al, ah, bytes === 4 ? v : `${v} & ${bytes === 1 ? 255 : 65535}`);
    }
    case K_PRFM:
      return '';
    case K_LDR_FP: {
      if (bytes === 16) {
        // Both halves are read before the register is written: a fault leaves it as it was.
        const { code, vals } = loadWords(
          e,
          al,
          ah,
          [
            { off: 0, bytes: 8 },
            { off: 8, bytes: 8 },
          ],
          16,
        );
        return `${code} V[${4 * t}] = ${vals[0]!.x}; V[${4 * t + 1}] = ${vals[0]!.y}; V[${4 * t + 2}] = ${vals[1]!.x}; V[${4 * t + 3}] = ${vals[1]!.y};`;
      }
      if (bytes === 8) {
        const { code, vals } = loadWords(e, al, ah, [{ off: 0, bytes: 8 }], 8);
        return `${code} V[${4 * t}] = ${vals[0]!.x}; V[${4 * t + 1}] = ${vals[0]!.y}; V[${4 * t + 2}] = 0; V[${4 * t + 3}] = 0;`;
      }
      if (bytes === 4) {
        const l = load(e, 4, al, ah);
        return `${l.code} V[${4 * t}] = ${l.v}; V[${4 * t + 1}] = 0; V[${4 * t + 2}] = 0; V[${4 * t + 3}] = 0;`;
      }
      return undefined;
    }
    case K_STR_FP:
      if (bytes === 16) return storeWords(e, al, ah, words(e, 1, t, 16, 0), 16);
      if (bytes === 8) return store(e, 8, al, ah, `V[${4 * t}] | 0`, `V[${4 * t + 1}] | 0`);
      if (bytes === 4) return store(e, 4, al, ah, `V[${4 * t}] | 0`);
      return undefined;
    default:
      return undefined;
  }
}

/** LDR/STR (immediate), with the handler's order: the access, then the base writeback. */
function ldstImm(e: Emitter, a: Args): string | undefined {
  const at = address(e, a.n, a.index === 1 ? 0 : a.offset);
  // The post-index address is computed before the access, which may overwrite the base.
  const post = a.index === 1 ? address(e, a.n, a.offset) : undefined;
  // The writeback is known before the access: a store that leaves compiled code does it first.
  const wb = post ? e.set(a.n, post.al, post.ah) : a.index === 2 ? e.set(a.n, at.al, at.ah) : '';
  e.storeWriteback = wb;
  const body = transfer(e, a.kind, a.bytes, a.t, at.al, at.ah);
  e.storeWriteback = '';
  if (body === undefined) return undefined;
  const fault = e.faultable();
  return `${fault} ${at.code} ${post?.code ?? ''} ${body} ${wb}`;
}

function ldstReg(e: Emitter, a: Args): string | undefined {
  const off = extended(e, a.m, a.option, a.shift);
  const s = e.temp();
  const al = e.temp();
  const ah = e.temp();
  const addr = `${off.code} const ${s} = ${e.lo(a.n)}, ${al} = (${s} + ${off.bl}) | 0, ${ah} = (${e.hi(a.n)} + ${off.bh} + ((${al} >>> 0) < (${s} >>> 0) ? 1 : 0)) | 0;`;
  const body = transfer(e, a.kind, a.bytes, a.t, al, ah);
  if (body === undefined) return undefined;
  const fault = e.faultable();
  return `${fault} ${addr} ${body}`;
}

/** A piece of a multi-register store: `bytes` (4 or 8) at `off` from the address. */
interface Word {
  off: number;
  bytes: number;
  lo: string;
  hi: string;
}

/**
 * Several stores at (al, ah) as one access: all written through the write TLB when the whole
 * range is in one page there; else the range is probed first, so a fault writes nothing.
 */
function storeWords(e: Emitter, al: string, ah: string, words: Word[], total: number): string {
  const [i, o, p] = [e.temp(), e.temp(), e.temp()];
  let fast = `const ${p} = wBase[${i}] + ${o};`;
  let slow = `cpu.probeWrite(${al}, ${ah}, ${total});`;
  for (const w of words) {
    fast += ` M.setInt32(${p} + ${w.off}, ${w.lo}, true);`;
    if (w.bytes === 8) fast += ` M.setInt32(${p} + ${w.off + 4}, ${w.hi}, true);`;
    const at = w.off === 0 ? { code: '', al, ah } : next(e, al, ah, w.off);
    slow += ` ${at.code} ${w.bytes === 8 ? `cpu.store64(${at.al}, ${at.ah}, ${w.lo}, ${w.hi});` : `cpu.store32(${at.al}, ${at.ah}, ${w.lo});`}`;
  }
  if (!e.inlineMemory) return `${slow}${afterStore(e)}`;
  return `const ${i} = (${al} >>> 12) & ${TLB_MASK}, ${o} = ${al} & 4095; if (wTag[${i}] === ${ah} * 1048576 + (${al} >>> 12) && ${o} <= ${4096 - total}) { ${fast} } else { ${slow}${afterStore(e)} }`;
}

/**
 * Several loads at (al, ah) as one access: read through the read TLB when the whole range is
 * in one page there, else one by one through the CPU. Each piece (4 or 8 bytes at `off`)
 * becomes the constants x (low word) and y (high word, '0' for 4 bytes).
 */
function loadWords(e: Emitter, al: string, ah: string, pieces: { off: number; bytes: number }[], total: number): { code: string; vals: { x: string; y: string }[] } {
  const vals = pieces.map((p) => ({ x: e.temp(), y: p.bytes === 8 ? e.temp() : '0' }));
  const names = vals.flatMap((v) => (v.y === '0' ? [v.x] : [v.x, v.y]));
  let slow = '';
  pieces.forEach((piece, k) => {
    const at = piece.off === 0 ? { code: '', al, ah } : next(e, al, ah, piece.off);
    const v = vals[k]!;
    slow += ` ${at.code} ${piece.bytes === 8 ? `cpu.load64(${at.al}, ${at.ah}); ${v.x} = cpu.l64lo; ${v.y} = cpu.l64hi;` : `${v.x} = cpu.load32(${at.al}, ${at.ah});`}`;
  });
  const declare = `let ${names.join(', ')};`;
  if (!e.inlineMemory) return { code: `${declare} {${slow} }`, vals };
  const [i, o, p] = [e.temp(), e.temp(), e.temp()];
  let fast = `const ${p} = rBase[${i}] + ${o};`;
  pieces.forEach((piece, k) => {
    const v = vals[k]!;
    fast += ` ${v.x} = M.getInt32(${p} + ${piece.off}, true);`;
    if (piece.bytes === 8) fast += ` ${v.y} = M.getInt32(${p} + ${piece.off + 4}, true);`;
  });
  return { code: `${declare} const ${i} = (${al} >>> 12) & ${TLB_MASK}, ${o} = ${al} & 4095; if (rTag[${i}] === ${ah} * 1048576 + (${al} >>> 12) && ${o} <= ${4096 - total}) { ${fast} } else {${slow} }`, vals };
}

/** The words of register t (general or SIMD&FP) for a transfer of `bytes`. */
function words(e: Emitter, fp: number, t: number, bytes: number, off: number): Word[] {
  if (!fp) return [{ off, bytes, lo: e.lo(t), hi: e.hi(t) }];
  const w: Word[] = [{ off, bytes: Math.min(bytes, 8), lo: `V[${4 * t}] | 0`, hi: `V[${4 * t + 1}] | 0` }];
  if (bytes === 16) w.push({ off: off + 8, bytes: 8, lo: `V[${4 * t + 2}] | 0`, hi: `V[${4 * t + 3}] | 0` });
  return w;
}

/** LDP/STP and their pre/post-index forms, general and SIMD&FP registers. */
function ldstPair(e: Emitter, a: Args): string | undefined {
  const fault = e.faultable();
  const at = address(e, a.n, a.index === 1 ? 0 : a.offset);
  // The writeback is known before the access: a store that leaves compiled code does it first.
  let wb = '';
  let post = '';
  if (a.index === 2) wb = e.set(a.n, at.al, at.ah);
  else if (a.index === 1) {
    const w = address(e, a.n, a.offset);
    post = w.code;
    wb = e.set(a.n, w.al, w.ah);
  }
  let body: string;
  if (a.load) {
    // Everything is read before anything is written: a fault leaves the registers as they were.
    const step = Math.min(a.bytes, 8);
    const pieces = Array.from({ length: a.bytes === 16 ? 4 : 2 }, (_, k) => ({ off: k * step, bytes: step }));
    const loaded = loadWords(e, at.al, at.ah, pieces, 2 * a.bytes);
    const parts = loaded.vals.map((v) => (step === 8 ? v : { x: v.x, y: a.signed ? `${v.x} >> 31` : '0' }));
    body = loaded.code;
    if (a.fp) {
      const w = (t: number, p: { x: string; y: string }[]): string =>
        a.bytes === 16
          ? `V[${4 * t}] = ${p[0]!.x}; V[${4 * t + 1}] = ${p[0]!.y}; V[${4 * t + 2}] = ${p[1]!.x}; V[${4 * t + 3}] = ${p[1]!.y};`
          : `V[${4 * t}] = ${p[0]!.x}; V[${4 * t + 1}] = ${a.bytes === 8 ? p[0]!.y : '0'}; V[${4 * t + 2}] = 0; V[${4 * t + 3}] = 0;`;
      body += a.bytes === 16 ? ` ${w(a.t, parts.slice(0, 2))} ${w(a.t2, parts.slice(2))}` : ` ${w(a.t, [parts[0]!])} ${w(a.t2, [parts[1]!])}`;
    } else body += ` ${e.set(a.t, parts[0]!.x, parts[0]!.y)} ${e.set(a.t2, parts[1]!.x, parts[1]!.y)}`;
  } else {
    const w = [...words(e, a.fp, a.t, a.bytes, 0), ...words(e, a.fp, a.t2, a.bytes, a.bytes)];
    e.storeWriteback = wb;
    body = storeWords(e, at.al, at.ah, w, 2 * a.bytes);
    e.storeWriteback = '';
  }
  return `${fault} ${at.code} ${post} ${body} ${wb}`;
}

export const ROWS: Record<string, RowEmitter> = {
  ADD_i: (e, a) => addSub(e, a.d, a.sf, 0, e.lo(a.n), e.hi(a.n), int(a.imm), '0'),
  SUB_i: (e, a) => addSub(e, a.d, a.sf, 1, e.lo(a.n), e.hi(a.n), int(a.imm), '0'),
  ADDS_i: (e, a) => addSubFlags(e, a.d, a.sf, 0, e.lo(a.n), e.hi(a.n), int(a.imm), '0'),
  SUBS_i: (e, a) => addSubFlags(e, a.d, a.sf, 1, e.lo(a.n), e.hi(a.n), int(a.imm), '0'),
  MOVZ: (e, a) => e.set(a.d, int(a.lo), int(a.hi)),
  MOVN: (e, a) => e.set(a.d, int(~a.lo), a.sf ? int(~a.hi) : '0'),
  MOVK(e, a) {
    const shift = (a.hw & 1) * 16;
    const keep = int(~(0xffff << shift));
    const v = int(a.imm16 << shift);
    if (a.hw < 2) return e.set(a.d, `(${e.lo(a.d)} & ${keep}) | ${v}`, a.sf ? e.hi(a.d) : '0');
    return e.set(a.d, e.lo(a.d), `(${e.hi(a.d)} & ${keep}) | ${v}`);
  },
  AND_i: (e, a) => e.set(a.d, `${e.lo(a.n)} & ${int(a.lo)}`, a.sf ? `${e.hi(a.n)} & ${int(a.hi)}` : '0'),
  ORR_i: (e, a) => e.set(a.d, `${e.lo(a.n)} | ${int(a.lo)}`, a.sf ? `${e.hi(a.n)} | ${int(a.hi)}` : '0'),
  EOR_i: (e, a) => e.set(a.d, `${e.lo(a.n)} ^ ${int(a.lo)}`, a.sf ? `${e.hi(a.n)} ^ ${int(a.hi)}` : '0'),
  ANDS_i: (e, a) => logicFlags(e, a.d, a.sf, `${e.lo(a.n)} & ${int(a.lo)}`, `${e.hi(a.n)} & ${int(a.hi)}`),
  LOG_r(e, a) {
    const op = a.op === 1 ? '|' : a.op === 2 ? '^' : '&';
    const inv = a.invert ? '~' : '';
    const b = shifted(e, a.m, a.shift, a.amount, a.sf);
    const lo = `${e.lo(a.n)} ${op} ${inv}${b.bl}`;
    const hi = a.sf ? `${e.hi(a.n)} ${op} ${inv}${b.bh}` : '0';
    if (a.op === 3) return `${b.code} ${logicFlags(e, a.d, a.sf, lo, hi)}`;
    return `${b.code} ${e.set(a.d, lo, hi)}`;
  },
  ADDSUB_r(e, a) {
    const b = shifted(e, a.m, a.shift, a.amount, a.sf);
    const f = a.flags ? addSubFlags : addSub;
    return `${b.code} ${f(e, a.d, a.sf, a.sub, e.lo(a.n), e.hi(a.n), b.bl, b.bh)}`;
  },
  ADDSUB_ext(e, a) {
    const b = extended(e, a.m, a.option, a.amount);
    const f = a.flags ? addSubFlags : addSub;
    return `${b.code} ${f(e, a.d, a.sf, a.sub, e.lo(a.n), e.hi(a.n), b.bl, a.sf ? b.bh : '0')}`;
  },
  UBFM(e, a) {
    if (!a.sf) {
      const n = e.lo(a.n);
      const rot = a.immr === 0 ? n : `((${n} >>> ${a.immr}) | (${n} << ${32 - a.immr}))`;
      return e.set(a.d, `${rot} & ${int(a.wlo & a.tlo)}`, '0');
    }
    const [l, h] = a.immr === 0 ? [e.lo(a.n), e.hi(a.n)] : shift64Const(e.lo(a.n), e.hi(a.n), 3, a.immr);
    return e.set(a.d, `(${l}) & ${int(a.wlo & a.tlo)}`, `(${h}) & ${int(a.whi & a.thi)}`);
  },
  SBFM(e, a) {
    const s = a.imms;
    const top = e.temp();
    const bit = s < 32 ? `-((${e.lo(a.n)} >>> ${s}) & 1)` : `-((${e.hi(a.n)} >>> ${s - 32}) & 1)`;
    if (!a.sf) {
      const n = e.lo(a.n);
      const rot = a.immr === 0 ? n : `((${n} >>> ${a.immr}) | (${n} << ${32 - a.immr}))`;
      return `const ${top} = ${bit}; ${e.set(a.d, `(${top} & ${int(~a.tlo)}) | (${rot} & ${int(a.wlo & a.tlo)})`, '0')}`;
    }
    const [l, h] = a.immr === 0 ? [e.lo(a.n), e.hi(a.n)] : shift64Const(e.lo(a.n), e.hi(a.n), 3, a.immr);
    return `const ${top} = ${bit}; ${e.set(a.d, `(${top} & ${int(~a.tlo)}) | ((${l}) & ${int(a.wlo & a.tlo)})`, `(${top} & ${int(~a.thi)}) | ((${h}) & ${int(a.whi & a.thi)})`)}`;
  },
  EXTR(e, a) {
    const r = a.lsb;
    const [ml, mh, nl, nh] = [e.lo(a.m), e.hi(a.m), e.lo(a.n), e.hi(a.n)];
    if (!a.sf) return e.set(a.d, r === 0 ? ml : `(${ml} >>> ${r}) | (${nl} << ${32 - r})`, '0');
    if (r === 0) return e.set(a.d, ml, mh);
    if (r < 32) return e.set(a.d, `(${ml} >>> ${r}) | (${mh} << ${32 - r})`, `(${mh} >>> ${r}) | (${nl} << ${32 - r})`);
    if (r === 32) return e.set(a.d, mh, nl);
    return e.set(a.d, `(${mh} >>> ${r - 32}) | (${nl} << ${64 - r})`, `(${nl} >>> ${r - 32}) | (${nh} << ${64 - r})`);
  },
  CSEL(e, a) {
    const cond = e.condition(a.cond);
    const [nl, nh] = [e.lo(a.n), a.sf ? e.hi(a.n) : '0'];
    const [ml, mh] = [e.lo(a.m), a.sf ? e.hi(a.m) : '0'];
    const c = e.temp();
    let code = `${cond.pre}const ${c} = ${cond.expr}; `;
    switch (a.kind) {
      case 0:
        return code + e.set(a.d, `${c} ? ${nl} : ${ml}`, `${c} ? ${nh} : ${mh}`);
      case 2:
        return code + e.set(a.d, `${c} ? ${nl} : ~${ml}`, a.sf ? `${c} ? ${nh} : ~${mh}` : '0');
      default: {
        // CSINC (+1) and CSNEG (~m + 1).
        const s = e.temp();
        const x = a.kind === 1 ? ml : `~${ml}`;
        const xh = a.kind === 1 ? mh : a.sf ? `~${mh}` : '0';
        code += `const ${s} = (${x} + 1) | 0; `;
        return code + e.set(a.d, `${c} ? ${nl} : ${s}`, a.sf ? `${c} ? ${nh} : (${xh} + (${s} === 0 ? 1 : 0)) | 0` : '0');
      }
    }
  },
  CCMP_r: (e, a) => condCompare(e, a, e.lo(a.m), a.sf ? e.hi(a.m) : '0'),
  CCMP_i: (e, a) => condCompare(e, a, int(a.imm), '0'),
  DP1(e, a) {
    const rev = (x: string): string => `((${x} << 24) | ((${x} & 65280) << 8) | ((${x} >>> 8) & 65280) | (${x} >>> 24))`;
    if (a.op === 3) return e.set(a.d, rev(e.hi(a.n)), rev(e.lo(a.n)));
    if (a.op === 2) return e.set(a.d, rev(e.lo(a.n)), a.sf ? rev(e.hi(a.n)) : '0');
    return undefined;
  },
  CLZ_CLS(e, a) {
    if (a.op !== 4) return undefined;
    if (!a.sf) return e.set(a.d, `Math.clz32(${e.lo(a.n)})`, '0');
    return e.set(a.d, `${e.hi(a.n)} === 0 ? 32 + Math.clz32(${e.lo(a.n)}) : Math.clz32(${e.hi(a.n)})`, '0');
  },
  DP2(e, a) {
    const [nl, nh, ml] = [e.lo(a.n), e.hi(a.n), e.lo(a.m)];
    if (a.op === 2 || a.op === 3) {
      if (a.sf) return e.set(a.d, `${a.op === 2 ? 'udiv64' : 'sdiv64'}(${nl}, ${nh}, ${ml}, ${e.hi(a.m)}, W)`, 'W[1]');
      const b = e.temp();
      const q = a.op === 2 ? `Math.floor((${nl} >>> 0) / (${b} >>> 0)) | 0` : `Math.trunc(${nl} / ${b}) | 0`;
      return `const ${b} = ${ml}; ${e.set(a.d, `${b} === 0 ? 0 : ${q}`, '0')}`;
    }
    const s = e.temp();
    if (!a.sf) {
      const x = [`${nl} << ${s}`, `(${nl} >>> ${s}) | 0`, `${nl} >> ${s}`, `${s} === 0 ? ${nl} : (${nl} >>> ${s}) | (${nl} << (32 - ${s}))`][a.op - 8];
      return `const ${s} = ${ml} & 31; ${e.set(a.d, x!, '0')}`;
    }
    const lo = e.temp();
    const hi = e.temp();
    let code = `const ${s} = ${ml} & 63; let ${lo} = ${nl}, ${hi} = ${nh}; `;
    switch (a.op) {
      case 8:
        code += `if (${s} >= 32) { ${hi} = ${nl} << (${s} - 32); ${lo} = 0; } else if (${s} > 0) { ${hi} = (${nh} << ${s}) | (${nl} >>> (32 - ${s})); ${lo} = ${nl} << ${s}; }`;
        break;
      case 9:
        code += `if (${s} >= 32) { ${lo} = (${nh} >>> (${s} - 32)) | 0; ${hi} = 0; } else if (${s} > 0) { ${lo} = (${nl} >>> ${s}) | (${nh} << (32 - ${s})); ${hi} = (${nh} >>> ${s}) | 0; }`;
        break;
      case 10:
        code += `if (${s} >= 32) { ${lo} = ${nh} >> (${s} - 32); ${hi} = ${nh} >> 31; } else if (${s} > 0) { ${lo} = (${nl} >>> ${s}) | (${nh} << (32 - ${s})); ${hi} = ${nh} >> ${s}; }`;
        break;
      default:
        return undefined;
    }
    return `${code} ${e.set(a.d, lo, hi)}`;
  },
  DP3(e, a) {
    const [nl, ml] = [e.lo(a.n), e.lo(a.m)];
    if (!a.sf) {
      const p = `Math.imul(${nl}, ${ml})`;
      return e.set(a.d, `(${e.lo(a.a)} ${a.op === 0 ? '+' : '-'} ${p}) | 0`, '0');
    }
    const pl = e.temp();
    const ph = e.temp();
    let code: string;
    switch (a.op) {
      case 0:
      case 1:
        code = `const ${pl} = Math.imul(${nl}, ${ml}), ${ph} = (mulhu(${nl}, ${ml}) + Math.imul(${nl}, ${e.hi(a.m)}) + Math.imul(${e.hi(a.n)}, ${ml})) | 0;`;
        break;
      case 2:
      case 3:
        code = `const ${pl} = Math.imul(${nl}, ${ml}), ${ph} = mulhs(${nl}, ${ml});`;
        break;
      case 10:
      case 11:
        code = `const ${pl} = Math.imul(${nl}, ${ml}), ${ph} = mulhu(${nl}, ${ml});`;
        break;
      case 4:
      case 12:
        return e.set(a.d, `${a.op === 12 ? 'umulh' : 'smulh'}(${nl}, ${e.hi(a.n)}, ${ml}, ${e.hi(a.m)}, W)`, 'W[1]');
      default:
        return undefined;
    }
    const sub = a.op & 1;
    if (a.a === 32 && !sub) return `${code} ${e.set(a.d, pl, ph)}`;
    return `${code} ${addSub(e, a.d, 1, sub, e.lo(a.a), e.hi(a.a), pl, ph)}`;
  },
  ADR(e, a) {
    const v = e.temp();
    return `const ${v} = ${e.pc(a.offset)}; ${e.set(a.d, `${v} % 4294967296 | 0`, `Math.floor(${v} / 4294967296) | 0`)}`;
  },
  ADRP(e, a) {
    const v = e.temp();
    return `const ${v} = base + ${a.offset}; ${e.set(a.d, `${v} % 4294967296 | 0`, `Math.floor(${v} / 4294967296) | 0`)}`;
  },
  // NOP, YIELD, BTI…: nothing (WFI and WFE end the block and go to the handler).
  HINT: () => '',
  // One in-order core: DMB, DSB and ISB order nothing; CLREX goes to the handler.
  BARRIER: (_e, a) => (a.op === 2 ? undefined : ''),
  LDST_ui: ldstImm,
  LDST_imm9: ldstImm,
  LDST_reg: (e, a) => ldstReg(e, a),
  LDSTP: ldstPair,
};

function condCompare(e: Emitter, a: Args, bl: string, bh: string): string {
  const cond = e.condition(a.cond);
  const n = (a.nzcv >> 3) & 1;
  const z = (a.nzcv >> 2) & 1;
  const c = (a.nzcv >> 1) & 1;
  const v = a.nzcv & 1;
  // CCMP compares by subtraction (op = 1), CCMN by addition; the result goes nowhere. Taken,
  // the compare's flags become the lazy flags; not taken, the immediate NZCV is stored.
  const compare = addSubFlags(e, ZR_SINK, a.sf, a.sub, e.lo(a.n), a.sf ? e.hi(a.n) : '0', bl, bh);
  const keep = e.keepPending();
  e.flagsStored();
  return `${cond.pre}if (${cond.expr}) { ${compare} ${keep}} else { fk = 0; cpu.n = ${n}; cpu.z = ${z}; cpu.c = ${c}; cpu.v = ${v}; }`;
}
