import { usesFpState } from './context.js';
import type { Cpu } from './cpu.js';
import { bucketOf, bucketsOf, compilePattern, extractFields, type Pattern } from './decode.js';
import { INSNS } from './insns/index.js';
import type { AnyInsnDef } from './insns/types.js';

/** A decoded instruction: the handler and its argument record. */
export interface Decoded {
  exec: (cpu: Cpu, a: never) => void;
  args: unknown;
  def: AnyInsnDef | undefined;
}

interface Row {
  def: AnyInsnDef;
  pattern: Pattern;
}

const BUCKETS: Row[][] = Array.from({ length: 16 }, () => []);
for (const def of INSNS) {
  const pattern = compilePattern(def.pattern);
  for (const b of bucketsOf(pattern)) BUCKETS[b]!.push({ def, pattern });
}
// Most specific first, so special cases written as their own rows win.
for (const rows of BUCKETS) rows.sort((a, b) => b.pattern.fixedBits - a.pattern.fixedBits);

function undefinedInstruction(cpu: Cpu): void {
  cpu.undefinedInstruction();
}

const UNALLOCATED: Decoded = { exec: undefinedInstruction, args: undefined, def: undefined };

/** The table row an instruction word matches, with its fields, or undefined if unallocated. */
export function matchInstruction(word: number): { def: AnyInsnDef; fields: Record<string, number> } | undefined {
  const w = word >>> 0;
  for (const row of BUCKETS[bucketOf(w)]!) {
    if ((w & row.pattern.mask) >>> 0 !== row.pattern.match) continue;
    const fields = extractFields(w, row.pattern.fields);
    if (row.def.guard && !row.def.guard(fields)) continue;
    return { def: row.def, fields };
  }
  return undefined;
}

/** A handler of an instruction that touches the FP/SIMD state: that state is loaded first (lazy switching, context.ts). */
function fpStateFirst(exec: Decoded['exec']): Decoded['exec'] {
  return (cpu, args) => {
    if (cpu.fpStale) cpu.fpSwitch();
    exec(cpu, args);
  };
}

/** Decode one instruction word. Unallocated and unimplemented encodings raise UNDEF. */
export function decodeInstruction(word: number): Decoded {
  const m = matchInstruction(word);
  if (!m) return UNALLOCATED;
  const args: unknown = m.def.prepare(m.fields);
  const exec = m.def.execFor ? m.def.execFor(args) : m.def.exec;
  return { exec: usesFpState(word) ? fpStateFirst(exec) : exec, args, def: m.def };
}

/** objdump-style disassembly of one instruction at `pc`. */
export function disassemble(word: number, pc: number): string {
  const m = matchInstruction(word);
  if (!m) return `.inst\t0x${(word >>> 0).toString(16).padStart(8, '0')} ; undefined`;
  return m.def.disasm(m.def.prepare(m.fields), pc);
}
