import { QEMU_VIRT } from '../machine/boards/qemu-virt.js';
import { GICC, GICD } from '../machine/devices/gic-v2.js';
import type { Kernel, KernelPort, Trap } from '../machine/kernel-interface.js';
import type { Cap } from './cap.js';
import { CapType } from './cap-types.js';
import { CNode, lookupSlot } from './cspace.js';
import { handleDebugSyscall } from './debug.js';
import { kernelDeletion } from './delete.js';
import { SEL4_ERROR_NAMES, syscallError, type SyscallError } from './errors.js';
import { FaultType, SOFTWARE_BREAK_REQUEST } from './faults.js';
import { IrqState, KERNEL_TIMER_IRQ } from './interrupts.js';
import { NotModelledError } from './invocations/cnode.js';
import { decodeObjectInvocation } from './invocations/decode.js';
import { handleFault } from './ipc.js';
import { insertNewCap } from './mdb.js';
import { sendSignal } from './notification.js';
import { MICROKIT_DEBUG, type KernelModelConfig } from './object-types.js';
import { AsidPoolObject, SchedContextObject, TcbObject, TcbSlot, ThreadState } from './objects.js';
import { activateThread, isRunnable, schedule, scheduleTCB, setThreadState } from './scheduler.js';
import { checkBudget, MIN_REFILLS, refillNew } from './sporadic.js';
import { BOOT_THREAD_TIME_SLICE_MS, KernelState, usToTicks } from './state.js';
import { classifySmallSyscall, classifySyscall, Syscall } from './syscalls.js';
import { fastpathCall, fastpathRecv, fastpathReplyRecv, fastpathSignal } from './fastpath.js';
import { handleSyscall } from './syscall.js';
import { UntypedObject } from './objects.js';
import { printfWord, says, type UserErrorText } from './user-error.js';

/**
 * The seL4 kernel model: it implements the machine's `Kernel` interface (boot, and every
 * exception and interrupt from EL0) on top of the kernel state in state.ts.
 *
 * Boot creates what seL4 gives its root task: a TCB, a root CNode whose guard makes it
 * resolve all 64 bits, IRQControl, ASIDControl, an initial ASID pool, the Domain cap, a
 * scheduling context, one SchedControl cap and untyped caps covering free memory. The root
 * task is not an EL0 program here: a system initialiser in TypeScript acts as it through
 * `invoke`, which runs the same decode and invoke paths as an seL4_Call would.
 */

export interface KernelOptions {
  config?: KernelModelConfig;
  numDomains?: number;
  /** log2 of the number of slots in the root CNode (default 14). */
  rootCNodeBits?: number;
  /** RAM handed out as untyped memory (default: all RAM above the kernel's reserved 8 MiB). */
  untyped?: readonly MemoryRange[];
  /** Device memory handed out as device untypeds (default: below RAM, except the GIC). */
  deviceUntyped?: readonly MemoryRange[];
}

export interface MemoryRange {
  base: number;
  size: number;
}

/** Fixed slots of the root CNode (seL4_RootCNodeCapSlots). */
export const ROOT_SLOT = {
  tcb: 1,
  cnode: 2,
  vspace: 3,
  irqControl: 4,
  asidControl: 5,
  asidPool: 6,
  domain: 11,
  schedContext: 14,
  /** The first slot after the fixed ones: the SchedControl cap, then the untypeds. */
  firstFree: 16,
} as const;

export interface UntypedDescription {
  slot: number;
  paddr: number;
  sizeBits: number;
  isDevice: boolean;
}

export interface BootInfo {
  schedControl: number;
  untyped: UntypedDescription[];
  /** Empty slots [from, to). */
  empty: { from: number; to: number };
}

/** What `invoke` did; a refusal has seL4's error and the userError lines a debug kernel prints for it (none may be). */
export type InvokeResult = { ok: true; words: bigint[] } | { ok: false; message: string; error?: SyscallError; userErrors?: UserErrorText[] };

/** The root task's TCB, SC and ASID pool sit at the start of RAM; its root CNode follows. */
const ROOT_CNODE_OFFSET = 0x40_0000;
const DEFAULT_ROOT_CNODE_BITS = 14;

/**
 * The RAM the kernel keeps for the root task's objects: 4 MiB, then the root CNode, rounded
 * up to 4 MiB (8 MiB for the default root CNode).
 */
export function kernelReserved(rootCNodeBits = DEFAULT_ROOT_CNODE_BITS): number {
  const end = ROOT_CNODE_OFFSET + 2 ** (rootCNodeBits + 5);
  return Math.max(8 * 2 ** 20, Math.ceil(end / 2 ** 22) * 2 ** 22);
}

