import { CapType } from '../kernel/cap-types.js';
import { TcbSlot, type TcbObject } from '../kernel/objects.js';
import type { KernelState } from '../kernel/state.js';
import { Access } from '../machine/cpu/address-space.js';
import type { Cpu, Watchpoint } from '../machine/cpu/cpu.js';
import { EC, FSC, MemoryFault } from '../machine/cpu/fault.js';
import type { Trap } from '../machine/kernel-interface.js';
import type { DebugStop, Machine, MachineDebugger } from '../machine/machine.js';
import type { PhysPage } from '../machine/memory/phys-page.js';
import { Stage2Mmu } from '../machine/mmu/stage2.js';
import { SIGNAL } from './stub.js';
import { REG, type GdbTarget, type PointKind, type StopEvent, type TargetThread, type ThreadId } from './target.js';

/**
 * The machine and kernel models as GDB sees them: every thread the kernel knows (a PD's TCB)
 * is a process with one thread, named after the PD, whose memory is its VSpace. Breakpoints
 * and watchpoints are kept per ASID in the CPU (cpu.ts), so a breakpoint in one PD never
 * stops another that uses the same address.
 */
export class Sel4Target implements GdbTarget, MachineDebugger {
  /** Processes by TCB, numbered in the order the kernel made the threads (stable for a run). */
  private readonly pids = new Map<TcbObject, number>();
  /** The stub to tell about stops (set when a client connects). */
  onStop: ((event: StopEvent) => void) | undefined = undefined;
  /** Resolves the promise the machine waits on while stopped. */
  private release: (() => void) | undefined = undefined;
  /** The last stop, as GDB is told it. */
  lastStop: StopEvent | undefined = undefined;
  private readonly mmu: Stage2Mmu;
  /** Points by kind and process, for removal and for the "any left?" test. */
  private readonly points = new Map<string, { asid: number; kind: PointKind; address: number; length: number }>();
  /** A thread to step when it next gets the CPU (the others run until then). */
  private stepFor: TcbObject | undefined = undefined;
  /** The fault the run is stopped before (for `monitor fault`), if it is. */
  pendingFault: Trap | undefined = undefined;

  constructor(
    readonly machine: Machine,
    readonly k: KernelState,
    /** `monitor` commands (monitor.ts). */
    readonly monitorCommand: (command: string) => string = () => '',
    /** Each PD's ELF by PD name (absolute paths), for `qXfer:exec-file:read`. */
    readonly programs: ReadonlyMap<string, string> = new Map(),
  ) {
    this.mmu = new Stage2Mmu(machine.memory);
  }

  private get cpu(): Cpu {
    return this.machine.cpu;
  }

  // ------------------------------------------------------------ threads

  /** The threads of PDs (and of their children): every TCB but the idle thread. */
  private tcbs(): TcbObject[] {
    const list = [...this.k.debugTcbs].reverse().filter((t) => t !== this.k.idleThread);
    for (const t of list) if (!this.pids.has(t)) this.pids.set(t, this.pids.size + 1);
    return list;
  }

  threads(): TargetThread[] {
    return this.tcbs()
      .map((t) => ({ pid: this.pids.get(t)!, tid: 1, name: t.name || '?', executable: this.programs.get(t.name) }))
      .sort((a, b) => a.pid - b.pid);
  }

  tcbOf(pid: number): TcbObject | undefined {
    return this.tcbs().find((t) => this.pids.get(t) === pid);
  }

  /** The thread a stop belongs to: the one on the CPU, or the first PD when the CPU idles. */
  private current(): ThreadId {
    const t = this.k.loaded ?? this.k.curThread;
    const list = this.threads();
    const pid = this.pids.get(t);
    return { pid: pid ?? list[0]?.pid ?? 1, tid: 1 };
  }

  // ------------------------------------------------------------ registers

  /** The thread's registers, up to date (the loaded thread's live in the CPU). */
  private context(t: TcbObject) {
    if (t === this.k.loaded) this.k.saveLoaded();
    return t.context;
  }

