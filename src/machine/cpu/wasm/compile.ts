import type { CodePage, Cpu, Handler } from '../cpu.js';
import { fieldSlots, REGISTER_FREE, type RegionFn, touchesFlags } from '../jit/compile.js';
import { directTarget, discoverRegion, isTerminator, type Region, type RegionBlock } from '../jit/region.js';
import { F64, I32, type Label, ModuleBuilder, Op } from './encoder.js';
import { Exit, WasmEmitter } from './emitter.js';
import { condition, emitNzcvOf, NZCV_OF_PARAMS } from './flags.js';
import { hostContext, hostImports, type HostContext, type HostHandler } from './host.js';
import { CURRENT_SET } from '../../memory/linear-memory.js';
import { S_AT, S_FPCR, S_FPSR, S_FPSTALE, S_NZCV, S_XD, S_XK, S_XO, S_XT } from './layout.js';
import { WASM_ROWS } from './rows.js';

/**
 * The WebAssembly tier: the hot code of a page (the region the JavaScript tier would compile,
 * jit/region.ts) becomes one WebAssembly function, with the same contract as a JavaScript
 * tier function (`RegionFn`): it retires at most `limit` instructions, whole blocks only,
 * leaves the next PC in `cpu.nextPc`, and on a fault leaves `cpu.faultAt`/`cpu.faultDone`
 * for the run loop and throws the fault. The run loop cannot tell the tiers apart.
 *
 * Shape: `loop $run (br_table on the page index of the next instruction → the block's case)`;
 * each case is a `loop` of its own, so a block branching to itself stays in place. Guest
 * registers are i64 locals, loaded from the register file on entry and stored on every exit.
 * Instructions without a WebAssembly form call their handler (host.ts), syncing just the
 * registers the instruction's fields name. Compilation is synchronous (`new
 * WebAssembly.Module`): when code switches tiers never depends on the host's timing.
 */

/** Statistics of the tier (`--stats`-style figures for the benchmark and the report). */
export const wasmTierStats = {
  regions: 0,
  /** Guest instructions compiled, and module bytes emitted. */
  guestInstructions: 0,
  moduleBytes: 0,
  /** Guest memory accesses that missed the inline TLB probe (host.ts helpers called). */
  memoryMisses: 0,
  /** Milliseconds spent emitting and compiling (new WebAssembly.Module). */
  emitMs: 0,
  compileMs: 0,
};

/** `limit` is an i32 in WebAssembly: larger budgets are cut (the run loop calls again). */
const MAX_LIMIT = 1 << 30;

/** A shared memory's largest maximum: 4 GiB in pages of 64 KiB (wasm32). */
const MAX_PAGES = 65536;

/**
 * Compile the hot code of a page starting at `entry` (see `discoverRegion`) to WebAssembly,
 * for a CPU whose linear memory is `shared` or not (the import must say which).
 */
export function compileWasmRegion(code: CodePage, entry: number, minHeat: number, shared: boolean): { fn: RegionFn; leaders: Set<number> } {
  const region = discoverRegion(code, entry, minHeat);
  for (const b of region.blocks) code.heat.fill(0, b.start, b.end);
  const t0 = performance.now();
  const { bytes, handlers } = emitModule(code, region, shared);
  const t1 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t2 = performance.now();
  wasmTierStats.regions++;
  wasmTierStats.moduleBytes += bytes.length;
  wasmTierStats.emitMs += t1 - t0;
  wasmTierStats.compileMs += t2 - t1;
  for (const b of region.blocks) wasmTierStats.guestInstructions += b.end - b.start;
  return { fn: regionFunction(module, handlers), leaders: region.leaders };
}

/** The module's bytes: the host imports, `nzcvOf`, and the region's function `run`. */
function emitModule(code: CodePage, region: Region, shared: boolean): { bytes: Uint8Array<ArrayBuffer>; handlers: HostHandler[] } {
  const m = new ModuleBuilder();
  const helpers = {
    ld: m.importFunc('h', 'ld', [I32, I32, I32], [I32]),
    st: m.importFunc('h', 'st', [I32, I32, I32, I32, I32], [I32]),
    ldPair: m.importFunc('h', 'ldPair', [I32, I32, I32], [I32]),
    stPair: m.importFunc('h', 'stPair', [I32, I32, I32, I32, I32, I32, I32], [I32]),
    handler: m.importFunc('h', 'handler', [I32], [I32]),
    fpSwitch: m.importFunc('h', 'fpSwitch', [], [I32]),
    nzcvOf: 0,
  };
  m.importMemory('h', 'mem', 1, shared ? MAX_PAGES : undefined);
  const nzcvOf = m.func(NZCV_OF_PARAMS, [I32]);
  emitNzcvOf(nzcvOf.body);
  helpers.nzcvOf = nzcvOf.index;
  const main = m.func([F64, I32, I32], [I32]);
  m.exportFunc('run', main.index);
  const e = new WasmEmitter(main.body, helpers);
  const handlers: HostHandler[] = [];
  emitRegion(e, code, region, handlers);
  return { bytes: m.encode(), handlers };
}

