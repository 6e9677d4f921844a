import { LinearMemory, TLB_MASK, TLB_SETS, TLB_SIZE, type TlbArrays } from '../memory/linear-memory.js';
import type { MmioHandler, PhysPage } from '../memory/phys-page.js';
import { Access, type AddressSpace } from './address-space.js';
import { loadFpState, type UserContext } from './context.js';
import { compileRegion, type RegionFn } from './jit/compile.js';
import { compileWasmRegion } from './wasm/compile.js';
import { REGS, VREGS } from './wasm/layout.js';
import { SLOTS } from './slots.js';
import { decodeInstruction, type Decoded } from './decoder.js';
import { dataAbortInstructionSyndrome } from './data-abort-syndrome.js';
import { EC, ESR_IL, FSC, MemoryFault, Stop } from './fault.js';
import type { SystemRegisters } from './sysregs.js';

export { TLB_MASK };

/** The soft TLB entries of one ASID: arrays in the linear memory (see linear-memory.ts), and the fetched pages. */
interface TlbSet extends TlbArrays {
  /** Which of the memory's TLB sets. */
  slot: number;
  fPage: (PhysPage | undefined)[];
  /** The blocks (first page number → pages) that entries of this set were filled from. */
  blocks: Map<number, number>;
}
const TWO32 = 4294967296;

/** The decoded instructions of one physical page, filled lazily. */
export interface CodePage {
  page: PhysPage;
  fns: (Handler | undefined)[];
  args: unknown[];
  /** Row names, for the block compiler. */
  names: (string | undefined)[];
  /** The compiled function that can start at each instruction (its block starts). */
  fnAt: (RegionFn | undefined)[];
  /** How often a function of the page was compiled (up to 6). */
  compiles: number;
  /** Instructions compiled code covers (they stay in when the page is compiled again). */
  hot: Uint8Array;
  /** How often the interpreter executed each instruction. */
  heat: Uint16Array;
  /** Where compiled code of this page must stop short: a debugger's breakpoints (see `Cpu.breakpoints`). */
  cuts?: BreakpointCuts;
}

/**
 * The instructions of a code page that compiled code leaves to the interpreter, because a
 * debugger has a breakpoint there in an address space that runs the page. Valid for one
 * generation of `Cpu.breakpoints` and the ASIDs that have entered the page since.
 */
export interface BreakpointCuts {
  generation: number;
  asids: number[];
  /** Page indices (instruction number within the page). */
  at: Set<number>;
}

/**
 * Thrown by an access that hits a watchpoint, before it reads or writes: `run` ends with
 * Stop.Watchpoint at that instruction, unretired, as a fault would (registers are written
 * only after every access of an instruction, in compiled code too).
 */
const WATCH_HIT = new Error('watchpoint hit');

/** A debugger's watchpoint: `length` bytes at `address` (below 2^53); 2 write, 3 read, 4 access. */
export interface Watchpoint {
  kind: 2 | 3 | 4;
  address: number;
  length: number;
}

/** Executions of an instruction by the interpreter before a function is compiled to start there. */
const HOT_THRESHOLD = 16;

/** An instruction handler: executes one decoded instruction. */
export type Handler = (cpu: Cpu, args: never) => void;

/**
 * The AArch64 CPU at EL0: architectural state, a soft TLB over an `AddressSpace`, and an
 * interpreter over a per-page cache of decoded instructions.
 *
 * 64-bit registers live as 32-bit halves in `R` (lo at `2*slot`, hi at `2*slot+1`), with a
 * BigUint64Array view `X` of the same bytes for the few operations (multiply, divide) that are
 * simplest in BigInt. Register numbers are resolved to slots at decode time, so XZR/SP cost
 * nothing at run time.
 */
export class Cpu {
  /**
   * The register file, laid out as wasm/layout.ts says, in the header of the linear memory
   * (`linear`): compiled WebAssembly loads and stores the same bytes. These views are never
   * taken again: the linear memory never grows, so its buffer is never detached
   * (linear-memory.ts).
   */
  readonly R: Int32Array<ArrayBuffer>;
  readonly X: BigUint64Array<ArrayBuffer>;
  /** X0–X30 and SP_EL0 (slots 0–31): what a context switch copies, as one typed-array copy. */
  readonly userX: BigUint64Array<ArrayBuffer>;

  /** SIMD&FP registers V0–V31, 16 bytes each, with every lane view; V32–V34 are scratch. */
  readonly V8: Uint8Array<ArrayBuffer>;
  readonly V16: Uint16Array<ArrayBuffer>;
  readonly V32: Uint32Array<ArrayBuffer>;
  readonly VI32: Int32Array<ArrayBuffer>;
  readonly VF32: Float32Array<ArrayBuffer>;
  readonly VF64: Float64Array<ArrayBuffer>;
  readonly V64: BigUint64Array<ArrayBuffer>;
  /** V0–V31 without the scratch registers: what a context switch copies. */
  readonly userV: Uint8Array<ArrayBuffer>;

