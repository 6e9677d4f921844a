import { SLOTS, ZR, ZR_SINK } from '../slots.js';
import { F64, type FunctionBuilder, I32, I64, type Label, Op } from './encoder.js';
import { REGS, S_FPSTALE } from './layout.js';

/**
 * How a compiled function leaves (the `xd` it writes to S_XD): the wrapper in compile.ts
 * turns it into `cpu.nextPc` or a fault, as the JavaScript tier's code after its loop does.
 */
export const Exit = {
  /** Continue at page base + xo. */
  Offset: 0,
  /** A handler ran and set cpu.nextPc (or ended the run). */
  Handler: 1,
  /** Continue at the absolute address xt (an indirect branch out of the page). */
  Absolute: 2,
  /** After a store that changed code or ended the run: at base + xo. */
  Store: 3,
  /** A host helper or handler threw (a fault, a watchpoint): `at` says which instruction. */
  Fault: 5,
} as const;

/** The flag-setter whose operands and result the lazy-flag locals hold: its kind as `fk` numbers it. */
export interface Pending {
  /** 1/2 SUBS 64/32, 3/4 ADDS 64/32, 5/6 ANDS 64/32 (jit/runtime.ts storeFlags numbering). */
  kind: number;
}

/** Function indices of the helpers every module has (compile.ts defines the imports in this order). */
export interface Helpers {
  /** (lo, hi, bytes) → status; the value (zero-extended) at S_VAL. */
  ld: number;
  /** (lo, hi, bytes, vlo, vhi) → status. */
  st: number;
  /** (lo, hi, bytes) → status; values at S_VAL, S_VAL2. */
  ldPair: number;
  /** (lo, hi, bytes, v1lo, v1hi, v2lo, v2hi) → status. */
  stPair: number;
  /** (k) → status: call handler k of the module. */
  handler: number;
  /** () → 0: load the SIMD&FP state of the context loaded now (context.ts lazy switching). */
  fpSwitch: number;
  /** (fk, fa, fb, fr) → NZCV word (defined in the module, flags.ts). */
  nzcvOf: number;
}

/**
 * The state of code generation inside one compiled WebAssembly function: guest registers in
 * i64 locals (loaded on entry, stored on exit), the lazy flags (`fk` and the operands and
 * result of the last flag-setter, or NZCV in `nzcv` when `fk` is 0), the exit protocol.
 */
export class WasmEmitter {
  /** Register slots read or written anywhere, and written (stored on exit). */
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  private readonly regLocal = new Int32Array(SLOTS).fill(-1);

  // Function-level locals. Parameters: base (f64), pidx (i32), limit (i32).
  readonly baseF = 0;
  readonly pidx = 1;
  readonly limit = 2;
  readonly base: number;
  readonly done: number;
  readonly xd: number;
  readonly xo: number;
  readonly xk: number;
  readonly at: number;
  readonly xt: number;
  readonly fk: number;
  readonly nzcv: number;
  readonly fa: number;
  readonly fb: number;
  readonly fr: number;
  /**
   * The byte offset of the current ASID's TLB set (linear-memory.ts CURRENT_SET), read once on
   * entry: only `Cpu.selectAsid` changes it, and the kernel calls that between runs, never
   * inside a compiled function (EL0 code cannot switch address spaces).
   */
  readonly tlbSet: number;
  /** Scratch locals, handed out per instruction (`tmp64`/`tmp32`) and reused by the next. */
  private readonly pool64: number[] = [];
  private readonly pool32: number[] = [];
  private readonly poolF64: number[] = [];
  private used64 = 0;
  private used32 = 0;
  private usedF64 = 0;

  /** The instruction being emitted (page index), how many of its block remain (itself included). */
  index = 0;
  remaining = 0;
  /** The compiled block's first instruction and its loop label (a branch back to it stays in place). */
  blockStart = 0;
  self: Label | undefined;
  /** The run loop (dispatch on `pidx`) and the block every exit branches to. */
  run: Label | undefined;
  out: Label | undefined;
  /** The flag-setter the lazy-flag locals hold, when known here (inside a block, after it). */
  pending: Pending | undefined;
  /** Instructions of the page that start a compiled block (a branch there stays inside). */
  leaders = new Set<number>();
  /** Whether this block has made sure the SIMD&FP state is loaded (`fpReady`). */
  fpChecked = false;
  /** Emit a call of the current instruction's handler (a row's slow path; compile.ts sets it per instruction). */
  fallback: () => void = () => {
    throw new Error('wasm emitter: no handler to fall back to');
  };

  constructor(
    readonly f: FunctionBuilder,
    readonly helpers: Helpers,
  ) {
    this.base = f.local(I64);
    this.done = f.local(I32);
    this.xd = f.local(I32);
    this.xo = f.local(I32);
    this.xk = f.local(I32);
    this.at = f.local(I32);
    this.xt = f.local(I64);
    this.fk = f.local(I32);
    this.nzcv = f.local(I32);
    this.fa = f.local(I64);
    this.fb = f.local(I64);
    this.fr = f.local(I64);
    this.tlbSet = f.local(I32);
  }

