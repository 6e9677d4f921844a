import type { KernelPort } from '../machine/kernel-interface.js';
import type { PhysicalMemory } from '../machine/memory/physical-memory.js';
import type { Cap } from './cap.js';
import { CapType } from './cap-types.js';
import { Reg } from './faults.js';
import { InterruptTable } from './interrupts.js';
import { invocationLabels, type InvocationLabels } from './labels.js';
import type { KernelModelConfig } from './object-types.js';
import { SchedContextObject, TcbObject, TcbSlot, ThreadState } from './objects.js';
import { IPC_BUFFER, seL4_FastMessageRegisters, type SyscallKind } from './syscalls.js';
import type { InvocationFailure } from './user-error.js';
import { AsidTable } from './vspace.js';
import type { Deletion } from './invocations/types.js';

/**
 * The kernel's global state (seL4's ks* variables) and the primitive accessors everything
 * else is built on: thread registers, message registers and IPC buffers, and time.
 *
 * The running thread's registers stay in the CPU while it runs; `loaded` names the thread
 * whose registers the CPU holds, and `reg`/`setReg` read whichever copy is live. A thread
 * switch saves the old thread's registers and loads the new one's (see kernel.ts).
 */

/** The scheduler's pending decision (ksSchedulerAction). */
export type SchedulerAction = 'resume' | 'choose' | TcbObject;

export const NUM_PRIORITIES = 256;
/** The timer's frequency on qemu_virt_aarch64 (TIMER_CLOCK_HZ). */
const TIMER_CLOCK_HZ = 62_500_000;
/** MIN_BUDGET_US: 2 × kernel WCET (10 µs) × CONFIG_KERNEL_WCET_SCALE (1). */
export const MIN_BUDGET_US = 20;
/** MAX_PERIOD_US: getMaxUsToTicks() / 8. */
export const MAX_PERIOD_US = 36_893_488_147_419n;
/** CONFIG_BOOT_THREAD_TIME_SLICE, ms. */
export const BOOT_THREAD_TIME_SLICE_MS = 5;

/** usToTicks with a 62.5 MHz clock (not a whole number of MHz, so through kHz). */
export function usToTicks(us: number): number {
  return Math.floor((us * (TIMER_CLOCK_HZ / 1000)) / 1000);
}

export function ticksToUs(ticks: number): number {
  return Math.floor((ticks * 1000) / (TIMER_CLOCK_HZ / 1000));
}

export const MIN_BUDGET = usToTicks(MIN_BUDGET_US);

/** PSTATE of a user thread: EL0t with F masked (and SError too in release builds). */
function pstateUser(config: KernelModelConfig): number {
  return config.debugBuild ? 0x40 : 0x140;
}

/**
 * Observers of the kernel (for `run --trace`). Each is optional and called as `hook?.(…)`, so
 * with none installed the kernel neither builds their arguments nor allocates for them.
 */
export interface KernelTrace {
  /** A thread faulted (before delivery); `handled` tells whether it has a handler. */
  fault?(tcb: TcbObject, description: string, handled: boolean): void;
  /** A system call is entered; its arguments are still in the thread's registers (x0–x7). */
  syscall?(tcb: TcbObject, call: SyscallKind): void;
  /**
   * The system call has run, before the scheduler chooses who runs next: the thread's state
   * says whether it completed, blocked or must restart; `failure` why it failed, if it did.
   */
  syscallDone?(tcb: TcbObject, call: SyscallKind, failure: InvocationFailure | undefined): void;
  /** The scheduler switched to `tcb` (undefined: idle). */
  switchTo?(tcb: TcbObject | undefined): void;
}

export class KernelState {
  readonly labels: InvocationLabels;
  readonly asids = new AsidTable();
  readonly irqs = new InterruptTable();
  port!: KernelPort;

  readonly idleThread: TcbObject;
  curThread: TcbObject;
  /** The thread whose registers the CPU holds (undefined: none, e.g. after idling). */
  loaded: TcbObject | undefined = undefined;
  curSC: SchedContextObject;
  readonly idleSC: SchedContextObject;
  action: SchedulerAction = 'resume';
  /** Ready queues of the current domain model: one per (domain, priority). */
  readonly readyQueues: TcbObject[][];
  /** Which ready queues are non-empty: 8 words of 32 bits per domain. */
  readonly readyBitmap: Uint32Array;
  /** Which of a domain's 8 bitmap words are non-zero, one bit each (seL4's ksReadyQueuesL1Bitmap). */
  readonly readyL1: Uint8Array;
  /** Threads waiting for their next refill, earliest release first. */
  readonly releaseQueue: TcbObject[] = [];

  /** Time in timer ticks at the last kernel entry, and ticks consumed since the last commit. */
  curTime = 0;
  consumed = 0;
  reprogram = true;

  /** The domain schedule: entries of (domain, length in ticks; 0 = forever). */
  domainSchedule: { domain: number; length: number }[] = [{ domain: 0, length: 0 }];
  domainIndex = 0;
  curDomain = 0;
  domainTime = 0;

