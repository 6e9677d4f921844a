import { SYSREG, type SystemRegisters } from '../cpu/sysregs.js';

/**
 * The ARM generic timer (ARM DDI 0487, D11): a system counter at CNTFRQ = 62.5 MHz driven by
 * virtual time, and three timers that compare against it, each with CTL (ENABLE bit 0, IMASK
 * bit 1, ISTATUS bit 2) and a 64-bit CVAL:
 *
 * - the EL1 physical timer CNTP_* (PPI 30), which user drivers reach from EL0;
 * - the virtual timer CNTV_* (PPI 27), with CNTVOFF = 0;
 * - the EL2 physical timer CNTHP_* (PPI 26), which only the kernel programs.
 *
 * Virtual time is counted in CPU cycles (`cycles()`), one per retired instruction plus the
 * cycles skipped while idle; the counter is cycles × CNTFRQ / cpuHz, computed exactly.
 */

export const CNTFRQ = 62_500_000;

const TIMER_PPI = { hypPhysical: 26, virtual: 27, physical: 30 } as const;

export const CNT_CTL = { ENABLE: 1, IMASK: 2, ISTATUS: 4 } as const;

export type TimerName = keyof typeof TIMER_PPI;
const TIMER_NAMES = Object.keys(TIMER_PPI) as TimerName[];

interface Comparator {
  ctl: number;
  /** CVAL; undefined when it was written as a number (then `cvalNumber`, made a BigInt on a read). */
  cval: bigint | undefined;
  /** `cval` as a number, or Infinity when it is 2^53 or more (the counter never gets there). */
  cvalNumber: number;
  /** The output line as last reported. */
  line: boolean;
  /** The cycle at which the line rises (Infinity: disabled, masked, already high or centuries away). */
  due: number;
}