/** Physical address bits of the machine (the Cortex-A53's 40). */
const PA_END = 2 ** 40;

/**
 * The memory the kernel hands out as untypeds when the options do not say: RAM above what it
 * keeps, then device memory, which is all other physical memory but the GIC.
 */
export function defaultUntypedRanges(rootCNodeBits = DEFAULT_ROOT_CNODE_BITS): { ram: MemoryRange[]; device: MemoryRange[] } {
  const ram = QEMU_VIRT.ram;
  const reserved = kernelReserved(rootCNodeBits);
  const gicEnd = QEMU_VIRT.gicCpuInterface.base + QEMU_VIRT.gicCpuInterface.size;
  return {
    ram: [{ base: ram.base + reserved, size: ram.size - reserved }],
    device: [
      { base: 0, size: QEMU_VIRT.gicDistributor.base },
      { base: gicEnd, size: ram.base - gicEnd },
      { base: ram.base + ram.size, size: PA_END - (ram.base + ram.size) },
    ],
  };
}

/** Split [base, base + size) into naturally aligned power-of-two blocks, largest first where alignment allows. */
export function alignedBlocks(base: number, size: number, maxBits = 47): { paddr: number; sizeBits: number }[] {
  const out: { paddr: number; sizeBits: number }[] = [];
  let at = base;
  const end = base + size;
  while (end - at >= 16) {
    let bits = Math.min(maxBits, Math.floor(Math.log2(end - at)));
    while (bits > 4 && at % 2 ** bits !== 0) bits--;
    out.push({ paddr: at, sizeBits: bits });
    at += 2 ** bits;
  }
  return out;
}

export class Sel4Kernel implements Kernel {
  readonly state: KernelState;
  readonly root: TcbObject;
  readonly rootCNode: CNode;
  readonly bootInfo: BootInfo;

  constructor(port: KernelPort, options: KernelOptions = {}) {
    const k = new KernelState(options.config ?? MICROKIT_DEBUG, options.numDomains ?? 1);
    this.state = k;
    k.port = port;
    k.deletion = kernelDeletion(k);
    const ram = QEMU_VIRT.ram;
    const bits = options.rootCNodeBits ?? DEFAULT_ROOT_CNODE_BITS;

    // The root task's objects, in the kernel's reserved RAM.
    this.root = new TcbObject(ram.base, 11);
    this.root.name = 'rootserver';
    this.root.priority = 255;
    this.root.mcp = 255;
    k.debugTcbs.push(this.root);
    k.debugTcbs.unshift(k.idleThread);
    const sc = new SchedContextObject(ram.base + 0x1000, 8);
    const pool = new AsidPoolObject(ram.base + 0x2000, 12);
    k.asids.setPool(0, pool);
    this.rootCNode = new CNode(bits, ram.base + ROOT_CNODE_OFFSET);
    const slots = this.rootCNode.slots;
    const place = (i: number, cap: Cap) => insertNewCap(slots[0]!, slots[i]!, cap);
    const cnodeCap: Cap = { type: CapType.CNode, cnode: this.rootCNode, guard: 0n, guardSize: 64 - bits };
    place(ROOT_SLOT.tcb, { type: CapType.Thread, obj: this.root });
    place(ROOT_SLOT.cnode, cnodeCap);
    place(ROOT_SLOT.irqControl, { type: CapType.IrqControl });
    place(ROOT_SLOT.asidControl, { type: CapType.AsidControl });
    place(ROOT_SLOT.asidPool, { type: CapType.AsidPool, obj: pool, asidBase: 0 });
    place(ROOT_SLOT.domain, { type: CapType.Domain });
    place(ROOT_SLOT.schedContext, { type: CapType.SchedContext, obj: sc });
    place(ROOT_SLOT.firstFree, { type: CapType.SchedControl, core: 0 });
    // The root's own cspace root is a copy held by its TCB.
    insertNewCap(slots[ROOT_SLOT.cnode]!, this.root.ctes.slots[TcbSlot.CTable]!, cnodeCap);
    k.curTime = port.counter;
    refillNew(k, sc, MIN_REFILLS, usToTicks(BOOT_THREAD_TIME_SLICE_MS * 1000), 0);
    sc.tcb = this.root;
    this.root.sc = sc;

    const untyped: UntypedDescription[] = [];
    let next = ROOT_SLOT.firstFree + 1;
    const add = (ranges: readonly MemoryRange[], isDevice: boolean) => {
      for (const r of ranges) {
        for (const b of alignedBlocks(r.base, r.size)) {
          if (next >= slots.length) return;
          place(next, { type: CapType.Untyped, obj: new UntypedObject(b.paddr, b.sizeBits, isDevice), freeIndex: 0 });
          untyped.push({ slot: next++, paddr: b.paddr, sizeBits: b.sizeBits, isDevice });
        }
      }
    };
    const defaults = defaultUntypedRanges(bits);
    add(options.untyped ?? defaults.ram, false);
    add(options.deviceUntyped ?? defaults.device, true);
    for (const s of slots.slice(1, ROOT_SLOT.firstFree + 1)) s.mdbRevocable = true;
    this.bootInfo = { schedControl: ROOT_SLOT.firstFree, untyped, empty: { from: next, to: slots.length } };
  }