  readRegister(thread: ThreadId, n: number): bigint | undefined {
    const t = this.tcbOf(thread.pid);
    if (!t) return undefined;
    const c = this.context(t);
    if (n <= REG.SP) return c.x[n]!;
    if (n === REG.PC) return c.pc;
    if (n === REG.CPSR) return BigInt(c.nzcv >>> 0);
    if (n === REG.FPSR) return BigInt(c.fpsr >>> 0);
    if (n === REG.FPCR) return BigInt(c.fpcr >>> 0);
    if (n >= REG.V0 && n < REG.V0 + 32) {
      const v = new DataView(c.v.buffer, c.v.byteOffset + (n - REG.V0) * 16, 16);
      return (v.getBigUint64(8, true) << 64n) | v.getBigUint64(0, true);
    }
    return undefined;
  }

  writeRegister(thread: ThreadId, n: number, value: bigint): boolean {
    const t = this.tcbOf(thread.pid);
    if (!t) return false;
    const c = this.context(t);
    if (n <= REG.SP) c.x[n] = BigInt.asUintN(64, value);
    else if (n === REG.PC) c.pc = BigInt.asUintN(64, value);
    else if (n === REG.CPSR) c.nzcv = Number(value & 0xf000_0000n);
    else if (n === REG.FPSR) c.fpsr = Number(value & 0xffff_ffffn);
    else if (n === REG.FPCR) c.fpcr = Number(value & 0xffff_ffffn);
    else if (n >= REG.V0 && n < REG.V0 + 32) {
      const v = new DataView(c.v.buffer, c.v.byteOffset + (n - REG.V0) * 16, 16);
      v.setBigUint64(0, BigInt.asUintN(64, value), true);
      v.setBigUint64(8, BigInt.asUintN(64, value >> 64n), true);
    } else return false;
    if (t === this.k.loaded) this.machine.restoreContext(c);
    return true;
  }

  // ------------------------------------------------------------ memory

  /** The VSpace (root table address and ASID) of a process; undefined without a valid one. */
  private vspace(pid: number): { root: number; asid: number } | undefined {
    const t = this.tcbOf(pid);
    const cap = t?.ctes.slots[TcbSlot.VTable]?.cap;
    if (cap?.type !== CapType.VSpace || cap.asid === undefined) return undefined;
    return { root: cap.obj.paddr, asid: cap.asid };
  }

  /** The RAM page behind `va` in the process's VSpace (device pages are refused: reading one has effects). */
  private page(pid: number, va: number): PhysPage | undefined {
    const vs = this.vspace(pid);
    if (!vs || va < 0 || va >= 2 ** 48) return undefined;
    this.mmu.root = vs.root;
    try {
      const page = this.mmu.translate((va % 2 ** 32) | 0, Math.floor(va / 2 ** 32), Access.Read);
      return page.mmio ? undefined : page;
    } catch (e) {
      if (e instanceof MemoryFault) return undefined;
      throw e;
    }
  }

  readMemory(pid: number, address: bigint, length: number): Uint8Array {
    const out: number[] = [];
    let va = Number(address);
    while (out.length < length) {
      const page = this.page(pid, va);
      if (!page) break;
      const off = va % 4096;
      const n = Math.min(4096 - off, length - out.length);
      for (let i = 0; i < n; i++) out.push(page.view.getUint8(page.base + off + i));
      va += n;
    }
    return Uint8Array.from(out);
  }

  writeMemory(pid: number, address: bigint, bytes: Uint8Array): boolean {
    const start = Number(address);
    const pages: PhysPage[] = [];
    for (let va = start; va < start + bytes.length; va = va - (va % 4096) + 4096) {
      const p = this.page(pid, va);
      if (!p) return false;
      pages.push(p);
    }
    for (let i = 0; i < bytes.length; i++) {
      const va = start + i;
      const page = this.page(pid, va)!;
      page.view.setUint8(page.base + (va % 4096), bytes[i]!);
    }
    // Code written by the debugger: the decoded (and compiled) instructions of those pages go.
    for (const p of pages) if (p.code) this.cpu.flushCode(p);
    return true;
  }

