import type { MmioDevice } from '../memory/physical-memory.js';

/**
 * The ARM Generic Interrupt Controller v2 (ARM IHI 0048B) for one CPU, without the security
 * extensions: a distributor (GICD_*) and a CPU interface (GICC_*), each an `MmioDevice`.
 *
 * INTIDs 0–15 are SGIs, 16–31 PPIs, 32 and up SPIs. Each interrupt has an enable bit, a
 * pending latch, an active bit, an 8-bit priority and an edge/level configuration; a
 * level-sensitive interrupt is also pending while its input line is high. The CPU's IRQ
 * input (`irqLine`) is high when both interfaces are enabled and some enabled, pending,
 * inactive interrupt has a priority higher (numerically lower) than both GICC_PMR and the
 * running priority.
 */

export const GIC_SPURIOUS = 1023;
/** Interrupt lines implemented: 32 private + 256 shared, as on QEMU's virt board. */
const GIC_NUM_IRQS = 288;

/** Distributor register offsets. */
export const GICD = {
  CTLR: 0x000,
  TYPER: 0x004,
  IIDR: 0x008,
  IGROUPR: 0x080,
  ISENABLER: 0x100,
  ICENABLER: 0x180,
  ISPENDR: 0x200,
  ICPENDR: 0x280,
  ISACTIVER: 0x300,
  ICACTIVER: 0x380,
  IPRIORITYR: 0x400,
  ITARGETSR: 0x800,
  ICFGR: 0xc00,
  SGIR: 0xf00,
  CPENDSGIR: 0xf10,
  SPENDSGIR: 0xf20,
} as const;

/** CPU interface register offsets. */
export const GICC = {
  CTLR: 0x00,
  PMR: 0x04,
  BPR: 0x08,
  IAR: 0x0c,
  EOIR: 0x10,
  RPR: 0x14,
  HPPIR: 0x18,
  IIDR: 0xfc,
  DIR: 0x1000,
} as const;

/** Implementer ARM (0x43b), architecture version 2. */
const IIDR_VALUE = 0x0200043b;
const IDLE_PRIORITY = 0xff;

export class GicV2 {
  readonly enabled = new Uint8Array(GIC_NUM_IRQS);
  readonly pendingLatch = new Uint8Array(GIC_NUM_IRQS);
  readonly line = new Uint8Array(GIC_NUM_IRQS);
  readonly active = new Uint8Array(GIC_NUM_IRQS);
  readonly priority = new Uint8Array(GIC_NUM_IRQS);
  readonly target = new Uint8Array(GIC_NUM_IRQS);
  /** 1 for edge-triggered (ICFGR Int_config[1]). SGIs are always edge-triggered. */
  readonly edge = new Uint8Array(GIC_NUM_IRQS);
  distributorEnabled = false;
  cpuInterfaceEnabled = false;
  /** GICC_CTLR.EOImodeNS: EOIR only drops priority; GICC_DIR deactivates. */
  eoiModeSplit = false;
  pmr = 0;
  bpr = 2;
  /** Priorities of the interrupts acknowledged and not yet EOIed, innermost last. */
  private readonly runningStack: number[] = [];
  /** Called whenever the IRQ output may have changed. */
  onChange: () => void = () => {};

  readonly distributor: MmioDevice;
  readonly cpuInterface: MmioDevice;

  constructor() {
    this.edge.fill(1, 0, 16);
    this.distributor = { name: 'gic-distributor', read: (o, s) => this.readDistributor(o, s), write: (o, s, v) => this.writeDistributor(o, s, v) };
    this.cpuInterface = { name: 'gic-cpu-interface', read: (o, s) => this.readCpu(o, s), write: (o, s, v) => this.writeCpu(o, s, v) };
  }

  // ------------------------------------------------------------ inputs from devices

  /** Drive the input line of a PPI or SPI (a device's interrupt output). */
  setLine(intid: number, high: boolean): void {
    const v = high ? 1 : 0;
    if (this.line[intid] === v) return;
    this.line[intid] = v;
    if (high && this.edge[intid]) this.pendingLatch[intid] = 1;
    this.changed();
  }

  isPending(intid: number): boolean {
    return this.pendingLatch[intid] === 1 || (this.edge[intid] === 0 && this.line[intid] === 1);
  }

  // ------------------------------------------------------------ the CPU side

  /** The priority below which (numerically) an interrupt preempts what runs now. */
  get runningPriority(): number {
    const n = this.runningStack.length;
    return n === 0 ? IDLE_PRIORITY + 1 : this.runningStack[n - 1]!;
  }

  /** Group priority: the priority with the subpriority bits that GICC_BPR names cleared. */
  private groupPriority(p: number): number {
    return p & (0xff << (this.bpr + 1)) & 0xff;
  }