  /** The program counter, a non-negative integer below 2^53. */
  pc = 0;
  /** Set by every instruction: where execution continues. */
  nextPc = 0;
  /** NZCV, one number each (0 or 1). */
  n = 0;
  z = 0;
  c = 0;
  v = 0;
  fpcr = 0;
  fpsr = 0;
  /**
   * Lazy FP/SIMD switching (context.ts): the context whose V0–V31, FPCR and FPSR the CPU
   * holds, the context loaded now, and whether the two differ; an instruction that touches that
   * state (`usesFpState`) first calls `fpSwitch` when they do.
   */
  fpOwner: UserContext | undefined = undefined;
  fpNext: UserContext | undefined = undefined;
  fpStale = false;
  /** TPIDR_EL0 (read-write at EL0) and TPIDRRO_EL0 (read-only at EL0), as halves. */
  tpidrLo = 0;
  tpidrHi = 0;
  tpidrroLo = 0;
  tpidrroHi = 0;
  /** Retired instructions. */
  icount = 0;
  /** Compile hot blocks (the interpreter alone when false: `--no-jit`). */
  blocksEnabled = true;
  /** Which compiler makes hot code into functions (`--tier`): WebAssembly (the default) or JavaScript. */
  tier: 'js' | 'wasm' = 'wasm';
  /** Entries into a block before it is compiled (1: compile at once, for tests). */
  hotThreshold = HOT_THRESHOLD;
  /** Set when a store hits a page holding decoded code; compiled code stops there. */
  codeChanged = false;
  /** Where compiled code faulted: see `RegionFn`. */
  faultAt = 0;
  faultDone = 0;

  /** Why the last `run` stopped, with the syndrome and fault address. */
  stop: Stop = Stop.Budget;
  esr = 0;
  farLo = 0;
  farHi = 0;

  /**
   * Where and at which `icount` the last run ended with Stop.TimeSync; −1 when that sync is
   * used up. A kernel that switches threads resets it to −1.
   */
  timeSyncIcount = -1;
  timeSyncPc = -1;

  /** Exclusive monitor (LDXR/STXR): the marked address, or -1. */
  exclusiveLo = -1;
  exclusiveHi = 0;

  /** The result of a 64-bit load. */
  l64lo = 0;
  l64hi = 0;

  /** The memory of RAM pages and of the soft TLB, and its RAM (a RAM page is `mem` at its RAM offset). */
  readonly linear: LinearMemory;
  readonly mem: DataView<ArrayBuffer>;
  // The soft TLB of the current ASID (see `selectAsid`), in `linear`: tags are VA >> 12, or -1
  // for empty; bases are RAM offsets in `mem`. Compiled code reads the read and write halves
  // and `mem` directly (they are only replaced by `selectAsid`, between runs).
  rTag: Float64Array<ArrayBuffer>;
  rBase: Int32Array<ArrayBuffer>;
  wTag: Float64Array<ArrayBuffer>;
  wBase: Int32Array<ArrayBuffer>;
  private fTag: Float64Array<ArrayBuffer>;
  private fBase: Int32Array<ArrayBuffer>;
  private fPage: (PhysPage | undefined)[];
  private blocks: Map<number, number>;
  /**
   * The TLB set of every ASID seen since the last full invalidation (at most TLB_SETS: then
   * the oldest other set goes), the current one (whose arrays are the fields above) included:
   * an address-space switch keeps every ASID's translations warm and allocates nothing once
   * each ASID has a set.
   */
  private readonly tlbSets = new Map<number, TlbSet>();
  /** The memory's TLB sets no ASID holds, the next to use last. */
  private readonly freeSlots = Array.from({ length: TLB_SETS }, (_, k) => TLB_SETS - 1 - k);
  private curSet: TlbSet;
  /** The ASID whose entries are in the fields above. */
  asid = 0;

  private curBase = -1e18;
  private curCode: CodePage | undefined;

  /**
   * A debugger's breakpoints: per ASID, the addresses where `run` stops (Stop.Breakpoint)
   * before executing the instruction. The interpreter checks them; compiled code never runs
   * over one: entering a code page (`cutAtBreakpoints`) cuts its compiled code short of the
   * breakpoints there, so the rest of the page, and every other page, stays compiled.
   */
  get breakpoints(): Map<number, Set<number>> | undefined {
    return this.breakpointMap;
  }

  set breakpoints(map: Map<number, Set<number>> | undefined) {
    this.breakpointMap = map;
    // Every page's cuts are out of date; the current page is entered again.
    this.breakpointGeneration++;
    this.curBase = -1e18;
    this.curCode = undefined;
  }