  // ------------------------------------------------------------ break- and watchpoints

  insertPoint(kind: PointKind, pid: number, address: bigint, length: number): boolean {
    const vs = this.vspace(pid);
    const va = Number(address);
    if (!vs || !this.page(pid, va)) return false;
    const key = `${kind}:${pid}:${va}:${length}`;
    if (this.points.has(key)) return true;
    this.points.set(key, { asid: vs.asid, kind, address: va, length });
    this.sync();
    if (kind >= 2) for (let p = va - (va % 4096); p < va + Math.max(1, length); p += 4096) this.cpu.flushTlbPage(p, vs.asid);
    return true;
  }

  removePoint(kind: PointKind, pid: number, address: bigint, length: number): boolean {
    const key = `${kind}:${pid}:${Number(address)}:${length}`;
    if (!this.points.delete(key)) return this.vspace(pid) !== undefined && this.page(pid, Number(address)) !== undefined;
    this.sync();
    return true;
  }

  /**
   * Give the CPU the points. Compiled code stays in use: it is cut short of each breakpoint
   * (Cpu.cutAtBreakpoints), and a watched page never enters the soft TLB, so every access to
   * it takes the CPU's checked path (Cpu.checkWatch).
   */
  private sync(): void {
    const bps = new Map<number, Set<number>>();
    const wps = new Map<number, Watchpoint[]>();
    for (const p of this.points.values()) {
      if (p.kind <= 1) {
        if (!bps.has(p.asid)) bps.set(p.asid, new Set());
        bps.get(p.asid)!.add(p.address);
      } else {
        if (!wps.has(p.asid)) wps.set(p.asid, []);
        wps.get(p.asid)!.push({ kind: p.kind as 2 | 3 | 4, address: p.address, length: Math.max(1, p.length) });
      }
    }
    this.cpu.breakpoints = bps.size ? bps : undefined;
    this.cpu.watchpoints = wps.size ? wps : undefined;
  }

  // ------------------------------------------------------------ execution

  /** MachineDebugger: faults stop before the kernel (and so the monitor or parent) sees them. */
  stopBeforeTrap(trap: Trap): boolean {
    return trapSignal(trap) !== undefined;
  }

  /** MachineDebugger: step now when the thread to step is the one about to run. */
  stepNow(): boolean {
    if (this.stepFor === undefined || this.stepFor !== this.k.loaded) return false;
    this.stepFor = undefined;
    return true;
  }

  /** MachineDebugger: tell GDB, and hold the machine until it resumes. */
  stopped(why: DebugStop): Promise<void> {
    const event = this.describe(why);
    this.lastStop = event;
    this.pendingFault = why.kind === 'trap' ? why.trap : undefined;
    this.stepFor = undefined;
    this.onStop?.(event);
    return new Promise((resolve) => (this.release = resolve));
  }

  private describe(why: DebugStop): StopEvent {
    const thread = this.current();
    switch (why.kind) {
      case 'request':
        return { kind: 'signal', signal: this.lastStop === undefined ? SIGNAL.SIGTRAP : SIGNAL.SIGINT, thread };
      case 'breakpoint': {
        // Z1 and Z0 work alike; the stop names the kind GDB asked for at this address.
        const hw = [...this.points.values()].some((p) => p.kind === 1 && p.address === this.cpu.pc && p.asid === this.cpu.asid);
        return { kind: 'signal', signal: SIGNAL.SIGTRAP, thread, breakpoint: hw ? 'hwbreak' : 'swbreak' };
      }
      case 'watchpoint': {
        const hit = this.cpu.watchHit;
        const kind = hit?.point.kind === 3 ? 'rwatch' : hit?.point.kind === 4 ? 'awatch' : 'watch';
        return { kind: 'signal', signal: SIGNAL.SIGTRAP, thread, watch: { kind, address: BigInt(hit?.point.address ?? 0) } };
      }
      case 'step':
        return { kind: 'signal', signal: SIGNAL.SIGTRAP, thread };
      case 'trap': {
        const signal = trapSignal(why.trap) ?? SIGNAL.SIGTRAP;
        return { kind: 'signal', signal, thread, siginfo: siginfoOf(why.trap, signal, this.cpu.pc) };
      }
    }
  }

