import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Sel4Kernel, ROOT_SLOT, type KernelOptions } from '../../src/kernel/kernel.js';
import { ObjectType } from '../../src/kernel/object-types.js';
import type { TcbObject, SchedContextObject } from '../../src/kernel/objects.js';
import { Machine, type RunEnd } from '../../src/machine/machine.js';
import { PF_W, PF_X, PT_LOAD, readElf64, type ElfFile } from '../../src/util/elf64.js';

/**
 * Builds small systems on the real machine and kernel models for the scenario tests, the way
 * a system initialiser does: every object is retyped and every cap placed through the
 * kernel's own invocations (`Sel4Kernel.invoke`). Every thread runs a role of
 * test/kernel/programs/scenarios.elf in its own VSpace and CSpace (see scenarios.c).
 */

export const SCENARIOS_ELF = fileURLToPath(new URL('../kernel/programs/scenarios.elf', import.meta.url));

const IPC_BUFFER_VA = 0xff_ffff_f000;
const STACK_TOP = 0xff_ffff_e000;
/** Thread CNodes have 16 slots; their cap's guard makes a cptr resolve in all 64 bits. */
const THREAD_CNODE_BITS = 4;
const ALL_RIGHTS = 0xf;

export const ROLE = {
  ping: 1,
  pong: 2,
  client: 3,
  server: 4,
  signaler: 5,
  waiter: 6,
  sender: 7,
  receiver: 8,
  faulter: 9,
  faultHandler: 10,
  spin: 11,
  regs: 12,
  blockedReceiver: 13,
  deleter: 14,
  timer: 15,
  fuzz: 16,
  yielder: 17,
  debug: 18,
  callLoop: 19,
  echoServer: 20,
  signalLoop: 21,
  waitLoop: 22,
  capClient: 23,
  capServer: 24,
} as const;

/** A cap for a thread's CNode: a root slot, optionally minted with a badge and fewer rights. */
export type CapSpec = number | { slot: number; badge?: number | bigint; rights?: number };

export interface ThreadSpec {
  role: number;
  param?: number | bigint;
  priority?: number;
  budgetUs?: number;
  periodUs?: number;
  sporadic?: boolean;
  /** Caps for the thread's CNode, by slot (see scenarios.c for the layout). */
  caps?: Record<number, CapSpec>;
  /** The fault endpoint (a root slot, usually minted with a badge). */
  faultEndpoint?: CapSpec;
  timeoutEndpoint?: CapSpec;
  /** Leave the thread suspended. */
  suspended?: boolean;
  /** Bind the thread's notification in this root slot. */
  boundNotification?: number;
}

export interface Thread {
  tcb: TcbObject;
  sc: SchedContextObject;
  tcbSlot: number;
  scSlot: number;
  cnodeSlot: number;
  vspaceSlot: number;
}

/**
 * Fast-path exactness (test/fastpath-exactness.test.ts): with `twin` set, every TestSystem
 * builds a twin with the kernel's fast paths off through the same calls, runs it alongside,
 * and after each run throws if the two differ in console output, end of run, retired
 * instructions, virtual time or the kernel's trace events.
 */
export const fastpathExactness = { twin: false };

