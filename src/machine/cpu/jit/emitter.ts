import { ZR, ZR_SINK } from '../slots.js';
import { pendingCondition, storedCondition, type Pending } from './flags.js';

/** The `fk` code of a flag-setter (runtime.ts storeFlags): 1/2 SUBS, 3/4 ADDS, 5/6 ANDS, 64/32-bit. */
function pendingKind(p: Pending): number {
  return (p.kind === 'sub' ? 1 : p.kind === 'add' ? 3 : 5) + (p.sf ? 0 : 1);
}

/**
 * The state of code generation inside one compiled function: guest registers held in JS
 * locals (`l<slot>`/`h<slot>`, the 32-bit halves), the flags of the last flag-setting
 * instruction, and the position of the instruction being emitted.
 *
 * The locals are the registers while the function runs: they are loaded from `cpu.R` on
 * entry and written back on every exit and when a fault unwinds the function. A handler call
 * syncs just the registers named in the instruction's fields.
 */
export class Emitter {
  /** Register slots read or written anywhere in the function. */
  readonly used = new Set<number>();
  /** Register slots written anywhere in the function (written back on exit). */
  readonly written = new Set<number>();
  /** Flags of the last flag-setter in this block, if not yet known to be in cpu.n/z/c/v only. */
  pending: Pending | undefined;
  private temps = 0;

  /** The instruction being emitted: its page index, and how many instructions of its block remain, itself included. */
  index = 0;
  remaining = 0;
  /** The first instruction of the block being emitted, and whether it branches to itself. */
  block = 0;
  selfLoop = false;
  /** The code calling the current instruction's handler (for a fast path's way out). */
  fallback: () => string = () => '';
  /**
   * Emit the soft TLB's fast path inline at each load and store (else call the CPU's access
   * methods): fastest, but large; functions with many accesses would take V8 too long to optimise.
   */
  inlineMemory = true;
  /**
   * The base register writeback of the store being emitted: a store that leaves the function
   * (`codeChanged`) must still do it, as the instruction retires.
   */
  storeWriteback = '';
  /** The case number of each block by its first instruction (−1: not a block start). */
  blockNumber = new Int16Array(0);

  lo(slot: number): string {
    if (slot === ZR) return '0';
    this.used.add(slot);
    return `l${slot}`;
  }

  hi(slot: number): string {
    if (slot === ZR) return '0';
    this.used.add(slot);
    return `h${slot}`;
  }

  /** Statements assigning a 64-bit value; `lo` and `hi` may read any register. */
  set(slot: number, lo: string, hi: string): string {
    if (slot === ZR_SINK || slot === ZR) return '';
    this.used.add(slot);
    this.written.add(slot);
    if (new RegExp(`\\bl${slot}\\b`).test(hi)) {
      const t = this.temp();
      return `const ${t} = ${lo}; h${slot} = ${hi}; l${slot} = ${t};`;
    }
    return `l${slot} = ${lo}; h${slot} = ${hi};`;
  }

  /** A fresh name for a block-local constant. */
  temp(): string {
    return `t${this.temps++}`;
  }

  /** The guest address of the instruction `delta` bytes after the current one, as JS. */
  pc(delta = 0): string {
    return `base + ${this.index * 4 + delta}`;
  }

  /** Statements before an instruction that may fault: the fault must see exact state. */
  faultable(): string {
    return `${this.keepPending()}at = ${this.index * 64 + this.remaining};`;
  }

  /**
   * Hand the pending flags to the function-level lazy flags (`fk` and its operands): local
   * moves only. Every way out of the function turns them into cpu.n/z/c/v, so a fault, a
   * budget stop or an exit sees exact flags, while a loop that compares and branches never
   * computes them. The constants stay usable for fused conditions.
   */
  keepPending(): string {
    const p = this.pending;
    if (p === undefined || p.stored) return '';
    p.stored = true;
    return `fk = ${pendingKind(p)}; fa = ${p.al}; fah = ${p.ah}; fb = ${p.bl}; fbh = ${p.bh}; fr = ${p.rl}; frh = ${p.rh}; `;
  }

  /** Statements making cpu.n/z/c/v exact (before code that reads or writes them there). */
  materialise(): string {
    return `${this.keepPending()}if (fk !== 0) { storeFlags(cpu, fk, fa, fah, fb, fbh, fr, frh); fk = 0; } `;
  }

  /**
   * A condition as a JS expression: fused with the pending flag-setter where there is one,
   * else over cpu.n/z/c/v, after the statements `materialise()` returned.
   */
  condition(cond: number): { pre: string; expr: string } {
    if (this.pending) return { pre: '', expr: pendingCondition(cond, this.pending) };
    return { pre: this.materialise(), expr: storedCondition(cond) };
  }

  /** Record a flag-setter whose operands and result are in the named constants. */
  setFlags(p: Omit<Pending, 'stored'>): void {
    this.pending = { ...p, stored: false };
  }

  /** After code that left the flags in cpu.n/z/c/v (and set fk = 0). */
  flagsStored(): void {
    this.pending = undefined;
  }

  /**
   * Leave the function after the current instruction (the rest of its block is not retired).
   * Exits only assign locals and break out of the loop: the code after the loop, which every
   * exit runs, does the work. Code that V8 has never run deoptimises the function when first
   * reached, so rarely taken exits are kept free of operations that need type feedback.
   *
   * `how`: 'offset' continues at base + `xo`; 'handler' where the handler set cpu.nextPc;
   * 'store' after a store that changed code or ended the run, at base + `xo`.
   */
  exitAfter(how: 'offset' | 'handler' | 'store', xo = ''): string {
    const unretired = this.remaining - 1;
    let out = `{ ${this.pendingExit()}`;
    if (how !== 'offset') out += `xd = ${how === 'handler' ? 1 : 3}; `;
    if (xo !== '') out += `xo = ${xo}; `;
    if (unretired) out += `xk = ${unretired}; `;
    return `${out}break run; }`;
  }

  /** Hands pending flags to the code after the loop, on one path only (the state is left as it is). */
  private pendingExit(): string {
    const p = this.pending;
    if (p === undefined || p.stored) return '';
    return `fk = ${pendingKind(p)}; fa = ${p.al}; fah = ${p.ah}; fb = ${p.bl}; fbh = ${p.bh}; fr = ${p.rl}; frh = ${p.rh}; `;
  }

  /** Continue at page instruction `target` of this function, or leave it. */
  goto(target: number | undefined, leaders: Set<number>, offset: number): string {
    if (target === this.block) {
      this.selfLoop = true;
      return `continue L${target};`;
    }
    if (target !== undefined && leaders.has(target)) return `{ idx = ${this.blockNumber[target]}; continue run; }`;
    return this.exitAfter('offset', `${this.index * 4 + offset}`);
  }
}