  /** The INTID the CPU would acknowledge now, or GIC_SPURIOUS. */
  highestPending(): number {
    if (!this.distributorEnabled) return GIC_SPURIOUS;
    let best = GIC_SPURIOUS;
    let bestPrio = 0x100;
    for (let i = 0; i < GIC_NUM_IRQS; i++) {
      if (this.enabled[i] && !this.active[i] && this.isPending(i) && this.priority[i]! < bestPrio) {
        best = i;
        bestPrio = this.priority[i]!;
      }
    }
    return best;
  }

  /** The CPU's IRQ input (cached until the state changes: the machine asks between every batch). */
  get irqLine(): boolean {
    if (this.irqLineCache < 0) this.irqLineCache = this.computeIrqLine() ? 1 : 0;
    return this.irqLineCache === 1;
  }

  /** Something that decides the IRQ line changed. Writers from outside (the machine's port) call it too. */
  changed(): void {
    this.irqLineCache = -1;
    this.onChange();
  }

  private irqLineCache = -1;

  private computeIrqLine(): boolean {
    if (!this.cpuInterfaceEnabled) return false;
    const id = this.highestPending();
    if (id === GIC_SPURIOUS) return false;
    const p = this.priority[id]!;
    const running = this.runningStack.length === 0 ? 0x100 : this.groupPriority(this.runningPriority);
    return p < this.pmr && this.groupPriority(p) < running;
  }

  /** GICC_IAR: acknowledge the highest-priority pending interrupt. */
  acknowledge(): number {
    if (!this.irqLine) return GIC_SPURIOUS;
    const id = this.highestPending();
    this.pendingLatch[id] = 0;
    this.active[id] = 1;
    this.runningStack.push(this.priority[id]!);
    this.changed();
    return id; // SGIs carry the source CPU in bits [12:10]: always CPU 0 here.
  }

  /** GICC_EOIR. */
  endOfInterrupt(intid: number): void {
    if (intid >= GIC_NUM_IRQS) return;
    this.runningStack.pop();
    if (!this.eoiModeSplit) this.active[intid] = 0;
    this.changed();
  }

  // ------------------------------------------------------------ registers

  private bitRegister(bits: Uint8Array, offset: number, base: number): number {
    let v = 0;
    const first = ((offset - base) >> 2) * 32;
    for (let k = 0; k < 32; k++) if (first + k < GIC_NUM_IRQS && bits[first + k]) v |= 1 << k;
    return v;
  }

  private pendingRegister(offset: number, base: number): number {
    let v = 0;
    const first = ((offset - base) >> 2) * 32;
    for (let k = 0; k < 32; k++) if (first + k < GIC_NUM_IRQS && this.isPending(first + k)) v |= 1 << k;
    return v;
  }

  private setBits(bits: Uint8Array, offset: number, base: number, value: number, to: 0 | 1, firstWritable = 0): void {
    const first = ((offset - base) >> 2) * 32;
    for (let k = 0; k < 32; k++) {
      const id = first + k;
      if (id >= firstWritable && id < GIC_NUM_IRQS && (value >>> k) & 1) bits[id] = to;
    }
  }

  private readDistributor(offset: number, size: number): number {
    const word = offset & ~3;
    const in_ = (base: number, count: number) => word >= base && word < base + count;
    let v: number;
    if (word === GICD.CTLR) v = this.distributorEnabled ? 1 : 0;
    else if (word === GICD.TYPER) v = GIC_NUM_IRQS / 32 - 1;
    else if (word === GICD.IIDR) v = IIDR_VALUE;
    else if (in_(GICD.IGROUPR, 0x80)) v = 0;
    else if (in_(GICD.ISENABLER, 0x80)) v = this.bitRegister(this.enabled, word, GICD.ISENABLER);
    else if (in_(GICD.ICENABLER, 0x80)) v = this.bitRegister(this.enabled, word, GICD.ICENABLER);
    else if (in_(GICD.ISPENDR, 0x80)) v = this.pendingRegister(word, GICD.ISPENDR);
    else if (in_(GICD.ICPENDR, 0x80)) v = this.pendingRegister(word, GICD.ICPENDR);
    else if (in_(GICD.ISACTIVER, 0x80)) v = this.bitRegister(this.active, word, GICD.ISACTIVER);
    else if (in_(GICD.ICACTIVER, 0x80)) v = this.bitRegister(this.active, word, GICD.ICACTIVER);
    else if (in_(GICD.IPRIORITYR, GIC_NUM_IRQS)) v = this.byteRegister(this.priority, word - GICD.IPRIORITYR);
    else if (in_(GICD.ITARGETSR, GIC_NUM_IRQS)) v = word < GICD.ITARGETSR + 32 ? 0x01010101 : this.byteRegister(this.target, word - GICD.ITARGETSR);
    else if (in_(GICD.ICFGR, GIC_NUM_IRQS / 4)) v = this.configRegister(word - GICD.ICFGR);
    else if (word >= 0xfd0) v = PERIPHERAL_ID[(word - 0xfd0) >> 2] ?? 0;
    else v = 0; // reserved and write-only registers read as zero
    return narrow(v, offset, size);
  }