  trace: KernelTrace = {};
  /**
   * Whether Call and ReplyRecv may take seL4's fast paths (fastpath.ts) when their conditions
   * hold; false (`sel4ts run --no-fastpath`) sends every system call down the slow path, with
   * the same observable result.
   */
  fastpath = true;
  /** System calls the fast paths handled (for tests and the bench; nothing prints it). */
  fastpathHits = 0;
  /** Why the system call being handled failed (set on failure only; cleared at each entry). */
  failure: InvocationFailure | undefined = undefined;
  /** Cap deletion (delete.ts), set up by the kernel. */
  deletion!: Deletion;
  /** Whether the kernel's own messages (fault reports of unhandled faults) are printed. */
  printing: boolean;

  constructor(
    readonly config: KernelModelConfig,
    readonly numDomains = 1,
  ) {
    this.labels = invocationLabels(config);
    this.printing = config.debugBuild;
    this.readyQueues = Array.from({ length: NUM_PRIORITIES * numDomains }, () => []);
    this.readyBitmap = new Uint32Array(8 * numDomains);
    this.readyL1 = new Uint8Array(numDomains);
    this.idleThread = new TcbObject(0, 11);
    this.idleThread.state = ThreadState.IdleThreadState;
    this.idleThread.name = 'idle_thread';
    this.idleSC = new SchedContextObject(0, 8);
    this.idleThread.sc = this.idleSC;
    this.curThread = this.idleThread;
    this.curSC = this.idleSC;
  }

  get memory(): PhysicalMemory {
    return this.port.memory;
  }
  /** The interrupt controller and TLB, as the invocation decoders see them. */
  get gic(): KernelPort {
    return this.port;
  }
  get tlb(): KernelPort {
    return this.port;
  }

  // ------------------------------------------------------------ registers

  reg(t: TcbObject, r: Reg): bigint {
    if (t === this.loaded) {
      if (r <= Reg.SP) return this.port.getRegister(r);
      if (r === Reg.NextIP) return this.port.pc;
      if (r !== Reg.FaultIP) this.saveLoaded();
    }
    const ctx = t.context;
    switch (r) {
      case Reg.FaultIP:
        return t.faultIP;
      case Reg.NextIP:
        return ctx.pc;
      case Reg.SPSR:
        return BigInt(((ctx.nzcv & 0xf000_0000) | pstateUser(this.config)) >>> 0);
      case Reg.TPIDR:
        return ctx.tpidr;
      case Reg.TPIDRRO:
        return ctx.tpidrro;
      default:
        return ctx.x[r]!;
    }
  }

  setReg(t: TcbObject, r: Reg, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    if (t === this.loaded) {
      if (r <= Reg.SP) return this.port.setRegister(r, v);
      if (r === Reg.NextIP) {
        this.port.pc = v;
        return;
      }
      if (r !== Reg.FaultIP) this.saveLoaded();
    }
    const ctx = t.context;
    switch (r) {
      case Reg.FaultIP:
        t.faultIP = v;
        return;
      case Reg.NextIP:
        ctx.pc = v;
        return;
      case Reg.SPSR:
        // Only the condition flags are the thread's; the rest is sanitised to user mode.
        ctx.nzcv = Number(v >> 28n) << 28;
        break;
      case Reg.TPIDR:
        ctx.tpidr = v;
        break;
      case Reg.TPIDRRO:
        ctx.tpidrro = v;
        break;
      default:
        ctx.x[r] = v;
    }
    if (t === this.loaded) this.port.restoreContext(ctx);
  }

  /** Save the CPU's registers into the loaded thread's TCB (the CPU keeps them too). */
  saveLoaded(): void {
    if (this.loaded) this.port.saveContext(this.loaded.context);
  }

  /**
   * Forget that the CPU holds the loaded thread's registers, after `saveLoaded` and before
   * anything changes them: a fast path that worked on the TCB's copy and switches threads does
   * not save them twice.
   */
  forgetLoaded(): void {
    this.loaded = undefined;
  }

  /** Make the CPU hold `t`'s registers and address space. */
  load(t: TcbObject): void {
    if (this.loaded === t) return;
    if (this.loaded) this.port.saveContext(this.loaded.context);
    this.port.restoreContext(t.context);
    this.loaded = t;
    this.setVMRoot(t);
  }

  /** Forget the CPU's registers, saving them first (the CPU goes idle). */
  unload(): void {
    if (this.loaded) this.port.saveContext(this.loaded.context);
    this.loaded = undefined;
  }

  /** setVMRoot: the thread's VSpace if its cap is valid, otherwise no address space. */
  setVMRoot(t: TcbObject): void {
    const cap = t.ctes.slots[TcbSlot.VTable]!.cap;
    if (this.hasValidVSpace(t) && cap.type === CapType.VSpace) this.port.setAddressSpace(cap.obj.paddr, cap.asid!);
    else this.port.setAddressSpace(-1, 0);
  }