  /**
   * Invoke the cap at `cptr` in the root task's CSpace, as the root task's seL4_Call would:
   * the same decoding, checks and effects. `label` is a name from the invocation label list
   * (e.g. 'UntypedRetype') or its number.
   */
  invoke(cptr: bigint | number, label: string | number, args: readonly (bigint | number)[] = [], extraCptrs: readonly (bigint | number)[] = []): InvokeResult {
    const k = this.state;
    const root = this.root.ctes.slots[TcbSlot.CTable]!.cap;
    const lu = lookupSlot(root, BigInt(cptr));
    if (!lu.ok) return { ok: false, message: `cap ${cptr} cannot be looked up` };
    const extraCaps = [];
    for (const c of extraCptrs) {
      const r = lookupSlot(root, BigInt(c));
      if (!r.ok) return { ok: false, message: `extra cap ${c} cannot be looked up` };
      extraCaps.push({ cap: r.slot.cap, slot: r.slot, cptr: BigInt(c) });
    }
    const labelNumber = typeof label === 'number' ? label : k.labels.of(label);
    const saved = k.curThread;
    k.curThread = this.root;
    try {
      if (lu.slot.cap.type === CapType.Null) {
        const userErrors = [says('decodeInvocation', `Attempted to invoke a null cap #${printfWord(cptr)}.`)];
        return { ok: false, message: `cap ${cptr} is empty`, error: syscallError.invalidCapability(0), userErrors };
      }
      const decoded = decodeObjectInvocation(k, { label: labelNumber, args: args.map(BigInt), extraCaps }, lu.slot, false);
      if (!decoded.ok) {
        const e = decoded.error;
        const message = `${k.labels.byNumber[labelNumber]} failed with ${SEL4_ERROR_NAMES[e.error]}${e.words.length ? ` (${e.words.join(', ')})` : ''}`;
        return { ok: false, message, error: e, userErrors: decoded.userErrors };
      }
      return { ok: true, words: decoded.invoke() };
    } finally {
      k.curThread = saved;
      // What the root task did may have stopped the thread that was running.
      if (saved !== k.idleThread) scheduleTCB(k, saved);
    }
  }

  /** Boot: the GIC and the kernel timer on, then the first thread. */
  start(port: KernelPort): void {
    const k = this.state;
    k.port = port;
    const mem = port.memory;
    mem.writeDevice32(QEMU_VIRT.gicDistributor.base + GICD.CTLR, 1);
    mem.writeDevice32(QEMU_VIRT.gicCpuInterface.base + GICC.CTLR, 1);
    mem.writeDevice32(QEMU_VIRT.gicCpuInterface.base + GICC.PMR, 0xff);
    port.enableInterrupt(KERNEL_TIMER_IRQ, true);
    k.updateTimestamp();
    k.consumed = 0;
    k.reprogram = true;
    schedule(k);
    activateThread(k);
    this.exit();
  }

  trap(trap: Trap, port: KernelPort): void {
    try {
      this.handleTrap(trap, port);
    } catch (e) {
      if (!(e instanceof NotModelledError)) throw e;
      port.halt(`${e.message} (thread "${this.state.threadName(this.state.curThread)}")`);
    }
  }

