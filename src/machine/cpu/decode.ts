/**
 * The A64 decoder, compiled once from the instruction table (`insns/index.ts`).
 *
 * A pattern is written like the ARM ARM's encoding diagrams, most significant bit first:
 * fixed bits (`0`, `1`), don't-care bits (`.`) and named fields (`rd:5`), separated by
 * spaces, 32 bits in all: `'sf:1 0 0 100010 sh:1 imm12:12 rn:5 rd:5'`.
 *
 * Decoding tries the entries of the word's bucket (bits [28:25], the A64 top-level `op0`)
 * from the most to the least specific, so an alias-like special case written as its own row
 * (more fixed bits) wins over the general row. A row's `guard` rejects the encodings the
 * ARM ARM marks UNALLOCATED within its pattern.
 */

export type Fields = Record<string, number>;

export interface FieldDef {
  name: string;
  shift: number;
  width: number;
}

export interface Pattern {
  mask: number;
  match: number;
  fields: FieldDef[];
  fixedBits: number;
}

export function compilePattern(pattern: string): Pattern {
  let mask = 0;
  let match = 0;
  let bit = 32;
  const fields: FieldDef[] = [];
  for (const token of pattern.trim().split(/\s+/)) {
    const f = /^([a-z_][a-z0-9_]*):(\d+)$/i.exec(token);
    if (f) {
      const width = Number(f[2]);
      bit -= width;
      fields.push({ name: f[1]!, shift: bit, width });
      continue;
    }
    if (!/^[01.]+$/.test(token)) throw new Error(`bad pattern token '${token}' in '${pattern}'`);
    for (const ch of token) {
      bit--;
      if (ch === '.') continue;
      mask |= 1 << bit;
      if (ch === '1') match |= 1 << bit;
    }
  }
  if (bit !== 0) throw new Error(`pattern '${pattern}' has ${32 - bit} bits, not 32`);
  let fixedBits = 0;
  for (let m = mask >>> 0; m !== 0; m &= m - 1) fixedBits++;
  return { mask: mask >>> 0, match: match >>> 0, fields, fixedBits };
}

export function extractFields(word: number, fields: FieldDef[]): Fields {
  const out: Fields = {};
  for (const f of fields) out[f.name] = f.width === 32 ? word >>> 0 : (word >>> f.shift) & ((1 << f.width) - 1);
  return out;
}

/** Bits [28:25]: the A64 top-level encoding group. */
export function bucketOf(word: number): number {
  return (word >>> 25) & 0xf;
}

/** The buckets a pattern can match (those consistent with its fixed bits in [28:25]). */
export function bucketsOf(p: Pattern): number[] {
  const m = (p.mask >>> 25) & 0xf;
  const v = (p.match >>> 25) & 0xf;
  const out: number[] = [];
  for (let b = 0; b < 16; b++) if ((b & m) === v) out.push(b);
  return out;
}