  private breakpointMap: Map<number, Set<number>> | undefined = undefined;
  private breakpointGeneration = 0;
  /** Instructions retired by compiled code (the rest by the interpreter): for tests and tools. */
  compiledIcount = 0;
  /** Set while the instruction a watchpoint stopped at runs (`runPastWatchpoint`). */
  private watchSkip = false;
  /** Where the last run stopped for a watchpoint (−1: it did not), and under which ASID. */
  private watchStopPc = -1;
  private watchStopAsid = -1;
  /** The one breakpoint (pc and ASID) the next `run` steps over: the one it stopped at. */
  breakpointSkipPc = -1;
  breakpointSkipAsid = -1;
  /**
   * A debugger's watchpoints, per ASID. Their pages never enter the soft TLB, so every access
   * takes the slow path, which checks them.
   */
  watchpoints: Map<number, Watchpoint[]> | undefined = undefined;
  /** The watchpoint the last Stop.Watchpoint hit, and the address accessed. */
  watchHit: { point: Watchpoint; address: number } | undefined = undefined;

  /**
   * Whether EL0 may use DC ZVA (SCTLR_EL1.DZE). Linux allows it; seL4 does not set DZE, so on
   * the seL4 machine DC ZVA traps and DCZID_EL0.DZP reads 1.
   */
  el0DcZva = true;

  constructor(
    public space: AddressSpace,
    public sysregs: SystemRegisters,
  ) {
    this.linear = space.linear ?? new LinearMemory(0);
    if (this.linear.registerFileTaken) throw new Error('internal error: two CPUs on one linear memory (its header holds one register file)');
    this.linear.registerFileTaken = true;
    const buffer = this.linear.memory.buffer;
    this.R = new Int32Array(buffer, REGS, SLOTS * 2);
    this.X = new BigUint64Array(buffer, REGS, SLOTS);
    this.userX = new BigUint64Array(buffer, REGS, 32);
    this.V8 = new Uint8Array(buffer, VREGS, 35 * 16);
    this.V16 = new Uint16Array(buffer, VREGS, 35 * 8);
    this.V32 = new Uint32Array(buffer, VREGS, 35 * 4);
    this.VI32 = new Int32Array(buffer, VREGS, 35 * 4);
    this.VF32 = new Float32Array(buffer, VREGS, 35 * 4);
    this.VF64 = new Float64Array(buffer, VREGS, 35 * 2);
    this.V64 = new BigUint64Array(buffer, VREGS, 35 * 2);
    this.userV = new Uint8Array(buffer, VREGS, 512);
    this.mem = this.linear.view;
    const set = this.newTlbSet();
    this.curSet = set;
    this.rTag = set.rTag;
    this.rBase = set.rBase;
    this.wTag = set.wTag;
    this.wBase = set.wBase;
    this.fTag = set.fTag;
    this.fBase = set.fBase;
    this.fPage = set.fPage;
    this.blocks = set.blocks;
    this.linear.currentSetOffset = set.offset;
    this.tlbSets.set(this.asid, set);
  }

  // ---------------------------------------------------------------- registers

  /** Read a 64-bit register as a BigInt (slow; for tests and tools). */
  getX(slot: number): bigint {
    return this.X[slot]!;
  }

  setX(slot: number, value: bigint): void {
    this.X[slot] = BigInt.asUintN(64, value);
  }

  /** Set a register from a non-negative integer below 2^53. */
  setXNumber(slot: number, value: number): void {
    this.R[2 * slot] = (value % TWO32) | 0;
    this.R[2 * slot + 1] = Math.floor(value / TWO32) | 0;
  }

  get nzcv(): number {
    return (this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28);
  }

  set nzcv(value: number) {
    this.n = (value >>> 31) & 1;
    this.z = (value >>> 30) & 1;
    this.c = (value >>> 29) & 1;
    this.v = (value >>> 28) & 1;
  }

  // ---------------------------------------------------------------- execution

  /**
   * The kernel entry for SVC without leaving `run` (the machine's direct system call, set
   * when a kernel model runs here): called after an SVC ended a batch, with `pc` the return
   * address and `icount` exact. It returns −1 when it did not take the SVC (`run` returns
   * Stop.Svc as without it), 0 when it did but the run must end (Stop.Handled: the caller's
   * loop has something to do before the next instruction), or the budget of the next batch,
   * which `run` starts at once in whatever thread the kernel left in the CPU.
   */
  onSvc: (() => number) | undefined = undefined;

  /**
   * Execute up to `budget` instructions. Returns why it stopped; `icount` counts the retired
   * instructions. With `onSvc`, a system call may be handled inside and the run go on for
   * the budgets it gives.
   */
  run(budget: number): Stop {
    let stop = this.runBatch(budget);
    while (stop === Stop.Svc && this.onSvc !== undefined) {
      const next = this.onSvc();
      if (next < 0) return stop;
      if (next === 0) return (this.stop = Stop.Handled);
      stop = this.runBatch(next);
    }
    return stop;
  }