/** What a run showed of the kernel, in order: system calls, their outcomes and switches. */
function recordKernelEvents(kernel: Sel4Kernel, machine: Machine): string[] {
  const events: string[] = [];
  const k = kernel.state;
  const name = (t: TcbObject | undefined) => (t ? `${t.name || t.paddr.toString(16)}` : 'idle');
  const { syscall, syscallDone, switchTo, fault } = k.trace;
  k.trace.syscall = (t, call) => {
    events.push(`${machine.cpu.icount} ${name(t)} syscall ${JSON.stringify(call, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    syscall?.(t, call);
  };
  k.trace.syscallDone = (t, call, failure) => {
    events.push(`${machine.cpu.icount} ${name(t)} done state ${t.state} ${failure?.kind ?? ''}`);
    syscallDone?.(t, call, failure);
  };
  k.trace.switchTo = (t) => {
    events.push(`${machine.cpu.icount} switch ${name(t)}`);
    switchTo?.(t);
  };
  k.trace.fault = (t, description, handled) => {
    events.push(`${machine.cpu.icount} ${name(t)} fault ${description} ${handled}`);
    fault?.(t, description, handled);
  };
  return events;
}

export class TestSystem {
  readonly machine: Machine;
  readonly kernel: Sel4Kernel;
  private readonly elf: ElfFile;
  private nextSlot: number;
  private readonly untyped: number;
  private booted = false;
  /** The same system with the fast paths off (fastpathExactness.twin). */
  private readonly twin: TestSystem | undefined;

  constructor(options: KernelOptions & { cpuHz?: number } = {}, fastpath = true) {
    this.machine = new Machine({ cpuHz: options.cpuHz });
    this.kernel = new Sel4Kernel(this.machine, options);
    this.kernel.state.fastpath = fastpath;
    this.machine.directSystemCalls = fastpath;
    if (fastpath && fastpathExactness.twin) this.twin = new TestSystem(options, false);
    const parsed = readElf64(new Uint8Array(readFileSync(SCENARIOS_ELF)));
    if (!parsed.ok) throw new Error(parsed.error);
    this.elf = parsed.elf;
    this.nextSlot = this.kernel.bootInfo.empty.from;
    this.untyped = this.kernel.bootInfo.untyped.find((u) => !u.isDevice && u.sizeBits >= 24)!.slot;
  }

  /** Invoke as the root task; a failure throws with seL4's error. */
  invoke(cptr: number, label: string, args: (number | bigint)[] = [], extra: number[] = []): bigint[] {
    this.twin?.invoke(cptr, label, args, extra);
    const r = this.kernel.invoke(cptr, label, args, extra);
    if (!r.ok) throw new Error(r.message);
    return r.words;
  }

  /** Retype one object into the next free root slot. */
  create(type: ObjectType, sizeBits = 0): number {
    const slot = this.nextSlot++;
    this.invoke(this.untyped, 'UntypedRetype', [type, sizeBits, 0, 0, slot, 1], [ROOT_SLOT.cnode]);
    return slot;
  }

  /** Mint a copy of a root cap (with a badge) into the next free root slot. */
  mint(src: number, badge: number | bigint = 0, rights = ALL_RIGHTS): number {
    const slot = this.nextSlot++;
    this.invoke(ROOT_SLOT.cnode, 'CNodeMint', [slot, 64, src, 64, rights, badge], [ROOT_SLOT.cnode]);
    return slot;
  }

  private capSlot(spec: CapSpec): number {
    if (typeof spec === 'number') return spec;
    return this.mint(spec.slot, spec.badge ?? 0, spec.rights ?? ALL_RIGHTS);
  }

  /** A VSpace with the ELF, a stack and an IPC buffer page; returns the VSpace and buffer frame slots. */
  private buildVSpace(): { vspace: number; buffer: number } {
    const vspace = this.create(ObjectType.VSpace);
    this.invoke(ROOT_SLOT.asidPool, 'ARMASIDPoolAssign', [], [vspace]);
    const tables = new Set<string>();
    const mapTables = (va: number) => {
      for (const span of [2 ** 30, 2 ** 21]) {
        const base = va - (va % span);
        if (tables.has(`${span}:${base}`)) continue;
        tables.add(`${span}:${base}`);
        this.invoke(this.create(ObjectType.PageTable), 'ARMPageTableMap', [base, 3], [vspace]);
      }
    };
    const mem = this.machine.memory;
    const mapPage = (va: number, rights: number, executable: boolean, bytes?: Uint8Array, offset = 0) => {
      const frame = this.create(ObjectType.SmallPage);
      const pa = Number(this.invoke(frame, 'ARMPageGetAddress')[0]!);
      if (bytes) mem.write(pa + offset, bytes);
      if (bytes) this.twin?.machine.memory.write(pa + offset, bytes);
      mapTables(va);
      this.invoke(frame, 'ARMPageMap', [va, rights, executable ? 3 : 7], [vspace]);
      return frame;
    };
    for (const seg of this.elf.segments) {
      if (seg.type !== PT_LOAD) continue;
      const start = Number(seg.vaddr);
      const end = start + Number(seg.memSize);
      for (let va = start - (start % 4096); va < end; va += 4096) {
        const from = Math.max(va, start);
        const to = Math.min(va + 4096, start + seg.fileSize);
        const bytes = to > from ? this.elf.bytes.subarray(seg.offset + (from - start), seg.offset + (to - start)) : undefined;
        mapPage(va, seg.flags & PF_W ? 3 : 2, (seg.flags & PF_X) !== 0, bytes, from - va);
      }
    }
    mapPage(STACK_TOP - 4096, 3, false);
    const buffer = mapPage(IPC_BUFFER_VA, 3, false);
    return { vspace, buffer };
  }

  thread(spec: ThreadSpec): Thread {
    const tcbSlot = this.create(ObjectType.TCB);
    const scSlot = this.create(ObjectType.SchedContext, 8);
    const cnodeSlot = this.create(ObjectType.CapTable, THREAD_CNODE_BITS);
    const reply = this.create(ObjectType.Reply);
    const park = this.create(ObjectType.Notification);
    const { vspace, buffer } = this.buildVSpace();

    const caps: Record<number, CapSpec> = { 4: reply, 9: park, 10: cnodeSlot, ...spec.caps };
    for (const [index, capSpec] of Object.entries(caps)) {
      this.invoke(cnodeSlot, 'CNodeCopy', [Number(index), THREAD_CNODE_BITS, this.capSlot(capSpec), 64, ALL_RIGHTS], [ROOT_SLOT.cnode]);
    }
    // The thread's view of its CNode resolves all 64 bits: guard size 64 − radix.
    this.invoke(tcbSlot, 'TCBConfigure', [64 - THREAD_CNODE_BITS, 0, IPC_BUFFER_VA], [cnodeSlot, vspace, buffer]);
    const budget = spec.budgetUs ?? 1000;
    this.invoke(this.kernel.bootInfo.schedControl, 'SchedControlConfigureFlags', [budget, spec.periodUs ?? budget, 0, 0x100 + tcbSlot, spec.sporadic ? 1 : 0], [scSlot]);
    const fault = spec.faultEndpoint === undefined ? 0 : this.capSlot(spec.faultEndpoint);
    const priority = spec.priority ?? 100;
    this.invoke(tcbSlot, 'TCBSetSchedParams', [priority, priority], [ROOT_SLOT.tcb, scSlot, fault]);
    if (spec.timeoutEndpoint !== undefined) this.invoke(tcbSlot, 'TCBSetTimeoutEndpoint', [], [this.capSlot(spec.timeoutEndpoint)]);
    if (spec.boundNotification !== undefined) this.invoke(tcbSlot, 'TCBBindNotification', [], [spec.boundNotification]);
    this.invoke(tcbSlot, 'TCBWriteRegisters', [0, 5, this.elf.entry, STACK_TOP, 0, spec.role, BigInt(spec.param ?? 0)]);
    if (!spec.suspended) this.invoke(tcbSlot, 'TCBResume');
    const tcb = this.kernel.rootCNode.slots[tcbSlot]!.cap as { obj: TcbObject };
    const sc = this.kernel.rootCNode.slots[scSlot]!.cap as { obj: SchedContextObject };
    return { tcb: tcb.obj, sc: sc.obj, tcbSlot, scSlot, cnodeSlot, vspaceSlot: vspace };
  }

  /** Boot (the first time) or go on, for at most `cycles` more cycles. */
  run(cycles = 50_000_000): RunEnd {
    return this.twin ? this.runWithTwin(cycles) : this.runAlone(cycles);
  }

  private runAlone(cycles: number): RunEnd {
    const limit = this.machine.cycles + cycles;
    if (!this.booted) {
      this.booted = true;
      return this.machine.run(this.kernel, limit);
    }
    this.kernel.reschedule();
    return this.machine.resume(this.kernel, limit);
  }

  /** Run this system and its twin (fast paths off) for `cycles`; throw where they differ. */
  private runWithTwin(cycles: number): RunEnd {
    const twin = this.twin!;
    const saved = { ...this.kernel.state.trace };
    const savedTwin = { ...twin.kernel.state.trace };
    const events = recordKernelEvents(this.kernel, this.machine);
    const twinEvents = recordKernelEvents(twin.kernel, twin.machine);
    const hits = this.kernel.state.fastpathHits;
    let end: RunEnd;
    let twinEnd: RunEnd;
    try {
      end = this.runAlone(cycles);
      twinEnd = twin.run(cycles);
    } finally {
      this.kernel.state.trace = saved;
      twin.kernel.state.trace = savedTwin;
    }
    const fast = { end, output: this.output, icount: this.machine.cpu.icount, cycles: this.machine.cycles, events };
    const slow = { end: twinEnd, output: twin.output, icount: twin.machine.cpu.icount, cycles: twin.machine.cycles, events: twinEvents };
    for (const key of ['end', 'output', 'icount', 'cycles', 'events'] as const) {
      const [a, b] = [JSON.stringify(fast[key]), JSON.stringify(slow[key])];
      if (a !== b) throw new Error(`fast paths on and off differ in ${key} (${this.kernel.state.fastpathHits - hits} fast-path calls):\n  on:  ${a.slice(0, 2000)}\n  off: ${b.slice(0, 2000)}`);
    }
    fastpathExactnessHits.count += this.kernel.state.fastpathHits - hits;
    return end;
  }

  get output(): string {
    return this.machine.consoleOutput;
  }
}

/** System calls the fast paths took in the twin runs of this test file. */
export const fastpathExactnessHits = { count: 0 };