  private writeDistributor(offset: number, size: number, value: number): void {
    const word = offset & ~3;
    const in_ = (base: number, count: number) => word >= base && word < base + count;
    if (in_(GICD.IPRIORITYR, GIC_NUM_IRQS)) this.writeBytes(this.priority, offset - GICD.IPRIORITYR, size, value, 0);
    else if (in_(GICD.ITARGETSR, GIC_NUM_IRQS)) this.writeBytes(this.target, offset - GICD.ITARGETSR, size, value, 32);
    else if (size !== 4)
      return; // the other registers are word-accessible only
    else if (word === GICD.CTLR) this.distributorEnabled = (value & 1) === 1;
    else if (in_(GICD.ISENABLER, 0x80)) this.setBits(this.enabled, word, GICD.ISENABLER, value, 1);
    else if (in_(GICD.ICENABLER, 0x80)) this.setBits(this.enabled, word, GICD.ICENABLER, value, 0);
    else if (in_(GICD.ISPENDR, 0x80)) this.setBits(this.pendingLatch, word, GICD.ISPENDR, value, 1, 16);
    else if (in_(GICD.ICPENDR, 0x80)) this.setBits(this.pendingLatch, word, GICD.ICPENDR, value, 0, 16);
    else if (in_(GICD.ISACTIVER, 0x80)) this.setBits(this.active, word, GICD.ISACTIVER, value, 1);
    else if (in_(GICD.ICACTIVER, 0x80)) this.setBits(this.active, word, GICD.ICACTIVER, value, 0);
    else if (in_(GICD.ICFGR, GIC_NUM_IRQS / 4)) this.writeConfig(word - GICD.ICFGR, value);
    else if (word === GICD.SGIR) this.softwareInterrupt(value);
    this.changed();
  }

  /** GICD_SGIR: TargetListFilter [25:24], CPUTargetList [23:16], SGIINTID [3:0]. */
  private softwareInterrupt(value: number): void {
    const filter = (value >>> 24) & 3;
    const targets = (value >>> 16) & 0xff;
    const reachesCpu0 = filter === 2 || (filter === 0 && (targets & 1) === 1);
    if (reachesCpu0) this.pendingLatch[value & 0xf] = 1;
  }

  private byteRegister(bytes: Uint8Array, index: number): number {
    return (bytes[index]! | (bytes[index + 1]! << 8) | (bytes[index + 2]! << 16) | (bytes[index + 3]! << 24)) >>> 0;
  }

  private writeBytes(bytes: Uint8Array, index: number, size: number, value: number, firstWritable: number): void {
    for (let k = 0; k < size; k++) if (index + k >= firstWritable) bytes[index + k] = (value >>> (8 * k)) & 0xff;
  }

  /** GICD_ICFGR: two bits per interrupt, bit 1 of each pair set for edge-triggered. */
  private configRegister(index: number): number {
    let v = 0;
    const first = index * 4;
    for (let k = 0; k < 16; k++) if (this.edge[first + k]) v |= 2 << (2 * k);
    return v >>> 0;
  }

  private writeConfig(index: number, value: number): void {
    const first = index * 4;
    for (let k = 0; k < 16; k++) if (first + k >= 32) this.edge[first + k] = (value >>> (2 * k + 1)) & 1;
  }

  private readCpu(offset: number, size: number): number {
    if (size !== 4) return 0;
    switch (offset) {
      case GICC.CTLR:
        return (this.cpuInterfaceEnabled ? 1 : 0) | (this.eoiModeSplit ? 1 << 9 : 0);
      case GICC.PMR:
        return this.pmr;
      case GICC.BPR:
        return this.bpr;
      case GICC.IAR:
        return this.acknowledge();
      case GICC.RPR:
        return this.runningStack.length === 0 ? IDLE_PRIORITY : this.runningPriority;
      case GICC.HPPIR:
        return this.highestPending();
      case GICC.IIDR:
        return IIDR_VALUE;
      default:
        return 0;
    }
  }

  private writeCpu(offset: number, size: number, value: number): void {
    if (size !== 4) return;
    switch (offset) {
      case GICC.CTLR:
        this.cpuInterfaceEnabled = (value & 1) === 1;
        this.eoiModeSplit = ((value >>> 9) & 1) === 1;
        break;
      case GICC.PMR:
        this.pmr = value & 0xff;
        break;
      case GICC.BPR:
        this.bpr = value & 7;
        break;
      case GICC.EOIR:
        this.endOfInterrupt(value & 0x3ff);
        break;
      case GICC.DIR:
        if ((value & 0x3ff) < GIC_NUM_IRQS) this.active[value & 0x3ff] = 0;
        break;
    }
    this.changed();
  }
}

/** GICD_PIDR4–7, PIDR0–3, CIDR0–3 (0xfd0–0xffc): a GIC-400's identification registers. */
const PERIPHERAL_ID = [0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

function narrow(word: number, offset: number, size: number): number {
  const shift = (offset & 3) * 8;
  const v = word >>> shift;
  return size === 4 ? v | 0 : size === 2 ? v & 0xffff : v & 0xff;
}
