import { Cpu } from './cpu/cpu.js';
import { restoreContext, saveContext, type UserContext } from './cpu/context.js';
import { Stop } from './cpu/fault.js';
import { QEMU_VIRT } from './boards/qemu-virt.js';
import { GenericTimer, type TimerName } from './devices/generic-timer.js';
import { GicV2 } from './devices/gic-v2.js';
import { Pl011 } from './devices/pl011.js';
import type { HostIo, VirtioDevice } from './devices/virtio/device.js';
import { GuestRam } from './devices/virtio/guest-ram.js';
import { VirtioMmioBank } from './devices/virtio/mmio-bank.js';
import { VirtioMmioTransport } from './devices/virtio/mmio-transport.js';
import type { Kernel, KernelPort, Trap } from './kernel-interface.js';
import { PhysicalMemory } from './memory/physical-memory.js';
import { Stage2Mmu } from './mmu/stage2.js';

/**
 * The qemu_virt_aarch64 machine: RAM, the stage-2 MMU, a GICv2, a PL011 and the generic
 * timer around one CPU, and the run loop that hands every exception to a kernel model.
 *
 * Time is virtual: one cycle per retired instruction, plus the cycles skipped while the CPU
 * waits for an interrupt. The CPU runs in batches that end at the next timer deadline, so a
 * timer interrupt is taken exactly when the counter reaches its compare value; an interrupt
 * that the running program itself causes (a GIC or UART register write) is taken at the end
 * of the batch, at most `batch` instructions later. Nothing depends on the wall clock: the
 * same inputs give the same run, instruction for instruction.
 */

export interface MachineOptions {
  /** Cycles per second of virtual time (default 1 GHz): 16 cycles per counter tick. */
  cpuHz?: number;
  /** Where the PL011 transmits; bytes are collected in `consoleOutput` when absent. */
  console?: (byte: number) => void;
  /**
   * What arrives on the PL011's receive line: scripted bytes, or a source that is polled
   * (e.g. stdin). A byte is taken whenever the receive FIFO has room, between batches.
   */
  input?: Uint8Array | string | InputSource;
  /** Most instructions run between two checks for interrupts (default 10 000). */
  batch?: number;
  jit?: 'off' | 'hot' | 'eager';
  /** Which tier runs hot code (`--tier`): `interp` is `jit: 'off'`; default `wasm`. */
  tier?: 'interp' | 'js' | 'wasm';
  /** Trap WFI/WFE to the kernel (HCR_EL2.TWI/TWE) instead of waiting for an interrupt. */
  trapWfx?: boolean;
  /** virtio devices on the virtio-mmio transports, in QEMU's command-line order. */
  virtio?: VirtioOptions;
}

export interface VirtioOptions {
  devices: readonly VirtioDevice[];
  /** QEMU's `virtio-mmio.force-legacy` (default true): the legacy register layout (version 1). */
  forceLegacy?: boolean;
  /** Bad guest input a device met (the device and queue are named); the run goes on. */
  warn?: (message: string) => void;
}