  /**
   * isValidVTableRoot and the ASID check: a mapped VSpace cap whose ASID still names it. The
   * answer is kept per thread for its cap record until the ASID table changes.
   */
  hasValidVSpace(t: TcbObject): boolean {
    const cap = t.ctes.slots[TcbSlot.VTable]!.cap;
    if (cap === t.validVSpaceCap && t.validVSpaceGeneration === this.asids.generation) return true;
    if (cap.type !== CapType.VSpace || cap.asid === undefined || this.asids.find(cap.asid) !== cap.obj) return false;
    t.validVSpaceCap = cap;
    t.validVSpaceGeneration = this.asids.generation;
    return true;
  }

  // ------------------------------------------------------------ messages

  /**
   * lookupIPCBuffer: the physical address of the thread's IPC buffer, if its buffer cap is a
   * frame the thread may use this way (read-write to receive, readable to send).
   */
  ipcBuffer(t: TcbObject, isReceiver: boolean): number | undefined {
    const cap = t.ctes.slots[TcbSlot.Buffer]!.cap;
    // Caps are replaced, never changed: the same cap record means the same answer.
    if (cap !== t.ipcCacheCap || t.ipcBufferLow !== t.ipcCacheLow) {
      t.ipcCacheCap = cap;
      t.ipcCacheLow = t.ipcBufferLow;
      t.ipcCacheRead = undefined;
      t.ipcCacheWrite = undefined;
      if (cap.type === CapType.Frame && !cap.obj.isDevice && cap.rights !== 'kernel-only') {
        // Frames are at most 1 GiB: the low 32 bits of the address give the offset.
        const pa = cap.obj.paddr + (t.ipcBufferLow % 2 ** cap.obj.sizeBits);
        t.ipcCacheRead = pa;
        if (cap.rights === 'read-write') t.ipcCacheWrite = pa;
      }
    }
    return isReceiver ? t.ipcCacheWrite : t.ipcCacheRead;
  }

  /** Message register i of `t` (getSyscallArg / getRealMR): x2–x5, then the IPC buffer. */
  getMR(t: TcbObject, buffer: number | undefined, i: number): bigint {
    if (i < seL4_FastMessageRegisters) return this.reg(t, 2 + i);
    return buffer === undefined ? 0n : this.memory.read64(buffer + IPC_BUFFER.msg + 8 * i);
  }

  /** Set message register i; returns false when it does not fit (no buffer). */
  setMR(t: TcbObject, buffer: number | undefined, i: number, value: bigint): boolean {
    if (i < seL4_FastMessageRegisters) {
      this.setReg(t, 2 + i, value);
      return true;
    }
    if (buffer === undefined) return false;
    this.memory.write64(buffer + IPC_BUFFER.msg + 8 * i, BigInt.asUintN(64, value));
    return true;
  }

  /** Write `words` as message registers; returns how many fit. */
  setMRs(t: TcbObject, buffer: number | undefined, words: readonly bigint[]): number {
    let n = 0;
    while (n < words.length && this.setMR(t, buffer, n, words[n]!)) n++;
    return n;
  }

  // ------------------------------------------------------------ time

  /** The kernel timer (CNTHP) as the kernel last programmed it: control and compare value. */
  private timerCtl = -1;
  private timerCval = -1;

  /**
   * Program the kernel timer, unless it already holds these values: a switch between threads
   * whose deadline did not change writes nothing (only the kernel writes this timer, and
   * writing the same values again changes nothing the machine would not see anyway).
   */
  programTimer(ctl: number, cval: number): void {
    if (ctl === this.timerCtl && cval === this.timerCval) return;
    this.timerCtl = ctl;
    this.timerCval = cval;
    this.port.setTimer('hypPhysical', ctl, cval);
  }

  /** updateTimestamp: read the clock and add the time since the last entry to `consumed`. */
  updateTimestamp(): void {
    const now = this.port.counter;
    const consumed = now - this.curTime;
    this.consumed += consumed;
    this.curTime = now;
    if (this.numDomains > 1) this.domainTime = consumed + MIN_BUDGET >= this.domainTime ? 0 : this.domainTime - consumed;
  }

  /** A name for a thread in messages: its DebugNameThread name, or its TCB's address. */
  threadName(t: TcbObject): string {
    return t.name || `tcb@0x${t.paddr.toString(16)}`;
  }

  /** The kernel's own console output (debug builds print, release builds do not). */
  print(text: string): void {
    if (this.printing) this.printAlways(text);
  }

  printAlways(text: string): void {
    for (const byte of new TextEncoder().encode(text)) this.port.putChar(byte);
  }

  /** Every TCB, newest first (ksDebugTCBs), for the scheduler dump. */
  readonly debugTcbs: TcbObject[] = [];

  /** Untyped_Retype created an object: a new TCB is named after its creator and listed. */
  created(cap: Cap): void {
    if (cap.type !== CapType.Thread) return;
    cap.obj.name = `child of: '${this.curThread.name}'`;
    this.debugTcbs.unshift(cap.obj);
  }
}