function emitRegion(e: WasmEmitter, code: CodePage, region: Region, handlers: HostHandler[]): void {
  const f = e.f;
  const { blocks, leaders } = region;
  e.leaders = leaders;
  const view = code.page.view;
  const wordAt = (i: number): number => view.getUint32(code.page.base + i * 4, true);

  /** Call instruction i's handler: sync the registers its fields name and NZCV if it may touch it. */
  const handlerCall = (i: number, name: string, terminator: boolean): void => {
    const free = REGISTER_FREE.has(name);
    const slots = free ? [] : fieldSlots(wordAt(i), name);
    const flags = touchesFlags(name);
    const k = handlers.length;
    handlers.push({ fn: code.fns[i] as Handler, args: code.args[i], index: i, flags });
    if (!free) e.faultable();
    if (flags) {
      e.materialise();
      f.i32(0).get(e.nzcv).mem(Op.i32_store, 2, S_NZCV);
    }
    e.storeRegs(slots);
    const status = e.tmp32();
    f.i32(k).call(e.helpers.handler).tee(status);
    // A fault leaves with the registers as they were before the instruction (the locals).
    f.i32(2).op(Op.i32_eq).if_();
    e.exitFault();
    f.end();
    e.loadRegs(slots);
    if (flags) f.i32(0).mem(Op.i32_load, 2, S_NZCV).set(e.nzcv);
    if (!terminator) {
      f.get(status).if_();
      e.exit(Exit.Handler);
      f.end();
      return;
    }
    e.exit(Exit.Handler);
  };

  /** A block's terminator: the branch, or the handler for anything else. */
  const branch = (i: number, name: string, a: Record<string, number>): void => {
    const fallOut = (): void => {
      if (!leaders.has(i + 1)) e.exit(Exit.Offset, i * 4 + 4);
    };
    switch (name) {
      case 'B':
        e.goto(directTarget(code, i), a.offset!);
        return;
      case 'BL':
        f.get(e.base)
          .i64((i + 1) * 4)
          .op(Op.i64_add);
        e.setX(30);
        e.goto(directTarget(code, i), a.offset!);
        return;
      case 'B_cond':
      case 'CBZ':
      case 'TBZ': {
        if (name === 'B_cond') condition(e, a.cond!);
        else if (name === 'CBZ') {
          e.get(a.sf!, a.t!);
          f.op(a.sf ? Op.i64_eqz : Op.i32_eqz);
          if (a.nonzero) f.op(Op.i32_eqz);
        } else {
          e.getX(a.t!);
          f.i64(a.bit!).op(Op.i64_shr_u).op(Op.i32_wrap_i64).i32(1).op(Op.i32_and);
          if (!a.nonzero) f.op(Op.i32_eqz);
        }
        f.if_();
        e.goto(directTarget(code, i), a.offset!);
        f.end();
        fallOut();
        return;
      }
      case 'BR': {
        // BR, BLR, RET: a target inside this page continues through the dispatch; anything else leaves.
        const t = e.tmp64();
        e.getX(a.n!);
        f.tee(t).i64(3).op(Op.i64_and).get(t).i64(48).op(Op.i64_shr_u).op(Op.i64_or).op(Op.i64_eqz).op(Op.i32_eqz).if_();
        handlerCall(i, name, true);
        f.end();
        if (a.link) {
          f.get(e.base)
            .i64((i + 1) * 4)
            .op(Op.i64_add);
          e.setX(30);
        }
        f.get(t).get(e.base).op(Op.i64_sub).i64(4096).op(Op.i64_lt_u).if_();
        f.get(t).get(e.base).op(Op.i64_sub).op(Op.i32_wrap_i64).i32(2).op(Op.i32_shr_u).set(e.pidx).br(e.run!);
        f.end();
        f.get(t).set(e.xt);
        e.exit(Exit.Absolute);
        return;
      }
      default:
        handlerCall(i, name, true);
    }
  };

  const emitBlock = (block: RegionBlock): void => {
    const len = block.end - block.start;
    e.blockStart = block.start;
    e.pending = undefined;
    e.fpChecked = false;
    e.self = f.loop();
    // The budget: a block runs only if all of it fits.
    f.get(e.done).i32(len).op(Op.i32_add).tee(e.done).get(e.limit).op(Op.i32_gt_s).if_();
    f.i32(len)
      .set(e.xk)
      .i32(block.start * 4)
      .set(e.xo)
      .i32(Exit.Offset)
      .set(e.xd)
      .br(e.out!);
    f.end();
    let ended = false;
    for (let i = block.start; i < block.end; i++) {
      e.startInstruction(i, block.end - i);
      const name = code.names[i]!;
      const a = code.args[i] as Record<string, number>;
      if (isTerminator(name, a)) {
        branch(i, name, a);
        ended = true;
        break;
      }
      e.fallback = () => handlerCall(i, name, false);
      const row = WASM_ROWS[name];
      if (row === undefined || !row(e, a)) handlerCall(i, name, false);
    }
    if (!ended && !leaders.has(block.end)) {
      e.startInstruction(block.end - 1, 1);
      e.exit(Exit.Offset, block.end * 4);
    }
    f.end();
    e.self = undefined;
  };

  e.out = f.block();
  e.run = f.loop();
  const caseLabels: Label[] = [];
  for (let k = blocks.length - 1; k >= 0; k--) caseLabels[k] = f.block();
  const none = f.block();
  // The dispatch: page index → the case of the block starting there, or leave.
  let top = 0;
  for (const b of blocks) top = Math.max(top, b.start + 1);
  const table: Label[] = new Array<Label>(top).fill(none);
  blocks.forEach((b, k) => (table[b.start] = caseLabels[k]!));
  f.get(e.pidx).brTable(table, none);
  f.end();
  // No block starts at pidx: continue there outside.
  f.get(e.pidx).i32(2).op(Op.i32_shl).set(e.xo).i32(Exit.Offset).set(e.xd).i32(0).set(e.xk).br(e.out);
  blocks.forEach((b, k) => {
    f.end(); // caseLabels[k]
    void k;
    emitBlock(b);
  });
  f.end(); // run
  f.end(); // out

  // Every exit: flags and registers back to the CPU, the exit record, the retired count.
  e.materialise();
  f.i32(0).get(e.nzcv).mem(Op.i32_store, 2, S_NZCV);
  e.storeRegs([...e.written].sort((x, y) => x - y));
  f.i32(0).get(e.xd).mem(Op.i32_store, 2, S_XD);
  f.i32(0).get(e.xo).mem(Op.i32_store, 2, S_XO);
  f.i32(0).get(e.xk).mem(Op.i32_store, 2, S_XK);
  f.i32(0).get(e.at).mem(Op.i32_store, 2, S_AT);
  f.i32(0).get(e.xt).mem(Op.i64_store, 3, S_XT);
  f.get(e.done).get(e.xk).op(Op.i32_sub);
  // Entry: the page base as i64, NZCV, the registers the function uses.
  f.prepend(() => {
    f.get(e.baseF).op(Op.i64_trunc_f64_u).set(e.base);
    f.i32(CURRENT_SET).mem(Op.i32_load, 2).set(e.tlbSet);
    f.i32(0).mem(Op.i32_load, 2, S_NZCV).set(e.nzcv);
    e.loadRegs([...e.used].sort((x, y) => x - y));
  });
}