  private runBatch(budget: number): Stop {
    const watchStop = this.watchStopPc;
    this.watchStopPc = -1;
    if (watchStop === this.pc && this.watchStopAsid === this.asid && this.watchpoints !== undefined && !this.watchSkip) return this.runPastWatchpoint(budget);
    let pc = this.pc;
    let executed = 0;
    this.stop = Stop.Budget;
    const blocks = this.blocksEnabled;
    // Memory written between runs (a loader, a kernel) may have dropped this page's code.
    if (this.curCode !== undefined && this.curCode.page.code !== this.curCode) {
      this.curCode = undefined;
      this.curBase = -1e18;
    }
    // The page base of the compiled function running, or -1 (for attributing a fault).
    let inRegion = -1;
    const bps = this.breakpoints?.get(this.asid);
    const skipPc = this.breakpointSkipAsid === this.asid ? this.breakpointSkipPc : -1;
    this.breakpointSkipPc = -1;
    try {
      while (executed < budget) {
        // `curBase`/`curCode` are re-read each time: a store may drop the current page's code.
        const off = pc - this.curBase;
        if (!(off >= 0 && off < 4096)) {
          if (pc < 0) break;
          this.curCode = this.codePageFor(pc);
          this.curBase = pc - (pc & 0xfff); // pc is a whole number in [0, 2^53): & is its remainder, without fmod
          if (bps !== undefined || this.curCode.cuts !== undefined) this.cutAtBreakpoints(this.curCode, bps);
          continue;
        }
        const code = this.curCode!;
        const idx = off >>> 2;
        if (bps?.has(pc) && !(executed === 0 && pc === skipPc)) {
          this.stop = Stop.Breakpoint;
          break;
        }
        if (blocks) {
          const region = code.fnAt[idx];
          if (region !== undefined) {
            this.codeChanged = false;
            inRegion = this.curBase;
            const n = region(this, inRegion, idx, budget - executed);
            inRegion = -1;
            executed += n;
            this.compiledIcount += n;
            // Nothing retired and still here: the first block does not fit the budget.
            if (n !== 0 || this.nextPc !== pc) {
              pc = this.nextPc;
              continue;
            }
          } else if (++code.heat[idx]! >= this.hotThreshold << code.compiles && code.cuts?.at.has(idx) !== true) {
            // Each recompile of a page waits twice as long: a new function starts cold in V8.
            if (code.compiles < 6) code.compiles++;
            const minHeat = Math.max(1, this.hotThreshold >> 2);
            const { fn, leaders } = this.tier === 'wasm' ? compileWasmRegion(code, idx, minHeat, this.linear.shared) : compileRegion(code, idx, minHeat);
            for (const l of leaders) code.fnAt[l] = fn;
            continue;
          }
        }
        let fn = code.fns[idx];
        if (fn === undefined) fn = this.decodeInto(code, idx);
        this.nextPc = pc + 4;
        (fn as (cpu: Cpu, a: unknown) => void)(this, code.args[idx]);
        pc = this.nextPc;
        executed++;
      }
    } catch (e) {
      if (e !== WATCH_HIT && !(e instanceof MemoryFault)) throw e;
      let faultPc: number;
      if (inRegion >= 0) {
        faultPc = inRegion + (this.faultAt >>> 6) * 4;
        const done = this.faultDone - (this.faultAt & 63);
        executed += done;
        this.compiledIcount += done;
      } else {
        // A fetch faults at `pc`, before anything there runs; otherwise the interpreted instruction faulted.
        faultPc = e instanceof MemoryFault && e.fetch ? pc : this.nextPc - 4;
      }
      this.pc = faultPc;
      this.icount += executed;
      if (!(e instanceof MemoryFault)) {
        this.stop = Stop.Watchpoint;
        this.nextPc = 0;
        this.watchStopPc = faultPc;
        this.watchStopAsid = this.asid;
        return this.stop;
      }
      this.memoryFault(e);
      if ((this.stop as Stop) === Stop.DataAbort && this.space.stage2Faults && e.fsc < 0x10) this.esr |= dataAbortInstructionSyndrome(this.instructionWordAt(faultPc));
      return this.stop;
    }
    this.icount += executed;
    if (pc === -1) {
      // An instruction asked to stop: it set `stop`, the syndrome and the return address.
      this.nextPc = 0;
      if ((this.stop as Stop) === Stop.TimeSync) this.timeSyncIcount = this.icount; // set by `raise`, unseen by TS
      return this.stop;
    }
    this.pc = pc;
    return this.stop;
  }

  /**
   * Resuming at the instruction a watchpoint stopped before: it runs once without stopping
   * again (GDB removes its watchpoints for that step anyway), then the run goes on.
   */
  private runPastWatchpoint(budget: number): Stop {
    const blocks = this.blocksEnabled;
    this.blocksEnabled = false;
    this.watchSkip = true;
    let stop: Stop;
    try {
      stop = this.runBatch(1);
    } finally {
      this.blocksEnabled = blocks;
      this.watchSkip = false;
    }
    return stop !== Stop.Budget || budget <= 1 ? stop : this.runBatch(budget - 1);
  }

