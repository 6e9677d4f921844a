/**
 * System registers EL0 may reach with MRS/MSR. The encoding is `op0:op1:CRn:CRm:op2`
 * (bits [20:5] of the instruction), as the ARM ARM's tables give it.
 */

export function sysregEncoding(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

export const SYSREG = {
  NZCV: sysregEncoding(3, 3, 4, 2, 0),
  DAIF: sysregEncoding(3, 3, 4, 2, 1),
  FPCR: sysregEncoding(3, 3, 4, 4, 0),
  FPSR: sysregEncoding(3, 3, 4, 4, 1),
  CTR_EL0: sysregEncoding(3, 3, 0, 0, 1),
  DCZID_EL0: sysregEncoding(3, 3, 0, 0, 7),
  TPIDR_EL0: sysregEncoding(3, 3, 13, 0, 2),
  TPIDRRO_EL0: sysregEncoding(3, 3, 13, 0, 3),
  CNTFRQ_EL0: sysregEncoding(3, 3, 14, 0, 0),
  CNTPCT_EL0: sysregEncoding(3, 3, 14, 0, 1),
  CNTVCT_EL0: sysregEncoding(3, 3, 14, 0, 2),
  CNTP_TVAL_EL0: sysregEncoding(3, 3, 14, 2, 0),
  CNTP_CTL_EL0: sysregEncoding(3, 3, 14, 2, 1),
  CNTP_CVAL_EL0: sysregEncoding(3, 3, 14, 2, 2),
  CNTV_TVAL_EL0: sysregEncoding(3, 3, 14, 3, 0),
  CNTV_CTL_EL0: sysregEncoding(3, 3, 14, 3, 1),
  CNTV_CVAL_EL0: sysregEncoding(3, 3, 14, 3, 2),
} as const;

export const SYSREG_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SYSREG).map(([k, v]) => [v, k.toLowerCase()]));

/**
 * The part of the system-register space that belongs to the machine rather than the core:
 * the generic timer. Values are 64-bit, passed as unsigned halves.
 */
export interface SystemRegisters {
  /** Returns the value, or undefined when EL0 may not read it (the access is UNDEFINED). */
  read(encoding: number): { lo: number; hi: number } | undefined;
  /** Returns false when EL0 may not write it. */
  write(encoding: number, lo: number, hi: number): boolean;
}

/**
 * The generic timer as user-mode programs see it when the CPU runs alone: a 62.5 MHz counter
 * derived from retired instructions (one instruction per nanosecond of virtual time at 1 GHz).
 * The EL0 timers exist but never fire.
 */
export class UserModeTimer implements SystemRegisters {
  static readonly FREQUENCY = 62_500_000;
  private cval = [0, 0, 0, 0];
  private ctl = [0, 0];

  constructor(
    private readonly instructions: () => number,
    private readonly cpuHz = 1_000_000_000,
  ) {}

  private count(): number {
    return Math.floor((this.instructions() * UserModeTimer.FREQUENCY) / this.cpuHz);
  }

  read(encoding: number): { lo: number; hi: number } | undefined {
    const split = (v: number) => ({ lo: v % 4294967296 | 0, hi: Math.floor(v / 4294967296) | 0 });
    switch (encoding) {
      case SYSREG.CNTFRQ_EL0:
        return { lo: UserModeTimer.FREQUENCY, hi: 0 };
      case SYSREG.CNTPCT_EL0:
      case SYSREG.CNTVCT_EL0:
        return split(this.count());
      case SYSREG.CNTP_CTL_EL0:
        return { lo: this.ctl[0]!, hi: 0 };
      case SYSREG.CNTV_CTL_EL0:
        return { lo: this.ctl[1]!, hi: 0 };
      case SYSREG.CNTP_CVAL_EL0:
        return { lo: this.cval[0]!, hi: this.cval[1]! };
      case SYSREG.CNTV_CVAL_EL0:
        return { lo: this.cval[2]!, hi: this.cval[3]! };
      case SYSREG.CNTP_TVAL_EL0:
      case SYSREG.CNTV_TVAL_EL0: {
        const k = encoding === SYSREG.CNTP_TVAL_EL0 ? 0 : 2;
        const cval = (this.cval[k + 1]! >>> 0) * 4294967296 + (this.cval[k]! >>> 0);
        return { lo: (cval - this.count()) | 0, hi: 0 };
      }
      default:
        return undefined;
    }
  }

  write(encoding: number, lo: number, hi: number): boolean {
    switch (encoding) {
      case SYSREG.CNTP_CTL_EL0:
        this.ctl[0] = lo & 3;
        return true;
      case SYSREG.CNTV_CTL_EL0:
        this.ctl[1] = lo & 3;
        return true;
      case SYSREG.CNTP_CVAL_EL0:
        this.cval[0] = lo;
        this.cval[1] = hi;
        return true;
      case SYSREG.CNTV_CVAL_EL0:
        this.cval[2] = lo;
        this.cval[3] = hi;
        return true;
      case SYSREG.CNTP_TVAL_EL0:
      case SYSREG.CNTV_TVAL_EL0: {
        const k = encoding === SYSREG.CNTP_TVAL_EL0 ? 0 : 2;
        const v = this.count() + lo; // TVAL is a signed 32-bit offset
        this.cval[k] = v % 4294967296 | 0;
        this.cval[k + 1] = Math.floor(v / 4294967296) | 0;
        return true;
      }
      default:
        return false;
    }
  }
}