/**
 * The `RegionFn` around a compiled module: one instance per CPU, importing the CPU's linear
 * memory (guest RAM, the soft TLB and, in its header, the layout of layout.ts).
 *
 * The register file's home is that header too (`Cpu.R`, `Cpu.V8`… are views of it): the
 * function loads the registers it uses into locals on entry and stores those it wrote on exit,
 * and around a handler call only the registers the handler's fields name.
 */
function regionFunction(module: WebAssembly.Module, handlers: HostHandler[]): RegionFn {
  let lastCpu: Cpu | undefined;
  let run: (base: number, pidx: number, limit: number) => number = () => 0;
  let ctx: HostContext | undefined;
  const instances = new Map<Cpu, { run: typeof run; ctx: HostContext }>();
  return (cpu, base, pidx, limit) => {
    if (cpu !== lastCpu) {
      let inst = instances.get(cpu);
      if (inst === undefined) {
        const c = hostContext(cpu, handlers);
        const instance = new WebAssembly.Instance(module, { h: { ...hostImports(c), mem: cpu.linear.memory } });
        inst = { run: instance.exports.run as typeof run, ctx: c };
        instances.set(cpu, inst);
      }
      lastCpu = cpu;
      run = inst.run;
      ctx = inst.ctx;
    }
    const c = ctx!;
    c.base = base;
    c.m32[S_NZCV >> 2] = cpu.nzcv;
    c.m32[S_FPSTALE >> 2] = cpu.fpStale ? 1 : 0;
    c.m32[S_FPCR >> 2] = cpu.fpcr;
    c.m32[S_FPSR >> 2] = cpu.fpsr;
    const done = run(base, pidx, limit > MAX_LIMIT ? MAX_LIMIT : limit);
    const m32 = c.m32;
    cpu.nzcv = m32[S_NZCV >> 2]!;
    cpu.fpsr = m32[S_FPSR >> 2]!;
    const xo = m32[S_XO >> 2]!;
    switch (m32[S_XD >> 2]) {
      case Exit.Offset:
        cpu.nextPc = base + xo;
        break;
      case Exit.Absolute:
        cpu.nextPc = m32[(S_XT >> 2) + 1]! * 4294967296 + (m32[S_XT >> 2]! >>> 0);
        break;
      case Exit.Store:
        if (cpu.nextPc === -1) cpu.pc = base + xo;
        else cpu.nextPc = base + xo;
        break;
      case Exit.Fault: {
        cpu.faultAt = m32[S_AT >> 2]!;
        cpu.faultDone = done;
        const err = c.fault;
        c.fault = undefined;
        throw err;
      }
    }
    return done;
  };
}