  /**
   * Entering a code page while a debugger has breakpoints (or had, when the page was cut):
   * make the page's compiled code stop short of every breakpoint of the current ASID on it.
   * When that adds a cut, or breakpoints went away, the page's compiled functions are dropped
   * and compiled again as the page warms up (`discoverRegion` leaves the cut instructions out).
   */
  private cutAtBreakpoints(code: CodePage, bps: Set<number> | undefined): void {
    const old = code.cuts;
    const generation = this.breakpointGeneration;
    if (old !== undefined && old.generation === generation && old.asids.includes(this.asid)) return;
    const current = old !== undefined && old.generation === generation;
    const at = new Set<number>(current ? old.at : []);
    const base = this.curBase;
    if (bps !== undefined) for (const va of bps) if (va >= base && va < base + 4096) at.add((va - base) >>> 2);
    const before = old?.at ?? new Set<number>();
    const changed = at.size !== before.size || [...at].some((i) => !before.has(i));
    if (changed) code.fnAt.fill(undefined);
    code.cuts = bps === undefined && at.size === 0 ? undefined : { generation, asids: current ? [...old.asids, this.asid] : [this.asid], at };
  }

  /**
   * End the current `run` after this instruction. `returnPc` is the preferred return
   * address; `retired` says whether this instruction counts as executed (SVC does; a fault
   * does not).
   */
  raise(stop: Stop, esr: number, returnPc: number, retired: boolean): void {
    this.stop = stop;
    this.esr = esr;
    this.pc = returnPc;
    if (!retired) this.icount--;
    this.nextPc = -1;
  }

  /**
   * Called by an instruction that reads or writes the generic timer, before it does. Returns
   * true when it ended the run instead (Stop.TimeSync), so that the instruction runs first in
   * the next run, when the retired-instruction count, and hence virtual time, is exact.
   */
  syncTime(): boolean {
    const here = this.nextPc - 4;
    if (this.timeSyncIcount === this.icount && this.timeSyncPc === here) {
      this.timeSyncIcount = -1;
      return false;
    }
    this.timeSyncPc = here;
    this.raise(Stop.TimeSync, 0, here, false);
    return true;
  }

  /** After a write to the generic timer: end the run so the new deadline is seen at once. */
  endRunAfterTimerWrite(): void {
    this.endRunAfterInstruction();
  }

  /** End the run after the instruction being executed (e.g. a device write that stops the machine). */
  endRunAfterInstruction(): void {
    this.raise(Stop.TimeSync, 0, this.nextPc, true);
    // A compiled block checks this flag after each store: it returns there instead of running on.
    this.codeChanged = true;
  }

  /** Raise the Undefined Instruction exception for the instruction at the current pc. */
  undefinedInstruction(): void {
    this.raise(Stop.Undefined, (EC.UNKNOWN << 26) | ESR_IL, this.nextPc - 4, false);
  }

  /** The trap of an MSR, MRS or SYS that EL0 may not make here (EC 0x18, with its ISS). */
  systemAccessTrap(iss: number): void {
    this.raise(Stop.SystemAccessTrap, (EC.MSR_MRS << 26) | ESR_IL | iss, this.nextPc - 4, false);
  }

  /** The instruction at `pc`, which has just run (for a fault's syndrome); 0 if unreadable. */
  private instructionWordAt(pc: number): number {
    try {
      const page = this.space.translate((pc % TWO32) | 0, Math.floor(pc / TWO32), Access.Fetch);
      return page.mmio ? 0 : page.view.getUint32(page.base + (pc & 0xfff), true);
    } catch {
      return 0;
    }
  }

  private memoryFault(f: MemoryFault): void {
    this.farLo = f.farLo;
    this.farHi = f.farHi;
    if (f.fetch) {
      this.stop = Stop.InstructionAbort;
      this.esr = (EC.INSTRUCTION_ABORT_LOWER << 26) | ESR_IL | f.fsc;
    } else {
      this.stop = Stop.DataAbort;
      this.esr = (EC.DATA_ABORT_LOWER << 26) | ESR_IL | (f.write ? 1 << 6 : 0) | f.fsc;
    }
    this.nextPc = 0;
  }

  private codePageFor(pc: number): CodePage {
    const lo = pc | 0; // ToInt32 of a whole number below 2^53: its low 32 bits, without fmod
    const hi = Math.floor(pc / TWO32);
    const vpn = Math.floor(pc / 4096);
    const i = (lo >>> 12) & TLB_MASK;
    let page: PhysPage | undefined;
    if (this.fTag[i] === vpn) page = this.fPage[i];
    else {
      page = this.space.translate(lo, hi | 0, Access.Fetch);
      if (page.mmio) throw new MemoryFault(FSC.SYNC_EXTERNAL, lo, hi | 0, false, true);
      this.fTag[i] = vpn;
      this.fBase[i] = page.view === this.mem ? page.base : -1;
      this.fPage[i] = page;
      this.noteFill(vpn);
    }
    let code = page!.code as CodePage | undefined;
    if (!code) {
      code = {
        page: page!,
        fns: new Array<Handler | undefined>(1024).fill(undefined),
        args: new Array<unknown>(1024).fill(undefined),
        names: new Array<string | undefined>(1024).fill(undefined),
        fnAt: new Array<RegionFn | undefined>(1024).fill(undefined),
        compiles: 0,
        hot: new Uint8Array(1024),
        heat: new Uint16Array(1024),
      };
      page!.code = code;
      // Stores to a page holding code must take the slow path, which drops the decoded code.
      this.dropWriteEntries(page!);
    }
    return code;
  }