// Node's setImmediate runs after pending I/O; a browser (the playground's Web Worker) has no
// setImmediate, and its setTimeout(0) lets the page's messages (Stop) in the same way.
const setImmediateIfAny = (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate;
const yieldToEventLoop: (resume: () => void) => void = setImmediateIfAny ? (resume) => setImmediateIfAny(resume) : (resume) => setTimeout(resume, 0);

/** A source of received bytes. */
export interface InputSource {
  /** The next byte, or undefined when none is available now. */
  peek(): number | undefined;
  /** Consume the byte `peek` returned. */
  take(): void;
  /** For a live source (a stream): resolves when more bytes arrive or the source ends. */
  wait?(): Promise<void>;
  /** For a live source: true once nothing more will arrive. */
  readonly ended?: boolean;
}

/** A source that delivers fixed bytes, in order. */
export function scriptedInput(bytes: Uint8Array | string): InputSource {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let pos = 0;
  return {
    peek: () => data[pos],
    take: () => void pos++,
  };
}

export type RunEnd =
  | { reason: 'halt'; message: string; cycles: number }
  /** The cycle limit was reached. */
  | { reason: 'limit'; cycles: number }
  /** Waiting for an interrupt that nothing will ever raise. */
  | { reason: 'idle-forever'; cycles: number };

/** Why the machine stopped for a debugger (`MachineDebugger.stopped`). */
export type DebugStop =
  /** `requestDebugStop` (the start of the run, or GDB's Ctrl-C). */
  | { kind: 'request' }
  | { kind: 'breakpoint' }
  | { kind: 'watchpoint' }
  /** `step` ran its one instruction (or a kernel entry). */
  | { kind: 'step' }
  /** A fault, before the kernel sees it (it does when the machine resumes). */
  | { kind: 'trap'; trap: Trap };

/**
 * A debugger attached to the machine. While it holds the machine stopped, nothing runs and
 * virtual time stands still.
 */
export interface MachineDebugger {
  /** Whether to stop before the kernel gets this trap (a fault, not a system call or an interrupt). */
  stopBeforeTrap(trap: Trap): boolean;
  /** The machine stopped; resolves when it may run again. */
  stopped(why: DebugStop): Promise<void>;
  /** Asked before each batch: true to run just one instruction of it, then stop (`step`). */
  stepNow?(): boolean;
}

/**
 * With host I/O open (network sockets), the run yields to the event loop at least every this
 * many cycles (1 ms of virtual time at 1 GHz), so that what arrives enters virtual time soon.
 */
const HOST_IO_SLICE_CYCLES = 1_000_000;
/** The longest an idle machine sleeps for host I/O before it looks again (a halt, Ctrl-C, is seen then). */
const HOST_IO_MAX_SLEEP_MS = 100;

/** Interrupt traps in a row without a single instruction run before the kernel is judged stuck. */
const MAX_IRQ_STORM = 10_000;
/** The record of an interrupt: it carries nothing, so one serves every interrupt. */
const IRQ_TRAP: Trap = { kind: 'irq' };

export class Machine implements KernelPort {
  readonly memory = new PhysicalMemory(QEMU_VIRT.ram.base, QEMU_VIRT.ram.size);
  readonly mmu = new Stage2Mmu(this.memory);
  readonly gic = new GicV2();
  readonly uart: Pl011;
  readonly timer: GenericTimer;
  readonly cpu: Cpu;
  /** The 32 virtio-mmio transports, lowest address first. */
  readonly virtio: readonly VirtioMmioTransport[];
  private readonly virtioWithInput: readonly VirtioMmioTransport[];
  /** The devices' host I/O (sockets), which an idle machine waits for in wall-clock time. */
  private readonly hostIo: readonly HostIo[];
  /** Where an idle wait for host I/O ends at the latest, in cycles (the next deadline, or the run's limit). */
  private hostWake = Infinity;
  private readonly cpuHz: number;
  private idleCycles = 0;
  private waiting = false;
  private halted: string | undefined;
  private readonly batch: number;
  private readonly input: InputSource;
  private readonly trapWfx: boolean;
  private readonly collected: number[] = [];
  /** Interrupt traps since the CPU last retired an instruction. */
  private storm = 0;
  /** True while the CPU runs a batch (so device callbacks run inside an instruction). */
  private inCpu = false;
  /** The debugger, when one is attached (`sel4ts run --gdb`). */
  debug: MachineDebugger | undefined = undefined;
  private debugRequested = false;
  private stepping = false;
  private lastDebugStop: DebugStop = { kind: 'request' };
  /** A fault the debugger stopped before: the kernel gets it when the machine resumes. */
  private pendingTrap: Trap | undefined = undefined;
  /**
   * The instructions left of a batch a debugger stop cut short: the batch goes on with them
   * (no interrupt, input or timer check in between), so a debugging session does not move
   * where interrupts are taken and the run stays the same instruction for instruction.
   */
  private batchLeft = 0;

  constructor(options: MachineOptions = {}) {
    const sink = options.console ?? ((b: number) => void this.collected.push(b));
    this.uart = new Pl011(sink);
    this.timer = new GenericTimer(() => this.cycles, options.cpuHz);
    this.cpuHz = options.cpuHz ?? 1_000_000_000;
    this.cpu = new Cpu(this.mmu, this.timer);
    // EL0 as seL4 leaves it on this board (Microkit's configuration): KernelArmExportPCNTUser
    // and KernelArmExportPTMRUser give EL0 the physical counter and timer; the virtual ones,
    // and DC ZVA (SCTLR_EL1.DZE = 0), trap to the kernel.
    this.timer.el0.virtualCounter = false;
    this.timer.el0.virtualTimer = false;
    this.cpu.el0DcZva = false;
    this.cpu.onSvc = () => this.directSvc();
    if (options.jit === 'off' || options.tier === 'interp') this.cpu.blocksEnabled = false;
    if (options.tier === 'wasm' || options.tier === 'js') this.cpu.tier = options.tier;
    if (options.jit === 'eager') this.cpu.hotThreshold = 1;
    this.batch = options.batch ?? 10_000;
    const input = options.input ?? new Uint8Array();
    this.input = typeof input === 'string' || input instanceof Uint8Array ? scriptedInput(input) : input;
    this.trapWfx = options.trapWfx ?? false;
    this.memory.addDevice(QEMU_VIRT.gicDistributor.base, QEMU_VIRT.gicDistributor.size, this.gic.distributor);
    this.memory.addDevice(QEMU_VIRT.gicCpuInterface.base, QEMU_VIRT.gicCpuInterface.size, this.gic.cpuInterface);
    this.memory.addDevice(QEMU_VIRT.uart.base, QEMU_VIRT.uart.size, this.uart);
    this.uart.onInterrupt = (high) => this.gic.setLine(QEMU_VIRT.uartIntid, high);
    this.virtio = this.attachVirtio(options.virtio);
    this.virtioWithInput = this.virtio.filter((t) => t.device?.hasInput !== undefined);
    this.hostIo = (options.virtio?.devices ?? []).flatMap((d) => (d.hostIo ? [d.hostIo] : []));
    this.timer.onLine = (ppi, high) => this.gic.setLine(ppi, high);
    // The timers' PPIs are level-sensitive, as is the UART's SPI.
    for (const ppi of [26, 27, 30]) this.gic.edge[ppi] = 0;
    this.gic.changed();
  }

  /**
   * QEMU's order: the first device goes on the highest transport (0x0a003e00, INTID 79), the
   * next one below it, and so on. Each transport's interrupt is a level-sensitive SPI.
   */
  private attachVirtio(options: VirtioOptions | undefined): VirtioMmioTransport[] {
    const board = QEMU_VIRT.virtioMmio;
    const devices = options?.devices ?? [];
    if (devices.length > board.count) throw new RangeError(`the virt board has ${board.count} virtio-mmio transports; ${devices.length} devices were given`);
    const ram = new GuestRam(this.memory);
    const warn = options?.warn ?? (() => {});
    const transports: VirtioMmioTransport[] = [];
    for (let n = 0; n < board.count; n++) {
      const intid = board.firstIntid + n;
      const device = devices[board.count - 1 - n];
      const clockNs = () => (this.cycles * 1e9) / this.cpuHz;
      transports.push(new VirtioMmioTransport(board.base + n * board.stride, intid, device, options?.forceLegacy ?? true, ram, (high) => this.gic.setLine(intid, high), warn, clockNs));
    }
    this.memory.addDevice(board.base, board.count * board.stride, new VirtioMmioBank(transports, board.stride));
    return transports;
  }

  /** The cycle at which a device's next scheduled input is due (frames of a pcap), if later than now. */
  private virtioInputDeadline(): number {
    let next = Infinity;
    for (const t of this.virtioWithInput) {
      const ns = t.device!.nextInputNs?.() ?? Infinity;
      const at = Math.ceil((ns * this.cpuHz) / 1e9);
      if (at > this.cycles && at < next) next = at;
    }
    return next;
  }

  /** Virtual time in CPU cycles. */
  get cycles(): number {
    return this.cpu.icount + this.idleCycles;
  }

  /** What the PL011 transmitted, when no console sink was given. */
  get consoleOutput(): string {
    return new TextDecoder().decode(new Uint8Array(this.collected));
  }

  /** Boot the kernel and run until it halts, the machine can never wake again, or `maxCycles`. */
  run(kernel: Kernel, maxCycles = Infinity): RunEnd {
    kernel.start(this);
    const end = this.advance(kernel, maxCycles, Infinity);
    // Without an event loop a live source cannot deliver more: waiting for it is waiting forever.
    return end === 'slice' || end === 'input' || end === 'host' || end === 'debug' ? { reason: 'idle-forever', cycles: this.cycles } : end;
  }

  /**
   * Go on running a machine whose kernel has already booted (after `run` or `resume`
   * returned at a limit): until the kernel halts, the machine idles for good, or `maxCycles`.
   */
  resume(kernel: Kernel, maxCycles = Infinity): RunEnd {
    const end = this.advance(kernel, maxCycles, Infinity);
    return end === 'slice' || end === 'input' || end === 'host' || end === 'debug' ? { reason: 'idle-forever', cycles: this.cycles } : end;
  }

  /**
   * Like `run`, but yields to the event loop every `sliceCycles` cycles of virtual time, and
   * when the CPU waits for input that a live source (`InputSource.wait`) may still deliver.
   * With host I/O open (sockets) it yields every millisecond of virtual time, and an idle CPU
   * sleeps in wall-clock time (`waitForHost`).
   */
  async runAsync(kernel: Kernel, maxCycles = Infinity, sliceCycles = 50_000_000): Promise<RunEnd> {
    kernel.start(this);
    for (;;) {
      const slice = this.hostIo.some((h) => h.open) ? Math.min(sliceCycles, HOST_IO_SLICE_CYCLES) : sliceCycles;
      const end = this.advance(kernel, maxCycles, this.cycles + slice);
      if (end === 'slice') await new Promise<void>(yieldToEventLoop);
      else if (end === 'host') await this.waitForHost();
      else if (end === 'input') await this.input.wait!();
      else if (end === 'debug') await this.debug!.stopped(this.lastDebugStop);
      else return end;
    }
  }

  /**
   * An idle CPU with host I/O open: sleep until the host delivers, or for as long in wall-clock
   * time as virtual time has until the next deadline (at most HOST_IO_MAX_SLEEP_MS at a time),
   * then let virtual time advance by the wall-clock time slept (never past the deadline). So an
   * idle machine keeps pace with the host's clock, and a busy one runs as fast as it can; host
   * input enters virtual time at the batch boundary after it arrived.
   */
  private async waitForHost(): Promise<void> {
    const cyclesPerMs = this.cpuHz / 1000;
    const sleepMs = Math.min(HOST_IO_MAX_SLEEP_MS, (this.hostWake - this.cycles) / cyclesPerMs);
    const started = performance.now();
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const waits = this.hostIo.map((h) => h.wait());
    waits.push(new Promise<void>((resolve) => (timeout = setTimeout(resolve, sleepMs))));
    // Live input wakes the machine only when the UART can take it: bytes the guest leaves in a
    // full FIFO would resolve the wait at once, every time, and the idle machine would spin.
    if (this.input.wait && !this.input.ended && this.uart.canReceive) waits.push(this.input.wait());
    await Promise.race(waits);
    clearTimeout(timeout);
    const slept = Math.round((performance.now() - started) * cyclesPerMs);
    this.idleCycles += Math.max(0, Math.min(slept, this.hostWake - this.cycles));
  }

  /**
   * The run loop: until the kernel halts, `maxCycles`, the end of a slice (`'slice'`), an idle
   * CPU whose only hope is a live input source (`'input'`), or an idle CPU with host I/O open
   * (`'host'`).
   */
  private advance(kernel: Kernel, maxCycles: number, sliceEnd: number): RunEnd | 'slice' | 'input' | 'host' | 'debug' {
    this.kernel = kernel;
    this.maxCycles = maxCycles;
    this.sliceEnd = sliceEnd;
    while (this.halted === undefined) {
      if (this.debugRequested && this.debug) {
        this.debugRequested = false;
        this.lastDebugStop = { kind: 'request' };
        return 'debug';
      }
      if (this.pendingTrap) {
        const trap = this.pendingTrap;
        this.pendingTrap = undefined;
        this.cpu.timeSyncIcount = -1;
        kernel.trap(trap, this);
        continue;
      }
      if (this.batchLeft > 0) {
        if (this.runCpu(kernel, this.batchLeft)) return 'debug';
        continue;
      }
      this.feedInput();
      for (const t of this.virtioWithInput) t.poll();
      this.timer.updateIfDue();
      if (this.gic.irqLine) {
        if (++this.storm > MAX_IRQ_STORM) this.halt(`the kernel took ${MAX_IRQ_STORM} interrupts in a row without running anything; interrupt ${this.gic.highestPending()} stays pending`);
        else {
          this.waiting = false;
          this.cpu.timeSyncIcount = -1;
          kernel.trap(IRQ_TRAP, this);
        }
        continue;
      }
      if (this.cycles >= sliceEnd) return 'slice';
      const deadline = Math.min(this.timer.nextDeadline(), this.virtioInputDeadline());
      if (this.waiting && !this.inputPending() && this.hostIo.some((h) => h.open)) {
        if (this.cycles >= maxCycles) return { reason: 'limit', cycles: this.cycles };
        this.hostWake = Math.min(deadline, maxCycles);
        if (this.hostWake > this.cycles) return 'host';
      }
      if (this.waiting) {
        if (deadline === Infinity && !this.inputPending()) {
          return this.input.wait && !this.input.ended && this.uart.canReceive ? 'input' : { reason: 'idle-forever', cycles: this.cycles };
        }
        const wake = this.inputPending() ? this.cycles : deadline;
        if (wake >= maxCycles) {
          this.idleCycles += Math.max(0, maxCycles - this.cycles);
          return { reason: 'limit', cycles: this.cycles };
        }
        // A live source may deliver before the deadline: skip at most to the end of the slice.
        const target = this.input.wait && !this.input.ended ? Math.min(wake, sliceEnd) : wake;
        this.idleCycles += Math.max(0, target - this.cycles);
        continue;
      }
      if (this.cycles >= maxCycles) return { reason: 'limit', cycles: this.cycles };
      const budget = Math.max(1, Math.min(this.batch, maxCycles - this.cycles, deadline - this.cycles, sliceEnd - this.cycles));
      if (this.runCpu(kernel, budget)) return 'debug';
    }
    return { reason: 'halt', message: this.halted, cycles: this.cycles };
  }

  /**
   * Whether an SVC goes straight from the CPU's run to the kernel (`directSvc`); false
   * (`sel4ts run --no-fastpath`) sends every one back through the run loop first, with the same
   * result, instruction for instruction.
   */
  directSystemCalls = true;
  /** The kernel `advance` runs, and its limits, for the direct system call (`directSvc`). */
  private kernel: Kernel | undefined = undefined;
  private maxCycles = Infinity;
  private sliceEnd = Infinity;

  /**
   * The direct system call (`Cpu.onSvc`): the kernel gets an SVC without the CPU's run
   * ending, and the run goes on in whichever thread it chose, for the budget `advance` would
   * give the next batch. Only the steps of `advance` that would do nothing are skipped: when
   * one would do something (input to feed, an interrupt to take, a limit, an idle CPU, a
   * halt) the run ends (0) and `advance` does it, at the same instruction. With a debugger
   * the SVC goes the usual way (−1), through its stops.
   */
  private directSvc(): number {
    const kernel = this.kernel;
    if (kernel === undefined || this.debug !== undefined || !this.directSystemCalls) return -1;
    const cpu = this.cpu;
    this.svcTrap.esr = cpu.esr;
    cpu.timeSyncIcount = -1; // the kernel may switch threads
    this.inCpu = false;
    kernel.trap(this.svcTrap, this);
    this.inCpu = true;
    // inputPending, its two pure tests the other way round: no input is the usual answer.
    if (this.halted !== undefined || this.waiting || this.debugRequested || this.virtioWithInput.length !== 0 || (this.input.peek() !== undefined && this.uart.canReceive)) return 0;
    this.timer.updateIfDue();
    if (this.gic.irqLine) return 0;
    const cycles = this.cycles;
    if (cycles >= this.sliceEnd || cycles >= this.maxCycles) return 0;
    return Math.max(1, Math.min(this.batch, this.maxCycles - cycles, this.timer.nextDeadline() - cycles, this.sliceEnd - cycles));
  }

  /** Run a batch of `budget` instructions and hand its trap to the kernel; true when a debugger stop ends it. */
  private runCpu(kernel: Kernel, budget: number): boolean {
    const before = this.cpu.icount;
    const stepping = this.debug !== undefined && (this.stepping || this.debug.stepNow?.() === true);
    this.stepping = false;
    let stop: Stop;
    this.inCpu = true;
    try {
      stop = this.cpu.run(stepping ? 1 : budget);
    } finally {
      this.inCpu = false;
    }
    const executed = this.cpu.icount - before;
    if (executed !== 0) this.storm = 0;
    this.batchLeft = 0;
    if (stop === Stop.Breakpoint || stop === Stop.Watchpoint || (stepping && stop === Stop.Budget)) {
      // The batch is not over: it goes on from here when the debugger resumes the machine.
      this.batchLeft = Math.max(0, budget - executed);
      this.lastDebugStop = stop === Stop.Breakpoint ? { kind: 'breakpoint' } : stop === Stop.Watchpoint ? { kind: 'watchpoint' } : { kind: 'step' };
      return true;
    }
    const trap = this.trapFor(stop);
    if (trap && this.debug?.stopBeforeTrap(trap)) {
      this.pendingTrap = trap;
      this.lastDebugStop = { kind: 'trap', trap };
      return true;
    }
    if (trap) {
      this.cpu.timeSyncIcount = -1; // the kernel may switch threads
      kernel.trap(trap, this);
    }
    if (stepping && executed === 0 && !trap) {
      // Nothing ran (a timer access syncs time first): the step is still to do.
      this.stepping = true;
      return false;
    }
    if (stepping) {
      this.lastDebugStop = { kind: 'step' };
      return true;
    }
    return false;
  }

  /** Stop for the debugger at the next instruction boundary the run loop reaches. */
  requestDebugStop(): void {
    this.debugRequested = true;
  }

  /** Make the next batch one instruction long, then stop for the debugger. */
  stepOnce(): void {
    this.stepping = true;
  }

  private readonly svcTrap: Trap & { kind: 'svc' } = { kind: 'svc', esr: 0 };

  private trapFor(stop: Stop): Trap | undefined {
    const cpu = this.cpu;
    switch (stop) {
      case Stop.Budget:
      case Stop.Interrupt:
      case Stop.TimeSync:
      case Stop.Handled:
      case Stop.Breakpoint:
      case Stop.Watchpoint:
        return undefined;
      case Stop.Wait:
        if (this.trapWfx) {
          this.cpu.pc -= 4; // a trapped WFI returns to itself
          return { kind: 'exception', esr: cpu.esr };
        }
        this.waiting = true;
        return undefined;
      case Stop.Svc:
        // The kernel reads a trap record at once and keeps none: without a debugger (which may
        // hold a stop's trap) one record serves every system call.
        if (this.debug) return { kind: 'svc', esr: cpu.esr };
        this.svcTrap.esr = cpu.esr;
        return this.svcTrap;
      case Stop.DataAbort:
      case Stop.InstructionAbort:
        return { kind: 'abort', esr: cpu.esr, far: (BigInt(cpu.farHi >>> 0) << 32n) | BigInt(cpu.farLo >>> 0), instruction: stop === Stop.InstructionAbort };
      default:
        return { kind: 'exception', esr: cpu.esr };
    }
  }

  private inputPending(): boolean {
    return this.uart.canReceive && this.input.peek() !== undefined;
  }

  private feedInput(): void {
    while (this.inputPending()) {
      this.uart.receive(this.input.peek()!);
      this.input.take();
    }
  }

  // ------------------------------------------------------------ KernelPort

  saveContext(into: UserContext): void {
    saveContext(this.cpu, into);
  }

  restoreContext(from: UserContext): void {
    restoreContext(this.cpu, from);
  }

  getRegister(index: number): bigint {
    return this.cpu.getX(index);
  }

  getRegisterSigned(index: number): number {
    const hi = this.cpu.R[2 * index + 1]!;
    return hi >= -0x20_0000 && hi < 0x20_0000 ? hi * 2 ** 32 + (this.cpu.R[2 * index]! >>> 0) : Number.NaN;
  }

  setRegister(index: number, value: bigint): void {
    this.cpu.setX(index, value);
  }

  get pc(): bigint {
    return BigInt(this.cpu.pc);
  }

  get pcNumber(): number {
    return this.cpu.pc;
  }

  set pc(value: bigint) {
    this.cpu.pc = value < 1n << 53n ? Number(value) : 2 ** 53 - 4;
  }

  setAddressSpace(root: number, asid: number): void {
    this.mmu.root = root;
    this.cpu.selectAsid(asid);
  }

  invalidateTlb(asid?: number, va?: number): void {
    if (va !== undefined) this.cpu.flushTlbPage(va, asid);
    else if (asid !== undefined) this.cpu.flushTlbAsid(asid);
    else this.cpu.flushTlb();
  }

  acknowledgeInterrupt(): number {
    return this.gic.acknowledge();
  }

  endOfInterrupt(intid: number): void {
    this.gic.endOfInterrupt(intid);
  }

  enableInterrupt(intid: number, enabled: boolean): void {
    this.gic.enabled[intid] = enabled ? 1 : 0;
    this.gic.changed();
  }

  setInterruptPriority(intid: number, priority: number): void {
    this.gic.priority[intid] = priority;
    this.gic.changed();
  }

  setInterruptEdge(intid: number, edge: boolean): void {
    if (intid >= 32) this.gic.edge[intid] = edge ? 1 : 0;
    this.gic.changed();
  }

  get counter(): number {
    return this.timer.count();
  }

  setTimer(timer: TimerName, ctl: number, cval: bigint | number): void {
    this.timer.program(timer, ctl, cval);
  }

  idle(): void {
    this.waiting = true;
  }

  wake(): void {
    this.waiting = false;
  }

  /** Stop the machine; called while an instruction runs (a device write), it stops right after it. */
  halt(reason: string): void {
    this.halted = reason;
    if (this.inCpu) this.cpu.endRunAfterInstruction();
  }

  putChar(byte: number): void {
    this.uart.write(0, 4, byte & 0xff);
  }
}