  /** Start a new instruction: its scratch locals are free again. */
  startInstruction(index: number, remaining: number): void {
    this.index = index;
    this.remaining = remaining;
    this.used64 = 0;
    this.used32 = 0;
    this.usedF64 = 0;
  }

  tmp64(): number {
    if (this.used64 === this.pool64.length) this.pool64.push(this.f.local(I64));
    return this.pool64[this.used64++]!;
  }

  tmpF64(): number {
    if (this.usedF64 === this.poolF64.length) this.poolF64.push(this.f.local(F64));
    return this.poolF64[this.usedF64++]!;
  }

  tmp32(): number {
    if (this.used32 === this.pool32.length) this.pool32.push(this.f.local(I32));
    return this.pool32[this.used32++]!;
  }

  private reg(slot: number): number {
    let l = this.regLocal[slot]!;
    if (l < 0) {
      l = this.f.local(I64);
      this.regLocal[slot] = l;
    }
    this.used.add(slot);
    return l;
  }

  /** Push X[slot] (i64); XZR reads 0. */
  getX(slot: number): void {
    if (slot === ZR) this.f.i64(0);
    else this.f.get(this.reg(slot));
  }

  /** Push W[slot] (i32). */
  getW(slot: number): void {
    if (slot === ZR) this.f.i32(0);
    else this.f.get(this.reg(slot)).op(Op.i32_wrap_i64);
  }

  /** Pop an i64 into X[slot]; writes to XZR are dropped. */
  setX(slot: number): void {
    if (slot === ZR_SINK || slot === ZR) {
      this.f.op(Op.drop);
      return;
    }
    this.written.add(slot);
    this.f.set(this.reg(slot));
  }

  /** Pop an i32 into W[slot], zero-extending into X[slot]. */
  setW(slot: number): void {
    if (slot === ZR_SINK || slot === ZR) {
      this.f.op(Op.drop);
      return;
    }
    this.f.op(Op.i64_extend_i32_u);
    this.setX(slot);
  }

  /** Push the value of `slot` at the width: X (sf 1) or W (sf 0). */
  get(sf: number, slot: number): void {
    if (sf) this.getX(slot);
    else this.getW(slot);
  }

  /** Pop a value of the width into `slot`. */
  put(sf: number, slot: number): void {
    if (sf) this.setX(slot);
    else this.setW(slot);
  }

  /** Store registers to the register file (before a handler call or on exit). */
  storeRegs(slots: Iterable<number>): void {
    for (const s of slots) {
      if (s === ZR || s === ZR_SINK) continue;
      this.f
        .i32(0)
        .get(this.reg(s))
        .mem(Op.i64_store, 3, REGS + 8 * s);
    }
  }

  /** Load registers from the register file (on entry, after a handler call). */
  loadRegs(slots: Iterable<number>): void {
    for (const s of slots) {
      if (s === ZR || s === ZR_SINK) continue;
      this.f
        .i32(0)
        .mem(Op.i64_load, 3, REGS + 8 * s)
        .set(this.reg(s));
    }
  }

  /**
   * Before the first instruction of a block that uses the SIMD&FP registers inline: load the
   * current context's SIMD&FP state if the CPU does not hold it (lazy switching, context.ts).
   * The state cannot go stale while the function runs (only a kernel switches contexts).
   */
  fpReady(): void {
    if (this.fpChecked) return;
    this.fpChecked = true;
    this.f.i32(0).mem(Op.i32_load, 2, S_FPSTALE).if_();
    this.f.call(this.helpers.fpSwitch).op(Op.drop);
    this.f.end();
  }

  /** Before an instruction that may fault: which one it is, for the fault's PC and retired count. */
  faultable(): void {
    this.f.i32(this.index * 64 + this.remaining).set(this.at);
  }

  /** Make `nzcv` exact (fk = 0): before code that reads or writes NZCV itself. */
  materialise(): void {
    const f = this.f;
    f.get(this.fk).if_();
    f.get(this.fk).get(this.fa).get(this.fb).get(this.fr).call(this.helpers.nzcvOf).set(this.nzcv);
    f.i32(0).set(this.fk);
    f.end();
    this.pending = undefined;
  }

  /**
   * Leave the function after the current instruction (the rest of its block is not retired).
   * `xo` for Offset and Store exits: the page offset of the next instruction.
   */
  exit(kind: number, xo?: number): void {
    const f = this.f;
    f.i32(kind).set(this.xd);
    if (xo !== undefined) f.i32(xo).set(this.xo);
    f.i32(this.remaining - 1).set(this.xk);
    f.br(this.out!);
  }

  /** A fault: the state is that before the instruction (`at` set by `faultable`). */
  exitFault(): void {
    this.f.i32(Exit.Fault).set(this.xd);
    this.f.i32(0).set(this.xk);
    this.f.br(this.out!);
  }

  /** Continue at page instruction `target` (undefined: off the page) or leave at base + offset. */
  goto(target: number | undefined, offset: number): void {
    if (target === this.blockStart && this.self !== undefined) {
      this.f.br(this.self);
      return;
    }
    if (target !== undefined && this.leaders.has(target)) {
      this.f.i32(target).set(this.pidx).br(this.run!);
      return;
    }
    this.exit(Exit.Offset, this.index * 4 + offset);
  }
}