  private decodeInto(code: CodePage, idx: number): Handler {
    const word = code.page.view.getUint32(code.page.base + idx * 4, true);
    const d: Decoded = decodeInstruction(word);
    code.fns[idx] = d.exec;
    code.args[idx] = d.args;
    code.names[idx] = d.def?.name ?? 'UNDEFINED';
    return d.exec;
  }

  /** Load the FP/SIMD state of the context loaded now (lazy switching, context.ts). */
  fpSwitch(): void {
    loadFpState(this);
  }

  /** Forget every cached translation of every ASID (TLBI VMALLE1, or a mapping change). */
  flushTlb(): void {
    for (const set of this.tlbSets.values()) if (set !== this.curSet) this.freeSlots.push(set.slot);
    this.tlbSets.clear();
    this.tlbSets.set(this.asid, this.curSet);
    this.clearCurrentTlb();
  }

  /** Forget the translations of one ASID (TLBI ASIDE1). */
  flushTlbAsid(asid: number): void {
    if (asid === this.asid) this.clearCurrentTlb();
    else {
      const set = this.tlbSets.get(asid);
      if (set === undefined) return;
      this.tlbSets.delete(asid);
      this.freeSlots.push(set.slot);
    }
  }

  /**
   * Forget the translations of one page of one ASID (TLBI VAE1). With `asid` undefined, of
   * every ASID (TLBI VAAE1). An address inside a block drops the whole block, as hardware drops
   * its single block entry: the soft TLB holds a block as many 4 KiB entries.
   */
  flushTlbPage(va: number, asid?: number): void {
    const vpn = Math.floor(va / 4096);
    const i = vpn & TLB_MASK;
    const sets: TlbSet[] = [];
    for (const [a, set] of this.tlbSets) if (asid === undefined || asid === a) sets.push(set);
    for (const set of sets) {
      if (set.rTag[i] === vpn) set.rTag[i] = -1;
      if (set.wTag[i] === vpn) set.wTag[i] = -1;
      if (set.fTag[i] === vpn) set.fTag[i] = -1;
      for (const [first, pages] of set.blocks) {
        if (vpn < first || vpn >= first + pages) continue;
        set.blocks.delete(first);
        const inBlock = (tag: number) => tag >= first && tag < first + pages;
        for (let k = 0; k < TLB_SIZE; k++) {
          if (inBlock(set.rTag[k]!)) set.rTag[k] = -1;
          if (inBlock(set.wTag[k]!)) set.wTag[k] = -1;
          if (inBlock(set.fTag[k]!)) set.fTag[k] = -1;
        }
      }
    }
    this.curBase = -1e18;
    this.curCode = undefined;
  }

  /** After a TLB fill for page `vpn`: remember the block it came from, if it was one. */
  private noteFill(vpn: number): void {
    const pages = this.space.lastMappingPages ?? 1;
    if (pages > 1) this.blocks.set(vpn - (vpn % pages), pages);
  }

  /**
   * Make `asid` the current address-space identifier: translations cached under other ASIDs
   * are kept and come back when their ASID does. The caller changes the address space itself.
   */
  selectAsid(asid: number): void {
    if (asid === this.asid) return;
    // The current set's arrays are the fields themselves (only this method replaces them), so
    // leaving it costs nothing; it stays in `tlbSets` under its ASID.
    let next = this.tlbSets.get(asid);
    if (next === undefined) {
      next = this.newTlbSet();
      this.tlbSets.set(asid, next);
    }
    this.asid = asid;
    this.curSet = next;
    this.loadTlbSet(next);
    this.linear.currentSetOffset = next.offset;
    this.curBase = -1e18;
    this.curCode = undefined;
  }

  private clearCurrentTlb(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.fTag.fill(-1);
    this.blocks.clear();
    this.curBase = -1e18;
    this.curCode = undefined;
  }

  private loadTlbSet(set: TlbSet): void {
    ({ rTag: this.rTag, rBase: this.rBase, wTag: this.wTag, wBase: this.wBase, fTag: this.fTag, fBase: this.fBase, fPage: this.fPage, blocks: this.blocks } = set);
  }