  /** Whether the machine is held stopped. */
  get isStopped(): boolean {
    return this.release !== undefined;
  }

  resume(step: ThreadId | undefined): void {
    // The instruction at a breakpoint that stopped the run runs when it goes on.
    this.cpu.breakpointSkipPc = this.cpu.pc;
    this.cpu.breakpointSkipAsid = this.cpu.asid;
    this.cpu.watchHit = undefined;
    // Step the thread GDB names: at once if it is on the CPU, otherwise when it gets it.
    const tcb = step && this.tcbOf(step.pid);
    if (tcb && tcb !== this.k.loaded) this.stepFor = tcb;
    else if (step) this.machine.stepOnce();
    this.go();
  }

  private go(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  interrupt(): void {
    this.machine.requestDebugStop();
  }

  detach(): void {
    this.points.clear();
    this.sync();
    this.machine.debug = undefined;
    this.onStop = undefined;
    this.cpu.breakpointSkipPc = this.cpu.pc;
    this.cpu.breakpointSkipAsid = this.cpu.asid;
    this.go();
  }

  kill(): void {
    this.machine.halt('killed by GDB');
    this.detach();
  }

  monitor(command: string): string {
    if (command.trim() === 'fault') return this.describeFault();
    return this.monitorCommand(command);
  }

  /** `monitor fault`: the fault the run is stopped before, as its syndrome says it. */
  private describeFault(): string {
    const trap = this.pendingFault;
    if (trap === undefined) return 'no fault: the run is not stopped before one\n';
    const esr = `ESR 0x${(trap.kind === 'irq' ? 0 : trap.esr >>> 0).toString(16)}`;
    if (trap.kind === 'abort') {
      const write = !trap.instruction && (trap.esr & (1 << 6)) !== 0;
      return `${trap.instruction ? 'instruction' : write ? 'data (write)' : 'data (read)'} abort at address 0x${trap.far.toString(16)} (${esr}, fault status 0x${(trap.esr & 0x3f).toString(16)})\n`;
    }
    return `exception class 0x${(trap.kind === 'exception' ? trap.esr >>> 26 : 0).toString(16)} (${esr})\n`;
  }
}

/**
 * si_code and si_addr as Linux gives them for the fault (arch/arm64/mm/fault.c): SEGV_MAPERR 1
 * for a translation fault, SEGV_ACCERR 2 for a permission or access-flag fault, BUS_ADRALN 1,
 * ILL_ILLOPC 1 at the pc; the fault address for an abort.
 */
function siginfoOf(trap: Trap, signal: number, pc: number): { code: number; address: bigint } | undefined {
  if (trap.kind === 'abort') {
    const fsc = trap.esr & 0x3f;
    const code = signal === SIGNAL.SIGBUS || fsc < 0x08 ? 1 : 2;
    return { code, address: trap.far };
  }
  if (signal === SIGNAL.SIGILL || signal === SIGNAL.SIGBUS) return { code: 1, address: BigInt(pc) };
  return undefined;
}

/** The signal GDB gets for a fault (as Linux would raise it); undefined for traps that are no fault. */
function trapSignal(trap: Trap): number | undefined {
  if (trap.kind === 'abort') return (trap.esr & 0x3f) === FSC.ALIGNMENT ? SIGNAL.SIGBUS : SIGNAL.SIGSEGV;
  if (trap.kind !== 'exception') return undefined;
  switch (trap.esr >>> 26) {
    case EC.UNKNOWN:
    case EC.MSR_MRS:
      return SIGNAL.SIGILL;
    case EC.PC_ALIGNMENT:
    case EC.SP_ALIGNMENT:
      return SIGNAL.SIGBUS;
    case EC.BRK64:
      return SIGNAL.SIGTRAP;
    default:
      return undefined;
  }
}
