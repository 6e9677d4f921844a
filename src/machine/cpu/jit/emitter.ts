import { ZR, ZR_SINK } from '../slots.js';
import { pendingCondition, storedCondition, storeFlags, type Pending } from './flags.js';

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
    return `${this.storePending()}at = ${this.index * 64 + this.remaining};`;
  }

  /** Write pending flags to the CPU (they stay usable for fused conditions). */
  storePending(): string {
    const p = this.pending;
    if (p === undefined || p.stored) return '';
    p.stored = true;
    return `${storeFlags(p)} `;
  }

  /** A condition as a JS expression, fused with the pending flag-setter where there is one. */
  condition(cond: number): string {
    return this.pending ? pendingCondition(cond, this.pending) : storedCondition(cond);
  }

  /** Record a flag-setter whose operands and result are in the named constants. */
  setFlags(p: Omit<Pending, 'stored'>): void {
    this.pending = { ...p, stored: false };
  }

  /** After code that wrote cpu.n/z/c/v itself. */
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

  /** Hands pending flags to the code after the loop, on one path only. */
  private pendingExit(): string {
    const p = this.pending;
    if (p === undefined || p.stored) return '';
    const kind = (p.kind === 'sub' ? 1 : p.kind === 'add' ? 3 : 5) + (p.sf ? 0 : 1);
    return `fk = ${kind}; fa = ${p.al}; fah = ${p.ah}; fb = ${p.bl}; fbh = ${p.bh}; fr = ${p.rl}; frh = ${p.rh}; `;
  }

  /** Continue at page instruction `target` of this function, or leave it. */
  goto(target: number | undefined, leaders: Set<number>, offset: number): string {
    if (target !== undefined && leaders.has(target)) return `{ idx = ${target}; continue; }`;
    return this.exitAfter('offset', `${this.index * 4 + offset}`);
  }
}