const TWO32 = 4294967296;
const U64 = (1n << 64n) - 1n;
const TWO53 = 1n << 53n;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class GenericTimer implements SystemRegisters {
  private readonly timers: Record<TimerName, Comparator> = {
    physical: { ctl: 0, cval: 0n, cvalNumber: 0, line: false, due: Infinity },
    virtual: { ctl: 0, cval: 0n, cvalNumber: 0, line: false, due: Infinity },
    hypPhysical: { ctl: 0, cval: 0n, cvalNumber: 0, line: false, due: Infinity },
  };
  /** The same, in TIMER_NAMES order (the kernel's timer write updates all three). */
  private readonly comparators: Comparator[] = TIMER_NAMES.map((name) => this.timers[name]);
  /** counter = cycles × num / den, in lowest terms. */
  private readonly num: number;
  private readonly den: number;
  /**
   * What EL0 may reach (CNTKCTL_EL1: EL0PCTEN, EL0PTEN, EL0VCTEN, EL0VTEN); a refused access
   * traps. Everything by default (Linux user mode); the seL4 machine allows what the kernel
   * exports (`Machine`).
   */
  el0 = { physicalCounter: true, physicalTimer: true, virtualCounter: true, virtualTimer: true };
  /** Called when a timer's interrupt output changes level, with the timer's PPI. */
  onLine: (ppi: number, high: boolean) => void = () => {};

  constructor(
    private readonly cycles: () => number,
    readonly cpuHz = 1_000_000_000,
  ) {
    if (!Number.isInteger(cpuHz) || cpuHz < 1000 || cpuHz % 1000 !== 0) {
      throw new RangeError(`CPU frequency must be a whole number of kHz, got ${cpuHz} Hz`);
    }
    const g = gcd(CNTFRQ, cpuHz);
    this.num = CNTFRQ / g;
    this.den = cpuHz / g;
  }

  /** CNTPCT: the system counter now. */
  count(): number {
    const c = this.cycles();
    // A whole number of cycles per tick (16 at 1 GHz): one division.
    if (this.num === 1) return Math.floor(c / this.den);
    const q = Math.floor(c / this.den);
    return q * this.num + Math.floor(((c - q * this.den) * this.num) / this.den);
  }

  /** The first cycle at which the counter reaches `ticks`. */
  cycleOf(ticks: number): number {
    if (this.num === 1) return ticks * this.den;
    const q = Math.floor(ticks / this.num);
    return q * this.den + Math.ceil(((ticks - q * this.num) * this.den) / this.num);
  }

  private condition(t: Comparator): boolean {
    return (t.ctl & CNT_CTL.ENABLE) !== 0 && this.count() >= t.cvalNumber;
  }

  ctl(name: TimerName): number {
    const t = this.timers[name];
    return (t.ctl & 3) | (this.condition(t) ? CNT_CTL.ISTATUS : 0);
  }

  cval(name: TimerName): bigint {
    const t = this.timers[name];
    return t.cval ?? BigInt(t.cvalNumber);
  }

  setCtl(name: TimerName, value: number): void {
    this.timers[name].ctl = value & 3;
    this.update();
  }

  setCval(name: TimerName, value: bigint): void {
    this.storeCval(this.timers[name], value);
    this.update();
  }

  /**
   * Both registers at once (what a kernel programming its timer does), with one update. A
   * number CVAL (a whole number below 2^53, what the kernel model programs on every switch) is
   * stored without BigInt work. The usual write, a deadline in the future while no line is due
   * to change, changes no line: it only moves `nextDeadline`, without `update`'s pass.
   */
  program(name: TimerName, ctl: number, cval: bigint | number): void {
    const t = this.timers[name];
    const cycles = this.cycles();
    // No line would change on an update now (none is due) and this one is low.
    const quiet = !t.line && cycles < this.nextDeadline();
    if (typeof cval === 'bigint') this.storeCval(t, cval);
    else if (Number.isSafeInteger(cval) && cval >= 0) {
      t.cval = undefined;
      t.cvalNumber = cval;
    } else this.storeCval(t, BigInt(cval));
    t.ctl = ctl & 3;
    t.due = this.dueCycle(t);
    if (!quiet || cycles >= t.due) this.update();
    else this.deadline = this.computeDeadline();
  }

  private storeCval(t: Comparator, value: bigint): void {
    // The usual value (a deadline a kernel programs) is below 2^53: no BigInt arithmetic.
    if (value >= 0n && value < TWO53) {
      t.cval = value;
      t.cvalNumber = Number(value);
      return;
    }
    t.cval = value & U64;
    t.cvalNumber = t.cval < TWO53 ? Number(t.cval) : Infinity;
  }

  /** TVAL: CVAL − counter as a signed 32-bit value. */
  tval(name: TimerName): number {
    return Number(BigInt.asIntN(32, this.cval(name) - BigInt(this.count())));
  }

  /** Writing TVAL sets CVAL = counter + sign-extended value. */
  setTval(name: TimerName, value: number): void {
    this.setCval(name, BigInt(this.count()) + BigInt(value | 0));
  }

  /** Recompute the interrupt outputs; call after time advances. */
  update(): void {
    // The counter once for all three (nothing here moves time).
    const now = this.count();
    for (let i = 0; i < TIMER_NAMES.length; i++) {
      const t = this.comparators[i]!;
      const high = (t.ctl & (CNT_CTL.ENABLE | CNT_CTL.IMASK)) === CNT_CTL.ENABLE && now >= t.cvalNumber;
      if (high !== t.line) {
        t.line = high;
        this.onLine(TIMER_PPI[TIMER_NAMES[i]!], high);
      }
    }
    for (const t of this.comparators) t.due = this.dueCycle(t);
    this.deadline = undefined;
  }

  /** The cycle at which `t`'s line rises, as it stands (`Comparator.due`). */
  private dueCycle(t: Comparator): number {
    if ((t.ctl & (CNT_CTL.ENABLE | CNT_CTL.IMASK)) !== CNT_CTL.ENABLE || t.line) return Infinity;
    return t.cvalNumber === Infinity ? Infinity : this.cycleOf(t.cvalNumber); // centuries away
  }

  /**
   * As `update`, but only when time may have reached a deadline: lines rise only then, and
   * fall only on register writes (which update at once).
   */
  updateIfDue(): void {
    if (this.cycles() >= this.nextDeadline()) this.update();
  }

  /** `nextDeadline`'s answer until a register write or a line change. */
  private deadline: number | undefined = undefined;

  /** The cycle at which the next unmasked timer fires, or Infinity. */
  nextDeadline(): number {
    if (this.deadline === undefined) this.deadline = this.computeDeadline();
    return this.deadline;
  }

  private computeDeadline(): number {
    const c = this.comparators;
    return Math.min(c[0]!.due, c[1]!.due, c[2]!.due);
  }

  // ------------------------------------------------------------ EL0 view (MRS/MSR)

  private el0Allows(encoding: number): boolean {
    switch (encoding) {
      case SYSREG.CNTPCT_EL0:
        return this.el0.physicalCounter;
      case SYSREG.CNTVCT_EL0:
        return this.el0.virtualCounter;
      case SYSREG.CNTP_CTL_EL0:
      case SYSREG.CNTP_CVAL_EL0:
      case SYSREG.CNTP_TVAL_EL0:
        return this.el0.physicalTimer;
      case SYSREG.CNTV_CTL_EL0:
      case SYSREG.CNTV_CVAL_EL0:
      case SYSREG.CNTV_TVAL_EL0:
        return this.el0.virtualTimer;
      default:
        return true;
    }
  }

  read(encoding: number): { lo: number; hi: number } | undefined {
    if (!this.el0Allows(encoding)) return undefined;
    const split = (v: bigint) => ({ lo: Number(v & 0xffffffffn) | 0, hi: Number(v >> 32n) | 0 });
    switch (encoding) {
      case SYSREG.CNTFRQ_EL0:
        return { lo: CNTFRQ, hi: 0 };
      case SYSREG.CNTPCT_EL0:
      case SYSREG.CNTVCT_EL0: {
        const c = this.count();
        return { lo: (c % TWO32) | 0, hi: Math.floor(c / TWO32) | 0 };
      }
      case SYSREG.CNTP_CTL_EL0:
        return { lo: this.ctl('physical'), hi: 0 };
      case SYSREG.CNTV_CTL_EL0:
        return { lo: this.ctl('virtual'), hi: 0 };
      case SYSREG.CNTP_CVAL_EL0:
        return split(this.cval('physical'));
      case SYSREG.CNTV_CVAL_EL0:
        return split(this.cval('virtual'));
      case SYSREG.CNTP_TVAL_EL0:
        return { lo: this.tval('physical'), hi: 0 };
      case SYSREG.CNTV_TVAL_EL0:
        return { lo: this.tval('virtual'), hi: 0 };
      default:
        return undefined;
    }
  }

  write(encoding: number, lo: number, hi: number): boolean {
    if (!this.el0Allows(encoding)) return false;
    const u64 = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    switch (encoding) {
      case SYSREG.CNTP_CTL_EL0:
        this.setCtl('physical', lo);
        return true;
      case SYSREG.CNTV_CTL_EL0:
        this.setCtl('virtual', lo);
        return true;
      case SYSREG.CNTP_CVAL_EL0:
        this.setCval('physical', u64);
        return true;
      case SYSREG.CNTV_CVAL_EL0:
        this.setCval('virtual', u64);
        return true;
      case SYSREG.CNTP_TVAL_EL0:
        this.setTval('physical', lo);
        return true;
      case SYSREG.CNTV_TVAL_EL0:
        this.setTval('virtual', lo);
        return true;
      default:
        return false;
    }
  }
}