  /**
   * An empty TLB set in a free slot of the memory. When every slot is taken, the oldest set
   * of another ASID gives its slot up: its translations are refilled as they are used.
   */
  private newTlbSet(): TlbSet {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      for (const [asid, set] of this.tlbSets) {
        if (set === this.curSet) continue;
        this.tlbSets.delete(asid);
        slot = set.slot;
        break;
      }
    }
    const a = this.linear.tlbSet(slot!);
    return { offset: a.offset, rTag: a.rTag, wTag: a.wTag, fTag: a.fTag, rBase: a.rBase, wBase: a.wBase, fBase: a.fBase, slot: slot!, fPage: new Array<PhysPage | undefined>(TLB_SIZE).fill(undefined), blocks: new Map() };
  }

  /** Forget decoded instructions everywhere (e.g. IC IALLU). */
  flushCode(page?: PhysPage): void {
    if (page) page.code = undefined;
    this.curBase = -1e18;
    this.curCode = undefined;
  }

  /** Stores to `page` must take the slow path from now on, under every ASID. */
  private dropWriteEntries(page: PhysPage): void {
    // Only pages of this memory are ever entered, and their offsets are unique in it.
    if (page.view !== this.mem) return;
    const sets = this.tlbSets.values();
    for (const set of sets) {
      for (let i = 0; i < TLB_SIZE; i++) {
        if (set.wTag[i] !== -1 && set.wBase[i] === page.base) set.wTag[i] = -1;
      }
    }
  }

  // ---------------------------------------------------------------- memory

  load8(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    if (this.rTag[i] === hi * 1048576 + (lo >>> 12)) return this.mem.getUint8(this.rBase[i]! + (lo & 0xfff));
    return this.loadSlow(lo, hi, 1);
  }

  load16(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 0xfff;
    if (this.rTag[i] === hi * 1048576 + (lo >>> 12) && off <= 4094) return this.mem.getUint16(this.rBase[i]! + off, true);
    return this.loadSlow(lo, hi, 2);
  }

  /** A 32-bit load, as a signed int32. */
  load32(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 0xfff;
    if (this.rTag[i] === hi * 1048576 + (lo >>> 12) && off <= 4092) return this.mem.getInt32(this.rBase[i]! + off, true);
    return this.loadSlow(lo, hi, 4);
  }

  /** A 64-bit load into `l64lo`/`l64hi`. */
  load64(lo: number, hi: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 0xfff;
    if (this.rTag[i] === hi * 1048576 + (lo >>> 12) && off <= 4088) {
      const view = this.mem;
      const b = this.rBase[i]! + off;
      this.l64lo = view.getInt32(b, true);
      this.l64hi = view.getInt32(b + 4, true);
      return;
    }
    this.l64lo = this.loadSlow(lo, hi, 4, 8);
    const lo2 = (lo + 4) | 0;
    this.l64hi = this.loadSlow(lo2, lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi, 4);
  }

  store8(lo: number, hi: number, value: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    if (this.wTag[i] === hi * 1048576 + (lo >>> 12)) {
      this.mem.setUint8(this.wBase[i]! + (lo & 0xfff), value);
      return;
    }
    this.storeSlow(lo, hi, 1, value);
  }

  store16(lo: number, hi: number, value: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 0xfff;
    if (this.wTag[i] === hi * 1048576 + (lo >>> 12) && off <= 4094) {
      this.mem.setUint16(this.wBase[i]! + off, value, true);
      return;
    }
    this.storeSlow(lo, hi, 2, value);
  }

  store32(lo: number, hi: number, value: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 0xfff;
    if (this.wTag[i] === hi * 1048576 + (lo >>> 12) && off <= 4092) {
      this.mem.setInt32(this.wBase[i]! + off, value, true);
      return;
    }
    this.storeSlow(lo, hi, 4, value);
  }

  store64(lo: number, hi: number, vlo: number, vhi: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 0xfff;
    if (this.wTag[i] === hi * 1048576 + (lo >>> 12) && off <= 4088) {
      const view = this.mem;
      const b = this.wBase[i]! + off;
      view.setInt32(b, vlo, true);
      view.setInt32(b + 4, vhi, true);
      return;
    }
    // Check both halves can be written before writing either, so a fault leaves memory as it was.
    const lo2 = (lo + 4) | 0;
    const hi2 = lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
    this.probeWrite(lo, hi, 4);
    this.probeWrite(lo2, hi2, 4);
    this.storeSlow(lo, hi, 4, vlo, 8);
    this.storeSlow(lo2, hi2, 4, vhi);
  }

  /** Make sure `size` bytes at the address can be written (throws the fault if not). */
  probeWrite(lo: number, hi: number, size: number): void {
    const end = (lo & 0xfff) + size - 1;
    // A page the write TLB holds is writable (entries are dropped when mappings change).
    if (end <= 0xfff && this.wTag[(lo >>> 12) & TLB_MASK] === hi * 1048576 + (lo >>> 12)) return;
    this.space.translate(lo, hi, Access.Write);
    if (end > 0xfff) {
      const lo2 = (lo + size - 1) | 0;
      this.space.translate(lo2, lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi, Access.Write);
    }
  }

  private fillRead(lo: number, hi: number): PhysPage {
    const page = this.space.translate(lo, hi, Access.Read);
    if (!page.mmio && page.view === this.mem && !this.watchedPage(lo, hi)) {
      const i = (lo >>> 12) & TLB_MASK;
      this.rTag[i] = hi * 1048576 + (lo >>> 12);
      this.rBase[i] = page.base;
      this.noteFill(hi * 1048576 + (lo >>> 12));
    }
    return page;
  }

  /** `align`: the size of the whole access, which device memory requires to be aligned. */
  private loadSlow(lo: number, hi: number, size: number, align = size): number {
    const off = lo & 0xfff;
    if (off + size > 4096) {
      // Crosses a page: byte by byte, little-endian.
      let value = 0;
      for (let k = size - 1; k >= 0; k--) {
        const lo2 = (lo + k) | 0;
        value = (value << 8) | this.load8(lo2, lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi);
      }
      return size === 4 ? value | 0 : value >>> 0;
    }
    const page = this.fillRead(lo, hi);
    if (this.watchpoints !== undefined) this.checkWatch(lo, hi, size, false);
    if (page.mmio) return this.deviceRead(page.mmio, lo, hi, size, align);
    const b = page.base + off;
    return size === 1 ? page.view.getUint8(b) : size === 2 ? page.view.getUint16(b, true) : page.view.getInt32(b, true);
  }

  private storeSlow(lo: number, hi: number, size: number, value: number, align = size): void {
    const off = lo & 0xfff;
    if (off + size > 4096) {
      this.probeWrite(lo, hi, size);
      for (let k = 0; k < size; k++) {
        const lo2 = (lo + k) | 0;
        this.store8(lo2, lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi, (value >>> (8 * k)) & 0xff);
      }
      return;
    }
    const page = this.space.translate(lo, hi, Access.Write);
    if (this.watchpoints !== undefined) this.checkWatch(lo, hi, size, true);
    if (page.mmio) {
      this.deviceWrite(page.mmio, lo, hi, size, value, align);
      return;
    }
    if (page.code) {
      // Self-modifying code: the decoded instructions of this page are stale now.
      page.code = undefined;
      this.codeChanged = true;
      if (this.curCode?.page === page) {
        this.curCode = undefined;
        this.curBase = -1e18;
      }
    } else if (page.view === this.mem && !this.watchedPage(lo, hi)) {
      const i = (lo >>> 12) & TLB_MASK;
      this.wTag[i] = hi * 1048576 + (lo >>> 12);
      this.wBase[i] = page.base;
      this.noteFill(hi * 1048576 + (lo >>> 12));
    }
    const b = page.base + off;
    if (size === 1) page.view.setUint8(b, value);
    else if (size === 2) page.view.setUint16(b, value, true);
    else page.view.setInt32(b, value, true);
  }

  /** Whether a watchpoint of the current ASID covers part of the page of this address. */
  private watchedPage(lo: number, hi: number): boolean {
    const points = this.watchpoints?.get(this.asid);
    if (points === undefined) return false;
    const vpn = hi * 1048576 + (lo >>> 12);
    return points.some((w) => Math.floor(w.address / 4096) <= vpn && vpn <= Math.floor((w.address + w.length - 1) / 4096));
  }

  /**
   * An access of `size` bytes: if it overlaps a watchpoint of its kind, end the run before the
   * instruction, as AArch64 reports a watchpoint (GDB then steps over the instruction itself).
   */
  private checkWatch(lo: number, hi: number, size: number, write: boolean): void {
    const points = this.watchpoints?.get(this.asid);
    if (points === undefined || this.watchSkip) return;
    const at = hi * TWO32 + (lo >>> 0);
    for (const w of points) {
      if (at + size <= w.address || at >= w.address + w.length) continue;
      if (w.kind === 2 ? !write : w.kind === 3 ? write : false) continue;
      this.watchHit = { point: w, address: Math.max(at, w.address) };
      throw WATCH_HIT;
    }
  }

  /**
   * An access to device memory: it must be aligned to its whole size (an alignment fault
   * otherwise), and a fault the device raises is reported at the accessed address.
   */
  private deviceRead(mmio: MmioHandler, lo: number, hi: number, size: number, align: number): number {
    if ((lo & (align - 1)) !== 0) throw new MemoryFault(FSC.ALIGNMENT, lo, hi, false, false);
    try {
      return mmio.read(lo & 0xfff, size);
    } catch (e) {
      if (e instanceof MemoryFault) throw new MemoryFault(e.fsc, lo, hi, false, false);
      throw e;
    }
  }

  private deviceWrite(mmio: MmioHandler, lo: number, hi: number, size: number, value: number, align: number): void {
    if ((lo & (align - 1)) !== 0) throw new MemoryFault(FSC.ALIGNMENT, lo, hi, true, false);
    try {
      mmio.write(lo & 0xfff, size, value);
    } catch (e) {
      if (e instanceof MemoryFault) throw new MemoryFault(e.fsc, lo, hi, true, false);
      throw e;
    }
  }
}