  private handleTrap(trap: Trap, port: KernelPort): void {
    const k = this.state;
    const t = k.curThread;
    switch (trap.kind) {
      case 'svc': {
        t.setFaultIP(port.pcNumber - 4);
        t.stats.syscalls++;
        const kind = classifySmallSyscall(port.getRegisterSigned(7), k.config) ?? classifySyscall(port.getRegister(7), k.config);
        k.failure = undefined;
        k.trace.syscall?.(t, kind);
        if (kind.kind === 'debug') {
          handleDebugSyscall(k, kind.syscall);
          k.trace.syscallDone?.(t, kind, undefined);
          return;
        }
        if (this.budgetOk()) {
          if (kind.kind === 'api') {
            if (!(k.fastpath && this.fastpath(kind.syscall))) handleSyscall(k, kind.syscall);
          } else {
            t.fault = { type: FaultType.UnknownSyscall, number: kind.number };
            handleFault(k, t);
          }
        }
        k.trace.syscallDone?.(t, kind, k.failure);
        break;
      }
      case 'abort':
        t.setFaultIP(port.pcNumber);
        if (this.budgetOk()) {
          t.fault = { type: FaultType.VMFault, address: trap.instruction ? port.pc : trap.far, instruction: trap.instruction, fsr: trap.esr };
          handleFault(k, t);
        }
        break;
      case 'exception':
        t.setFaultIP(port.pcNumber);
        if (this.budgetOk()) {
          t.fault = this.exceptionFault(trap.esr);
          handleFault(k, t);
        }
        break;
      case 'irq':
        if (k.loaded === t) t.setFaultIP(port.pcNumber);
        k.updateTimestamp();
        checkBudget(k);
        this.handleInterrupt();
        break;
    }
    schedule(k);
    activateThread(k);
    this.exit();
  }

  /** Whether a fast path (fastpath.ts) handled the system call. */
  private fastpath(syscall: Syscall): boolean {
    const k = this.state;
    let taken = false;
    if (syscall === Syscall.Call) taken = fastpathCall(k);
    else if (syscall === Syscall.ReplyRecv) taken = fastpathReplyRecv(k);
    else if (syscall === Syscall.Send) taken = fastpathSignal(k);
    else if (syscall === Syscall.Recv) taken = fastpathRecv(k);
    if (taken) k.fastpathHits++;
    return taken;
  }

  /** updateTimestamp and checkBudgetRestart: false if the thread must retry later. */
  private budgetOk(): boolean {
    const k = this.state;
    k.updateTimestamp();
    if (checkBudget(k)) return true;
    if (isRunnable(k.curThread)) setThreadState(k, k.curThread, ThreadState.Restart);
    return false;
  }

  /**
   * The fault for a synchronous exception that is not an SVC or an abort. With hypervisor
   * support only an unknown-reason exception is a UserException; BRK is a DebugException
   * with the hardware debug API; everything else is a VCPUFault carrying the ESR.
   */
  private exceptionFault(esr: number) {
    const k = this.state;
    const ec = (esr >>> 26) & 0x3f;
    if (ec === 0x3c && k.config.hardwareDebugApi) return { type: FaultType.DebugException, reason: SOFTWARE_BREAK_REQUEST } as const;
    if (ec === 0 || !k.config.hypervisor) return { type: FaultType.UserException, number: esr, code: 0 } as const;
    return { type: FaultType.VCPUFault, hsr: esr } as const;
  }

  /** handleInterrupt on GICv2: signal, mask, end of interrupt. */
  private handleInterrupt(): void {
    const k = this.state;
    const port = k.port;
    const irq = port.acknowledgeInterrupt();
    if (irq >= 1020) return; // spurious
    if (irq > k.irqs.maxIrq) {
      k.print(`Received IRQ ${irq}, which is above the platforms maxIRQ of ${k.irqs.maxIrq}\n`);
      port.enableInterrupt(irq, false);
    } else
      switch (k.irqs.state[irq]) {
        case IrqState.Signal: {
          const cap = k.irqs.slot(irq).cap;
          if (cap.type === CapType.Notification && cap.canSend) sendSignal(k, cap.obj, cap.badge);
          else k.print(`Undelivered IRQ: ${irq}\n`);
          port.enableInterrupt(irq, false);
          break;
        }
        case IrqState.Timer:
          k.programTimer(0, 0);
          k.reprogram = true;
          break;
        case IrqState.Reserved:
          break;
        default:
          port.enableInterrupt(irq, false);
          k.print(`Received disabled IRQ: ${irq}\n`);
      }
    port.endOfInterrupt(irq);
  }

  /** Return to EL0: the current thread's registers and address space, or wait for an interrupt. */
  private exit(): void {
    const k = this.state;
    const t = k.curThread;
    if (t === k.idleThread) {
      if (k.loaded) k.trace.switchTo?.(undefined);
      k.unload();
      k.port.idle();
    } else {
      if (k.loaded !== t) k.trace.switchTo?.(t);
      k.load(t);
      k.port.wake();
    }
  }

  /**
   * A kernel entry outside a trap, after `invoke` changed who may run while the machine was
   * stopped: account the time, schedule and return to the chosen thread.
   */
  reschedule(): void {
    const k = this.state;
    k.updateTimestamp();
    schedule(k);
    activateThread(k);
    this.exit();
  }
}
